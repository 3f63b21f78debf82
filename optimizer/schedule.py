"""A finished schedule: who takes which role on which shift instance.

The :class:`Schedule` is what the evaluators judge; it comes from a solve or from a CSV
file (ours, hand-edited, or another tool's). ``assignments_frame`` and ``people_frame``
are the two tables users see (``assignments.csv`` and ``people.csv``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import InputError
from .loading import read_csv_rows
from .problem import Problem
from .stats import person_stats, target_loads
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
    "weekend_hours", "holiday_hours", "weekends", "holidays", "load", "target_load",
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
    """One row per person: shifts, hours by kind, weekends, holidays, load and fair target."""
    prob = schedule.problem
    stats = person_stats(schedule)
    targets = target_loads(prob, stats)
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
                "target_load": targets[p] / 100 if targets[p] is not None else float("nan"),
                "history": person.history,
                "fte": person.fte,
            }
        )
    return pd.DataFrame(rows, columns=PEOPLE_COLUMNS)


# --------------------------------------------------------------------------- reading


def _parse_start(text: str, tz) -> tuple[int | None, dt.date | None]:
    """An ISO timestamp (with or without offset) or a bare date."""
    try:
        d = dt.date.fromisoformat(text)
        return None, d
    except ValueError:
        pass
    ts = dt.datetime.fromisoformat(text)  # may raise ValueError
    if ts.tzinfo is None:
        return local_to_utc(ts, tz), None
    return int(ts.timestamp()), None


def read_schedule(problem: Problem, path: str | Path) -> Schedule:
    """Read a schedule CSV: ours (``assignments.csv``) or a hand-made one.

    Required columns: ``shift``, ``start`` and ``person_id`` (or ``person``). ``start``
    is an ISO timestamp (an offset is honoured; without one it is read in the shift's
    zone) or a date (the instance of that shift starting that local day). ``role`` is
    optional: without it, people fill the shift's roles in file order.
    Rows naming no instance of the scenario are kept as :class:`Unmatched` and reported
    by ``verify``; an unknown person is an input error.
    """
    rows, lines, file = read_csv_rows(Path(path), "schedule")
    header = set(rows[0]) if rows else set()
    person_col = "person_id" if "person_id" in header else "person" if "person" in header else None
    missing = [c for c in ("shift", "start") if c not in header] + ([] if person_col else ["person_id"])
    if missing:
        raise InputError.single(f"missing column(s): {', '.join(missing)}", file, 1)
    by_time: dict[tuple[str, int], int] = {}
    by_day: dict[tuple[str, dt.date], int] = {}
    for inst in problem.instances:
        by_time[(inst.shift, inst.start)] = inst.index
        by_day.setdefault((inst.shift, dt.datetime.fromtimestamp(inst.start, inst.tz).date()), inst.index)
    zones = {s.name: s.timezone or problem.scenario.timezone for s in problem.scenario.shifts}
    from .timecalc import zone

    has_role = "role" in header
    filled: dict[tuple[int, int], int] = {}
    out: list[Assignment] = []
    unmatched: list[Unmatched] = []
    for row, line in zip(rows, lines, strict=True):
        shift, start, pid = row.get("shift", ""), row.get("start", ""), row.get(person_col, "")
        if pid not in problem.person_index:
            raise InputError.single(f"unknown person {pid!r}", file, line, person_col)
        p = problem.person_index[pid]
        if shift not in zones:
            unmatched.append(Unmatched(line, shift, start, pid, f"no shift pattern named {shift!r}"))
            continue
        try:
            ts, day = _parse_start(start, zone(zones[shift]))
        except ValueError:
            raise InputError.single(
                f"cannot read start {start!r} (ISO 8601 such as 2027-01-04T10:00:00+01:00, or a date)",
                file, line, "start",
            ) from None
        i = by_time.get((shift, ts)) if ts is not None else by_day.get((shift, day))
        if i is None:
            unmatched.append(Unmatched(line, shift, start, pid, "no instance of this shift starts then"))
            continue
        roles = problem.instances[i].roles
        if has_role and row.get("role"):
            r = problem.role_index(i, row["role"])
            if r is None:
                unmatched.append(Unmatched(line, shift, start, pid, f"shift has no role {row['role']!r}"))
                continue
        else:
            r = next((k for k, spec in enumerate(roles) if filled.get((i, k), 0) < spec.count), len(roles) - 1)
        filled[(i, r)] = filled.get((i, r), 0) + 1
        out.append(Assignment(i, r, p))
    return Schedule(problem, out, unmatched, source=file)
