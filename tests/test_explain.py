"""Explanations: a corpus of infeasible scenarios, each with the rule and the person or
date the explanation must name; capacity arithmetic; "why this person"."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, manual, scenario

from optimizer import Problem, load_scenario, solve
from optimizer.cli import main
from optimizer.explain import alternatives, capacity, explain_infeasible

QUARTERLY = load_scenario(EXAMPLES / "quarterly.yaml")
TWO_WEEKS = dt.date(2027, 1, 17)
CREW_XY = [
    {
        "name": "day",
        "repeat": "daily",
        "starts": "00:00",
        "length": "1d",
        "roles": [{"name": "primary"}, {"name": "secondary"}],
        "crew_skills": ["x", "y"],
    }
]
ONLY_CAROL_INFRA = QUARTERLY.replace(
    people=[
        p
        if p.id in ("carol", "bob", "dan", "frank")
        else p.model_copy(update={"skills": ("data", "security", "product")})
        for p in QUARTERLY.people
    ]
)

# (name, scenario, texts the explanation must contain)
CORPUS = [
    (
        "hard time off",
        scenario(people=[{"id": "a"}], time_off=[{"person": "a", "from": "2027-01-05", "to": "2027-01-05"}]),
        ["a is off 2027-01-05..2027-01-05", "ask a to move their time off"],
    ),
    (
        "weekend cap",
        scenario(people=[{"id": "a"}], end=TWO_WEEKS, rules={"max_weekends": 1}),
        ["a: at most 1 weekend (max_weekends)", "lift max_weekends (1) for a"],
    ),
    (
        "days in a row",
        scenario(people=[{"id": "a"}], rules={"max_consecutive_days": 6}),
        ["a: at most 6 days in a row", "lift max_consecutive_days (6) for a"],
    ),
    (
        "personal caps",
        scenario(people=[{"id": p, "max_shifts": 2} for p in "abc"]),
        ["(caps)", "lift a's caps", "lift b's caps"],
    ),
    ("max share", scenario(rules={"max_share": 0.3}), ["max_share 0.3", "(caps)"]),
    (
        "public holiday",
        scenario(people=[{"id": "a", "country": "DE", "subdivision": "BY"}], rules={"holidays": {"mode": "avoid"}}),
        ["a: not on call on own public holidays", "let a be on call on public holidays"],
    ),
    (
        "crew skill nobody has",
        scenario(shifts=CREW_XY, people=[{"id": "a", "skills": ["x"]}, {"id": "b"}], end=dt.date(2027, 1, 5)),
        ["must cover x, y (crew_skills)", "drop the x/y crew requirement on day 2027-01-0"],
    ),
    (
        "rest",
        scenario(people=[{"id": "a"}, {"id": "b"}], rules={"min_rest": "1d1h"}),
        ["needs 1d1h rest between shifts (min_rest)"],
    ),
    (
        "window count",
        scenario(people=[{"id": "a"}, {"id": "b"}], rules={"max_shifts": [{"count": 3, "within": "7d"}]}),
        ["at most 3 shifts in 7d", "lift the window cap (3 in 7d)"],
    ),
    (
        "window hours",
        scenario(people=[{"id": "a"}, {"id": "b"}], rules={"max_hours": [{"hours": 72, "within": "7d"}]}),
        ["at most 72h in 7d"],
    ),
    (
        "quarterly rest 40d",
        QUARTERLY.with_rules(min_rest="40d"),
        ["needs 40d rest between shifts", "carol", "short by 1", "lift min_rest (40d) for"],
    ),
    (
        "only carol holds infra",
        ONLY_CAROL_INFRA,
        ["carol", "week primary [infra]: 13 slots, 1 eligible people", "short by 9"],
    ),
]


@pytest.mark.parametrize("name, sc, expected", CORPUS, ids=[c[0] for c in CORPUS])
def test_infeasible_corpus_is_explained(name, sc, expected):
    assert solve(sc, time_limit=10).status.value == "infeasible"
    conflict = explain_infeasible(sc, time_limit=20)
    assert conflict.status == "infeasible"
    text = conflict.text()
    for e in expected:
        assert e in text, f"{name}: {e!r} not in\n{text}"


def test_minimal_core_is_really_minimal_and_relaxation_really_works():
    # Three people capped at 2 shifts, 7 daily shifts: the minimal conflict is the three
    # caps plus the coverage of all seven days (drop any one day and 6 shifts fit).
    sc = scenario(people=[{"id": p, "max_shifts": 2} for p in "abc"])
    c = explain_infeasible(sc, time_limit=20)
    assert c.minimal
    people = Problem(sc).people
    assert sorted((g.family, people[g.person].id) for g in c.groups if g.family == "caps") == [
        ("caps", "a"),
        ("caps", "b"),
        ("caps", "c"),
    ]
    assert [g.family for g in c.groups if g.family != "caps"] == ["coverage"] * 7
    # check the suggestion independently: relax a's cap and solve
    relaxed = sc.replace(
        people=[{"id": "a", "max_shifts": 3}, {"id": "b", "max_shifts": 2}, {"id": "c", "max_shifts": 2}]
    )
    assert solve(relaxed).status.value == "optimal"


def test_feasible_scenario_has_no_conflict():
    c = explain_infeasible(scenario(), time_limit=10)
    assert c.status == "feasible"
    assert "no conflict" in c.text()


def test_capacity_lines():
    lines = {c.what: c for c in capacity(Problem(QUARTERLY.with_rules(min_rest="40d")))}
    prim = lines["week primary [infra]"]
    # 6 infra people; 40d rest after a 7d week lets each take 2 of the 13 weeks
    assert (prim.slots, prim.eligible, prim.capacity, prim.short) == (13, 6, 12, 1)


def test_solve_cli_prints_explanation_with_exit_3(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text((EXAMPLES / "quarterly.yaml").read_text().replace("min_rest: 14d", "min_rest: 40d"))
    r = CliRunner().invoke(main, ["solve", str(p), "--out", str(tmp_path / "o"), "-q"])
    assert r.exit_code == 3
    assert "INFEASIBLE" in r.stdout and "min_rest" in r.stdout and "short by" in r.stdout


def test_why_this_person():
    # a holds Monday; b is off Monday, c could take it at no cost
    sc = scenario(time_off=[{"person": "b", "from": "2027-01-04", "to": "2027-01-04"}], end=dt.date(2027, 1, 4))
    sched = manual(sc, [(0, "primary", "a")])
    alt = alternatives(sched, 0, 0).set_index("person")
    assert bool(alt.loc["c", "feasible"]) and alt.loc["c", "delta_points"] == 0
    assert not alt.loc["b", "feasible"] and "time_off" in alt.loc["b", "reasons"]


def test_why_this_person_fairness_cost():
    # fairness on: a has Mon, b has Tue; moving Tue to a costs the load spread (48 - 0
    # vs 24 - 24): +48 points at weight 1.
    sc = scenario(
        people=[{"id": "a"}, {"id": "b"}], end=dt.date(2027, 1, 5), fairness={"load": 1, "weekends": 0, "holidays": 0}
    )
    sched = manual(sc, [(0, "primary", "a"), (1, "primary", "b")])
    alt = alternatives(sched, 1, 0).set_index("person")
    assert alt.loc["a", "feasible"] and alt.loc["a", "delta_points"] == 48
    assert alt.loc["a", "delta_by_rule"] == {"fair_load": 48.0}


def test_explain_cli(tmp_path):
    out = tmp_path / "o"
    assert (
        CliRunner()
        .invoke(main, ["solve", str(EXAMPLES / "quarterly.yaml"), "--out", str(out), "-q", "--time-limit", "3"])
        .exit_code
        == 0
    )
    r = CliRunner().invoke(
        main,
        [
            "explain",
            str(EXAMPLES / "quarterly.yaml"),
            str(out / "assignments.csv"),
            "--shift",
            "week",
            "--start",
            "2027-02-08",
        ],
    )
    assert r.exit_code == 0, r.output
    assert "primary" in r.output and "alice" in r.output and "time_off: alice is off" in r.output


def test_regression_person_weekend_cap_was_explained_by_its_module_name():
    # people[].max_weekends lived in weekend_caps.py, which explain.py did not know: the
    # conflict read "rule weekend_caps for a" / "drop rule weekend_caps for a".
    sc = scenario(people=[{"id": "a", "max_weekends": 0}], end=TWO_WEEKS)
    text = explain_infeasible(sc, time_limit=10).text()
    assert "a: at most 0 weekends (max_weekends)" in text
    assert "lift max_weekends (0) for a" in text
    assert "rule weekend" not in text and "drop rule" not in text


@pytest.mark.parametrize(
    "people, rules, expected",
    [
        ([{"id": "a", "max_consecutive_days": 3}], {}, ["a: at most 3 days in a row", "lift max_consecutive_days (3)"]),
        ([{"id": "a", "min_hours": 400}], {}, ["a: min_hours 400 (caps)", "lift a's caps (min_hours 400)"]),
        ([{"id": "a", "max_shifts_by_type": {"day": 3}}], {}, ["max_shifts_by_type day: 3", "lift a's caps"]),
        ([{"id": "a"}], {"max_weekends": {"count": 1, "within": "14d"}}, ["a: at most 1 weekend in 14d"]),
    ],
)
def test_every_family_is_explained_in_its_own_words(people, rules, expected):
    sc = scenario(people=people, end=TWO_WEEKS, rules=rules)
    text = explain_infeasible(sc, time_limit=10).text()
    for e in expected:
        assert e in text, f"{e!r} not in\n{text}"
    assert "rule " not in text.replace("rules", "")
