"""rest alone: ``min_rest`` between the end of one shift and the start of the next."""

from __future__ import annotations

import datetime as dt

from conftest import scenario
from rulekit import agree, solve_alone

from constraints import rest

# 8h shifts 09:00-17:00 every day: 16h between consecutive days
EIGHT = [{"name": "day", "repeat": "daily", "starts": "09:00", "length": "8h", "roles": [{"name": "primary"}]}]
BASE = dict(end=dt.date(2027, 1, 7), shifts=EIGHT, people=[{"id": "a"}, {"id": "b"}])


def test_feasible_and_infeasible():
    sc = scenario(**BASE, rules={"min_rest": "16h"})
    assert solve_alone(sc, rest, force=[("a", 0), ("a", 1)]).status == "feasible"  # exactly 16h
    sc = scenario(**BASE, rules={"min_rest": "17h"})
    assert solve_alone(sc, rest, force=[("a", 0), ("a", 1)]).status == "infeasible"
    assert solve_alone(sc, rest, force=[("a", 0), ("a", 2)]).status == "feasible"  # 40h


def test_soft_pairs_cost_weight_each():
    sc = scenario(**BASE, rules={"min_rest": {"duration": "17h", "soft": True, "weight": 2}})
    # days 0, 1, 2: pairs (0,1) and (1,2) are short of rest -> 2 × 2 points
    assert solve_alone(sc, rest, force=[("a", 0), ("a", 1), ("a", 2)]).cost == 4 * 10_000


def test_encode_agrees_with_evaluate():
    for r in ("17h", {"duration": "17h", "soft": True, "weight": 3}, "2d"):
        assert agree(scenario(**BASE, rules={"min_rest": r}), rest) == 81
