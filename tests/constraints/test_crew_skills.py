"""crew_skills alone: the people on an instance together hold the pattern's crew skills."""

from __future__ import annotations

import datetime as dt

from conftest import scenario
from rulekit import agree, solve_alone

from constraints import crew_skills

CREW = [
    {
        "name": "day",
        "repeat": "daily",
        "starts": "00:00",
        "length": "1d",
        "roles": [{"name": "primary"}, {"name": "secondary"}],
        "crew_skills": ["x", "y"],
    }
]
BASE = dict(
    end=dt.date(2027, 1, 5),
    shifts=CREW,
    people=[{"id": "a", "skills": ["x"]}, {"id": "b", "skills": ["y"]}, {"id": "c"}],
)


def test_feasible_and_infeasible():
    sc = scenario(**BASE)
    # a and b together hold x and y; c holds neither
    assert solve_alone(sc, crew_skills, force=[("a", 0), ("b", 0)]).status == "feasible"
    assert solve_alone(sc, crew_skills, forbid=[("b", 0)]).status == "infeasible"  # nobody else has y


def test_encode_agrees_with_evaluate():
    one = scenario(**dict(BASE, shifts=[{**CREW[0], "roles": [{"name": "primary"}]}]))
    assert agree(one, crew_skills) == 16  # 2 instances, nobody or one of 3 people
