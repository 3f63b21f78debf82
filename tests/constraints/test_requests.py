"""requests alone: soft shift requests (want on / want off a dated shift)."""

from __future__ import annotations

import datetime as dt

from conftest import scenario
from rulekit import agree, solve_alone, warm_agrees

from constraints import requests
from constraints.base import Placed
from optimizer import Problem

REQS = [
    {
        "id": "a",
        "shift_requests": [
            {"date": "2027-01-04", "shift": "day", "want": "on", "weight": 3},
            {"date": "2027-01-05", "shift": "day", "want": "off", "weight": 2},
        ],
    },
    {"id": "b"},
]
BASE = dict(end=dt.date(2027, 1, 6), people=REQS)


def test_costs_and_optimum():
    sc = scenario(**BASE)
    assert solve_alone(sc, requests).cost == 0  # a on the 4th, off the 5th
    # the opposite: 3 + 2 points
    assert solve_alone(sc, requests, force=[("a", 1)], forbid=[("a", 0)]).cost == 5 * 10_000
    assert solve_alone(sc, requests, force=[("a", 1)]).status == "feasible"  # never infeasible: soft


def test_encode_agrees_with_evaluate():
    assert agree(scenario(**BASE), requests) == 27


def test_warm_cost_is_what_each_assignment_adds():
    # taking the shift a asked for saves 3 points, the one a asked not to work costs 2
    sc = scenario(**BASE)
    assert warm_agrees(sc, requests) == 54  # 27 schedules: 3 instances × 9 × 2 people
    cost = requests.warm_cost(Problem(sc))
    assert cost(Placed(), 0, 0) == -3 and cost(Placed(), 0, 1) == 2 and cost(Placed(), 1, 0) == 0
