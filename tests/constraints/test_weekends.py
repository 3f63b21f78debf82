"""weekends alone: team-wide and per-person ``max_weekends`` (one family, two sources),
optionally within a window."""

from __future__ import annotations

import datetime as dt

from conftest import scenario
from rulekit import agree, judge, solve_alone

from constraints import weekends

# Mon 2027-01-04 .. Sun 2027-01-24: three weekends (Saturdays 9, 16, 23 Jan); day i is
# instance i, so Saturdays are instances 5, 12, 19 and Sundays 6, 13, 20.
THREE = dict(end=dt.date(2027, 1, 24), people=[{"id": "a"}, {"id": "b"}])


def test_team_cap_feasible_and_infeasible():
    sc = scenario(**THREE, rules={"max_weekends": 2})
    # a on two weekends (Sat 9 and Sun 17): allowed, cost 0
    assert solve_alone(sc, weekends, force=[("a", 5), ("a", 13)]).status == "feasible"
    # a on all three weekends: 3 > 2
    assert solve_alone(sc, weekends, force=[("a", 5), ("a", 13), ("a", 19)]).status == "infeasible"


def test_person_cap_is_the_same_rule_and_name():
    sc = scenario(end=dt.date(2027, 1, 24), people=[{"id": "a", "max_weekends": 0}, {"id": "b"}])
    assert solve_alone(sc, weekends, force=[("a", 0)]).status == "feasible"  # a Monday
    assert solve_alone(sc, weekends, force=[("a", 6)]).status == "infeasible"  # a Sunday
    ok, _ = judge(sc, weekends, [("a", 6)])
    assert not ok


def test_soft_cap_costs_weight_per_weekend_over():
    sc = scenario(**THREE, rules={"max_weekends": {"count": 1, "soft": True, "weight": 3}})
    # three weekends, one allowed: 2 over × 3 points = 6 points = 60 000 internal units
    got = solve_alone(sc, weekends, force=[("a", 5), ("a", 12), ("a", 20)])
    assert got.status == "feasible" and got.cost == 6 * 10_000
    assert judge(sc, weekends, [("a", 5), ("a", 12), ("a", 20)]) == (True, 6 * 10_000)


def test_window_form():
    # at most 1 weekend within 14 days: the weekends of 9 and 16 Jan are 7 days apart
    # (together in one window), 9 and 23 Jan are 14 days apart (never together)
    sc = scenario(**THREE, rules={"max_weekends": {"count": 1, "within": "14d"}})
    assert solve_alone(sc, weekends, force=[("a", 5), ("a", 19)]).status == "feasible"
    assert solve_alone(sc, weekends, force=[("a", 5), ("a", 12)]).status == "infeasible"
    assert solve_alone(sc, weekends, force=[("a", 13), ("a", 20)]).status == "infeasible"


def test_encode_agrees_with_evaluate():
    # Fri 8 .. Mon 11 Jan: instances 0..3 (Sat 9 and Sun 10 are 1 and 2), 3 options each: 81 schedules
    base = dict(
        start=dt.date(2027, 1, 8), end=dt.date(2027, 1, 11), people=[{"id": "a", "max_weekends": 0}, {"id": "b"}]
    )
    assert agree(scenario(**base), weekends) == 81
    assert agree(scenario(**base, rules={"max_weekends": {"count": 0, "soft": True, "weight": 2}}), weekends)
    assert agree(scenario(**base, rules={"person_caps": {"soft": True, "weight": 5}}), weekends)
    win = dict(
        start=dt.date(2027, 1, 9),
        end=dt.date(2027, 1, 23),
        shifts=[
            {"name": "wk", "repeat": "weekly", "starts": "sat 00:00", "length": "1d", "roles": [{"name": "primary"}]}
        ],
    )
    for rules in (
        {"max_weekends": {"count": 1, "within": "14d"}},
        {"max_weekends": {"count": 1, "within": "14d", "soft": True, "weight": 2}},
    ):
        assert agree(scenario(**win, people=[{"id": "a"}, {"id": "b"}], rules=rules), weekends) == 27
