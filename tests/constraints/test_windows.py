"""windows alone: ``rules.max_shifts`` / ``rules.max_hours`` in any sliding window."""

from __future__ import annotations

import datetime as dt

from conftest import scenario
from rulekit import agree, solve_alone

from constraints import windows

BASE = dict(end=dt.date(2027, 1, 7), people=[{"id": "a"}, {"id": "b"}])  # four 24h shifts


def test_count_window_feasible_and_infeasible():
    sc = scenario(**BASE, rules={"max_shifts": {"count": 2, "within": "3d"}})
    # days 0, 1, 3: 0 and 1 in [0, 3d), 1 and 3 in [1d, 4d): at most 2 in each window
    assert solve_alone(sc, windows, force=[("a", 0), ("a", 1), ("a", 3)]).status == "feasible"
    assert solve_alone(sc, windows, force=[("a", 0), ("a", 1), ("a", 2)]).status == "infeasible"


def test_hours_window():
    sc = scenario(**BASE, rules={"max_hours": {"hours": 48, "within": "7d"}})
    assert solve_alone(sc, windows, force=[("a", 0), ("a", 3)]).status == "feasible"
    assert solve_alone(sc, windows, force=[("a", 0), ("a", 1), ("a", 3)]).status == "infeasible"


def test_soft_window_costs_per_shift_over():
    sc = scenario(**BASE, rules={"max_shifts": {"count": 1, "within": "2d", "soft": True, "weight": 1}})
    # four days in a row: windows opened by days 0, 1, 2 hold 2 shifts each -> 3 over
    assert solve_alone(sc, windows, force=[("a", i) for i in range(4)]).cost == 3 * 10_000


def test_encode_agrees_with_evaluate():
    for rules in (
        {"max_shifts": {"count": 2, "within": "3d"}},
        {"max_shifts": {"count": 1, "within": "2d", "soft": True, "weight": 2}},
        {"max_hours": {"hours": 30, "within": "3d"}},
        {"max_hours": {"hours": 30, "within": "3d", "soft": True, "weight": 1}},
    ):
        assert agree(scenario(**BASE, rules=rules), windows) == 81
