"""The schedule as an Excel workbook (``.xlsx``, via openpyxl), for HR and team leads.

Three sheets, each with a frozen header row, an auto-filter and column widths:

* ``Roster``: one row per shift instance, a column per role slot with the names (the
  ``csv-wide`` layout), then the ids.
* ``Assignments``: one row per person per role per instance; ``start`` and ``end`` are
  real date-times in the shift's zone (or UTC with ``utc=True``), ``zone`` names it,
  ``hours`` is a number.
* ``Summary``: one row per person (the ``csv-summary`` layout): hours by kind,
  weekends, holidays, load; numbers as numbers, period dates as dates.

Every text cell is typed as a string (data type ``s``), so a name like
``=HYPERLINK(...)``, ``+1`` or ``@SUM(A1)`` is shown exactly as written and never
evaluated: no formula-escape apostrophe is needed, and the workbook holds no formulas.
Characters XML cannot carry (control characters other than tab and line breaks) are
replaced by U+FFFD.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..files import atomic_write_bytes
from ..schedule import Schedule
from ..timecalc import UTC
from .csv import summary_frame, wide_frame

DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
HOURS_FORMAT = "0.##"
MAX_WIDTH = 48


def _local(ts: int, tz: dt.tzinfo) -> dt.datetime:
    """A naive date-time as the wall clock shows it in ``tz`` (spreadsheets have no zones)."""
    return dt.datetime.fromtimestamp(ts, tz).replace(tzinfo=None)


def _plain(value: Any) -> Any:
    """numpy scalars -> Python numbers; NaN -> empty."""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _sheet(wb: Any, title: str, header: Sequence[str], rows: Sequence[Sequence[Any]], formats: dict[str, str]) -> None:
    """One sheet: bold frozen header, typed cells, widths from the longest value."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    widths = [len(h) for h in header]
    for c, h in enumerate(header, start=1):
        cell = ws.cell(row=1, column=c)
        cell.value = h
        cell.data_type = "s"
        cell.font = Font(bold=True)
    for r, row in enumerate(rows, start=2):
        for c, raw in enumerate(row, start=1):
            value = _plain(raw)
            if value is None or value == "":
                continue
            cell = ws.cell(row=r, column=c)
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
                cell.value = value
                cell.data_type = "s"  # a typed string: never a formula, whatever it starts with
                width = max(len(line) for line in value.splitlines() or [""])
            else:
                cell.value = value
                fmt = formats.get(header[c - 1])
                if fmt:
                    cell.number_format = fmt
                width = 16 if isinstance(value, dt.datetime) else 10 if isinstance(value, dt.date) else len(str(value))
            widths[c - 1] = max(widths[c - 1], width)
    for c, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = min(MAX_WIDTH, w + 2)
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"


def _roster(schedule: Schedule, utc: bool) -> tuple[list[str], list[list[Any]]]:
    prob = schedule.problem
    frame = wide_frame(schedule, utc)
    header = ["shift", "start", "end", "zone", *frame.columns[3:]]
    rows = []
    for inst, values in zip(prob.instances, frame.itertuples(index=False, name=None), strict=True):
        tz = UTC if utc else inst.tz
        rows.append(
            [inst.shift, _local(inst.start, tz), _local(inst.end, tz), "UTC" if utc else inst.tz.key, *values[3:]]
        )
    return header, rows


ASSIGNMENT_HEADER = ["shift", "role", "start", "end", "zone", "hours", "person_id", "person_name", "email"]


def _assignments(schedule: Schedule, utc: bool) -> tuple[list[str], list[list[Any]]]:
    prob = schedule.problem
    rows = []
    for a in schedule.assignments:
        inst = prob.instances[a.instance]
        person = prob.people[a.person]
        tz = UTC if utc else inst.tz
        rows.append(
            [
                inst.shift,
                inst.roles[a.role].name,
                _local(inst.start, tz),
                _local(inst.end, tz),
                "UTC" if utc else inst.tz.key,
                round(inst.seconds / 3600, 4),
                person.id,
                person.display_name,
                person.email or "",
            ]
        )
    return ASSIGNMENT_HEADER, rows


def _summary(schedule: Schedule) -> tuple[list[str], list[list[Any]]]:
    frame = summary_frame(schedule)
    rows = []
    for values in frame.itertuples(index=False, name=None):
        row = list(values)
        for k, col in enumerate(frame.columns):
            if col in ("period_start", "period_end"):
                row[k] = dt.date.fromisoformat(row[k])
        rows.append(row)
    return list(frame.columns), rows


def workbook_bytes(schedule: Schedule, utc: bool = False, stamp: dt.datetime | None = None) -> bytes:
    """The workbook (``.xlsx`` bytes) with the sheets Roster, Assignments and Summary.

    Parameters
    ----------
    schedule
        The schedule (or a :func:`~optimizer.exports.select`-ion).
    utc
        Date-times in UTC instead of each shift's zone.
    stamp
        The workbook's created/modified time (default: ``SOURCE_DATE_EPOCH`` or now).
    """
    from openpyxl import Workbook

    from .ical import _stamp

    when = _stamp(stamp).replace(tzinfo=None)
    wb = Workbook()
    wb.remove(wb.active)
    hours = {c: HOURS_FORMAT for c in ("hours",)}
    dates = {"start": DATETIME_FORMAT, "end": DATETIME_FORMAT}
    _sheet(wb, "Roster", *_roster(schedule, utc), {**dates, **hours})
    _sheet(wb, "Assignments", *_assignments(schedule, utc), {**dates, **hours})
    header, rows = _summary(schedule)
    numbers = {c: HOURS_FORMAT for c in header if c.endswith("hours") or c in ("load", "fair_share", "history")}
    _sheet(wb, "Summary", header, rows, {"period_start": DATE_FORMAT, "period_end": DATE_FORMAT, **numbers})
    wb.properties.creator = "rota"
    wb.properties.created = when
    wb.properties.modified = when
    buf = io.BytesIO()
    wb.save(buf)
    return _stable_zip(buf.getvalue(), when)


def _stable_zip(data: bytes, when: dt.datetime) -> bytes:
    """The same archive with every member dated ``when`` and ``when`` as the modified time
    (openpyxl stamps the current time on both), so the same schedule and stamp give the same bytes."""
    import re
    import zipfile

    modified = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()

    out = io.BytesIO()
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=stamp)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = info.external_attr
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + modified + rb"\g<2>", body
                )
            dst.writestr(member, body)
    return out.getvalue()


def write_xlsx(schedule: Schedule, path: str | Path, utc: bool = False, stamp: dt.datetime | None = None) -> Path:
    """Write :func:`workbook_bytes` to ``path`` atomically; returns ``path``."""
    atomic_write_bytes(path, workbook_bytes(schedule, utc, stamp))
    return Path(path)
