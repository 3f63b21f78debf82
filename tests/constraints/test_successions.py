"""successions alone: ``not_followed_by`` forbids a pattern the local day after another."""

from __future__ import annotations

import datetime as dt
import itertools

from conftest import scenario
from ortools.sat.python import cp_model
from rulekit import agree, solve_alone

from constraints import overlap, successions
from optimizer import Problem
from optimizer.model import ModelBuilder
from optimizer.repair import _sub_problem
from optimizer.schedule import Assignment, Schedule
from optimizer.stats import person_stats

SHIFTS = [
    {
        "name": "night",
        "repeat": "daily",
        "starts": "20:00",
        "length": "10h",
        "roles": [{"name": "primary"}],
        "not_followed_by": ["early"],
    },
    {"name": "early", "repeat": "daily", "starts": "06:00", "length": "8h", "roles": [{"name": "primary"}]},
]
# Mon 4, Tue 5 Jan: instances early 4th (0), night 4th (1), early 5th (2), night 5th (3)
BASE = dict(end=dt.date(2027, 1, 5), shifts=SHIFTS, people=[{"id": "a"}, {"id": "b"}])


def test_feasible_and_infeasible():
    sc = scenario(**BASE)
    assert solve_alone(sc, successions, force=[("a", 1), ("b", 2)]).status == "feasible"
    assert solve_alone(sc, successions, force=[("a", 1), ("a", 2)]).status == "infeasible"  # night then early
    assert solve_alone(sc, successions, force=[("a", 0), ("a", 1)]).status == "feasible"  # early then night


def test_encode_agrees_with_evaluate():
    assert agree(scenario(**BASE), successions) == 81


# Blocks (the encoding's unit): on one date, dawn and noon forbid `early` next day (no
# common instant: one clause per pair); late and night forbid `early` and `mid` (both
# sides share an instant: one at-most-one per person, exact beside the overlap rule).
BLOCKS = [
    {"name": n, "repeat": "daily", "starts": s, "length": length, "roles": [{"name": "primary"}],
     **({"not_followed_by": f} if f else {})}
    for n, s, length, f in [("dawn", "00:00", "4h", ["early"]), ("noon", "12:00", "4h", ["early"]),
                            ("late", "18:00", "8h", ["early", "mid"]), ("night", "20:00", "8h", ["early", "mid"]),
                            ("early", "06:00", "4h", []), ("mid", "08:00", "4h", [])]
]


def test_block_encoding_is_exact_beside_the_overlap_rule():
    """The blocks' at-most-ones and clauses forbid exactly what the evaluators forbid, for
    one person over every subset of two days' twelve instances (the overlap rule beside,
    as in every solve; the at-most-one of a block that shares an instant relies on it)."""
    sc = scenario(end=dt.date(2027, 1, 5), shifts=BLOCKS, people=[{"id": "a"}])
    rules = [overlap, successions]
    prob = Problem(sc, rules=rules)
    n = len(prob.instances)
    assert n == 12
    base = ModelBuilder(prob, rules)
    forced = []
    for i in range(n):
        lit = base.vars.works(0, i)
        forced.append(base.model.new_bool_var(f"f{i}"))
        base.model.add(lit == forced[-1])
    checked = 0
    for bits in itertools.product((0, 1), repeat=n):
        sched = Schedule(prob, [Assignment(i, 0, 0) for i in range(n) if bits[i]])
        stats = person_stats(sched)
        ok = not any(r.evaluate(prob, sched, stats).violations for r in rules)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.cp_model_presolve = False  # 4096 tiny solves
        m = base.model.clone()
        for f, b in zip(forced, bits, strict=True):
            m.add(f == b)
        st = solver.solve(m)
        assert (st == cp_model.OPTIMAL) == ok, [prob.instances[i].shift for i in range(n) if bits[i]]
        checked += 1
    assert checked == 4096


def test_the_follower_table_is_made_once_per_calendar():
    """A one-person problem of the repair adopts its parent's calendar and so its follower
    table and blocks (they took 0.2 s of each one-person model of Curtois Instance24)."""
    prob = Problem(scenario(**BASE))
    sub = _sub_problem(prob, 0, None)
    assert successions._followers(sub) is successions._followers(prob)
    assert successions._blocks(sub) is successions._blocks(prob)
    assert successions._followers(prob) == {1: [2]}  # night of the 4th -> early of the 5th
    # another scenario's calendar is its own
    assert successions._followers(Problem(scenario(**BASE))) is not successions._followers(prob)
