"""Exports: the schedule where people live.

* CSV for HR and payroll: ``csv`` (long, one row per person and shift: the
  assignments contract), ``csv-wide`` (one row per shift instance, a column per role
  slot: what people paste into a spreadsheet), ``csv-summary`` (one row per person:
  hours by kind, weekends, holidays, load: what payroll needs for on-call allowances).
  Every cell goes through the formula-injection guard; ``read_schedule`` reads the long
  and wide layouts back to exactly the same assignments.
* iCalendar (RFC 5545, via the ``icalendar`` package): a team calendar and one per
  person, with UIDs derived from team, shift, instance start, role and person, so a
  re-export keeps the same UID for the same assignment (calendars update the event
  instead of adding a copy).
* Paging tools: the request body of PagerDuty's "create overrides" endpoint
  (``POST /schedules/{id}/overrides``) and the bodies for Opsgenie's
  (``POST /v2/schedules/{id}/overrides``, one override per request), with a mapping
  file from person id to the tool's user.
* Escalation (when the scenario has an ``escalation`` policy): each shift's resolved
  chain as the body of PagerDuty's ``POST /escalation_policies`` and of Opsgenie's
  ``POST /v2/escalations``, one per shift instance and severity, with the same
  mapping file; calendar events carry the escalation order and the runbook links in
  their DESCRIPTION.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import InputError, InputProblem
from .fields import format_duration
from .files import atomic_write_bytes, atomic_write_text, csv_text, safe_filename
from .schedule import ASSIGNMENT_COLUMNS, Schedule, assignments_frame, people_frame, wide_columns
from .stats import person_stats
from .timecalc import UTC, iso_local

FORMATS = ("csv", "csv-wide", "csv-summary", "ics", "pagerduty", "opsgenie",
           "pagerduty-escalation", "opsgenie-escalation")
ESCALATION_FORMATS = ("pagerduty-escalation", "opsgenie-escalation")
CSV_FORMATS = ("csv", "csv-wide", "csv-summary")

# --------------------------------------------------------------------------- selection


def select(schedule: Schedule, roles: Iterable[str] = (), shifts: Iterable[str] = ()) -> Schedule:
    """The same schedule restricted to some roles and/or shift patterns (empty = all).

    Raises
    ------
    InputError
        A role or shift name the scenario does not have.
    """
    roles, shifts = tuple(roles), tuple(shifts)
    prob = schedule.problem
    known_roles = {r.name for s in prob.scenario.shifts for r in s.roles}
    known_shifts = {s.name for s in prob.scenario.shifts}
    for what, asked, known in (("role", roles, known_roles), ("shift", shifts, known_shifts)):
        for name in asked:
            if name not in known:
                raise InputError.single(
                    f"the scenario has no {what} {name!r} (known: {', '.join(sorted(known))})",
                    field=f"--{what}",
                )
    if not roles and not shifts:
        return schedule
    keep = [
        a for a in schedule.assignments
        if (not roles or prob.instances[a.instance].roles[a.role].name in roles)
        and (not shifts or prob.instances[a.instance].shift in shifts)
    ]
    return Schedule(prob, keep, list(schedule.unmatched), source=schedule.source)


def _iso(ts: int, tz, utc: bool) -> str:
    return iso_local(ts, UTC if utc else tz)


# --------------------------------------------------------------------------- CSV


def long_frame(schedule: Schedule, utc: bool = False) -> pd.DataFrame:
    """The ``csv`` layout: one row per person per role per instance (``assignments.csv``).

    Columns: shift, role, start, end, hours, person_id, person_name, email. ``start`` and
    ``end`` are ISO 8601 with the offset of the shift's zone, or UTC with ``utc=True``.
    """
    frame = assignments_frame(schedule)
    if utc and len(frame):
        prob = schedule.problem
        frame["start"] = [_iso(prob.instances[a.instance].start, None, True) for a in schedule.assignments]
        frame["end"] = [_iso(prob.instances[a.instance].end, None, True) for a in schedule.assignments]
    return frame[ASSIGNMENT_COLUMNS]


def wide_frame(schedule: Schedule, utc: bool = False) -> pd.DataFrame:
    """The ``csv-wide`` layout: one row per shift instance, a column per role slot.

    Columns: shift, start, end, hours, then the names in each role slot (``primary``,
    ``secondary`` or ``secondary_1``, ``secondary_2``... for roles of several people),
    then the ids in the same order (``primary_id``...). Instances nobody covers are
    included with empty cells, so the sheet shows every shift.
    """
    prob = schedule.problem
    cols = wide_columns(prob)
    by_inst = schedule.by_instance()
    rows = []
    for inst in prob.instances:
        row: dict[str, Any] = {
            "shift": inst.shift,
            "start": _iso(inst.start, inst.tz, utc),
            "end": _iso(inst.end, inst.tz, utc),
            "hours": round(inst.seconds / 3600, 4),
        }
        per_role: dict[str, list[int]] = {}
        for a in by_inst[inst.index]:  # already sorted by person id
            per_role.setdefault(inst.roles[a.role].name, []).append(a.person)
        for c in cols:
            people = per_role.get(c.role, [])
            p = people[c.slot] if c.slot < len(people) else None
            row[c.name_column] = prob.people[p].display_name if p is not None else ""
            row[c.id_column] = prob.people[p].id if p is not None else ""
        rows.append(row)
    columns = ["shift", "start", "end", "hours", *(c.name_column for c in cols), *(c.id_column for c in cols)]
    return pd.DataFrame(rows, columns=columns)


SUMMARY_COLUMNS = [
    "person_id", "person_name", "email", "period_start", "period_end", "shifts", "days",
    "hours", "weekday_hours", "night_hours", "weekend_hours", "holiday_hours", "weekends",
    "holidays", "load", "target_load", "history", "fte",
]


def summary_frame(schedule: Schedule) -> pd.DataFrame:
    """The ``csv-summary`` layout: one row per person, for payroll.

    ``days`` counts calendar days on call (own zone); ``weekday/night/weekend/holiday
    _hours`` split every hour into exactly one kind (holiday > weekend > night 22-06 >
    weekday); ``weekends`` and ``holidays`` count weekends and public holidays touched;
    ``load`` is the weighted load and ``target_load`` the fair share (see people.csv).
    """
    prob = schedule.problem
    frame = people_frame(schedule)
    stats = person_stats(schedule)
    frame.insert(2, "email", [p.email or "" for p in prob.people])
    frame.insert(3, "period_start", prob.scenario.start.isoformat())
    frame.insert(4, "period_end", prob.scenario.end.isoformat())
    frame.insert(6, "days", [len(s.days) for s in stats])
    return frame[[c for c in SUMMARY_COLUMNS if c in frame.columns]]


def csv_frame(schedule: Schedule, layout: str, utc: bool = False) -> pd.DataFrame:
    """The table of one CSV layout (``csv``, ``csv-wide`` or ``csv-summary``)."""
    if layout == "csv":
        return long_frame(schedule, utc)
    if layout == "csv-wide":
        return wide_frame(schedule, utc)
    if layout == "csv-summary":
        return summary_frame(schedule)
    raise ValueError(f"unknown CSV layout {layout!r} (known: {', '.join(CSV_FORMATS)})")


def write_csv(schedule: Schedule, path: str | Path, layout: str = "csv", utc: bool = False,
              excel: bool = False) -> Path:
    """Write one CSV layout atomically; ``excel=True`` adds a UTF-8 BOM so Excel shows
    non-Latin names correctly. Every cell is formula-safe."""
    frame = csv_frame(schedule, layout, utc)
    text = csv_text(list(frame.columns), frame.itertuples(index=False, name=None))
    atomic_write_text(path, text, bom=excel)
    return Path(path)


# --------------------------------------------------------------------------- iCalendar


def event_uid(team: str, shift: str, start: int, role: str, person_id: str) -> str:
    """A stable UID for one assignment: the same team, shift, instance start (epoch
    seconds), role and person give the same UID in every export."""
    key = "\x1f".join((team, shift, str(start), role, person_id))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + "@rota"


def _one_line(text: str) -> str:
    """Parameter values (ATTENDEE;CN=...) cannot hold line breaks or control characters."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def _stamp(stamp: dt.datetime | None) -> dt.datetime:
    if stamp is None:
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        stamp = dt.datetime.fromtimestamp(int(epoch), UTC) if epoch and epoch.isdigit() else dt.datetime.now(UTC)
    return stamp.astimezone(UTC).replace(microsecond=0)


def _calendar(name: str, team_zone: str, utc: bool):
    import icalendar

    cal = icalendar.Calendar()
    cal.add("prodid", "-//rota//on-call rotation//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", icalendar.vText(name))
    cal.add("x-wr-timezone", icalendar.vText("UTC" if utc else team_zone))
    return cal


def runbooks_for(scenario, shift: str, role: str | None = None, person=None) -> dict[str, str]:
    """Runbook links that concern one shift: those of its roles, the skills its roles and
    crew need, and (given a person) the skills they hold; in the scenario's order."""
    pat = next(p for p in scenario.shifts if p.name == shift)
    keys = {r.name for r in pat.roles} | set(pat.crew_skills) | {k for r in pat.roles for k in r.skills}
    if role is not None:
        keys.add(role)
    if person is not None:
        keys |= set(person.skills)
    return {k: url for k, url in scenario.runbooks.items() if k in keys}


def _escalation_text(resolver, inst, person) -> str:
    """Escalation order and runbooks of one instance, for an event DESCRIPTION."""
    from .escalation import level_label, severity_steps

    sc = resolver.scenario
    lines = []
    if sc.escalation:
        lines += ["", "Escalation (who is paged, in order):"]
        for lv, people in resolver.chain(inst.index):
            who = ", ".join(f"{r.name} <{r.contact}>" if r.contact else r.name for r in people)
            lines.append(f"{level_label(sc, lv)} (ack within {format_duration(lv.ack_timeout)}): "
                         f"{who or 'nobody'}")
        for name, sev in sc.severities.items():
            steps = severity_steps(sc, name)
            order = "; then ".join(
                ("levels " if len(st.levels) > 1 else "level ") + ", ".join(map(str, st.levels))
                + (f" after {format_duration(st.after)}" if k else " at once" if len(st.levels) > 1 else "")
                for k, st in enumerate(steps)
            )
            lines.append(f"{name}: {order}" + (f" ({sev.description})" if sev.description else ""))
    books = runbooks_for(sc, inst.shift, person=person)
    if books:
        lines += ["", "Runbooks:"] + [f"{k}: {url}" for k, url in books.items()]
    return "\n" + "\n".join(lines) if lines else ""


def _events(schedule: Schedule, people: set[int] | None, utc: bool, stamp: dt.datetime, team_summary: bool,
            chain_from: Schedule | None = None):
    import icalendar

    from .escalation import Resolver

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
        yield ev


def _finish(cal, utc: bool, scenario) -> bytes:
    if not utc:
        # VTIMEZONE definitions for every TZID used, covering the horizon with a margin
        cal.add_missing_timezones(
            first_date=dt.date(scenario.start.year - 1, 1, 1),
            last_date=dt.date(scenario.end.year + 2, 1, 1),
        )
    return cal.to_ical()


def team_calendar(schedule: Schedule, utc: bool = False, stamp: dt.datetime | None = None,
                  chain_from: Schedule | None = None) -> bytes:
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
    for ev in _events(schedule, None, utc, _stamp(stamp), team_summary=True, chain_from=chain_from):
        cal.add_component(ev)
    return _finish(cal, utc, prob.scenario)


def person_calendar(schedule: Schedule, person: int, utc: bool = False,
                    stamp: dt.datetime | None = None, chain_from: Schedule | None = None) -> bytes:
    """One person's calendar (``.ics`` bytes): SUMMARY ``On call: primary (week)``.

    A person with no shifts gets an empty calendar, so a subscribed feed empties too.
    DESCRIPTION as in :func:`team_calendar`.
    """
    prob = schedule.problem
    who = prob.people[person]
    cal = _calendar(f"{who.display_name}: on call ({prob.scenario.team})", prob.scenario.timezone, utc)
    for ev in _events(schedule, {person}, utc, _stamp(stamp), team_summary=False, chain_from=chain_from):
        cal.add_component(ev)
    return _finish(cal, utc, prob.scenario)


def person_calendar_names(schedule: Schedule) -> list[str]:
    """File names (``<id>.ics``, made safe for any file system) of the per-person calendars."""
    taken: set[str] = set()
    return [safe_filename(p.id, taken) + ".ics" for p in schedule.problem.people]


def write_ics(schedule: Schedule, out: str | Path | None = None, per_person: str | Path | None = None,
              utc: bool = False, stamp: dt.datetime | None = None,
              chain_from: Schedule | None = None) -> list[Path]:
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


# --------------------------------------------------------------------------- paging tools


@dataclass
class UserMapping:
    """Person id -> the paging tool's user id or e-mail, read from a CSV or YAML file."""

    users: dict[str, str]
    file: str | None = None
    lines: dict[str, int] = field(default_factory=dict)


PERSON_COLUMNS = ("person_id", "person", "id")
USER_COLUMNS = ("user_id", "user", "pagerduty_id", "opsgenie_id", "username", "opsgenie_username", "email")


def read_mapping(path: str | Path) -> UserMapping:
    """Read a mapping file: YAML (``alice: PABC123``) or CSV with a person column
    (``person_id``, ``person`` or ``id``) and a user column (``user_id``, ``user``,
    ``pagerduty_id``, ``opsgenie_id``, ``username`` or ``email``).

    Raises
    ------
    InputError
        Unreadable file, missing columns, a person listed twice.
    """
    path = Path(path)
    file = str(path)
    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml

        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
        except FileNotFoundError:
            raise InputError.single("no such mapping file", file) from None
        except UnicodeDecodeError:
            raise InputError.single("the mapping file is not UTF-8 text", file) from None
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            raise InputError.single(f"not valid YAML: {getattr(e, 'problem', e)}", file,
                                    mark.line + 1 if mark else None) from None
        if not isinstance(data, dict) or not data:
            raise InputError.single("expected a mapping of person id to user id or e-mail", file, 1)
        users = {}
        for k, v in data.items():
            if not isinstance(v, (str, int)) or isinstance(v, bool):
                raise InputError.single(f"expected a user id or e-mail for {k!r}, got {v!r}", file, field=str(k))
            users[str(k)] = str(v).strip()
        return UserMapping(users, file)
    from .loading import read_csv_table

    table = read_csv_table(path, "mapping")
    pcol = next((c for c in PERSON_COLUMNS if c in table.header), None)
    ucol = next((c for c in USER_COLUMNS if c in table.header), None)
    if pcol is None or ucol is None:
        need = [] if pcol else [" or ".join(PERSON_COLUMNS)]
        need += [] if ucol else [" or ".join(USER_COLUMNS)]
        raise InputError.single(
            f"missing column(s): {'; '.join(need)} (the file has: {', '.join(table.header)})", file, 1
        )
    users: dict[str, str] = {}
    lines: dict[str, int] = {}
    for row, line in zip(table.rows, table.lines, strict=True):
        pid = row.get(pcol, "")
        if not pid:
            raise InputError.single("no person id", file, line, f"column {pcol}")
        if pid in users:
            raise InputError.single(f"person {pid!r} is listed twice (first on line {lines[pid]})",
                                    file, line, f"column {pcol}")
        users[pid], lines[pid] = row.get(ucol, ""), line
    return UserMapping(users, file, lines)


def _users_for(schedule: Schedule, mapping: UserMapping | dict[str, str], tool: str) -> dict[int, str]:
    prob = schedule.problem
    people = sorted({a.person for a in schedule.assignments})
    by_id = _users_by_id([(prob.people[p].id, prob.people[p].display_name) for p in people], mapping, tool)
    return {p: by_id[prob.people[p].id] for p in people}


def _users_by_id(who: list[tuple[str, str]], mapping: UserMapping | dict[str, str], tool: str) -> dict[str, str]:
    """(id, name) pairs -> the tool's user for each id; every missing or malformed user is
    named in one :class:`InputError`."""
    m = mapping if isinstance(mapping, UserMapping) else UserMapping(dict(mapping))
    out: dict[str, str] = {}
    problems = []
    for pid, name in who:
        user = m.users.get(pid, "").strip()
        if not user:
            problems.append(InputProblem(
                f"no {tool} user for person {pid!r} ({name}); "
                f"add a row '{pid},<{tool} user {'ID' if tool == 'PagerDuty' else 'id or e-mail'}>'",
                m.file, m.lines.get(pid), "mapping",
            ))
            continue
        if tool == "PagerDuty" and ("@" in user or any(ch.isspace() for ch in user)):
            problems.append(InputProblem(
                f"PagerDuty needs a user ID (like PABC123) for person {pid!r}, not {user!r}",
                m.file, m.lines.get(pid), "mapping",
            ))
            continue
        out[pid] = user
    if problems:
        raise InputError(problems)
    return out


def _check_overlaps(schedule: Schedule, tool: str, by_role: bool = False) -> None:
    """A schedule in a paging tool has one person on call at a time: overrides must not overlap."""
    prob = schedule.problem
    groups: dict[str, list] = {}
    for a in schedule.assignments:
        inst = prob.instances[a.instance]
        key = inst.roles[a.role].name if by_role else ""
        groups.setdefault(key, []).append((inst.start, inst.end, a))
    for items in groups.values():
        items.sort(key=lambda t: (t[0], t[1]))
        for (s0, e0, a0), (s1, _e1, a1) in zip(items, items[1:]):
            if s1 < e0:
                def label(a):
                    inst = prob.instances[a.instance]
                    return f"{prob.people[a.person].id} as {inst.roles[a.role].name} ({inst.shift} {inst.start_iso})"

                roles = sorted({r.name for s in prob.scenario.shifts for r in s.roles})
                raise InputError.single(
                    f"{label(a0)} and {label(a1)} overlap, but a {tool} schedule has one person on call "
                    f"at a time: export one role per schedule with --role (roles: {', '.join(roles)})"
                    + (", or target one rotation per role with --rotations" if tool == "Opsgenie" else ""),
                    field="overrides",
                )


def pagerduty_body(schedule: Schedule, mapping: UserMapping | dict[str, str], utc: bool = False) -> dict:
    """The JSON body of PagerDuty's ``POST /schedules/{id}/overrides``: one override per
    assignment, ``{"overrides": [{"start", "end", "user": {"id", "type": "user_reference"}}]}``.

    ``start``/``end`` are ISO 8601 with the offset (the shift's zone, or UTC).

    Raises
    ------
    InputError
        A person without a PagerDuty user id in ``mapping`` (every one is named), or
        overrides that overlap (export one role at a time with :func:`select`).
    """
    users = _users_for(schedule, mapping, "PagerDuty")
    _check_overlaps(schedule, "PagerDuty")
    prob = schedule.problem
    overrides = []
    for a in schedule.assignments:
        inst = prob.instances[a.instance]
        overrides.append({
            "start": _iso(inst.start, inst.tz, utc),
            "end": _iso(inst.end, inst.tz, utc),
            "user": {"id": users[a.person], "type": "user_reference"},
        })
    return {"overrides": overrides}


def opsgenie_bodies(schedule: Schedule, mapping: UserMapping | dict[str, str], utc: bool = False,
                    rotations: bool = False) -> list[dict]:
    """The JSON bodies of Opsgenie's ``POST /v2/schedules/{id}/overrides`` (one
    override per request), one per assignment::

        {"alias": "rota-…", "user": {"type": "user", "username": "a@x.com"},
         "startDate": "2027-01-04T10:00:00+01:00", "endDate": "…"}

    ``user`` carries ``username`` when the mapping gives an e-mail, else ``id``.
    ``alias`` is stable (derived from the event UID), so a re-export can update an
    override (``PUT …/overrides/{alias}``) instead of adding another. With
    ``rotations=True`` each override targets the rotation named like its role.
    """
    users = _users_for(schedule, mapping, "Opsgenie")
    _check_overlaps(schedule, "Opsgenie", by_role=rotations)
    prob = schedule.problem
    out = []
    for a in schedule.assignments:
        inst = prob.instances[a.instance]
        role = inst.roles[a.role].name
        user = users[a.person]
        uid = event_uid(prob.scenario.team, inst.shift, inst.start, role, prob.people[a.person].id)
        body: dict[str, Any] = {
            "alias": "rota-" + uid.split("@")[0][:24],
            "user": {"type": "user", ("username" if "@" in user else "id"): user},
            "startDate": _iso(inst.start, inst.tz, utc),
            "endDate": _iso(inst.end, inst.tz, utc),
        }
        if rotations:
            body["rotations"] = [{"name": role}]
        out.append(body)
    return out


# --------------------------------------------------------------------------- escalation


@dataclass(frozen=True)
class ChainStep:
    """One paging step of one severity on one shift instance: who, and after how long."""

    levels: tuple[int, ...]
    people: tuple[tuple[str, str], ...]  # (id, name), no one twice
    timeout_minutes: int
    after_minutes: int


def _escalation_plan(schedule: Schedule, severities: Iterable[str] = (),
                     at: dt.datetime | None = None, shifts: Iterable[str] = ()):
    """(instance, severity, [ChainStep]) for every instance (or those running ``at``, or of
    ``shifts``) and every severity (or those named)."""
    from .escalation import Resolver, active_instances, severity_steps

    prob = schedule.problem
    sc = prob.scenario
    if not sc.escalation or not sc.severities:
        raise InputError.single(
            "the scenario needs an escalation policy and severities for escalation exports "
            "(`escalation:` levels and `severities:`)", field="escalation",
        )
    names = list(severities) or list(sc.severities)
    for n in names:
        if n not in sc.severities:
            raise InputError.single(f"the scenario has no severity {n!r} (known: {', '.join(sc.severities)})",
                                    field="--severity")
    shifts = tuple(shifts)
    insts = active_instances(prob, at) if at is not None else range(len(prob.instances))
    insts = [i for i in insts if not shifts or prob.instances[i].shift in shifts]
    res = Resolver(schedule)
    for i in insts:
        by_level = {lv.level: people for lv, people in res.chain(i)}
        for n in names:
            steps = []
            for st in severity_steps(sc, n):
                seen: dict[str, str] = {}
                for v in st.levels:
                    for r in by_level[v]:
                        seen.setdefault(r.id, r.name)
                steps.append(ChainStep(st.levels, tuple(seen.items()),
                                       int(st.timeout.total_seconds() // 60), int(st.after.total_seconds() // 60)))
            yield prob.instances[i], n, steps


def _policy_meta(scenario, inst, severity: str, utc: bool) -> dict:
    return {
        "severity": severity,
        "shift": inst.shift,
        "start": _iso(inst.start, inst.tz, utc),
        "end": _iso(inst.end, inst.tz, utc),
    }


def _policy_name(scenario, inst, severity: str) -> str:
    many = len(scenario.shifts) > 1
    return f"{scenario.team} {severity}" + (f" ({inst.shift})" if many else "")


def _policy_description(scenario, inst, severity: str) -> str:
    sev = scenario.severities[severity]
    what = f"{severity}: {sev.description}. " if sev.description else f"{severity}. "
    return (what + f"On call {inst.start_iso} to {inst.end_iso} ({inst.shift}); "
            "generated by rota, update at each handover.")


def pagerduty_escalation_bodies(schedule: Schedule, mapping: UserMapping | dict[str, str],
                                severities: Iterable[str] = (), at: dt.datetime | None = None,
                                utc: bool = False, shifts: Iterable[str] = ()) -> list[dict]:
    """The escalation chain as bodies of PagerDuty's ``POST /escalation_policies`` (or
    ``PUT /escalation_policies/{id}`` at each handover): one per shift instance and
    severity, each ``{"severity", "shift", "start", "end", "body"}`` where ``body`` is::

        {"escalation_policy": {"type": "escalation_policy", "name": "ai-platform sev1",
         "description": "…", "num_loops": 0,
         "escalation_rules": [{"escalation_delay_in_minutes": 5,
                               "targets": [{"id": "PABC123", "type": "user_reference"}]}]}}

    One rule per paging step of the severity (:func:`~optimizer.escalation.severity_steps`):
    the first targets every person of the levels paged at once, each later one the
    people of one level; the delay is the step's ack timeout. A step that reaches nobody
    on that shift is left out. Only the instances running ``at`` (if given) and only
    the named ``severities`` (default all).

    Raises
    ------
    InputError
        No escalation policy or severities; an unknown severity; a person or contact
        without a PagerDuty user id in ``mapping``; a step with more than 10 targets
        (PagerDuty's limit).
    """
    plan = list(_escalation_plan(schedule, severities, at, shifts))
    sc = schedule.problem.scenario
    ids = {pid: name for _i, _n, steps in plan for st in steps for pid, name in st.people}
    users = _users_by_id(sorted(ids.items()), mapping, "PagerDuty")
    out = []
    for inst, sev, steps in plan:
        rules = []
        for st in steps:
            if not st.people:
                continue
            if len(st.people) > 10:
                raise InputError.single(
                    f"{inst.label} {sev}: levels {', '.join(map(str, st.levels))} page {len(st.people)} "
                    "people at once; a PagerDuty escalation rule takes at most 10 targets",
                    field="escalation",
                )
            rules.append({
                "escalation_delay_in_minutes": st.timeout_minutes,
                "targets": [{"id": users[pid], "type": "user_reference"} for pid, _ in st.people],
            })
        body = {"escalation_policy": {
            "type": "escalation_policy",
            "name": _policy_name(sc, inst, sev),
            "description": _policy_description(sc, inst, sev),
            "num_loops": 0,
            "on_call_handoff_notifications": "if_has_services",
            "escalation_rules": rules,
        }}
        out.append({**_policy_meta(sc, inst, sev, utc), "body": body})
    return out


def opsgenie_escalation_bodies(schedule: Schedule, mapping: UserMapping | dict[str, str],
                               severities: Iterable[str] = (), at: dt.datetime | None = None,
                               utc: bool = False, shifts: Iterable[str] = ()) -> list[dict]:
    """The escalation chain as bodies of Opsgenie's ``POST /v2/escalations`` (or ``PUT
    /v2/escalations/{name}?identifierType=name`` at each handover): one per shift instance
    and severity, each ``{"severity", "shift", "start", "end", "body"}`` where ``body`` is::

        {"name": "ai-platform sev2", "description": "…",
         "rules": [{"condition": "if-not-acked", "notifyType": "default",
                    "delay": {"timeAmount": 0, "timeUnit": "minutes"},
                    "recipient": {"type": "user", "username": "ivan@example.com"}}, …]}

    Opsgenie rules have one recipient each and their delay counts from the alert's
    creation, so every person of a paging step gets a rule with the step's start time
    (0 for the levels paged at once, then the sum of the earlier steps' ack timeouts).
    ``recipient`` carries ``username`` for an e-mail in the mapping, else ``id``.

    Raises
    ------
    InputError
        As :func:`pagerduty_escalation_bodies` (without the 10-target limit).
    """
    plan = list(_escalation_plan(schedule, severities, at, shifts))
    sc = schedule.problem.scenario
    ids = {pid: name for _i, _n, steps in plan for st in steps for pid, name in st.people}
    users = _users_by_id(sorted(ids.items()), mapping, "Opsgenie")
    out = []
    for inst, sev, steps in plan:
        rules = []
        for st in steps:
            for pid, _ in st.people:
                user = users[pid]
                rules.append({
                    "condition": "if-not-acked",
                    "notifyType": "default",
                    "delay": {"timeAmount": st.after_minutes, "timeUnit": "minutes"},
                    "recipient": {"type": "user", ("username" if "@" in user else "id"): user},
                })
        body = {
            "name": _policy_name(sc, inst, sev)[:100],
            "description": _policy_description(sc, inst, sev),
            "rules": rules,
        }
        out.append({**_policy_meta(sc, inst, sev, utc), "body": body})
    return out


def json_text(data: Any) -> str:
    """Pretty JSON, UTF-8 names kept as they are."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
