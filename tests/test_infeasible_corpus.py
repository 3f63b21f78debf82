"""A corpus of 12 infeasible team set-ups (#19): for each, the solver proves it infeasible
(and ``rota check`` exits 3 where its capacity arithmetic proves a shortage), ``rota
explain`` offers a relaxation that is a parameter change ("raise max_weekends from 1 to
2", "one more person with x, y"), and that change, applied here to the scenario as the
parameter it names, makes the scenario solvable.

Each case is small (2-4 people, 1-9 weeks) so the file runs in well under a minute.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import yaml
from click.testing import CliRunner
from conftest import scenario

from optimizer import Scenario, solve
from optimizer.cli import main
from optimizer.explain import explain_infeasible

WEEKLY = [{"name": "week", "repeat": "weekly", "starts": "mon 00:00", "length": "7d", "roles": [{"name": "primary"}]}]
DAILY_CREW = [
    {
        "name": "day",
        "repeat": "daily",
        "starts": "00:00",
        "length": "1d",
        "roles": [{"name": "primary"}, {"name": "secondary"}],
        "crew_skills": ["x", "y"],
    }
]
NIGHTS = [{"name": "night", "repeat": "daily", "starts": "22:00", "length": "8h", "roles": [{"name": "primary"}]}]
PRIMARY_SECONDARY = [
    {
        "name": "week",
        "repeat": "weekly",
        "starts": "mon 00:00",
        "length": "7d",
        "roles": [{"name": "primary"}, {"name": "secondary"}],
    }
]


def weeks(n: int) -> dt.date:
    """The last day of ``n`` weeks from the default start (Monday 2027-01-04)."""
    return dt.date(2027, 1, 3) + dt.timedelta(weeks=n)


def person(sc: Scenario, pid: str, **update) -> Scenario:
    """``sc`` with person ``pid``'s fields changed."""
    return sc.replace(people=[p.model_copy(update=update) if p.id == pid else p for p in sc.people])


def soften(sc: Scenario, pid: str, weight: float) -> Scenario:
    """``sc`` with ``pid``'s hard time off soft."""
    return sc.replace(
        time_off=[t.model_copy(update={"soft": True, "weight": weight}) if t.person == pid else t for t in sc.time_off]
    )


@dataclass
class Case:
    name: str
    scenario: Scenario
    change: str  # the parameter change explain must offer, word for word
    apply: Callable[[Scenario], Scenario]  # that change, written here as the parameter it names
    check_exit: int  # rota check: 3 where capacity arithmetic proves the shortage, else 0


CASES = [
    Case(
        "max_weekends too low for the weekly slots",
        # 6 weekly shifts each hold a weekend; 3 people x 1 weekend = 3
        scenario(shifts=WEEKLY, end=weeks(6), rules={"max_weekends": 1}),
        "raise max_weekends from 1 to 2",
        lambda sc: sc.with_rules(max_weekends=2),
        3,
    ),
    Case(
        "a role needing a skill too few hold",
        # only a holds db; a week on needs a week off (min_rest 7d): a covers 2 of 4 weeks
        scenario(
            shifts=[{**WEEKLY[0], "roles": [{"name": "primary", "skills": ["db"]}]}],
            end=weeks(4),
            people=[{"id": "a", "skills": ["db"]}, {"id": "b"}, {"id": "c"}],
            rules={"min_rest": "7d"},
        ),
        "one more person who can take week primary [db]",
        lambda sc: sc.with_person({"id": "dana", "skills": ["db"]}),
        3,
    ),
    Case(
        "min_rest makes a daily shift impossible for a small team",
        # 3 days' rest after a day on: each of 3 people takes every 4th day, 6 of 7
        scenario(rules={"min_rest": "3d"}),
        "lower min_rest from 3d to 2d",
        lambda sc: sc.with_rules(min_rest="2d"),
        3,
    ),
    Case(
        "max_consecutive_days shorter than a shift",
        # a 7-day shift touches 7 days: nobody may take it under max_consecutive_days 5
        scenario(shifts=WEEKLY, end=weeks(3), rules={"max_consecutive_days": 5}),
        "raise max_consecutive_days from 5 to 7",
        lambda sc: sc.with_rules(max_consecutive_days=7),
        3,
    ),
    Case(
        "time off leaves nobody on the holiday week",
        # everyone is off over Christmas, which the daily shift must still cover
        scenario(
            start=dt.date(2027, 12, 20),
            end=dt.date(2027, 12, 31),
            time_off=[{"person": p, "from": "2027-12-24", "to": "2027-12-26"} for p in "abc"],
        ),
        "make the hard time off soft (soft: true, weight: 100) for a",
        lambda sc: soften(sc, "a", 100),
        3,
    ),
    Case(
        "crew skills held by one person",
        # only a holds x and y, so a is in every daily crew: 7 days in a row, max 5
        scenario(
            shifts=DAILY_CREW,
            people=[{"id": "a", "skills": ["x", "y"]}, {"id": "b"}, {"id": "c"}],
            rules={"max_consecutive_days": 5},
        ),
        "one more person with x, y",
        lambda sc: sc.with_person({"id": "dana", "skills": ["x", "y"]}),
        0,
    ),
    Case(
        "max_share too low",
        # 30% of a week is 2.1 days: 2 each of 3 people, 6 of 7; 40% is still 2 each
        scenario(rules={"max_share": 0.3}),
        "raise max_share from 0.3 to 0.5",
        lambda sc: sc.with_rules(max_share=0.5),
        3,
    ),
    Case(
        "windowed max_shifts too tight",
        # 2 people, 3 shifts in any 7 days each: 6 of 7 days
        scenario(people=[{"id": "a"}, {"id": "b"}], rules={"max_shifts": {"count": 3, "within": "7d"}}),
        "raise max_shifts from 3 to 4 within 7d",
        lambda sc: sc.with_rules(max_shifts=[{"count": 4, "within": "7d"}]),
        3,
    ),
    Case(
        "part-time caps",
        # 9 weekly shifts, two weeks' rest: a and b take 3 each, the part-timers 1 each
        scenario(
            shifts=WEEKLY,
            end=weeks(9),
            people=[
                {"id": "a"},
                {"id": "b"},
                {"id": "c", "fte": 0.5, "max_shifts": 1},
                {"id": "d", "fte": 0.5, "max_shifts": 1},
            ],
            rules={"min_rest": "14d"},
        ),
        "raise max_shifts from 1 to 2 for c",
        lambda sc: person(sc, "c", max_shifts=2),
        3,
    ),
    Case(
        "max_nights",
        # 7 night shifts, 2 people, at most 3 nights each
        scenario(shifts=NIGHTS, people=[{"id": "a"}, {"id": "b"}], rules={"max_nights": 3}),
        "raise max_nights from 3 to 4",
        lambda sc: sc.with_rules(max_nights=4),
        3,
    ),
    Case(
        "secondary-only pool too small",
        # only a may be primary; with a week's rest a covers 2 of 4 weeks
        scenario(
            shifts=PRIMARY_SECONDARY,
            end=weeks(4),
            people=[{"id": "a"}, *({"id": p, "roles": ["secondary"]} for p in "bcd")],
            rules={"min_rest": "7d"},
        ),
        "let b take primary too (people[].roles)",
        lambda sc: person(sc, "b", roles=("secondary", "primary")),
        3,
    ),
    Case(
        "windowed max_weekends",
        # 2 people, 4 weekly shifts, at most 1 weekend in any 28 days each
        scenario(
            shifts=WEEKLY,
            end=weeks(4),
            people=[{"id": "a"}, {"id": "b"}],
            rules={"max_weekends": {"count": 1, "within": "28d"}},
        ),
        "raise max_weekends from 1 to 2 within 28d",
        lambda sc: sc.with_rules(max_weekends={"count": 2, "within": "28d"}),
        0,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_infeasible_setup_gets_a_parameter_change_the_solver_confirms(case: Case, tmp_path):
    sc = case.scenario
    # (a) proven infeasible, and check exits 3 exactly where capacity proves a shortage
    assert solve(sc, time_limit=10).status.value == "infeasible"
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(sc.model_dump(mode="json", by_alias=True, exclude_defaults=True)))
    r = CliRunner().invoke(main, ["check", str(path)])
    assert r.exit_code == case.check_exit, r.output
    # (b) explain offers the parameter change, among those it checked with the solver
    conflict = explain_infeasible(sc, time_limit=10)
    assert conflict.status == "infeasible"
    text = conflict.text()
    assert case.change in [c.text for c in conflict.changes], text
    assert f"  - {case.change}\n" in text + "\n"
    # (c) the change, applied as the parameter it names, makes the scenario solvable
    changed = case.apply(sc)
    assert changed != sc
    assert solve(changed, time_limit=10).status.value in ("optimal", "feasible"), case.change


def test_the_corpus_has_twelve_distinct_cases():
    assert len(CASES) == 12
    assert len({c.name for c in CASES}) == 12
    assert len({c.change for c in CASES}) == 12


def test_a_ladder_stops_at_the_smallest_step_that_works():
    # max_share 0.4 still leaves each of 3 people 2 days: explain offers 0.5, not 0.4 or 0.6
    conflict = explain_infeasible(CASES[6].scenario, time_limit=10)
    shares = [c.text for c in conflict.changes if "max_share" in c.text]
    assert shares == ["raise max_share from 0.3 to 0.5"]
    assert solve(CASES[6].scenario.with_rules(max_share=0.4), time_limit=10).status.value == "infeasible"
