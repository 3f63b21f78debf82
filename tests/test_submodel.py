"""Sub-models of LNS steps (``optimizer.submodel``): what a step's own model allows is
exactly what the whole model allows with the other variables fixed to the incumbent, a
solution of it completes to a solution of the whole model with the same objective, and
costs are located on the days of the decisions that pay them."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES, check_consistent
from ortools.sat.python import cp_model

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # benchmarks/ is not an installed package
    sys.path.insert(0, str(ROOT))

from benchmarks.curtois import DATA, to_scenario  # noqa: E402
from benchmarks.curtois_eval import parse_instance  # noqa: E402
from optimizer import Problem, load_scenario, solve  # noqa: E402
from optimizer import lns as lns_module  # noqa: E402
from optimizer.lns import LNS  # noqa: E402
from optimizer.problem import build  # noqa: E402
from optimizer.submodel import Frame  # noqa: E402

needs_data = pytest.mark.skipif(not (DATA / "Instance2.txt").exists(), reason="benchmark data not found")


def _random_model(rng: random.Random):
    """A small model with every constraint kind the rule modules write: decisions x (12
    booleans), auxiliary day literals and counts, a maximum over sums, an automaton,
    enforcement literals, and an objective over both."""
    m = cp_model.CpModel()
    x = [m.new_bool_var(f"x{i}") for i in range(12)]
    day = [m.new_bool_var(f"d{j}") for j in range(4)]  # day j: x[3j..3j+2]
    for j, d in enumerate(day):
        xs = x[3 * j:3 * j + 3]
        m.add_bool_or(xs).only_enforce_if(d)
        for v in xs:
            m.add_implication(v, d)  # a bool_and with an enforcement literal
        m.add_at_most_one(xs[:2])
    m.add_exactly_one([x[0], x[4], x[8], x[11]])
    m.add(sum(day) <= 3)
    count = [m.new_int_var(0, 6, f"c{p}") for p in range(2)]
    m.add(count[0] == sum(x[0:6]))
    m.add(count[1] == sum(x[6:12]))
    top = m.new_int_var(0, 6, "top")
    m.add_max_equality(top, [count[0], count[1], sum(x[0:3]) + 1])
    excess = m.new_int_var(0, 4, "excess")
    m.add_max_equality(excess, [0, sum(day) - 2])
    # a run rule as an automaton over the day literals: no two days on in a row
    m.add_automaton(day, 0, [0, 1], [(0, 0, 0), (0, 1, 1), (1, 0, 0)])
    wish = m.new_bool_var("wish")
    m.add(x[rng.randrange(12)] + x[rng.randrange(12)] >= 1).only_enforce_if(wish)
    m.minimize(rng.randint(1, 5) * top + rng.randint(1, 9) * excess - 3 * wish
               + sum(rng.randint(0, 4) * v for v in x))
    return m, [v.index for v in x]


def _solve(model: cp_model.CpModel):
    s = cp_model.CpSolver()
    s.parameters.num_workers = 1
    s.parameters.max_time_in_seconds = 20
    return s, s.solve(model)


def _fixed(model: cp_model.CpModel, values: list[int], free: set[int]) -> cp_model.CpModel:
    """The whole model with every variable but ``free`` fixed to ``values``."""
    m = model.clone()
    for k, v in enumerate(values):
        if k not in free:
            d = m.proto.variables[k].domain
            d.clear()
            d.extend([v, v])
    return m


@pytest.mark.parametrize("seed", range(12))
def test_a_sub_model_allows_what_the_whole_model_allows_with_the_rest_fixed(seed):
    rng = random.Random(seed)
    model, decisions = _random_model(rng)
    s, st = _solve(model)
    assert st == cp_model.OPTIMAL
    # a worse incumbent than the optimum, so that steps have something to find
    worse = model.clone()
    worse.add(worse.get_bool_var_from_proto_index(decisions[rng.randrange(12)]) == 1)
    s2, st2 = _solve(worse)
    start = s2 if st2 == cp_model.OPTIMAL else s
    values = list(start.response_proto.solution)
    frame = Frame.of(model, decisions)
    for depth in (0, 1, 2):
        freed = rng.sample(decisions, rng.randint(1, 8))
        sub = frame.sub(freed, values, depth)
        assert set(freed) <= set(sub.free)
        got, gst = _solve(sub.model)
        # the reference: the whole model, everything the sub-model fixes fixed
        ref, rst = _solve(_fixed(model, values, set(sub.free)))
        assert gst == rst == cp_model.OPTIMAL
        assert got.objective_value == pytest.approx(ref.objective_value)
        assert got.objective_value <= start.objective_value + 1e-9  # the incumbent is in it
        done = sub.complete(got, values)
        check, cst = _solve(_fixed(model, done, set()))  # the completed schedule, judged whole
        assert cst == cp_model.OPTIMAL
        assert check.objective_value == pytest.approx(got.objective_value)


def test_costs_are_located_on_the_days_of_the_decisions_that_pay_them():
    m = cp_model.CpModel()
    x = [m.new_bool_var(f"x{i}") for i in range(6)]  # x[i] on day i
    day_lit = [m.new_bool_var(f"d{i}") for i in range(6)]
    for a, b in zip(x, day_lit, strict=True):
        m.add(a == b)
    hol = m.new_int_var(0, 2, "hol")  # a holiday penalty over days 2 and 5
    m.add_max_equality(hol, [0, day_lit[2] + day_lit[5]])
    spread = m.new_int_var(0, 6, "spread")  # over everything: not located with most=3
    m.add_max_equality(spread, [sum(x[:3]), sum(x[3:])])
    m.minimize(10 * hol + spread + 2 * x[4])
    frame = Frame.of(m, [v.index for v in x])
    day_of = {v.index: i for i, v in enumerate(x)}
    located = {v: (a, sorted(d for _k, d in near)) for v, a, near in frame.located(day_of, most=3)}
    assert located == {hol.index: (10, [2, 5]), x[4].index: (2, [4])}
    values = [0] * len(m.proto.variables)
    for i in (2, 4):  # on day 2 (a holiday) and day 4
        values[x[i].index] = values[day_lit[i].index] = 1
    values[hol.index] = 1
    spots = sorted(lns_module._spots(frame.located(day_of, most=3), values, frame.domains))
    assert spots == [(2, 10.0), (4, 2.0)]  # the holiday paid on day 2 only; x4 on day 4


@needs_data
def test_lns_steps_as_sub_models_improve_exactly_and_leave_the_model_unchanged(monkeypatch):
    monkeypatch.setattr(lns_module, "SUB_FROM", 0)
    prob = Problem(to_scenario(parse_instance(DATA / "Instance2.txt")))
    b = build(prob)
    s = cp_model.CpSolver()
    s.parameters.num_workers = 1
    s.parameters.max_deterministic_time = 2.0
    assert s.solve(b.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    before = [list(v.domain) for v in b.model.proto.variables]
    search = LNS(b, prob, list(s.response_proto.solution), round(s.objective_value), {"num_workers": 2}, 0, False)
    search.run(3.0, 0.3)
    assert search.frame is not None and "hot" in search.hoods.families
    assert search.steps and search.objective < round(s.objective_value)
    assert [list(v.domain) for v in b.model.proto.variables] == before
    final = search.final()
    assert round(final.objective_value) == search.objective


def test_an_on_call_solve_with_sub_model_steps_is_exact(monkeypatch):
    monkeypatch.setattr(lns_module, "SUB_FROM", 0)
    sc = load_scenario(EXAMPLES / "follow_the_sun.yaml")
    r = solve(sc, time_limit=3, workers=2, lns=True)
    check_consistent(r)
