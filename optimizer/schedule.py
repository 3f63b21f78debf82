"""A finished schedule: who takes which role on which shift instance.

The :class:`Schedule` is what the evaluators judge; it comes from a solve or from a CSV
file (ours, hand-edited, or another tool's). ``assignments_frame`` and ``people_frame``
are the two tables users see (``assignments.csv`` and ``people.csv``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import InputError
from .fairshare import fair_shares
from .problem import Problem
from .stats import person_stats
from .timecalc import local_to_utc


@dataclass(frozen=True, order=True)
class Assignment:
    """Person ``person`` takes role number ``role`` of instance ``instance`` (all indexes)."""

    instance: int
    role: int
    person: int


@dataclass(frozen=True)
class Unmatched:
    """A row of an imported schedule that names no instance or role of the scenario."""

    line: int
    shift: str
    start: str
    person: str
    message: str
    column: str = ""  # the column at fault: "shift", "start" or "role" ("" for a repeated row)
    value: str = ""  # with column "role": the role named


@dataclass
class Schedule:
    problem: Problem
    assignments: list[Assignment]
    unmatched: list[Unmatched] = field(default_factory=list)
    source: str | None = None

    def __post_init__(self) -> None:
        self.assignments = sorted(self.assignments, key=self._order)

    def _order(self, a: Assignment) -> tuple:
        inst = self.problem.instances[a.instance]
        role = inst.roles[a.role].name
        return (inst.start, inst.shift, role, self.problem.people[a.person].id)

    def by_person(self) -> dict[int, list[Assignment]]:
        out: dict[int, list[Assignment]] = {p: [] for p in range(len(self.problem.people))}
        for a in self.assignments:
            out[a.person].append(a)
        return out

    def by_instance(self) -> dict[int, list[Assignment]]:
        out: dict[int, list[Assignment]] = {i: [] for i in range(len(self.problem.instances))}
        for a in self.assignments:
            out[a.instance].append(a)
        return out


ASSIGNMENT_COLUMNS = ["shift", "role", "start", "end", "hours", "person_id", "person_name", "email"]
PEOPLE_COLUMNS = [
    "person_id", "person_name", "shifts", "hours", "weekday_hours", "night_hours",
    "weekend_hours", "holiday_hours", "weekends", "holidays", "load", "fair_share",
    "history", "fte",
]


def _hours(seconds: int) -> float:
    return round(seconds / 3600, 4)


def assignments_frame(schedule: Schedule) -> pd.DataFrame:
    """One row per person per role per instance, sorted by start, shift, role, person_id."""
    prob = schedule.problem
    rows = []
    for a in schedule.assignments:
        inst = prob.instances[a.instance]
        person = prob.people[a.person]
        rows.append(
            {
                "shift": inst.shift,
                "role": inst.roles[a.role].name,
                "start": inst.start_iso,
                "end": inst.end_iso,
                "hours": _hours(inst.seconds),
                "person_id": person.id,
                "person_name": person.display_name,
                "email": person.email or "",
            }
        )
    return pd.DataFrame(rows, columns=ASSIGNMENT_COLUMNS)


def people_frame(schedule: Schedule) -> pd.DataFrame:
    """One row per person: shifts, hours by kind, weekends, holidays, load and fair share
    (eligibility-aware, see ``optimizer.fairshare``; empty outside the pool)."""
    prob = schedule.problem
    stats = person_stats(schedule)
    shares = fair_shares(prob).centi
    rows = []
    for p, person in enumerate(prob.people):
        s = stats[p]
        rows.append(
            {
                "person_id": person.id,
                "person_name": person.display_name,
                "shifts": s.shifts,
                "hours": _hours(s.seconds),
                "weekday_hours": _hours(s.kind_seconds["weekday"]),
                "night_hours": _hours(s.kind_seconds["night"]),
                "weekend_hours": _hours(s.kind_seconds["weekend"]),
                "holiday_hours": _hours(s.kind_seconds["holiday"]),
                "weekends": len(s.weekends),
                "holidays": len(s.holidays),
                "load": s.load_centi / 100,
                "fair_share": shares[p] / 100 if p in shares else float("nan"),
                "history": person.history,
                "fte": person.fte,
            }
        )
    return pd.DataFrame(rows, columns=PEOPLE_COLUMNS)


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class WideColumn:
    """One role slot of the wide layout: a column of names and a column of ids."""

    role: str
    slot: int  # 0-based position among the people of this role
    name_column: str
    id_column: str


def wide_columns(problem: Problem) -> list[WideColumn]:
    """The role-slot columns of the wide layout (``csv-wide``), in scenario order.

    A role that never needs more than one person gives the columns ``primary`` (names)
    and ``primary_id`` (ids); a role of up to n people gives ``secondary_1`` ..
    ``secondary_n`` and ``secondary_1_id`` ... Roles of different shift patterns with
    the same name share columns.
    """
    slots: dict[str, int] = {}
    for pat in problem.scenario.shifts:
        for role in pat.roles:
            counts = getattr(role, "counts", None) or {}
            n = max([role.count, *counts.values()])
            slots[role.name] = max(slots.get(role.name, 0), n)
    out = []
    for name, n in slots.items():
        for k in range(n):
            col = name if n == 1 else f"{name}_{k + 1}"
            out.append(WideColumn(name, k, col, f"{col}_id"))
    return out


def _parse_start(text: str, tz) -> tuple[int | None, dt.date | None]:
    """An ISO timestamp (with or without offset) or a bare ISO date."""
    try:
        d = dt.date.fromisoformat(text)
        return None, d
    except ValueError:
        pass
    ts = dt.datetime.fromisoformat(text)  # may raise ValueError
    if ts.tzinfo is None:
        return local_to_utc(ts, tz), None
    return int(ts.timestamp()), None


class _People:
    """Find a person by id, else by e-mail (any case), else by a display name no one shares."""

    def __init__(self, problem: Problem) -> None:
        self.ids = problem.person_index
        self.emails: dict[str, int | None] = {}
        self.names: dict[str, int | None] = {}
        for k, person in enumerate(problem.people):
            for table, key in ((self.emails, (person.email or "").casefold()),
                               (self.names, person.display_name)):
                if key:
                    table[key] = None if key in table else k

    def find(self, text: str) -> int | None:
        if text in self.ids:
            return self.ids[text]
        for table, key in ((self.emails, text.casefold()), (self.names, text)):
            if table.get(key) is not None:
                return table[key]
        return None


def read_schedule(problem: Problem, path: str | Path, date_format: str | None = None) -> Schedule:
    """Read a schedule CSV: ours (``assignments.csv``, ``csv-wide``) or a hand-made one.

    Long layout (one row per person and shift): columns ``shift``, ``start`` and
    ``person_id`` (or ``person``); ``role`` is optional (without it people fill the
    shift's roles in file order). Wide layout (one row per shift, as written by
    ``rota export --format csv-wide``): ``shift``, ``start`` and one column per role
    slot (see :func:`wide_columns`), holding ids (``primary_id``) or names (``primary``).

    ``start`` is an ISO timestamp (an offset is honoured; without one it is read in the
    shift's zone) or a date (the instance of that shift starting that local day); dates
    may also be ``DD/MM/YYYY`` or ``MM/DD/YYYY`` when unambiguous or told by
    ``date_format``. People are named by id, e-mail or (unique) display name.

    Rows naming no instance or role of the scenario are kept as :class:`Unmatched` and
    reported by ``verify``.

    Raises
    ------
    InputError
        Unreadable file, missing columns, unreadable start, unknown person: each names
        the file, the line and the column.
    """
    from .tables import read_csv_table

    table = read_csv_table(Path(path), "schedule")
    file, header = table.file, set(table.header)
    person_col = "person_id" if "person_id" in header else "person" if "person" in header else None
    wide = [c for c in wide_columns(problem) if c.name_column in header or c.id_column in header]
    missing = [c for c in ("shift", "start") if c not in header]
    if person_col is None and not wide:
        roles = ", ".join(c.name_column for c in wide_columns(problem))
        missing.append(f"person_id (or person, or one column per role: {roles})")
    if missing:
        raise InputError.single(
            f"missing column(s): {', '.join(missing)} (the file has: {', '.join(table.header)})", file, 1
        )
    starts = _read_starts(problem, table, date_format)
    people = _People(problem)

    def person(text: str, line: int, column: str) -> int:
        p = people.find(text)
        if p is None:
            raise InputError.single(
                f"unknown person {text!r} (not an id, e-mail or name of the scenario)",
                file, line, f"column {column}",
            )
        return p

    out: list[Assignment] = []
    unmatched: list[Unmatched] = []
    seen: dict[tuple[int, int, int], int] = {}

    def add(i: int, r: int, p: int, line: int, shift: str, start: str) -> None:
        key = (i, r, p)
        if key in seen:
            unmatched.append(Unmatched(line, shift, start, problem.people[p].id,
                                       f"the same assignment is already on line {seen[key]}"))
            return
        seen[key] = line
        out.append(Assignment(i, r, p))

    filled: dict[tuple[int, int], int] = {}
    for row, line in zip(table.rows, table.lines, strict=True):
        shift, start = row.get("shift", ""), row.get("start", "")
        found = starts[line]
        if person_col is not None:
            pid = row.get(person_col, "")
            if not pid:  # an empty slot in a hand-made schedule: nothing to assign
                continue
            p = person(pid, line, person_col)
            if isinstance(found, tuple):
                unmatched.append(Unmatched(line, shift, start, problem.people[p].id, found[1], found[0]))
                continue
            i = found
            roles = problem.instances[i].roles  # type: ignore[assignment]
            if row.get("role"):
                r = problem.role_index(i, row["role"])
                if r is None:
                    unmatched.append(Unmatched(line, shift, start, problem.people[p].id,
                                               f"shift has no role {row['role']!r}", "role", row["role"]))
                    continue
            else:
                r = next((k for k, spec in enumerate(roles) if filled.get((i, k), 0) < spec.count),  # type: ignore[operator]
                         len(roles) - 1)
            filled[(i, r)] = filled.get((i, r), 0) + 1
            add(i, r, p, line, shift, start)
            continue
        # wide layout: one row per instance
        for col in wide:
            ids = row.get(col.id_column, "")
            text, column = (ids, col.id_column) if ids else (row.get(col.name_column, ""), col.name_column)
            if not text:
                continue
            if people.find(text) is None and ";" in text:
                names = [t.strip() for t in text.split(";") if t.strip()]
            else:
                names = [text]
            for name in names:
                p = person(name, line, column)
                if isinstance(found, tuple):
                    unmatched.append(Unmatched(line, shift, start, problem.people[p].id, found[1], found[0]))
                    continue
                r = problem.role_index(found, col.role)
                if r is None:
                    unmatched.append(Unmatched(line, shift, start, problem.people[p].id,
                                               f"shift has no role {col.role!r}", "role", col.role))
                    continue
                add(found, r, p, line, shift, start)
    return Schedule(problem, out, unmatched, source=file)


NO_INSTANCE = ("start", "no instance of this shift starts then")


def _read_starts(problem: Problem, table, date_format: str | None) -> dict[int, int | tuple[str, str]]:
    """For each row (by line): the instance index, or (the column at fault, why no
    instance matches)."""
    from .tables import DateCell, parse_dates
    from .timecalc import zone

    by_time: dict[tuple[str, int], int] = {}
    by_day: dict[tuple[str, dt.date], int] = {}
    for inst in problem.instances:
        by_time[(inst.shift, inst.start)] = inst.index
        by_day.setdefault((inst.shift, dt.datetime.fromtimestamp(inst.start, inst.tz).date()), inst.index)
    zones = {s.name: s.timezone or problem.scenario.timezone for s in problem.scenario.shifts}
    out: dict[int, int | tuple[str, str]] = {}
    later: list[tuple[int, str, DateCell]] = []
    for row, line in zip(table.rows, table.lines, strict=True):
        shift, start = row.get("shift", ""), row.get("start", "")
        if shift not in zones:
            out[line] = ("shift", f"no shift pattern named {shift!r}")
            continue
        if not start:
            raise InputError.single("no start given", table.file, line, "column start")
        try:
            ts, day = _parse_start(start, zone(zones[shift]))
        except ValueError:
            if re.match(r"^\d{1,2}[/.]\d{1,2}[/.]\d{4}$", start):
                later.append((line, shift, DateCell(start, line, "column start")))
                continue
            raise InputError.single(
                f"cannot read start {start!r} (ISO 8601 such as 2027-01-04T10:00:00+01:00, or a date)",
                table.file, line, "column start",
            ) from None
        i = by_time.get((shift, ts)) if ts is not None else by_day.get((shift, day))  # type: ignore[arg-type]
        out[line] = i if i is not None else NO_INSTANCE
    if later:
        days = parse_dates([c for _, _, c in later], table.file, date_format)
        for (line, shift, _), day in zip(later, days, strict=True):
            i = by_day.get((shift, day))
            out[line] = i if i is not None else NO_INSTANCE
    return out
