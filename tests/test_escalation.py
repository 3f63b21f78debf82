"""Escalation policy and incident taxonomy: the chain per shift equals the assignments,
the chain at a moment, validation errors (exit 2 with file and line) and warnings, the
load the taxonomy implies (hand-computed), the PagerDuty/Opsgenie escalation bodies, the
calendar descriptions, ``rota escalation`` and the handbook page (also in Chromium)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import icalendar
import pytest
from click.testing import CliRunner
from conftest_report import EXAMPLES, example_schedule, needs_chromium, visit_page
from PIL import Image

from optimizer.cli import main
from optimizer.errors import InputError
from optimizer.escalation import (
    escalation_chain,
    escalation_load,
    escalation_warnings,
    severity_steps,
    who_is_on_call,
)
from optimizer.exports import (
    opsgenie_escalation_bodies,
    pagerduty_escalation_bodies,
    team_calendar,
)
from optimizer.files import write_frame
from optimizer.plots import plot_load
from optimizer.problem import Problem
from optimizer.report import write_report
from optimizer.scenario import Scenario
from optimizer.schedule import Assignment, Schedule, assignments_frame

QUARTERLY = EXAMPLES / "quarterly.yaml"
STAMP = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)


def _small(**extra) -> Scenario:
    """Mon 4 - Sun 10 Jan 2027, UTC, no holidays (no countries), every kind weight 1.

    ``day``: daily 09:00-21:00, one primary (needs ops); ``sec``: weekly Mon 00:00, 7 days,
    one ``security``. Levels: 1 primary (5m), 2 security (10m, a role of the other
    pattern), 3 crew members holding db (15m), 4 dora (30m) and an external manager.
    """
    data = {
        "team": "small",
        "timezone": "UTC",
        "start": "2027-01-04",
        "end": "2027-01-10",
        "shifts": [
            {
                "name": "day",
                "repeat": "daily",
                "starts": "09:00",
                "length": "12h",
                "roles": [{"name": "primary", "skills": ["ops"]}],
            },
            {
                "name": "sec",
                "repeat": "weekly",
                "starts": "mon 00:00",
                "length": "7d",
                "roles": [{"name": "security", "skills": ["security"]}],
            },
        ],
        "people": [
            {"id": "ann", "name": "Ann", "email": "ann@example.com", "skills": ["ops"]},
            {"id": "bo", "name": "Bo", "email": "bo@example.com", "skills": ["ops", "db"]},
            {"id": "cy", "name": "Cy", "email": "cy@example.com", "skills": ["security"]},
            {"id": "dora", "name": "Dora", "email": "dora@example.com"},
        ],
        "escalation": [
            {"level": 1, "roles": ["primary"], "ack_timeout": "5m"},
            {"level": 2, "roles": ["security"], "ack_timeout": "10m"},
            {"level": 3, "skills": ["db"], "from": "crew", "ack_timeout": "15m"},
            {
                "level": 4,
                "people": ["dora", {"id": "max", "name": "Max Boss", "phone": "+1 555 0100"}],
                "ack_timeout": "30m",
            },
        ],
        "severities": {
            "sev1": {"description": "outage", "page": [1, 2], "then": [3, 4]},
            "sev2": {"page": [1], "then": [2]},
        },
        "runbooks": {
            "ops": "https://runbooks.example.com/ops",
            "security": "https://runbooks.example.com/sec",
        },
        "weights": {"escalation_level": {1: 1.0, 2: 0.5, 4: 0.1}},
    }
    data.update(extra)
    return Scenario.model_validate(data)


def _small_schedule(sc: Scenario | None = None) -> Schedule:
    """ann is primary Mon-Wed, bo Thu-Sun; cy holds security all week."""
    prob = Problem(sc or _small())
    p = prob.person_index
    out = []
    for inst in prob.instances:
        if inst.shift == "sec":
            out.append(Assignment(inst.index, 0, p["cy"]))
        else:
            day = dt.datetime.fromtimestamp(inst.start, dt.UTC).date()
            out.append(Assignment(inst.index, 0, p["ann"] if day.weekday() < 3 else p["bo"]))
    return Schedule(prob, out)


# --------------------------------------------------------------------------- resolution


def test_chain_of_every_quarterly_shift_equals_its_assignments() -> None:
    schedule = example_schedule("quarterly")
    prob = schedule.problem
    chain = escalation_chain(schedule)
    assert list(chain.columns[:9]) == [
        "instance",
        "shift",
        "start",
        "end",
        "level",
        "person",
        "person_name",
        "contact",
        "ack_timeout",
    ]
    for inst in prob.instances:
        crew = {a.person: inst.roles[a.role].name for a in schedule.by_instance()[inst.index]}
        rows = chain[chain["instance"] == inst.label]
        by_level = {v: list(g["person"]) for v, g in rows.groupby("level")}
        assert by_level[1] == [prob.people[p].id for p, r in crew.items() if r == "primary"]
        assert by_level[2] == [prob.people[p].id for p, r in crew.items() if r == "secondary"]
        experts = {
            prob.people[p].id for p in crew if {"security", "data"} & set(prob.people[p].skills)
        }
        assert set(by_level[3]) == experts and experts  # crew_skills make sure someone holds them
        assert by_level[4] == ["eng-manager"]
    assert set(chain["ack_timeout"]) == {"5m", "10m", "15m", "30m"}
    assert set(chain[chain["level"] == 1]["severities"]) == {"sev1;sev2;sev3"}
    assert set(chain[chain["level"] == 4]["severities"]) == {"sev1"}
    contact = chain[chain["person"] == "eng-manager"]["contact"].iloc[0]
    assert contact == "maria.rossi@example.com"


def test_roles_of_another_pattern_skills_of_the_crew_and_named_people() -> None:
    schedule = _small_schedule()
    chain = escalation_chain(schedule)
    mon = chain[chain["instance"] == "day 2027-01-04T09:00:00+00:00"]
    assert list(mon[mon.level == 1].person) == ["ann"]
    assert list(mon[mon.level == 2].person) == [
        "cy"
    ]  # security is a role of the overlapping sec shift
    assert list(mon[mon.level == 3].person) == [
        ""
    ]  # ann holds no db: nobody, shown as an empty row
    assert list(mon[mon.level == 4].person) == ["dora", "max"]
    assert list(mon[mon.level == 4].contact) == ["dora@example.com", "+1 555 0100"]
    thu = chain[chain["instance"] == "day 2027-01-07T09:00:00+00:00"]
    assert list(thu[thu.level == 3].person) == ["bo"]
    week = chain[chain["shift"] == "sec"]
    # the sec week: level 1 is whoever is primary on the day shifts inside it
    assert list(week[week.level == 1].person) == ["ann", "bo"]


def test_who_is_on_call_at_a_moment() -> None:
    schedule = _small_schedule()
    noon_fri = who_is_on_call(schedule, dt.datetime(2027, 1, 8, 12, 0))
    assert set(noon_fri["instance"]) == {
        "day 2027-01-08T09:00:00+00:00",
        "sec 2027-01-04T00:00:00+00:00",
    }
    assert set(noon_fri[noon_fri.level == 1].person) == {
        "bo"
    }  # not ann: only who is on at that moment
    night = who_is_on_call(schedule, dt.datetime(2027, 1, 8, 23, 0, tzinfo=dt.UTC))
    assert set(night["instance"]) == {"sec 2027-01-04T00:00:00+00:00"}
    assert list(night[night.level == 1].person) == [""]  # no day shift runs: level 1 reaches nobody
    # an offset is honoured: 13:00+02:00 is 11:00 UTC on Monday, ann's shift
    mon = who_is_on_call(
        schedule, dt.datetime(2027, 1, 4, 13, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    )
    assert set(mon[mon.level == 1].person) == {"ann"}
    assert who_is_on_call(schedule, dt.datetime(2027, 3, 1)).empty


def test_severity_steps() -> None:
    sc = _small()
    steps = severity_steps(sc, "sev1")
    assert [(s.levels, s.timeout, s.after) for s in steps] == [
        (
            (1, 2),
            dt.timedelta(minutes=5),
            dt.timedelta(0),
        ),  # the shortest ack of the levels paged at once
        ((3,), dt.timedelta(minutes=15), dt.timedelta(minutes=5)),
        ((4,), dt.timedelta(minutes=30), dt.timedelta(minutes=20)),
    ]


def test_escalation_load_is_hand_computed_and_charted() -> None:
    schedule = _small_schedule()
    load = escalation_load(schedule)
    assert list(load.columns) == [1, 2, 4]
    # ann: 3 day shifts × 12 h at level 1 (×1) = 36; bo: 4 × 12 h at level 1 = 48 (his level 3
    # weighs 0 and level 1 is heavier anyway); cy: the whole week (168 h) at level 2 (×0.5) = 84,
    # not counted again for the day shifts that also reach him; dora: level 4 (×0.1) on the
    # sec week = 16.8 (the day shifts lie inside it); max is not on the rota
    assert load.loc["ann"].tolist() == [36.0, 0.0, 0.0]
    assert load.loc["bo"].tolist() == [48.0, 0.0, 0.0]
    assert load.loc["cy"].tolist() == [0.0, 84.0, 0.0]
    assert load.loc["dora"].tolist() == [0.0, 0.0, 16.8]
    ax = plot_load(schedule, escalation=True)
    widths: dict[str, float] = {}
    names = [t.get_text() for t in ax.get_yticklabels()]
    for patch in ax.patches:
        gid = patch.get_gid() or ""
        if gid.startswith("escalation:"):
            name = names[round(patch.get_y() + patch.get_height() / 2)]
            widths[name] = widths.get(name, 0.0) + patch.get_width()
    assert widths == pytest.approx({"Ann": 36.0, "Bo": 48.0, "Cy": 84.0, "Dora": 16.8})
    assert names[0] == "Cy"  # most loaded first
    with pytest.raises(ValueError, match="escalation_level"):
        plot_load(_small_schedule(_small(weights={})), escalation=True)


# --------------------------------------------------------------------------- validation


def _write(tmp_path: Path, tail: str) -> Path:
    """The quarterly example with its escalation part replaced by ``tail``."""
    text = QUARTERLY.read_text(encoding="utf-8")
    text = text[: text.index("# Who is paged")]
    text = text.replace(
        "  escalation_level: {1: 1.0, 2: 0.5, 3: 0.25, 4: 0.1}", "  escalation_level: {1: 1.0}"
    )
    path = tmp_path / "s.yaml"
    path.write_text(text + tail, encoding="utf-8")
    return path


BASE = """escalation:
  - {level: 1, roles: [primary]}
  - {level: 2, roles: [secondary]}
"""


@pytest.mark.parametrize(
    "tail, line_of, message",
    [
        (
            "escalation:\n  - {level: 1, roles: [primary]}\n  - {level: 2, roles: [lead]}\n",
            "roles: [lead]",
            "unknown role 'lead' (known: primary, secondary)",
        ),
        (
            "escalation:\n  - {level: 1, roles: [primary]}\n  - {level: 1, roles: [secondary]}\n",
            "level: 1, roles: [secondary]",
            "level 1 is defined twice",
        ),
        (
            "escalation:\n  - {level: 1, skills: [kubernetes], from: crew}\n",
            "skills: [kubernetes]",
            "nobody holds skill 'kubernetes'",
        ),
        ("escalation:\n  - {level: 1, people: [zed]}\n", "people: [zed]", "unknown person 'zed'"),
        (
            "escalation:\n  - {level: 1, roles: [primary], people: [alice]}\n",
            "roles: [primary], people",
            "give exactly one of roles, skills or people",
        ),
        (
            "escalation:\n  - {level: 1, skills: [data], from: night}\n",
            "from: night",
            "from 'night' is neither crew nor a shift",
        ),
        (
            "escalation:\n  - {level: 1, roles: [primary], ack_timeout: soon}\n",
            "ack_timeout: soon",
            "expected a duration",
        ),
        (
            BASE + "severities:\n  sev1: {page: [1], then: [2, 3]}\n",
            "sev1: {page",
            "severity sev1: no escalation level 3 (levels: 1, 2)",
        ),
        (BASE + "severities:\n  sev1: {page: []}\n", "sev1: {page", "page"),
        (
            BASE + "runbooks:\n  infra: ftp://example.com/x\n",
            "infra: ftp",
            "expected an http(s) URL",
        ),
        (
            BASE + "runbooks:\n  kitchen: https://example.com/x\n",
            "kitchen: https",
            "not a skill or role",
        ),
    ],
)
def test_validation_errors_name_file_line_and_field(tmp_path, tail, line_of, message) -> None:
    path = _write(tmp_path, tail)
    res = CliRunner().invoke(main, ["check", str(path)])
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output and message in res.output
    lines = path.read_text(encoding="utf-8").splitlines()
    line = next(k for k, text in enumerate(lines, 1) if line_of in text)
    assert re.search(rf"s\.yaml:{line}: (escalation|severities|runbooks)", res.output), res.output


def test_escalation_weight_for_an_unknown_level(tmp_path) -> None:
    path = _write(tmp_path, BASE)
    text = path.read_text(encoding="utf-8").replace(
        "escalation_level: {1: 1.0}", "escalation_level: {7: 1.0}"
    )
    path.write_text(text, encoding="utf-8")
    res = CliRunner().invoke(main, ["check", str(path)])
    assert res.exit_code == 2 and "no escalation level 7 (levels: 1, 2)" in res.output
    line = next(k for k, t in enumerate(text.splitlines(), 1) if "escalation_level" in t)
    assert f"s.yaml:{line}: weights.escalation_level" in res.output


def test_warnings_in_rota_check(tmp_path) -> None:
    # sev3 pages the primary only (one person, always); level 3 asks for a skill the shift
    # does not require; level 2 is paged by no severity
    path = _write(
        tmp_path,
        """escalation:
  - {level: 1, roles: [primary]}
  - {level: 2, roles: [secondary]}
  - {level: 3, skills: [data], from: crew}
severities:
  sev1: {page: [1, 3]}
  sev3: {page: [1]}
""",
    )
    text = path.read_text(encoding="utf-8").replace(
        "crew_skills: [infra, data, security, product]", "crew_skills: [infra, security, product]"
    )
    path.write_text(text, encoding="utf-8")
    res = CliRunner().invoke(main, ["check", str(path)])
    assert res.exit_code == 0, res.output
    warnings = [line for line in res.output.splitlines() if line.startswith("warning: ")]
    assert (
        "warning: severity sev3 can only ever reach one person (levels 1): nobody backs them up "
        "if they miss the page" in warnings
    )
    assert any(
        "level 3: members of the crew holding data may reach nobody on 13 of 13 shifts" in w
        for w in warnings
    )
    assert "warning: level 2: role secondary is not paged by any severity" in warnings
    assert not any("sev1" in w for w in warnings)  # two people: the primary and a data holder
    # the example itself is clean
    assert escalation_warnings(Problem(example_schedule("quarterly").problem.scenario)) == []


def test_a_level_that_some_shifts_cannot_fill() -> None:
    sc = _small(
        shifts=[
            {
                "name": "day",
                "repeat": "daily",
                "starts": "09:00",
                "length": "12h",
                "roles": [
                    {"name": "primary", "skills": ["ops"]},
                    {"name": "security", "count": 1, "counts": {"2027-01-09": 0, "2027-01-10": 0}},
                ],
            },
        ],
        escalation=[{"level": 1, "roles": ["primary"]}, {"level": 2, "roles": ["security"]}],
        severities={"sev1": {"page": [1, 2]}},
        weights={},
        runbooks={},
    )
    warnings = escalation_warnings(sc)
    assert warnings == [
        "level 2: role security cannot be filled on 2 of 7 shifts (nobody is needed in that role then; "
        "first: day 2027-01-09T09:00:00+00:00)",
        "severity sev1 reaches only one person on 2 of 7 shifts (first: day 2027-01-09T09:00:00+00:00)",
    ]


def test_scenarios_without_escalation_are_unchanged() -> None:
    sc = Scenario.model_validate(
        {
            "start": "2027-01-04",
            "end": "2027-01-05",
            "shifts": [
                {
                    "name": "d",
                    "repeat": "daily",
                    "starts": "09:00",
                    "length": "8h",
                    "roles": [{"name": "primary"}],
                }
            ],
            "people": [{"id": "x"}],
        }
    )
    assert sc.escalation == () and sc.severities == {} and sc.runbooks == {}
    assert sc.weights.escalation_level == {}
    assert escalation_warnings(sc) == []
    schedule = Schedule(Problem(sc), [Assignment(0, 0, 0), Assignment(1, 0, 0)])
    assert escalation_chain(schedule).empty
    cal = icalendar.Calendar.from_ical(team_calendar(schedule, stamp=STAMP))
    desc = [str(e["description"]) for e in cal.walk("VEVENT")]
    assert desc and all("Escalation" not in d and "Runbooks" not in d for d in desc)
    # round trip through replace keeps the new fields
    q = example_schedule("quarterly").problem.scenario
    again = q.replace(team="other")
    assert again.escalation == q.escalation and again.severities == q.severities
    assert again.weights.escalation_level == q.weights.escalation_level


# --------------------------------------------------------------------------- exports


MAPPING_PD = {
    "ann": "PANN001",
    "bo": "PBO0002",
    "cy": "PCY0003",
    "dora": "PDORA04",
    "max": "PMAX005",
}
MAPPING_OG = {
    "ann": "ann@example.com",
    "bo": "bo@example.com",
    "cy": "cy@example.com",
    "dora": "dora@example.com",
    "max": "1b2c3d4e-0000-4000-8000-000000000005",
}


def test_pagerduty_escalation_bodies_have_the_published_shape() -> None:
    schedule = _small_schedule()
    bodies = pagerduty_escalation_bodies(schedule, MAPPING_PD)
    assert len(bodies) == 8 * 2  # 7 day shifts + 1 sec week, two severities
    mon = next(
        b for b in bodies if b["severity"] == "sev1" and b["start"] == "2027-01-04T09:00:00+00:00"
    )
    assert set(mon) == {"severity", "shift", "start", "end", "body"}
    policy = mon["body"]["escalation_policy"]
    assert policy["type"] == "escalation_policy" and policy["name"] == "small sev1 (day)"
    assert policy["num_loops"] == 0 and "outage" in policy["description"]
    # step 1: levels 1 and 2 at once (ann, cy), 5 min; level 3 reaches nobody on Monday and
    # is left out; then level 4 (dora, max), 30 min
    assert policy["escalation_rules"] == [
        {
            "escalation_delay_in_minutes": 5,
            "targets": [
                {"id": "PANN001", "type": "user_reference"},
                {"id": "PCY0003", "type": "user_reference"},
            ],
        },
        {
            "escalation_delay_in_minutes": 30,
            "targets": [
                {"id": "PDORA04", "type": "user_reference"},
                {"id": "PMAX005", "type": "user_reference"},
            ],
        },
    ]
    # at a moment and one severity: the policy to PUT at the handover
    now = pagerduty_escalation_bodies(
        schedule, MAPPING_PD, severities=["sev2"], at=dt.datetime(2027, 1, 7, 10)
    )
    assert [(b["shift"], b["severity"]) for b in now] == [("sec", "sev2"), ("day", "sev2")]
    rules = now[1]["body"]["escalation_policy"]["escalation_rules"]
    assert [[t["id"] for t in r["targets"]] for r in rules] == [["PBO0002"], ["PCY0003"]]
    assert json.loads(json.dumps(bodies)) == bodies


def test_opsgenie_escalation_bodies_have_the_published_shape() -> None:
    schedule = _small_schedule()
    bodies = opsgenie_escalation_bodies(schedule, MAPPING_OG, severities=["sev1"])
    thu = next(b for b in bodies if b["start"] == "2027-01-07T09:00:00+00:00")["body"]
    assert set(thu) == {"name", "description", "rules"} and thu["name"] == "small sev1 (day)"
    got = [(r["delay"]["timeAmount"], r["recipient"]) for r in thu["rules"]]
    # delays count from the alert: levels 1+2 at 0, level 3 after 5 min, level 4 after 5 + 15
    assert got == [
        (0, {"type": "user", "username": "bo@example.com"}),
        (0, {"type": "user", "username": "cy@example.com"}),
        (5, {"type": "user", "username": "bo@example.com"}),
        (20, {"type": "user", "username": "dora@example.com"}),
        (20, {"type": "user", "id": "1b2c3d4e-0000-4000-8000-000000000005"}),
    ]
    assert all(
        r["condition"] == "if-not-acked"
        and r["notifyType"] == "default"
        and r["delay"]["timeUnit"] == "minutes"
        for r in thu["rules"]
    )


def test_escalation_exports_refuse_missing_users_and_unknown_severities() -> None:
    schedule = _small_schedule()
    with pytest.raises(InputError) as e:
        pagerduty_escalation_bodies(
            schedule, {k: v for k, v in MAPPING_PD.items() if k not in ("max", "cy")}
        )
    text = str(e.value)
    assert (
        "no PagerDuty user for person 'cy'" in text
        and "no PagerDuty user for person 'max' (Max Boss)" in text
    )
    with pytest.raises(InputError, match="no severity 'sev9'"):
        opsgenie_escalation_bodies(schedule, MAPPING_OG, severities=["sev9"])


def test_calendar_descriptions_carry_the_escalation_order_and_runbooks() -> None:
    schedule = _small_schedule()
    cal = icalendar.Calendar.from_ical(team_calendar(schedule, stamp=STAMP))
    events = {
        (str(e["x-rota-shift"]), e.decoded("dtstart").date()): str(e["description"])
        for e in cal.walk("VEVENT")
    }
    thu = events[("day", dt.date(2027, 1, 7))]
    assert "level 1: role primary (ack within 5m): Bo <bo@example.com>" in thu
    assert "level 2: role security (ack within 10m): Cy <cy@example.com>" in thu
    assert (
        "level 4: Dora, Max Boss (ack within 30m): Dora <dora@example.com>, Max Boss <+1 555 0100>"
        in thu
    )
    assert (
        "sev1: levels 1, 2 at once; then level 3 after 5m; then level 4 after 20m (outage)" in thu
    )
    assert "ops: https://runbooks.example.com/ops" in thu
    assert "https://runbooks.example.com/sec" not in thu  # not a skill of the day shift nor of Bo
    assert "security: https://runbooks.example.com/sec" in events[("sec", dt.date(2027, 1, 4))]


def test_cli_exports_and_escalation_command(tmp_path) -> None:
    schedule = example_schedule("quarterly")
    assignments = tmp_path / "assignments.csv"
    from optimizer.schedule import assignments_frame

    write_frame(assignments, assignments_frame(schedule))
    mapping = tmp_path / "pd.csv"
    ids = [p.id for p in schedule.problem.people] + ["eng-manager"]
    mapping.write_text(
        "person_id,user_id\n" + "".join(f"{i},P{k:06d}\n" for k, i in enumerate(ids))
    )
    run = CliRunner().invoke
    out = tmp_path / "pd.json"
    res = run(
        main,
        [
            "export",
            str(QUARTERLY),
            str(assignments),
            "--format",
            "pagerduty-escalation",
            "--mapping",
            str(mapping),
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    bodies = json.loads(out.read_text())
    assert len(bodies) == 13 * 3
    assert {b["body"]["escalation_policy"]["name"] for b in bodies} == {
        "ai-platform sev1",
        "ai-platform sev2",
        "ai-platform sev3",
    }
    res = run(
        main,
        [
            "export",
            str(QUARTERLY),
            str(assignments),
            "--format",
            "csv",
            "--severity",
            "sev1",
            "--out",
            str(tmp_path / "x.csv"),
        ],
    )
    assert res.exit_code == 2 and "--severity and --at apply" in res.output
    # rota escalation: every shift, and one moment, as a table and a CSV
    res = run(
        main, ["escalation", str(QUARTERLY), str(assignments), "--out", str(tmp_path / "chain.csv")]
    )
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO((tmp_path / "chain.csv").read_text(encoding="utf-8"))))
    assert list(rows[0]) == ["instance", "level", "person", "contact", "ack_timeout"]
    assert len(rows) == len(escalation_chain(schedule))
    res = run(main, ["escalation", str(QUARTERLY), str(assignments), "--at", "2027-02-03T12:00"])
    assert res.exit_code == 0, res.output
    row = who_is_on_call(schedule, dt.datetime(2027, 2, 3, 12))
    primary = row[row.level == 1].iloc[0]
    assert (
        f"level 1: Primary on call (ack within 5m): {primary.person_name} <{primary.contact}>"
        in res.output
    )
    assert (
        "sev1 (Customer-facing outage" in res.output
        and "page levels 1, 2, 3 at once; after 5m level 4" in res.output
    )
    res = run(main, ["escalation", str(QUARTERLY), str(assignments), "--at", "2031-01-01T00:00"])
    assert res.exit_code == 0 and "No shift is running" in res.output
    res = run(main, ["escalation", str(QUARTERLY), str(assignments), "--at", "tomorrowish"])
    assert res.exit_code == 2 and "expected a date and time" in res.output
    res = run(main, ["escalation", str(QUARTERLY), str(assignments), "--out", str(assignments)])
    assert res.exit_code == 2 and "refusing to overwrite" in res.output


def test_escalation_command_needs_a_policy(tmp_path) -> None:
    path = _write(tmp_path, "")
    text = re.sub(r"  escalation_level: .*\n", "", path.read_text(encoding="utf-8"))
    path.write_text(text, encoding="utf-8")
    (tmp_path / "a.csv").write_text("shift,start,person\nweek,2027-01-04,alice\n")
    res = CliRunner().invoke(main, ["escalation", str(path), str(tmp_path / "a.csv")])
    assert (
        res.exit_code == 2
        and "no escalation policy" in res.output
        and "Traceback" not in res.output
    )


# --------------------------------------------------------------------------- handbook


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.srcs: list[str] = []
        self.hrefs: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for k, v in attrs:
            if k == "src":
                self.srcs.append(v)
            if k == "href":
                self.hrefs.append(v)

    def handle_data(self, data):
        self.text.append(data)


def test_handbook_page(tmp_path) -> None:
    schedule = example_schedule("quarterly")
    files = write_report(schedule, tmp_path)
    assert files.handbook == tmp_path / "handbook.html" and files.handbook in files.all
    report = files.html.read_text(encoding="utf-8")
    assert '<a href="handbook.html">' in report
    page = _Page()
    html = files.handbook.read_text(encoding="utf-8")
    page.feed(html)
    text = " ".join(" ".join(page.text).split())
    assert "script" not in page.tags and "link" not in page.tags and "iframe" not in page.tags
    assert len(page.srcs) == 1 and page.srcs[0].startswith(
        "data:image/png;base64,"
    )  # the load chart
    # links: the report, the sections, e-mails and the runbooks, nothing else
    sc = schedule.problem.scenario
    for h in page.hrefs:
        assert h == "report.html" or h.startswith(("#", "mailto:")) or h in sc.runbooks.values(), h
    assert set(sc.runbooks.values()) <= set(page.hrefs)
    for name, sev in sc.severities.items():
        assert name in text and sev.description in text
    assert (
        "15m after the page, if still unacknowledged: 3 Security and data experts on the crew"
        in text
    )
    for person in sc.people:
        assert person.display_name in text and f"mailto:{person.email}" in page.hrefs
    assert "Maria Rossi" in text and "+49 30 5550 1234" in text
    # one row per shift: its dates, then each level's people in order
    chain = escalation_chain(schedule)
    rows = re.findall(r'<tr><td class="when">(.*?)</tr>', html)
    assert len(rows) == len(schedule.problem.instances)
    for inst, row in zip(schedule.problem.instances, rows, strict=True):
        names = chain[chain.instance == inst.label].person_name.tolist()
        cells = re.sub(r'<span class="muted">.*?</span>', "", row)
        assert re.findall(r"(?:<td>|<br>)([^<(]+?)\s*(?=<br>|</td>)", cells) == names
    assert "Escalation load per person" in text and 'class="nobody"' not in html


def test_no_handbook_without_a_policy(tmp_path) -> None:
    files = write_report(example_schedule("one"), tmp_path)
    assert files.handbook is None and not (tmp_path / "handbook.html").exists()
    assert "handbook.html" not in files.html.read_text(encoding="utf-8")


@needs_chromium
def test_handbook_in_headless_chromium(tmp_path) -> None:
    files = write_report(example_schedule("quarterly"), tmp_path)
    visit = visit_page(files.handbook.resolve().as_uri())
    assert visit.title == "ai-platform: on-call handbook"
    assert visit.images_loaded == 1
    assert visit.console_errors == [] and visit.external_requests == []
    (tmp_path / "handbook.png").write_bytes(visit.screenshot)
    img = Image.open(io.BytesIO(visit.screenshot)).convert("L")
    assert img.size == (visit.width, visit.height) and visit.height > 2000  # the whole page
    assert visit.width <= 1280  # nothing wider than the window: tables wrap or scroll inside
    lo, hi = img.getextrema()
    assert hi - lo > 100


# --------------------------------------------------------------------------- planning loop (#19)


def _crew_scenario():
    from conftest import scenario

    return scenario(
        end=dt.date(2027, 1, 5),
        shifts=[
            {
                "name": "day",
                "repeat": "daily",
                "starts": "00:00",
                "length": "1d",
                "roles": [{"name": "primary"}, {"name": "secondary"}, {"name": "shadow", "counts": {"2027-01-04": 0}}],
            }
        ],
        people=[{"id": "a", "skills": ["sec"]}, {"id": "b"}, {"id": "c"}],
        escalation=[
            {"level": 1, "roles": ["primary"]},
            {"level": 2, "roles": ["secondary"]},
            {"level": 3, "name": "Security on the crew", "skills": ["sec"], "from": "crew"},
        ],
    )


def test_repeated_responders_hand_checked() -> None:
    from conftest import manual

    from optimizer.escalation import repeated_responders

    sc = _crew_scenario()
    # day 0: a primary, b secondary -> level 3 (sec holders of the crew) is a again
    # day 1: b primary, c secondary, a shadow -> level 3 is a: someone new
    s = manual(sc, [(0, "primary", "a"), (0, "secondary", "b"), (1, "primary", "b"), (1, "secondary", "c"),
                    (1, "shadow", "a")])
    notes = repeated_responders(sc, escalation_chain(s))
    assert notes == [
        "level 3 (Security on the crew) pages only people of levels 1, 2 on 1 of 2 shift(s) "
        "(e.g. a on day 2027-01-04T00:00:00+00:00): nobody new is called"
    ]
    # without the repeat on day 0 there is nothing to say
    s2 = manual(sc, [(0, "primary", "b"), (0, "secondary", "c"), (1, "primary", "b"), (1, "secondary", "c"),
                     (1, "shadow", "a")])
    assert repeated_responders(sc, escalation_chain(s2)) == []


def test_escalation_out_writes_the_file_without_printing_the_table(tmp_path) -> None:
    schedule = example_schedule("quarterly")
    from optimizer.schedule import assignments_frame

    assignments = tmp_path / "assignments.csv"
    write_frame(assignments, assignments_frame(schedule))
    out = tmp_path / "chain.csv"
    res = CliRunner().invoke(main, ["escalation", str(QUARTERLY), str(assignments), "--out", str(out)])
    assert res.exit_code == 0, res.output
    chain = escalation_chain(schedule)
    assert f"wrote {out}: {len(chain)} rows for 13 shifts and 4 levels" in res.output
    assert len(res.output.splitlines()) <= 5  # a summary and notes, not 13 x 4 table rows
    assert not any(p.id in line for line in res.output.splitlines() if not line.startswith("note:")
                   for p in schedule.problem.people if p.id not in str(out))
    assert len(list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))) == len(chain)
    printed = CliRunner().invoke(main, ["escalation", str(QUARTERLY), str(assignments)])
    assert len(printed.output.splitlines()) > len(chain)


def test_regression_level_3_repeating_level_1_or_2_said_nothing(tmp_path) -> None:
    # quarterly: level 3 = security/data holders of the two-person crew, always levels 1 or 2
    schedule = example_schedule("quarterly")
    from optimizer.schedule import assignments_frame

    assignments = tmp_path / "assignments.csv"
    write_frame(assignments, assignments_frame(schedule))
    res = CliRunner().invoke(main, ["escalation", str(QUARTERLY), str(assignments)])
    assert res.exit_code == 0
    assert "note: level 3 (Security and data experts on the crew) pages only people of levels 1, 2 on" in res.output


def test_regression_wording_an_opsgenie_schedule_and_one_body(tmp_path) -> None:
    from optimizer.exports import opsgenie_bodies, pagerduty_body

    schedule = example_schedule("quarterly")  # primary and secondary overlap all the time
    users = {p.id: f"{p.id}@example.com" for p in schedule.problem.people}
    with pytest.raises(InputError) as e:
        opsgenie_bodies(schedule, users)
    assert "but an Opsgenie schedule has one person on call" in str(e.value)
    with pytest.raises(InputError) as e:
        pagerduty_body(schedule, {p: f"P{k:06d}" for k, p in enumerate(users)})
    assert "but a PagerDuty schedule" in str(e.value)
    # one escalation body: one severity at one moment
    from optimizer.schedule import assignments_frame

    assignments = tmp_path / "a.csv"
    write_frame(assignments, assignments_frame(schedule))
    mapping = tmp_path / "m.csv"
    mapping.write_text("person_id,user_id\n" + "".join(f"{p},U{k}\n" for k, p in enumerate([*users, "eng-manager"])))
    out = tmp_path / "esc.json"
    res = CliRunner().invoke(main, ["export", str(QUARTERLY), str(assignments), "--format", "opsgenie-escalation",
                                    "--mapping", str(mapping), "--severity", "sev3", "--at", "2027-01-06T12:00",
                                    "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert len(json.loads(out.read_text())) == 1 and "1 escalation body " in res.output, res.output


def test_regression_on_call_at_a_time_the_clocks_skip_was_answered(tmp_path):
    # `rota escalation --at 2027-03-28T02:30` (Europe/Berlin springs from 02:00 to 03:00)
    # printed "On call at Sun 28 Mar 2027 02:30" for a moment that does not exist there.
    from optimizer.loading import load_scenario
    from optimizer.timecalc import is_ambiguous, local_moment

    sc = load_scenario(EXAMPLES / "quarterly.yaml")
    assert sc.timezone == "Europe/Berlin"
    with pytest.raises(InputError, match="does not exist in Europe/Berlin"):
        local_moment(dt.datetime(2027, 3, 28, 2, 30), sc.tz, sc.timezone)
    assert local_moment(dt.datetime(2027, 3, 28, 3, 0), sc.tz, sc.timezone).utcoffset() == dt.timedelta(hours=2)
    # 02:30 on 31 October happens twice: the first one (still summer time) is taken
    autumn = dt.datetime(2027, 10, 31, 2, 30)
    assert is_ambiguous(autumn, sc.tz) and not is_ambiguous(dt.datetime(2027, 10, 31, 4, 0), sc.tz)
    assert local_moment(autumn, sc.tz, sc.timezone).utcoffset() == dt.timedelta(hours=2)
    sched = example_schedule("quarterly")
    path = tmp_path / "a.csv"
    write_frame(path, assignments_frame(sched))
    run = CliRunner().invoke(main, ["escalation", str(EXAMPLES / "quarterly.yaml"), str(path),
                                    "--at", "2027-03-28T02:30"])
    assert run.exit_code == 2 and "does not exist" in run.output and "Traceback" not in run.output
