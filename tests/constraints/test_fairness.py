"""fairness alone (the lead's engine, issue #15): the spread terms, encode vs evaluate."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import scenario
from rulekit import agree, solve_alone

from constraints import fairness
from constraints.base import Placed, place
from optimizer import Problem

BASE = dict(
    end=dt.date(2027, 1, 6), people=[{"id": "a"}, {"id": "b"}], fairness={"load": 1, "weekends": 0, "holidays": 0}
)


def test_spread_costs_and_optimum():
    sc = scenario(**BASE)
    # a on all three 24h days, b on none: a spread of 72 load-hours at 1 point per hour
    got = solve_alone(sc, fairness, force=[("a", 0), ("a", 1), ("a", 2)], exact=True)
    assert got.status == "feasible" and got.cost == 72 * 10_000


@pytest.mark.xfail(
    reason="fairness bounds in progress (#15): the full model calls a valid schedule infeasible "
    "(3 days, a on day 0, b on days 1-2); lead to remove this mark when fixed",
    strict=False,
)
def test_encode_agrees_with_evaluate():
    # the spread's bounds assume every slot filled (coverage's job), so every day has someone
    assert agree(scenario(**BASE), fairness, nobody=False) == 8


def test_warm_cost_gives_weekends_to_those_with_fewest_per_fte():
    # Sat 9 and Sun 10 Jan 2027 are one weekend; h works half time. Taking Saturday with
    # no weekend yet: a pays 0.3 × 10 × 1 = 3 points, h 0.3 × 10 × 1 / 0.5 = 6; Sunday after
    # Saturday brings no new weekend: 0; a weekday: 0
    sc = scenario(start=dt.date(2027, 1, 7), end=dt.date(2027, 1, 10),
                  people=[{"id": "a"}, {"id": "h", "fte": 0.5}],
                  fairness={"load": 0, "weekends": 10, "holidays": 0})
    prob = Problem(sc)
    cost = fairness.warm_cost(prob)
    sat, sun = 2, 3
    assert cost(Placed(), 0, sat) == pytest.approx(3.0)
    assert cost(Placed(), 1, sat) == pytest.approx(6.0)
    placed = Placed()
    place(prob, placed, 0, sat)
    assert cost(placed, 0, sun) == 0.0
    assert cost(Placed(), 0, 0) == 0.0
    assert fairness.warm_cost(Problem(scenario(**BASE))) is None  # load only: the greedy balances load itself
