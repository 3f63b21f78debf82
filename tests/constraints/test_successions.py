"""successions alone: ``not_followed_by`` forbids a pattern the local day after another."""

from __future__ import annotations

import datetime as dt

from conftest import scenario
from rulekit import agree, solve_alone

from constraints import successions

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
