"""stability alone: frozen baseline assignments (hard) and the cost of moving later ones."""

from __future__ import annotations

import datetime as dt

from conftest import manual, scenario
from rulekit import agree, solve_alone

from constraints import stability
from optimizer import Problem
from optimizer.model import ModelBuilder
from optimizer.replan import Baseline

BASE = dict(end=dt.date(2027, 1, 6), people=[{"id": "a"}, {"id": "b"}])  # 3 days


def test_frozen_and_moved():
    sc = scenario(**BASE)
    published = Baseline.from_schedule(
        manual(sc, [(0, "primary", "a"), (1, "primary", "a"), (2, "primary", "b")]),
        freeze_until=dt.date(2027, 1, 5),
        weight=10,
    )
    prob = Problem(sc, baseline=published, rules=[stability])
    assert prob.frozen == {0}
    # b may not take the frozen day 0 (pruned); a may
    assert (1, 0) in prob.forbidden and (0, 0) not in prob.forbidden
    m = ModelBuilder(prob, [stability])
    assert [t.rule for t in m.terms] == ["changes", "changes"]  # days 1 and 2 may move at a cost


def test_rule_alone_without_a_baseline_does_nothing():
    sc = scenario(**BASE)
    assert solve_alone(sc, stability, force=[("a", 0), ("b", 0)]).status == "feasible"
    assert agree(sc, stability) == 27
