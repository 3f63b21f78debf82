"""coverage alone: each role gets exactly its count of eligible people (or soft cover)."""

from __future__ import annotations

import datetime as dt

from conftest import scenario
from rulekit import agree, solve_alone

from constraints import coverage

BASE = dict(end=dt.date(2027, 1, 6), people=[{"id": "a"}, {"id": "b"}])  # 3 days


def test_feasible_and_infeasible():
    sc = scenario(**BASE)
    got = solve_alone(sc, coverage)
    assert got.status == "feasible" and len(got.schedule) == 3  # one person per day
    assert solve_alone(sc, coverage, force=[("a", 0), ("b", 0)]).status == "infeasible"  # two in one slot
    two = scenario(
        **BASE,
        shifts=[
            {
                "name": "day",
                "repeat": "daily",
                "starts": "00:00",
                "length": "1d",
                "roles": [{"name": "primary", "count": 3}],
            }
        ],
    )
    assert solve_alone(two, coverage).status == "infeasible"  # 3 needed, 2 people


def test_soft_cover_costs_the_shortfall():
    sc = scenario(
        **BASE,
        shifts=[
            {
                "name": "day",
                "repeat": "daily",
                "starts": "00:00",
                "length": "1d",
                "roles": [{"name": "primary", "count": 2, "under_weight": 4}],
            }
        ],
    )
    # nobody on day 0 (short 2), one on day 1 (short 1): 3 × 4 points
    assert solve_alone(sc, coverage, force=[("a", 1), ("a", 2), ("b", 2)], exact=True).cost == 12 * 10_000


def test_encode_agrees_with_evaluate():
    assert agree(scenario(**BASE), coverage) == 27
    soft = [
        {
            "name": "day",
            "repeat": "daily",
            "starts": "00:00",
            "length": "1d",
            "roles": [{"name": "primary", "count": 1, "under_weight": 2, "over_weight": 1}],
        }
    ]
    assert agree(scenario(**BASE, shifts=soft), coverage) == 27
