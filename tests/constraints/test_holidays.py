"""holidays alone: ``holidays: avoid`` and ``max_holidays`` on each person's own holidays."""

from __future__ import annotations

import datetime as dt

from conftest import scenario
from rulekit import agree, solve_alone, warm_agrees

from constraints import holidays
from optimizer import Problem

# Tue 5 .. Fri 8 Jan 2027; 6 Jan (instance 1) is Epiphany in Bavaria, a holiday for a only
BASE = dict(
    start=dt.date(2027, 1, 5),
    end=dt.date(2027, 1, 8),
    people=[{"id": "a", "country": "DE", "subdivision": "BY"}, {"id": "b"}],
)
EXTRA = [{"date": "2027-01-08", "name": "team day"}]  # a holiday for everyone (instance 3)


def test_avoid_feasible_and_infeasible():
    sc = scenario(**BASE, rules={"holidays": {"mode": "avoid"}})
    assert solve_alone(sc, holidays, force=[("b", 1)]).status == "feasible"
    assert solve_alone(sc, holidays, force=[("a", 1)]).status == "infeasible"  # pruned


def test_max_holidays():
    sc = scenario(**BASE, extra_holidays=EXTRA, rules={"max_holidays": 1})
    assert solve_alone(sc, holidays, force=[("a", 1), ("b", 3)]).status == "feasible"
    assert solve_alone(sc, holidays, force=[("a", 1), ("a", 3)]).status == "infeasible"  # two of a's


def test_encode_agrees_with_evaluate():
    for rules in (
        {"holidays": {"mode": "avoid"}},
        {"holidays": {"mode": "avoid", "soft": True, "weight": 2}},
        {"max_holidays": 1},
        {"max_holidays": {"count": 0, "soft": True, "weight": 3}},
    ):
        assert agree(scenario(**BASE, extra_holidays=EXTRA, rules=rules), holidays) == 81


def test_warm_cost_is_what_each_assignment_adds():
    # soft avoid (2 per holiday) and a soft cap of 1 (3 per holiday above it): a's second
    # holiday costs 2 + 3, b's first 2; hard rules cost the greedy nothing (it checks them)
    rules = {"holidays": {"mode": "avoid", "soft": True, "weight": 2},
             "max_holidays": {"count": 1, "soft": True, "weight": 3}}
    sc = scenario(**BASE, extra_holidays=EXTRA, rules=rules)
    assert warm_agrees(sc, holidays) == 216  # 81 schedules: 4 instances × 27 × 2 people
    hard_only = scenario(**BASE, extra_holidays=EXTRA, rules={"holidays": {"mode": "avoid"}})
    assert holidays.warm_cost(Problem(hard_only)) is None
