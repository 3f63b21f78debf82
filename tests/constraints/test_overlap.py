"""overlap alone: nobody on two instances that overlap in real time."""

from __future__ import annotations

import datetime as dt

from conftest import scenario
from rulekit import agree, solve_alone

from constraints import overlap

# a 24h shift from 00:00 and a 12h one from 12:00 each day: they overlap
SHIFTS = [
    {"name": "day", "repeat": "daily", "starts": "00:00", "length": "1d", "roles": [{"name": "primary"}]},
    {"name": "eve", "repeat": "daily", "starts": "12:00", "length": "12h", "roles": [{"name": "primary"}]},
]
BASE = dict(end=dt.date(2027, 1, 5), shifts=SHIFTS, people=[{"id": "a"}, {"id": "b"}])


def test_feasible_and_infeasible():
    sc = scenario(**BASE)
    assert solve_alone(sc, overlap, force=[("a", 0), ("b", 1)]).status == "feasible"
    assert solve_alone(sc, overlap, force=[("a", 0), ("a", 1)]).status == "infeasible"  # 12:00-24:00 twice
    assert solve_alone(sc, overlap, force=[("a", 1), ("a", 2)]).status == "feasible"  # eve ends as day 2 starts


def test_encode_agrees_with_evaluate():
    assert agree(scenario(**BASE), overlap) == 81
