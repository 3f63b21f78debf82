"""time_off alone: hard (pruned), soft and preferred time off."""

from __future__ import annotations

import datetime as dt

from conftest import scenario
from rulekit import agree, solve_alone, warm_agrees

from constraints import time_off
from optimizer import Problem

BASE = dict(end=dt.date(2027, 1, 7), people=[{"id": "a"}, {"id": "b"}])  # 4 days, instances 0..3


def test_hard_feasible_and_infeasible():
    sc = scenario(**BASE, time_off=[{"person": "a", "from": "2027-01-05", "to": "2027-01-06"}])
    assert solve_alone(sc, time_off, force=[("a", 0), ("a", 3)]).status == "feasible"
    assert solve_alone(sc, time_off, force=[("a", 1)]).status == "infeasible"  # 5 Jan is off


def test_soft_and_prefer_costs():
    sc = scenario(
        **BASE,
        time_off=[
            {"person": "a", "from": "2027-01-05", "to": "2027-01-06", "soft": True, "weight": 2},
            {"person": "b", "from": "2027-01-07", "to": "2027-01-07", "prefer": True, "weight": 5},
        ],
    )
    # a on both soft days: 2 × 2 points; b not on call on the wished day: 5 points
    assert solve_alone(sc, time_off, force=[("a", 1), ("a", 2)], exact=True).cost == 9 * 10_000
    # the optimum: a off those days, b on the 7th: 0
    assert solve_alone(sc, time_off).cost == 0


def test_encode_agrees_with_evaluate():
    entries = [
        {"person": "a", "from": "2027-01-05", "to": "2027-01-05"},
        {"person": "a", "from": "2027-01-06", "to": "2027-01-07", "soft": True, "weight": 2},
        {"person": "b", "from": "2027-01-04", "to": "2027-01-05", "prefer": True, "weight": 3},
    ]
    assert agree(scenario(**BASE, time_off=entries), time_off) == 81


def test_warm_cost_is_what_each_assignment_adds():
    # the greedy's price of each next assignment equals evaluate's difference: soft days
    # cost their weight, the first shift in a wish saves it, a second one nothing
    entries = [
        {"person": "a", "from": "2027-01-06", "to": "2027-01-07", "soft": True, "weight": 2},
        {"person": "b", "from": "2027-01-04", "to": "2027-01-05", "prefer": True, "weight": 3},
    ]
    sc = scenario(**BASE, time_off=entries)
    assert warm_agrees(sc, time_off) == 216  # 81 schedules: 4 instances × 27 × 2 people
    assert time_off.warm_cost(Problem(scenario(**BASE))) is None
