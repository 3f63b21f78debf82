"""caps alone: per-person max_shifts / max_shifts_by_type / max_hours / min_hours and the
team's max_share (one family)."""

from __future__ import annotations

import datetime as dt

from conftest import scenario
from rulekit import agree, solve_alone

from constraints import caps
from optimizer import Problem

BASE = dict(end=dt.date(2027, 1, 7))  # four 24h shifts


def test_max_shifts_feasible_and_infeasible():
    sc = scenario(**BASE, people=[{"id": "a", "max_shifts": 2}, {"id": "b"}])
    assert solve_alone(sc, caps, force=[("a", 0), ("a", 1)]).status == "feasible"
    assert solve_alone(sc, caps, force=[("a", 0), ("a", 1), ("a", 2)]).status == "infeasible"


def test_by_type_zero_prunes_and_min_hours_forces():
    sc = scenario(**BASE, people=[{"id": "a", "max_shifts_by_type": {"day": 0}}, {"id": "b", "min_hours": 48}])
    assert (0, 0) in Problem(sc, rules=[caps]).forbidden
    assert solve_alone(sc, caps, force=[("a", 0)]).status == "infeasible"
    # b needs 48h: two 24h shifts at least
    assert solve_alone(sc, caps, force=[("b", 0)], forbid=[("b", 1), ("b", 2)]).status == "feasible"
    assert solve_alone(sc, caps, force=[("b", 0)], forbid=[("b", 1), ("b", 2), ("b", 3)]).status == "infeasible"


def test_max_share_is_team_wide():
    # 4 days; share 0.5 = 48h each
    sc = scenario(**BASE, people=[{"id": "a"}, {"id": "b"}], rules={"max_share": 0.5})
    assert solve_alone(sc, caps, force=[("a", 0), ("a", 1)]).status == "feasible"
    assert solve_alone(sc, caps, force=[("b", 0), ("b", 1), ("b", 2)]).status == "infeasible"


def test_encode_agrees_with_evaluate():
    people = [{"id": "a", "max_shifts": 2, "max_hours": 30}, {"id": "b", "min_hours": 30}]
    assert agree(scenario(**BASE, people=people), caps) == 81
    assert agree(scenario(**BASE, people=people, rules={"person_caps": {"soft": True, "weight": 2}}), caps) == 81
    assert (
        agree(
            scenario(
                **BASE,
                people=[{"id": "a"}, {"id": "b"}],
                rules={"max_share": {"share": 0.3, "soft": True, "weight": 1}},
            ),
            caps,
        )
        == 81
    )
    two = [
        {"name": "day", "repeat": "daily", "starts": "00:00", "length": "12h", "roles": [{"name": "primary"}]},
        {"name": "eve", "repeat": "daily", "starts": "12:00", "length": "12h", "roles": [{"name": "primary"}]},
    ]
    assert (
        agree(
            scenario(
                end=dt.date(2027, 1, 5), shifts=two, people=[{"id": "a", "max_shifts_by_type": {"eve": 1}}, {"id": "b"}]
            ),
            caps,
        )
        == 81
    )
