"""Exported calendars are right at every DST change, for a client that uses the embedded
VTIMEZONE definitions, checked with parsers that did not write them (vobject + dateutil,
and icalendar's reader) against zoneinfo; calendars are valid for their method and
byte-stable.

The bug this replaces, upstream-ready (icalendar 7.3.2, ``Timezone.from_tzid``)::

    import datetime as dt, icalendar
    tz = icalendar.Timezone.from_tzid("Europe/Berlin", first_date=dt.date(2027, 1, 1),
                                      last_date=dt.date(2028, 1, 1))
    print(tz.to_ical().decode())
    # BEGIN:DAYLIGHT
    # DTSTART:20270328T030000      <- wrong: RFC 5545 3.6.5 reads DTSTART in TZOFFSETFROM,
    # TZOFFSETFROM:+0100              so this says 02:00Z; the change is at 01:00Z
    # TZOFFSETTO:+0200                (expected DTSTART:20270328T020000)
    # ...
    # it also puts a COMMENT property directly in VTIMEZONE, which 3.6.5 does not allow.

Every spring-forward is written an hour late (the local time *after* the change in the
offset *before* it); fall-back is right. With vobject (dateutil's tzical) the embedded
definition then gives +01:00 in Berlin at 2027-03-28T01:00Z instead of +02:00
(:func:`test_regression_icalendar_from_tzid_is_an_hour_late_at_spring_forward`).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from conftest import EXAMPLES, ROOT

from optimizer import Problem, Scenario, Schedule
from optimizer.exports import team_calendar, vtimezone
from optimizer.loading import load_scenario
from optimizer.schedule import Assignment

STAMP = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
ZONES = ["Europe/Berlin", "America/New_York", "Europe/Dublin", "Asia/Kolkata", "Australia/Lord_Howe"]


def _year_scenario() -> Scenario:
    """A weekly shift in each zone over 2027 (both EU and US changes, Dublin's negative
    DST, Kolkata without DST, Lord Howe's half-hour DST)."""
    return Scenario.model_validate(
        {
            "team": "tz",
            "timezone": "UTC",
            "start": "2027-01-04",
            "end": "2027-12-26",
            "shifts": [
                {
                    "name": f"w{k}",
                    "repeat": "weekly",
                    "starts": "sun 01:30",
                    "length": "7d",
                    "timezone": zone,
                    "roles": [{"name": "primary"}],
                }
                for k, zone in enumerate(ZONES)
            ],
            "people": [{"id": "a", "email": "a@example.com"}, {"id": "b"}],
            "fairness": {"load": 0, "weekends": 0, "holidays": 0},
        }
    )


def _filled(sc: Scenario) -> Schedule:
    """Every slot filled, people in turn (rules do not matter for exports)."""
    prob = Problem(sc)
    out, k = [], 0
    for inst in prob.instances:
        for r, role in enumerate(inst.roles):
            for _ in range(role.count):
                out.append(Assignment(inst.index, r, k % len(prob.people)))
                k += 1
    return Schedule(prob, out)


@pytest.fixture(scope="module")
def year() -> Schedule:
    return _filled(_year_scenario())


def _example_schedules() -> list[tuple[str, Schedule]]:
    return [
        (p.name, _filled(load_scenario(p)))
        for p in sorted(EXAMPLES.glob("*.yaml"))
        if "shifts:" in p.read_text(encoding="utf-8")
    ]


def _check_every_hour(ics: bytes, first: int, last: int) -> dict[str, int]:
    """Parse with vobject; convert every hour in [first, last) to local time through each
    embedded VTIMEZONE and compare with zoneinfo. Returns hours checked per zone."""
    cal = vobject.readOne(ics.decode("utf-8"))
    checked = {}
    for vtz in getattr(cal, "vtimezone_list", []):
        name = vtz.tzid.value
        embedded, truth = vtz.gettzinfo(), ZoneInfo(name)
        n = 0
        for ts in range(first - first % 3600, last, 3600):
            u = dt.datetime.fromtimestamp(ts, dt.UTC)
            got, want = u.astimezone(embedded), u.astimezone(truth)
            assert (got.replace(tzinfo=None), got.utcoffset()) == (want.replace(tzinfo=None), want.utcoffset()), (
                name,
                u.isoformat(),
            )
            n += 1
        checked[name] = n
    return checked


def test_every_hour_of_the_year_converts_like_zoneinfo(year: Schedule) -> None:
    prob = year.problem
    first, last = prob.instances[0].start, max(i.end for i in prob.instances)
    checked = _check_every_hour(team_calendar(year, stamp=STAMP), first, last)
    assert sorted(checked) == sorted(ZONES)
    assert all(n > 8000 for n in checked.values())


@pytest.mark.parametrize("name,schedule", _example_schedules(), ids=lambda x: x if isinstance(x, str) else "")
def test_every_hour_of_each_example_converts_like_zoneinfo(name: str, schedule: Schedule) -> None:
    prob = schedule.problem
    first, last = min(i.start for i in prob.instances), max(i.end for i in prob.instances)
    checked = _check_every_hour(team_calendar(schedule, stamp=STAMP), first, last)
    used = {i.tz.key for i in prob.instances} - {"UTC"}
    assert set(checked) == used


def test_events_read_back_by_vobject_are_the_instants(year: Schedule) -> None:
    """vobject resolves DTSTART/DTEND through the embedded VTIMEZONE to our instants."""
    prob = year.problem
    cal = vobject.readOne(team_calendar(year, stamp=STAMP).decode("utf-8"))
    got = sorted((int(ev.dtstart.value.timestamp()), int(ev.dtend.value.timestamp())) for ev in cal.vevent_list)
    want = sorted((prob.instances[a.instance].start, prob.instances[a.instance].end) for a in year.assignments)
    assert got == want and len(got) == len(year.assignments)


def test_each_transition_dtstart_is_in_the_offset_before_it() -> None:
    """Read the observances back with icalendar's parser: DTSTART (and every RDATE) minus
    TZOFFSETFROM is a UTC instant at which zoneinfo's offset changes to TZOFFSETTO."""
    for zone in ZONES:
        tz = ZoneInfo(zone)
        comp = icalendar.Calendar.from_ical(vtimezone(zone, dt.date(2026, 1, 1), dt.date(2029, 1, 1)).to_ical())
        assert "COMMENT" not in comp
        starts = []
        for obs in comp.subcomponents:
            off_from, off_to = obs.decoded("tzoffsetfrom"), obs.decoded("tzoffsetto")
            locals_ = [obs.decoded("dtstart")]
            rdate = obs.get("rdate")
            for r in rdate if isinstance(rdate, list) else [rdate] if rdate is not None else []:
                locals_ += [d.dt for d in r.dts]
            for local in locals_:
                at = int((local - off_from).replace(tzinfo=dt.UTC).timestamp())
                starts.append(at)
                after = dt.datetime.fromtimestamp(at, tz).utcoffset()
                assert after == off_to, (zone, local)
                if off_from != off_to:
                    assert dt.datetime.fromtimestamp(at - 1, tz).utcoffset() == off_from, (zone, local)
        assert starts[0] == min(starts)  # observances in time order


def test_regression_berlin_spring_forward_dtstart_is_0200_local() -> None:
    text = vtimezone("Europe/Berlin", dt.date(2027, 1, 1), dt.date(2028, 1, 1)).to_ical().decode()
    daylight = text[text.index("BEGIN:DAYLIGHT") : text.index("END:DAYLIGHT")]
    assert "DTSTART:20270328T020000" in daylight and "TZOFFSETFROM:+0100" in daylight


def test_regression_icalendar_from_tzid_is_an_hour_late_at_spring_forward() -> None:
    """The reproducer of the module docstring, run: if icalendar is fixed this test says so
    (and our own writer can be compared with it again)."""
    tz = icalendar.Timezone.from_tzid("Europe/Berlin", first_date=dt.date(2027, 1, 1), last_date=dt.date(2028, 1, 1))
    cal = icalendar.Calendar()
    cal.add("prodid", "-//repro//EN")
    cal.add("version", "2.0")
    cal.add_component(tz)
    embedded = vobject.readOne(cal.to_ical().decode()).vtimezone_list[0].gettzinfo()
    at = dt.datetime(2027, 3, 28, 1, 0, tzinfo=dt.UTC)
    if at.astimezone(embedded).utcoffset() == dt.timedelta(hours=2):
        pytest.skip("icalendar's Timezone.from_tzid is fixed in this version")
    assert at.astimezone(embedded).utcoffset() == dt.timedelta(hours=1)  # the bug
    assert at.astimezone(ZoneInfo("Europe/Berlin")).utcoffset() == dt.timedelta(hours=2)


def test_calendar_is_valid_for_its_method(year: Schedule) -> None:
    """No METHOD (a published file, not an iTIP message), so ATTENDEE needs no ORGANIZER;
    no COMMENT in VTIMEZONE."""
    cal = icalendar.Calendar.from_ical(team_calendar(year, stamp=STAMP))
    assert "METHOD" not in cal
    for tz in cal.walk("VTIMEZONE"):
        assert "COMMENT" not in tz
        assert {c.name for c in tz.subcomponents} <= {"STANDARD", "DAYLIGHT"}
    events = cal.walk("VEVENT")
    assert any("ATTENDEE" in ev for ev in events)


def test_vtimezones_sorted_and_before_the_events(year: Schedule) -> None:
    text = team_calendar(year, stamp=STAMP).decode()
    tzids = [line.split(":", 1)[1] for line in text.splitlines() if line.startswith("TZID:")]
    assert tzids == sorted(ZONES)
    assert text.rindex("END:VTIMEZONE") < text.index("BEGIN:VEVENT")


_EXPORT = """
import datetime as dt, sys
sys.path.insert(0, {tests!r})
from test_ical_tz import _filled, _year_scenario
from optimizer.exports import team_calendar
sys.stdout.buffer.write(team_calendar(_filled(_year_scenario()), stamp=dt.datetime(2027, 1, 1, tzinfo=dt.UTC)))
"""


def test_regression_two_exports_are_byte_identical_across_processes() -> None:
    """Different hash seeds (set order) in separate processes give the same bytes."""
    outs = []
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        r = subprocess.run(
            [sys.executable, "-c", _EXPORT.format(tests=str(ROOT / "tests"))],
            cwd=ROOT,
            env=env,
            capture_output=True,
            check=True,
            timeout=300,
        )
        outs.append(r.stdout)
    assert outs[0] and outs[0] == outs[1] == outs[2]


def test_zone_without_changes_has_one_observance() -> None:
    comp = vtimezone("Asia/Kolkata", dt.date(2026, 1, 1), dt.date(2029, 1, 1))
    assert [c.name for c in comp.subcomponents] == ["STANDARD"]
    assert comp.subcomponents[0].decoded("tzoffsetto") == dt.timedelta(hours=5, minutes=30)


def test_dublin_summer_is_daylight() -> None:
    """The IANA data models Irish winter as negative DST; clients expect IST as DAYLIGHT."""
    comp = vtimezone("Europe/Dublin", dt.date(2027, 1, 1), dt.date(2028, 1, 1))
    kinds = {(c.name, str(c["tzname"])) for c in comp.subcomponents}
    assert ("DAYLIGHT", "IST") in kinds and ("STANDARD", "GMT") in kinds


def test_ics_file_from_the_cli_converts_like_zoneinfo(tmp_path: Path) -> None:
    """`rota export --format ics` on an example writes the same definitions."""
    from click.testing import CliRunner

    from optimizer.cli import main
    from optimizer.exports import write_csv

    sched = _example_schedules()[0][1]
    src = EXAMPLES / _example_schedules()[0][0]
    assignments = tmp_path / "assignments.csv"
    write_csv(sched, assignments)
    out = tmp_path / "team.ics"
    r = CliRunner().invoke(main, ["export", str(src), str(assignments), "--format", "ics", "--out", str(out)])
    assert r.exit_code == 0, r.output
    prob = sched.problem
    checked = _check_every_hour(out.read_bytes(), prob.instances[0].start, max(i.end for i in prob.instances))
    assert set(checked) == {i.tz.key for i in prob.instances} - {"UTC"}
