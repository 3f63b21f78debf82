"""Exports: CSV layouts round-trip exactly (any script, hostile names), iCalendar parses
back with stable UIDs, PagerDuty/Opsgenie bodies have the published shapes, inputs are
never overwritten and writes are atomic."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import icalendar
import pytest
from click.testing import CliRunner
from conftest import manual, scenario

from optimizer import Problem, Scenario, Schedule
from optimizer.cli import main
from optimizer.errors import InputError
from optimizer.exports import (
    event_uid,
    opsgenie_bodies,
    pagerduty_body,
    person_calendar,
    read_mapping,
    select,
    summary_frame,
    team_calendar,
    write_csv,
    write_ics,
)
from optimizer.files import FORMULA_START, atomic_write_text
from optimizer.schedule import Assignment, read_schedule

HOSTILE = '=HYPERLINK("http://x")'
PEOPLE = [
    {"id": "müller", "name": "Jörg Müller", "email": "joerg@example.com"},
    {"id": "李伟", "name": "李伟", "email": "li@example.com"},
    {"id": "omega", "name": "Ωmega", "email": "omega@example.com"},
    {"id": "omar", "name": "عمر", "email": "omar@example.com"},
    {"id": "hyper", "name": HOSTILE, "email": "hyper@example.com"},
    {"id": "=1+1", "name": "+plus, -minus; @at", "email": "eq@example.com"},
    {"id": "quote", "name": "'=already guarded", "email": "q@example.com"},
    # (names with tabs or line breaks are refused at load time since #17)
    {"id": "minus", "name": "-2", "email": None},
]
STAMP = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def intl() -> Scenario:
    """Two zones, a DST change (28 Mar in Berlin, 14 Mar in New York), a role of two."""
    return Scenario.model_validate({
        "team": "ops ✓",
        "timezone": "Europe/Berlin",
        "start": "2027-03-08",
        "end": "2027-04-04",
        "shifts": [
            {"name": "week", "repeat": "weekly", "starts": "mon 10:00", "length": "7d",
             "roles": [{"name": "primary"}, {"name": "secondary", "count": 2}]},
            {"name": "nyc", "repeat": "daily", "starts": "18:00", "length": "12h", "timezone": "America/New_York",
             "days": ["fri", "sat"], "roles": [{"name": "primary"}]},
        ],
        "people": PEOPLE,
    })


@pytest.fixture(scope="module")
def full(intl) -> Schedule:
    """Every slot filled, people taken in turn (rules do not matter for exports)."""
    prob = Problem(intl)
    out, k = [], 0
    for inst in prob.instances:
        for r, role in enumerate(inst.roles):
            for _ in range(role.count):
                out.append(Assignment(inst.index, r, k % len(PEOPLE)))
                k += 1
    return Schedule(prob, out)


def _raw_cells(path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


# ----------------------------------------------------------------------------- CSV


@pytest.mark.parametrize("layout", ["csv", "csv-wide"])
@pytest.mark.parametrize("utc", [False, True])
@pytest.mark.parametrize("excel", [False, True])
def test_csv_round_trip_is_exact(tmp_path, full, layout, utc, excel):
    path = tmp_path / "out.csv"
    write_csv(full, path, layout, utc=utc, excel=excel)
    back = read_schedule(full.problem, path)
    assert back.unmatched == []
    assert back.assignments == full.assignments
    assert path.read_bytes().startswith(b"\xef\xbb\xbf") == excel


@pytest.mark.parametrize("layout", ["csv", "csv-wide", "csv-summary"])
def test_csv_cells_are_formula_safe_and_unicode_intact(tmp_path, full, layout):
    path = tmp_path / "out.csv"
    write_csv(full, path, layout)
    text = path.read_text(encoding="utf-8")
    for name in ("Jörg Müller", "李伟", "Ωmega", "عمر"):
        assert name in text
    cells = [cell for row in _raw_cells(path) for cell in row]
    assert not [c for c in cells if c.startswith(FORMULA_START)]
    assert "'" + HOSTILE in cells
    assert "''=already guarded" in cells  # one more apostrophe, removed again on read


def test_wide_layout_has_a_row_per_instance_and_a_column_per_slot(tmp_path, full):
    path = tmp_path / "wide.csv"
    write_csv(full, path, "csv-wide")
    rows = _raw_cells(path)
    assert rows[0] == ["shift", "start", "end", "hours", "primary", "secondary_1", "secondary_2",
                       "primary_id", "secondary_1_id", "secondary_2_id"]
    assert len(rows) - 1 == len(full.problem.instances)
    # the first weekly instance: people 0 (primary), 1 and 2 (secondary, sorted by id)
    first = rows[1]
    assert first[:4] == ["week", "2027-03-08T10:00:00+01:00", "2027-03-15T10:00:00+01:00", "168"]
    assert first[4:] == ["Jörg Müller", "Ωmega", "李伟", "müller", "omega", "李伟"]  # secondaries by id


def test_utc_layout_writes_utc_offsets(tmp_path, full):
    path = tmp_path / "utc.csv"
    write_csv(full, path, "csv", utc=True)
    rows = _raw_cells(path)[1:]
    assert all(r[2].endswith("+00:00") and r[3].endswith("+00:00") for r in rows)
    assert rows[0][2] == "2027-03-08T09:00:00+00:00"  # 10:00 Berlin in winter


def test_summary_is_hand_checked():
    # a: Monday 2027-01-04 (24h: 16 weekday + 8 night) and Saturday 2027-01-09 (24h weekend)
    sched = manual(scenario(), [(0, "primary", "a"), (5, "primary", "a"), (1, "primary", "b")])
    f = summary_frame(sched).set_index("person_id")
    a = f.loc["a"]
    assert (a.shifts, a.days, a.hours, a.weekday_hours, a.night_hours, a.weekend_hours, a.weekends) == \
        (2, 2, 48, 16, 8, 24, 1)
    assert (a.period_start, a.period_end) == ("2027-01-04", "2027-01-10")
    assert f.loc["c"].shifts == 0


def test_summary_round_trips_its_own_cells(tmp_path, full):
    from optimizer.tables import read_csv_table

    path = tmp_path / "summary.csv"
    write_csv(full, path, "csv-summary", excel=True)
    table = read_csv_table(path, "summary")
    assert [r["person_name"] for r in table.rows] == [p["name"] for p in PEOPLE]
    assert [r["person_id"] for r in table.rows] == [p["id"] for p in PEOPLE]
    frame = summary_frame(full)
    assert [float(r["hours"]) for r in table.rows] == list(frame["hours"])


# ----------------------------------------------------------------------------- iCalendar


def _text(value) -> str:
    return str(icalendar.vText.from_ical(str(value)))


def _events(data: bytes) -> list:
    return list(icalendar.Calendar.from_ical(data).walk("VEVENT"))


@pytest.mark.parametrize("utc", [False, True])
def test_ics_events_match_assignments(full, utc):
    prob = full.problem
    events = _events(team_calendar(full, utc=utc, stamp=STAMP))
    got = set()
    for ev in events:
        start, end = ev.decoded("dtstart"), ev.decoded("dtend")
        assert start.tzinfo is not None
        if utc:
            assert start.utcoffset() == dt.timedelta(0)
        att = ev.get("attendee")
        email = str(att).removeprefix("mailto:") if att is not None else None
        got.add((int(start.timestamp()), int(end.timestamp()), _text(ev["x-rota-person"]), _text(ev["x-rota-role"]),
                 email, str(att.params["CN"]) if att is not None else None))
    want = set()
    for a in full.assignments:
        inst, person = prob.instances[a.instance], prob.people[a.person]
        want.add((inst.start, inst.end, person.id, inst.roles[a.role].name, person.email,
                  person.display_name if person.email else None))
    assert got == want and len(events) == len(full.assignments)


def test_ics_has_vtimezone_for_each_zone_and_summary(full):
    cal = icalendar.Calendar.from_ical(team_calendar(full, stamp=STAMP))
    assert {str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")} == {"Europe/Berlin", "America/New_York"}
    mine = _events(person_calendar(full, 0, stamp=STAMP))
    assert mine and all(str(ev["summary"]) in ("On call: primary (week)", "On call: secondary (week)",
                                               "On call: primary (nyc)") for ev in mine)
    assert all(_text(ev["x-rota-person"]) == "müller" for ev in mine)


def test_ics_uids_are_stable_and_survive_a_replan(full):
    first = [str(ev["uid"]) for ev in _events(team_calendar(full, stamp=STAMP))]
    again = [str(ev["uid"]) for ev in _events(team_calendar(full, stamp=STAMP + dt.timedelta(days=3)))]
    assert first == again and len(set(first)) == len(first)
    # re-plan: one slot changes hands; every other event keeps its UID
    changed = list(full.assignments)
    a = changed[0]
    changed[0] = Assignment(a.instance, a.role, (a.person + 3) % len(PEOPLE))
    replanned = [str(ev["uid"]) for ev in _events(team_calendar(Schedule(full.problem, changed), stamp=STAMP))]
    assert len(set(first) - set(replanned)) == 1
    # personal and team calendars share the UID of the same assignment
    inst = full.problem.instances[a.instance]
    uid = event_uid("ops ✓", inst.shift, inst.start, inst.roles[a.role].name, full.problem.people[a.person].id)
    assert uid in first
    assert uid in [str(ev["uid"]) for ev in _events(person_calendar(full, a.person, stamp=STAMP))]


def test_per_person_files_are_safe_names_and_cover_everyone(tmp_path, full):
    written = write_ics(full, tmp_path / "team.ics", tmp_path / "cal", stamp=STAMP)
    files = sorted(p.name for p in (tmp_path / "cal").iterdir())
    assert len(files) == len(PEOPLE) and len(written) == len(PEOPLE) + 1
    assert "müller.ics" in files and "omega.ics" in files
    assert all(re.fullmatch(r"[\w.\-]+\.ics", f) for f in files)  # '=1+1' made safe
    total = sum(len(_events(p.read_bytes())) for p in (tmp_path / "cal").iterdir())
    assert total == len(full.assignments)


# ----------------------------------------------------------------------------- paging tools

ISO_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")
USERS = {p["id"]: f"P{k:06d}" for k, p in enumerate(PEOPLE)}


def test_pagerduty_body_has_the_published_shape(full):
    primary = select(full, roles=["primary"], shifts=["week"])
    body = pagerduty_body(primary, USERS)
    assert list(body) == ["overrides"]
    prob = full.problem
    assert len(body["overrides"]) == len(primary.assignments) == 4
    for o, a in zip(body["overrides"], primary.assignments, strict=True):
        assert set(o) == {"start", "end", "user"}
        assert o["user"] == {"id": USERS[prob.people[a.person].id], "type": "user_reference"}
        assert ISO_OFFSET.match(o["start"]) and ISO_OFFSET.match(o["end"])
        inst = prob.instances[a.instance]
        assert dt.datetime.fromisoformat(o["start"]).timestamp() == inst.start
        assert dt.datetime.fromisoformat(o["end"]).timestamp() == inst.end
    json.dumps(body)  # serialisable as is


def test_pagerduty_refuses_missing_users_emails_and_overlaps(full):
    primary = select(full, roles=["primary"], shifts=["week"])
    someone = full.problem.people[primary.assignments[1].person].id
    missing = {k: v for k, v in USERS.items() if k != someone}
    with pytest.raises(InputError, match=f"no PagerDuty user for person '{re.escape(someone)}'"):
        pagerduty_body(primary, missing)
    with pytest.raises(InputError, match="needs a user ID"):
        pagerduty_body(primary, {k: f"{k}@x.com" for k in USERS})
    with pytest.raises(InputError, match="overlap.*--role"):
        pagerduty_body(full, USERS)  # primary and secondary at the same time


def test_opsgenie_bodies_have_the_published_shape(full):
    users = {**USERS, "müller": "joerg@example.com"}
    full = select(full, shifts=["week"], roles=["primary"])  # one person at a time
    bodies = opsgenie_bodies(full, users, rotations=True)
    assert len(bodies) == len(full.assignments)
    prob = full.problem
    for b, a in zip(bodies, full.assignments, strict=True):
        assert set(b) == {"alias", "user", "startDate", "endDate", "rotations"}
        pid = prob.people[a.person].id
        want = {"type": "user", "username": "joerg@example.com"} if pid == "müller" else \
            {"type": "user", "id": USERS[pid]}
        assert b["user"] == want
        assert ISO_OFFSET.match(b["startDate"]) and ISO_OFFSET.match(b["endDate"])
        assert b["rotations"] == [{"name": prob.instances[a.instance].roles[a.role].name}]
        assert isinstance(b["alias"], str) and len(b["alias"]) <= 100
    aliases = [b["alias"] for b in bodies]
    assert len(set(aliases)) == len(aliases)
    assert aliases == [b["alias"] for b in opsgenie_bodies(full, users, rotations=True)]


def test_opsgenie_rotations_let_roles_overlap():
    two = scenario(shifts=[{"name": "day", "repeat": "daily", "starts": "00:00", "length": "1d",
                            "roles": [{"name": "primary"}, {"name": "secondary"}]}])
    sched = manual(two, [(0, "primary", "a"), (0, "secondary", "b"), (1, "primary", "c")])
    users = {"a": "a@x.com", "b": "B1", "c": "c@x.com"}
    bodies = opsgenie_bodies(sched, users, rotations=True)
    assert [(b["user"], b["rotations"]) for b in bodies] == [
        ({"type": "user", "username": "a@x.com"}, [{"name": "primary"}]),
        ({"type": "user", "id": "B1"}, [{"name": "secondary"}]),
        ({"type": "user", "username": "c@x.com"}, [{"name": "primary"}]),
    ]
    assert bodies[0]["startDate"] == "2027-01-04T00:00:00+00:00"
    with pytest.raises(InputError, match="overlap"):
        opsgenie_bodies(sched, users)  # without rotations a and b collide


def test_mapping_files(tmp_path):
    (tmp_path / "m.yaml").write_text("alice: PABC123\nbob: bob@example.com\n")
    assert read_mapping(tmp_path / "m.yaml").users == {"alice": "PABC123", "bob": "bob@example.com"}
    (tmp_path / "m.csv").write_text("person_id,user_id\nalice,P1\nalice,P2\n")
    with pytest.raises(InputError) as e:
        read_mapping(tmp_path / "m.csv")
    assert "m.csv:3" in str(e.value) and "column person_id" in str(e.value)


# ----------------------------------------------------------------------------- CLI and safety


@pytest.fixture()
def files(tmp_path, full):
    import yaml

    sc = full.problem.scenario
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(sc.model_dump(mode="json", by_alias=True), allow_unicode=True),
                                     encoding="utf-8")
    write_csv(full, tmp_path / "a.csv", "csv")
    (tmp_path / "map.csv").write_text("person_id,user_id\n" + "".join(f"{k},{v}\n" for k, v in USERS.items()),
                                      encoding="utf-8")
    return tmp_path


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_cli_round_trip_through_every_layout(files, full):
    d = files
    r = run("export", d / "s.yaml", d / "a.csv", "--format", "csv-wide", "--out", d / "w.csv", "--excel", "--utc")
    assert r.exit_code == 0, r.output
    r = run("export", d / "s.yaml", d / "w.csv", "--format", "csv", "--out", d / "b.csv")
    assert r.exit_code == 0, r.output
    assert (d / "b.csv").read_bytes() == (d / "a.csv").read_bytes()
    r = run("export", d / "s.yaml", d / "b.csv", "--format", "ics", "--out", d / "t.ics", "--per-person", d / "cal")
    assert r.exit_code == 0, r.output
    assert len(_events((d / "t.ics").read_bytes())) == len(full.assignments)


def test_cli_paging_formats(files):
    d = files
    r = run("export", d / "s.yaml", d / "a.csv", "--format", "pagerduty", "--mapping", d / "map.csv",
            "--role", "primary", "--shift", "week", "--out", d / "pd.json")
    assert r.exit_code == 0, r.output
    assert len(json.loads((d / "pd.json").read_text())["overrides"]) == 4
    (d / "short.csv").write_text("person_id,user_id\nomega,P1\n")
    r = run("export", d / "s.yaml", d / "a.csv", "--format", "pagerduty", "--mapping", d / "short.csv",
            "--role", "primary", "--shift", "week", "--out", d / "pd2.json")
    assert r.exit_code == 2 and "müller" in r.output and "short.csv" in r.output
    assert not (d / "pd2.json").exists()
    r = run("export", d / "s.yaml", d / "a.csv", "--format", "opsgenie", "--out", d / "og.json")
    assert r.exit_code == 2 and "--mapping" in r.output


def test_cli_never_overwrites_an_input(files):
    d = files
    before = (d / "a.csv").read_bytes()
    for target in ("a.csv", "s.yaml", "map.csv"):
        args = ["--format", "pagerduty", "--mapping", d / "map.csv", "--role", "primary", "--shift", "week"] \
            if target == "map.csv" else ["--format", "csv"]
        r = run("export", d / "s.yaml", d / "a.csv", *args, "--out", d / target)
        assert r.exit_code == 2 and "refusing to overwrite" in r.output, r.output
    assert (d / "a.csv").read_bytes() == before


def test_cli_refuses_rows_that_match_no_shift(files):
    d = files
    (d / "bad.csv").write_text("shift,start,person_id\nweek,2030-01-07T10:00:00+01:00,omega\n")
    r = run("export", d / "s.yaml", d / "bad.csv", "--format", "csv", "--out", d / "x.csv")
    assert r.exit_code == 2 and "bad.csv:2:" in r.output and not (d / "x.csv").exists()


def test_atomic_write_leaves_old_file_when_interrupted(tmp_path, monkeypatch):
    target = tmp_path / "keep.csv"
    target.write_text("old\n")

    def boom(*_a, **_k):
        raise KeyboardInterrupt

    monkeypatch.setattr("optimizer.files.os.replace", boom)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_text(target, "new\n" * 1000)
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.csv"]  # no temp file left behind


def test_exports_package_modules_are_small():
    """One module per format, each under 500 lines (issue #18)."""
    from pathlib import Path

    import optimizer.exports as pkg

    files = sorted(Path(pkg.__file__).parent.glob("*.py"))
    assert {f.stem for f in files} >= {"csv", "ical", "vtimezone", "pagerduty", "opsgenie", "xlsx", "paging"}
    assert all(len(f.read_text(encoding="utf-8").splitlines()) < 500 for f in files)


@pytest.mark.skipif(__import__("shutil").which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_regression_libreoffice_reads_the_csv_as_utf8_with_the_documented_filter(tmp_path, full):
    """docs/exports.md: LibreOffice guesses Windows-1252 for a CSV; with the UTF-8 filter
    (CSV:44,34,76,1) every script survives, with or without the --excel byte-order mark."""
    import subprocess

    import openpyxl

    for excel in (False, True):
        src = tmp_path / f"people_{excel}.csv"
        write_csv(full, src, "csv", excel=excel)
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{tmp_path / 'lo'}", "--headless",
             "--infilter=CSV:44,34,76,1", "--convert-to", "xlsx", "--outdir", str(tmp_path), str(src)],
            check=True, capture_output=True, timeout=240,
        )  # fmt: skip
        ws = openpyxl.load_workbook(tmp_path / f"people_{excel}.xlsx").active
        cells = [c for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
        assert cells[0] == "shift"  # no byte-order mark shown in A1
        for name in ("Jörg Müller", "李伟", "Ωmega", "عمر"):
            assert name in cells
