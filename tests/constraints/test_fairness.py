"""fairness alone (the lead's engine, issue #15): the spread terms, encode vs evaluate."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import scenario
from rulekit import agree, solve_alone

from constraints import fairness

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
