"""iCalendar exports (RFC 5545, built with the ``icalendar`` package): a team calendar and
one per person.

UIDs derive from team, shift, instance start, role and person, so a re-export keeps
the same UID for the same assignment (calendars update the event instead of adding a
copy). The calendars carry no METHOD: they are published files or subscribed feeds,
not iTIP scheduling messages, so ATTENDEE (the person on call) is valid without an
ORGANIZER. Times are in each shift's zone with VTIMEZONE definitions written by
:mod:`.vtimezone` (or UTC with ``utc=True``). When the scenario has an escalation
policy or runbooks, each DESCRIPTION lists the shift's escalation order and links.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import icalendar

from ..fields import format_duration
from ..files import atomic_write_bytes, safe_filename
from ..schedule import Schedule
from ..timecalc import UTC
from .common import event_uid
from .vtimezone import vtimezones


def _one_line(text: str) -> str:
    """Parameter values (ATTENDEE;CN=...) cannot hold line breaks or control characters."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def _stamp(stamp: dt.datetime | None) -> dt.datetime:
    if stamp is None:
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        stamp = dt.datetime.fromtimestamp(int(epoch), UTC) if epoch and epoch.isdigit() else dt.datetime.now(UTC)
    return stamp.astimezone(UTC).replace(microsecond=0)


def _calendar(name: str, team_zone: str, utc: bool) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//rota//on-call rotation//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", icalendar.vText(name))
    cal.add("x-wr-timezone", icalendar.vText("UTC" if utc else team_zone))
    return cal


def runbooks_for(scenario: Any, shift: str, role: str | None = None, person: Any = None) -> dict[str, str]:
    """Runbook links that concern one shift: those of its roles, the skills its roles and
    crew need, and (given a person) the skills they hold; in the scenario's order."""
    pat = next(p for p in scenario.shifts if p.name == shift)
    keys = {r.name for r in pat.roles} | set(pat.crew_skills) | {k for r in pat.roles for k in r.skills}
    if role is not None:
        keys.add(role)
    if person is not None:
        keys |= set(person.skills)
    return {k: url for k, url in scenario.runbooks.items() if k in keys}


def _escalation_text(resolver: Any, inst: Any, person: Any) -> str:
    """Escalation order and runbooks of one instance, for an event DESCRIPTION."""
    from ..escalation import level_label, severity_steps

    sc = resolver.scenario
    lines = []
    if sc.escalation:
        lines += ["", "Escalation (who is paged, in order):"]
        for lv, people in resolver.chain(inst.index):
            who = ", ".join(f"{r.name} <{r.contact}>" if r.contact else r.name for r in people)
            lines.append(f"{level_label(sc, lv)} (ack within {format_duration(lv.ack_timeout)}): {who or 'nobody'}")
        for name, sev in sc.severities.items():
            steps = severity_steps(sc, name)
            order = "; then ".join(
                ("levels " if len(st.levels) > 1 else "level ")
                + ", ".join(map(str, st.levels))
                + (f" after {format_duration(st.after)}" if k else " at once" if len(st.levels) > 1 else "")
                for k, st in enumerate(steps)
            )
            lines.append(f"{name}: {order}" + (f" ({sev.description})" if sev.description else ""))
    books = runbooks_for(sc, inst.shift, person=person)
    if books:
        lines += ["", "Runbooks:"] + [f"{k}: {url}" for k, url in books.items()]
    return "\n" + "\n".join(lines) if lines else ""


def _events(
    schedule: Schedule,
    people: set[int] | None,
    utc: bool,
    stamp: dt.datetime,
    team_summary: bool,
    chain_from: Schedule | None = None,
) -> Iterator[tuple[icalendar.Event, str]]:
    """One event per assignment (of ``people``, default all), with the zone of its times."""
    from ..escalation import Resolver

    prob = schedule.problem
    team = prob.scenario.team
    resolver = Resolver(chain_from or schedule) if (prob.scenario.escalation or prob.scenario.runbooks) else None
    for a in schedule.assignments:
        if people is not None and a.person not in people:
            continue
        inst = prob.instances[a.instance]
        person = prob.people[a.person]
        role = inst.roles[a.role].name
        tz = UTC if utc else inst.tz
        ev = icalendar.Event()
        ev.add("uid", event_uid(team, inst.shift, inst.start, role, person.id))
        ev.add("dtstamp", stamp)
        ev.add("dtstart", dt.datetime.fromtimestamp(inst.start, tz))
        ev.add("dtend", dt.datetime.fromtimestamp(inst.end, tz))
        summary = f"On call: {role} ({inst.shift})"
        ev.add("summary", f"{summary}: {person.display_name}" if team_summary else summary)
        description = (
            f"{person.display_name} is on call as {role} for {team}, shift {inst.shift}: "
            f"{inst.start_iso} to {inst.end_iso} ({inst.seconds / 3600:g} h)."
        )
        if resolver is not None:
            description += _escalation_text(resolver, inst, person)
        ev.add("description", description)
        ev.add("categories", ["On call"])
        ev.add("transp", "TRANSPARENT")  # on call is not busy time
        if person.email:
            att = icalendar.vCalAddress(f"mailto:{person.email}")
            att.params["CN"] = _one_line(person.display_name)
            att.params["ROLE"] = "REQ-PARTICIPANT"
            att.params["PARTSTAT"] = "ACCEPTED"
            ev.add("attendee", att)
        # machine-readable copies (escaped as TEXT; read back with icalendar.vText.from_ical)
        ev.add("x-rota-person", icalendar.vText(person.id))
        ev.add("x-rota-role", icalendar.vText(role))
        ev.add("x-rota-shift", icalendar.vText(inst.shift))
        yield ev, inst.tz.key


def _build(schedule: Schedule, cal: icalendar.Calendar, events: list[tuple[icalendar.Event, str]], utc: bool) -> bytes:
    """VTIMEZONEs first (every zone the events use, sorted by TZID), then the events."""
    if not utc:
        sc = schedule.problem.scenario
        zones = {zone for _ev, zone in events}
        # cover the horizon with a margin (shifts run past the end date)
        for comp in vtimezones(zones, dt.date(sc.start.year - 1, 1, 1), dt.date(sc.end.year + 2, 1, 1)):
            cal.add_component(comp)
    for ev, _zone in events:
        cal.add_component(ev)
    return bytes(cal.to_ical())


def team_calendar(
    schedule: Schedule, utc: bool = False, stamp: dt.datetime | None = None, chain_from: Schedule | None = None
) -> bytes:
    """The team calendar (``.ics`` bytes): one event per assignment.

    SUMMARY ``On call: primary (week): Alice Müller``; ATTENDEE is the person's e-mail;
    times in the shift's zone with VTIMEZONE definitions, or UTC with ``utc=True``.
    When the scenario has an escalation policy or runbooks, DESCRIPTION also lists the
    shift's escalation order (resolved from ``chain_from``, default ``schedule``: pass
    the whole schedule when exporting a :func:`select`-ion), each severity's paging
    order and the runbook links of the shift.
    """
    prob = schedule.problem
    cal = _calendar(f"{prob.scenario.team}: on call", prob.scenario.timezone, utc)
    events = list(_events(schedule, None, utc, _stamp(stamp), team_summary=True, chain_from=chain_from))
    return _build(schedule, cal, events, utc)


def person_calendar(
    schedule: Schedule,
    person: int,
    utc: bool = False,
    stamp: dt.datetime | None = None,
    chain_from: Schedule | None = None,
) -> bytes:
    """One person's calendar (``.ics`` bytes): SUMMARY ``On call: primary (week)``.

    A person with no shifts gets an empty calendar, so a subscribed feed empties too.
    DESCRIPTION as in :func:`team_calendar`.
    """
    prob = schedule.problem
    who = prob.people[person]
    cal = _calendar(f"{who.display_name}: on call ({prob.scenario.team})", prob.scenario.timezone, utc)
    events = list(_events(schedule, {person}, utc, _stamp(stamp), team_summary=False, chain_from=chain_from))
    return _build(schedule, cal, events, utc)


def person_calendar_names(schedule: Schedule) -> list[str]:
    """File names (``<id>.ics``, made safe for any file system) of the per-person calendars."""
    taken: set[str] = set()
    return [safe_filename(p.id, taken) + ".ics" for p in schedule.problem.people]


def write_ics(
    schedule: Schedule,
    out: str | Path | None = None,
    per_person: str | Path | None = None,
    utc: bool = False,
    stamp: dt.datetime | None = None,
    chain_from: Schedule | None = None,
) -> list[Path]:
    """Write the team calendar to ``out`` and/or one calendar per person into the
    directory ``per_person``; every file atomically. Returns the paths written.
    ``chain_from``: see :func:`team_calendar`."""
    stamp = _stamp(stamp)
    written = []
    if out is not None:
        atomic_write_bytes(out, team_calendar(schedule, utc, stamp, chain_from))
        written.append(Path(out))
    if per_person is not None:
        d = Path(per_person)
        for p, name in enumerate(person_calendar_names(schedule)):
            atomic_write_bytes(d / name, person_calendar(schedule, p, utc, stamp, chain_from))
            written.append(d / name)
    return written
