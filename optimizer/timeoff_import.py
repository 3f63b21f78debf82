"""HR import options for ``time_off``: people outside the team, inline entries beside a file.

A company-wide HR export lists everyone; a scenario plans one team. In the mapping form
of ``time_off``::

    time_off:
      file: hr/absences.csv
      columns: {person: Employee, from: Start, to: End, type: Absence Type}
      unknown_people: warn      # warn (default): skip their rows with one warning;
                                # ignore: skip silently; error: refuse the file
      entries:                  # inline entries, combined with the file's rows
        - {person: alice, from: 2027-02-01, to: 2027-02-05}

The list form may also name one file among its entries (``- file: hr/absences.csv``).
Types from the export (``Urlaub``) are mapped by ``time_off_types`` (``{urlaub: hard}``);
an unmapped type is refused with the known ones listed.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import InputError, InputProblem
from .suggest import did_you_mean

if TYPE_CHECKING:
    from .loading import LineMap

OPTIONS = ("unknown_people", "entries")
UNKNOWN_PEOPLE = ("warn", "ignore", "error")


class TimeOffWarning(UserWarning):
    """Rows of an HR time-off file that were skipped (people not in the scenario)."""


@dataclass
class TimeOffImport:
    """Our options of the ``time_off`` mapping, taken out before the CSV is read."""

    unknown_people: str = "warn"
    entries: list[Any] = field(default_factory=list)
    entries_path: tuple[str | int, ...] = ("time_off", "entries")
    entries_index: list[int] = field(default_factory=list)  # where each entry was written under entries_path
    active: bool = False
    skipped: list[str] = field(default_factory=list)
    file: str = ""  # the scenario file and the line of its time_off key (where warnings point)
    line: int = 1


def prepare(data: dict[str, Any], lines: LineMap, file: str) -> TimeOffImport:
    """Take our options out of ``data["time_off"]`` (in place), leaving what the CSV
    reader knows (``file``, ``date_format``, ``columns``).

    Raises
    ------
    InputError
        A bad option value, or two files named in the list form.
    """
    value = data.get("time_off")
    where = lines.find(("time_off",))
    line = where.line if where else None
    imp = TimeOffImport(file=file, line=line or 1)
    if isinstance(value, list):
        specs = [k for k, item in enumerate(value) if isinstance(item, dict) and "file" in item]
        if not specs:
            return imp
        if len(specs) > 1:
            raise InputError.single(
                "time_off names more than one file; combine them into one CSV", file, line, f"time_off[{specs[1]}]"
            )
        spec = dict(value[specs[0]])
        imp.entries = [item for k, item in enumerate(value) if k != specs[0]]
        imp.entries_path = ("time_off",)
        imp.active = True
        imp.entries_index = [k for k in range(len(value)) if k != specs[0]]
        data["time_off"] = spec
        value = spec
    if not isinstance(value, dict) or "file" not in value:
        return imp
    imp.active = True
    mode = value.pop("unknown_people", "warn")
    if mode not in UNKNOWN_PEOPLE:
        raise InputError.single(
            f"unknown_people must be one of {', '.join(UNKNOWN_PEOPLE)}, not {mode!r}",
            file,
            line,
            "time_off.unknown_people",
        )
    imp.unknown_people = mode
    if "entries" in value:
        entries = value.pop("entries")
        if not isinstance(entries, list):
            raise InputError.single(
                "entries: expected a list of time-off entries ({person, from, to})", file, line, "time_off.entries"
            )
        imp.entries = entries
        imp.entries_index = list(range(len(entries)))
    return imp


def finish(imp: TimeOffImport, data: dict[str, Any], lines: LineMap) -> None:
    """After the CSV is read into ``data["time_off"]``: skip (or refuse) rows of people
    not in the scenario, then append the inline entries; line numbers follow the rows.

    Raises
    ------
    InputError
        ``unknown_people: error`` and rows name unknown people (all of them, one line each).
    """
    if not imp.active:
        return
    rows = data.get("time_off")
    rows = list(rows) if isinstance(rows, list) else []
    people = data.get("people")
    ids = {str(p.get("id")) for p in people if isinstance(p, dict)} if isinstance(people, list) else None
    keep: dict[int, int] = {}
    out: list[Any] = []
    unknown: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        pid = row.get("person") if isinstance(row, dict) else None
        if ids is not None and pid is not None and str(pid) not in ids:
            unknown.setdefault(str(pid), []).append(i)
            continue
        keep[i] = len(out)
        out.append(row)
    if unknown and imp.unknown_people == "error":
        problems = []
        for pid, rows_of in unknown.items():
            for i in rows_of:
                where = lines.find(("time_off", i))
                col = lines.column(("time_off", i), "person")
                problems.append(
                    InputProblem(
                        f"unknown person {pid!r} ({did_you_mean(pid, ids or ())}not an id in people; "
                        "unknown_people: warn skips such rows)",
                        where.file if where else None,
                        where.line if where else None,
                        f"time_off[{i}].person (column {col})",
                    )
                )
        raise InputError(problems)
    if unknown:
        n = sum(len(v) for v in unknown.values())
        names = sorted(unknown)
        shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
        imp.skipped = names
        if imp.unknown_people == "warn":
            warnings.warn_explicit(
                TimeOffWarning(
                    f"time off: skipped {n} row(s) of {len(names)} people not in the scenario ({shown}); "
                    "set time_off.unknown_people: error to refuse them, ignore to say nothing"
                ),
                TimeOffWarning,
                imp.file,
                imp.line,
            )
    if ids is not None:
        bad = []
        for k, entry in enumerate(imp.entries):
            pid = entry.get("person") if isinstance(entry, dict) else None
            if pid is not None and str(pid) not in ids:
                path = (*imp.entries_path, imp.entries_index[k])
                where = lines.find(path)
                bad.append(
                    InputProblem(
                        f"unknown person {pid!r} ({did_you_mean(str(pid), ids)}not an id in people)",
                        where.file if where else None,
                        where.line if where else None,
                        ".".join(str(x) for x in imp.entries_path) + f"[{imp.entries_index[k]}].person",
                    )
                )
        if bad:
            raise InputError(bad)
    lines.renumber("time_off", keep)
    base = len(out)
    for k, entry in enumerate(imp.entries):
        lines.alias(("time_off", base + k), (*imp.entries_path, imp.entries_index[k]))
        out.append(entry)
    data["time_off"] = out
