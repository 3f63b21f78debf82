"""Every family in ``RULES`` has every part of the rule protocol (``constraints.base.Rule``),
and the parts other modules read answer sensibly on a real scenario."""

from __future__ import annotations

import inspect
from typing import get_type_hints

import pytest

from constraints import RULES
from constraints.base import Capacity, Relaxation, Rule
from optimizer import Problem, load_scenario
from optimizer.model import family

ROOT_EXAMPLE = "data/examples/quarterly.yaml"
MEMBERS = [
    "NAMES",
    "OBJECTIVE_ONLY",
    "RELAX",
    "prune",
    "encode",
    "evaluate",
    "describe",
    "relaxations",
    "capacity",
    "warm_start",
    "warm_cost",
    "couples",
]
IDS = [family(r) for r in RULES]


def test_the_protocol_lists_exactly_these_members():
    members = {n for n, f in vars(Rule).items() if isinstance(f, property) or inspect.isfunction(f)}
    declared = {n for n in members if not n.startswith("_")} | set(get_type_hints(Rule))
    assert declared == set(MEMBERS)


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_family_has_every_part(rule):
    missing = [name for name in MEMBERS if not hasattr(rule, name)]
    assert not missing, f"{family(rule)} lacks {missing}"
    for name in MEMBERS[3:]:
        fn = getattr(rule, name)
        assert callable(fn)
        want = len(inspect.signature(getattr(Rule, name)).parameters) - 1  # without self
        assert len(inspect.signature(fn).parameters) == want, (family(rule), name)
    assert isinstance(rule.NAMES, tuple) and rule.NAMES and all(isinstance(n, str) for n in rule.NAMES)
    assert rule.RELAX in ("person", "instance", "never")
    assert isinstance(rule.OBJECTIVE_ONLY, bool)


def test_reported_names_belong_to_one_family_each():
    seen: dict[str, str] = {}
    for rule in RULES:
        for name in rule.NAMES:
            assert name not in seen, f"{name} in {seen.get(name)} and {family(rule)}"
            seen[name] = family(rule)


@pytest.fixture(scope="module")
def prob():
    sc = load_scenario(ROOT_EXAMPLE).with_rules(
        min_rest="2d", max_weekends=3, max_nights={"count": 2, "within": "28d"}, max_consecutive_days=10, max_holidays=1
    )
    return Problem(sc)


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_parts_answer_with_their_types(rule, prob):
    insts = list(range(len(prob.instances)))
    text = rule.describe(prob, 0, None)
    assert isinstance(text, str)
    assert isinstance(rule.describe(prob, None, None), str)
    relax = rule.relaxations(prob, 0, None)
    assert all(isinstance(r, Relaxation) and r.text and isinstance(r.rank, int) for r in relax)
    if rule.RELAX != "never" and not rule.OBJECTIVE_ONLY and text and "soft" not in text:
        assert relax, f"{family(rule)} describes a hard rule but offers no relaxation"
    cap = rule.capacity(prob, 0, insts)
    assert cap is None or (isinstance(cap, Capacity) and 0 <= cap.most <= len(insts))
    check = rule.warm_start(prob)
    assert check is None or callable(check)
    assert all(0 <= p < len(prob.people) and 0 <= i < len(prob.instances) for p, i in rule.prune(prob))


def test_rules_with_a_hard_limit_take_part_in_capacity_and_warm_start(prob):
    by = {family(r): r for r in RULES}
    for name in ("rest", "windows", "weekends", "max_nights", "holidays"):
        assert by[name].warm_start(prob) is not None, name
    assert by["rest"].capacity(prob, 0, list(range(len(prob.instances)))).text == "min_rest 2d"
