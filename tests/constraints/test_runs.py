"""runs alone: at most / at least N days in a row, team-wide and per person."""

from __future__ import annotations

import datetime as dt

from conftest import scenario
from ortools.sat.python import cp_model
from rulekit import agree, solve_alone

from constraints import runs

BASE = dict(end=dt.date(2027, 1, 8), people=[{"id": "a"}, {"id": "b"}])  # Mon..Fri, 5 days


def test_team_and_person_max_are_one_rule():
    team = scenario(**BASE, rules={"max_consecutive_days": 2})
    assert solve_alone(team, runs, force=[("a", 0), ("a", 1), ("a", 3)]).status == "feasible"
    assert solve_alone(team, runs, force=[("a", 0), ("a", 1), ("a", 2)]).status == "infeasible"
    # both sources hard: the smaller N holds (3 for a, 2 for the team)
    both = scenario(
        **dict(BASE, people=[{"id": "a", "max_consecutive_days": 3}, {"id": "b"}]), rules={"max_consecutive_days": 2}
    )
    assert solve_alone(both, runs, force=[("a", 0), ("a", 1), ("a", 2)]).status == "infeasible"
    assert runs.hard_max(runs.Facts(both), 0) == 2


def test_min_runs_exempt_the_horizon_ends():
    sc = scenario(**dict(BASE, people=[{"id": "a", "min_consecutive_days": 2}, {"id": "b"}]))
    assert solve_alone(sc, runs, force=[("a", 0)], exact=True).status == "feasible"  # touches day 0
    assert solve_alone(sc, runs, force=[("a", 2)], exact=True).status == "infeasible"  # lone inner day
    assert solve_alone(sc, runs, force=[("a", 2), ("a", 3)], exact=True).status == "feasible"


def test_soft_run_costs_length_minus_n():
    sc = scenario(**BASE, rules={"max_consecutive_days": {"count": 2, "soft": True, "weight": 1}})
    # five days in a row, 2 allowed: 3 points
    assert solve_alone(sc, runs, force=[("a", i) for i in range(5)]).cost == 3 * 10_000


def test_encode_agrees_with_evaluate():
    small = dict(BASE, end=dt.date(2027, 1, 7))
    people = [{"id": "a", "max_consecutive_days": 2, "min_consecutive_days_off": 2}, {"id": "b"}]
    for kw in (
        {"rules": {"max_consecutive_days": 2}},
        {"rules": {"max_consecutive_days": {"count": 1, "soft": True, "weight": 2}}},
        {"people": people},
        {
            "people": [{"id": "a", "min_consecutive_days": 2}, {"id": "b", "max_consecutive_days": 1}],
            "rules": {"person_caps": {"soft": True, "weight": 3}},
        },
    ):
        for linear in (False, True):  # the automaton and the pattern-by-pattern encoding
            assert agree(scenario(**{**small, **kw}), runs, linear=linear) == 81


def test_capacity_knows_a_shift_longer_than_the_run_limit():
    from optimizer.capacity import capacity

    week = [{"name": "week", "repeat": "weekly", "starts": "mon 10:00", "length": "7d", "roles": [{"name": "primary"}]}]
    sc = scenario(end=dt.date(2027, 1, 31), shifts=week, rules={"max_consecutive_days": 5})
    line = next(c for c in capacity(runs.Facts(sc)) if c.what == "week primary")
    # a week from Monday 10:00 touches 8 calendar days: nobody may take it
    assert (line.slots, line.capacity, line.short) == (4, 0, 4) and "max_consecutive_days 5" in line.limiting


def _allowed(seq: tuple[int, ...], n: int | None, k_on: int | None, k_off: int | None) -> bool:
    """The rules as the module documents them, written from scratch: no run on longer than
    ``n``; inner runs on (off) at least ``k_on`` (``k_off``) long."""
    h, k, out = len(seq), 0, True
    while k < h:
        j = k
        while j < h and seq[j] == seq[k]:
            j += 1
        length, inner = j - k, k > 0 and j < h
        if seq[k] and n is not None and length > n:
            out = False
        least = k_on if seq[k] else k_off
        if least and inner and length < least:
            out = False
        k = j
    return out


class _Collect(cp_model.CpSolverSolutionCallback):
    """Every solution's values of ``xs``."""

    def __init__(self, xs) -> None:
        super().__init__()
        self.xs, self.found = xs, set()

    def on_solution_callback(self) -> None:
        self.found.add(tuple(self.value(x) for x in self.xs))


def test_automaton_accepts_exactly_the_allowed_runs():
    """The per-person automaton (the encoding of the minimum rules) against every 0/1
    sequence of up to 7 days, for every combination of maximum and minimums."""
    import itertools

    class Builder:  # the automaton needs only a model
        def __init__(self) -> None:
            self.model = cp_model.CpModel()

    cases = 0
    for h in range(1, 8):
        for n, k_on, k_off in itertools.product((None, 0, 1, 2, 3), (None, 2, 3), (None, 2, 3)):
            if k_on is None and k_off is None:
                continue
            m = Builder()
            xs = [m.model.new_bool_var(f"d{i}") for i in range(h)]
            runs._automaton(m, xs, n, k_on, k_off)
            solver = cp_model.CpSolver()
            solver.parameters.enumerate_all_solutions = True
            solver.parameters.num_workers = 1
            collect = _Collect(xs)
            solver.solve(m.model, collect)
            found = collect.found
            want = {s for s in itertools.product((0, 1), repeat=h) if _allowed(s, n, k_on, k_off)}
            assert found == want, (h, n, k_on, k_off)
            cases += 1
    assert cases == 7 * 5 * 8


def test_all_three_run_rules_at_once_agree_with_evaluate():
    # a: at most 3 on, inner runs on at least 2 and off at least 2, over 4 days x 2 people
    small = dict(BASE, end=dt.date(2027, 1, 7))
    people = [{"id": "a", "max_consecutive_days": 3, "min_consecutive_days": 2, "min_consecutive_days_off": 2},
              {"id": "b", "min_consecutive_days": 3}]
    for linear in (False, True):
        assert agree(scenario(**{**small, "people": people}), runs, linear=linear) == 81


def test_minimums_use_an_automaton_except_in_linear_models():
    """Explain mode puts constraints under assumption literals and the repair runs CP-SAT's
    local search: neither takes an automaton, so those models forbid patterns instead."""
    from optimizer import Problem
    from optimizer.problem import build

    sc = scenario(**dict(BASE, people=[{"id": "a", "min_consecutive_days": 2}, {"id": "b"}]))
    prob = Problem(sc)

    def automata(b) -> int:
        return sum(str(c).startswith("automaton") for c in b.model.proto.constraints)

    assert automata(build(prob)) == 1
    assert automata(build(prob, linear=True)) == automata(build(prob, explain=True)) == 0
