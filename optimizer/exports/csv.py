"""CSV exports for HR and payroll: ``csv`` (long), ``csv-wide`` and ``csv-summary``.

Every cell goes through the formula-injection guard; ``read_schedule`` reads the long
and wide layouts back to exactly the same assignments. Spreadsheets should import the
files as UTF-8 (see docs/exports.md); ``--format xlsx`` avoids the import dialog.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ..files import atomic_write_text, csv_text
from ..schedule import ASSIGNMENT_COLUMNS, Schedule, assignments_frame, people_frame, wide_columns
from ..stats import person_stats
from .common import iso

CSV_FORMATS = ("csv", "csv-wide", "csv-summary")

SUMMARY_COLUMNS = [
    "person_id", "person_name", "email", "period_start", "period_end", "shifts", "days",
    "hours", "weekday_hours", "night_hours", "weekend_hours", "holiday_hours", "weekends",
    "holidays", "load", "fair_share", "history", "fte",
]  # fmt: skip


def long_frame(schedule: Schedule, utc: bool = False) -> pd.DataFrame:
    """The ``csv`` layout: one row per person per role per instance (``assignments.csv``).

    Columns: shift, role, start, end, hours, person_id, person_name, email. ``start`` and
    ``end`` are ISO 8601 with the offset of the shift's zone, or UTC with ``utc=True``.
    """
    frame = assignments_frame(schedule)
    if utc and len(frame):
        prob = schedule.problem
        frame["start"] = [iso(prob.instances[a.instance].start, None, True) for a in schedule.assignments]
        frame["end"] = [iso(prob.instances[a.instance].end, None, True) for a in schedule.assignments]
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
            "start": iso(inst.start, inst.tz, utc),
            "end": iso(inst.end, inst.tz, utc),
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


def summary_frame(schedule: Schedule) -> pd.DataFrame:
    """The ``csv-summary`` layout: one row per person, for payroll.

    ``days`` counts calendar days on call (own zone); ``weekday/night/weekend/holiday
    _hours`` split every hour into exactly one kind (holiday > weekend > night 22-06 >
    weekday); ``weekends`` and ``holidays`` count weekends and public holidays touched;
    ``load`` is the weighted load and ``fair_share`` the fair share (see people.csv).
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
    """The table of one CSV layout (``csv``, ``csv-wide`` or ``csv-summary``).

    Raises
    ------
    ValueError
        Another layout name.
    """
    if layout == "csv":
        return long_frame(schedule, utc)
    if layout == "csv-wide":
        return wide_frame(schedule, utc)
    if layout == "csv-summary":
        return summary_frame(schedule)
    raise ValueError(f"unknown CSV layout {layout!r} (known: {', '.join(CSV_FORMATS)})")


def write_csv(
    schedule: Schedule, path: str | Path, layout: str = "csv", utc: bool = False, excel: bool = False
) -> Path:
    """Write one CSV layout atomically (UTF-8); ``excel=True`` adds a UTF-8 byte-order mark
    so Excel's double-click opening shows non-Latin names correctly. Every cell is formula-safe.

    Returns
    -------
    Path
        ``path``.
    """
    frame = csv_frame(schedule, layout, utc)
    text = csv_text(list(frame.columns), frame.itertuples(index=False, name=None))
    atomic_write_text(path, text, bom=excel)
    return Path(path)
