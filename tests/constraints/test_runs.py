"""runs alone: at most / at least N days in a row, team-wide and per person."""

from __future__ import annotations

import datetime as dt

from conftest import scenario
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
        assert agree(scenario(**{**small, **kw}), runs) == 81


def test_capacity_knows_a_shift_longer_than_the_run_limit():
    from optimizer.capacity import capacity

    week = [{"name": "week", "repeat": "weekly", "starts": "mon 10:00", "length": "7d", "roles": [{"name": "primary"}]}]
    sc = scenario(end=dt.date(2027, 1, 31), shifts=week, rules={"max_consecutive_days": 5})
    line = next(c for c in capacity(runs.Facts(sc)) if c.what == "week primary")
    # a week from Monday 10:00 touches 8 calendar days: nobody may take it
    assert (line.slots, line.capacity, line.short) == (4, 0, 4) and "max_consecutive_days 5" in line.limiting
