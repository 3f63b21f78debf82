"""Curtois & Qu "Employee Shift Scheduling Benchmark": parser and independent evaluator.

This module does not import rota: it reads an instance file (``InstanceN.txt``) and a
roster (CSV ``employee,day,shift``, one row per assignment, 0-based day) and computes
the benchmark's objective and its hard violations as defined on
schedulingbenchmarks.org (see ``../shared/benchmarks/curtois/SOURCE.md``). The rota
model (``benchmarks/curtois.py``) and this evaluator are two independent implementations
that check each other.

Usage::

    python -m benchmarks.curtois_eval Instance1.txt Instance1.roster.csv
"""

from __future__ import annotations

import csv
import io
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

SECTIONS = (
    "SECTION_HORIZON",
    "SECTION_SHIFTS",
    "SECTION_STAFF",
    "SECTION_DAYS_OFF",
    "SECTION_SHIFT_ON_REQUESTS",
    "SECTION_SHIFT_OFF_REQUESTS",
    "SECTION_COVER",
)


class FormatError(ValueError):
    """An instance or roster file that does not follow the format (names file and line)."""


@dataclass(frozen=True)
class Shift:
    id: str
    minutes: int
    cannot_follow: tuple[str, ...]


@dataclass(frozen=True)
class Staff:
    id: str
    max_shifts: dict[str, int]
    max_minutes: int
    min_minutes: int
    max_consecutive: int
    min_consecutive: int
    min_days_off: int
    max_weekends: int


@dataclass(frozen=True)
class Request:
    employee: str
    day: int
    shift: str
    weight: int


@dataclass(frozen=True)
class Cover:
    day: int
    shift: str
    requirement: int
    under: int
    over: int


@dataclass
class Instance:
    """A parsed instance. Days are 0-based; day 0 is a Monday."""

    name: str
    horizon: int
    shifts: dict[str, Shift]
    staff: list[Staff]
    days_off: dict[str, list[int]] = field(default_factory=dict)
    on_requests: list[Request] = field(default_factory=list)
    off_requests: list[Request] = field(default_factory=list)
    cover: list[Cover] = field(default_factory=list)

    @property
    def size(self) -> str:
        """``employees x days x shift types``."""
        return f"{len(self.staff)}x{self.horizon}x{len(self.shifts)}"


def parse_instance(path: str | Path) -> Instance:
    """Read an ``InstanceN.txt`` file (LF or CRLF line endings).

    Raises
    ------
    FormatError
        With file and line when a line cannot be read.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8-sig")
    sections: dict[str, list[tuple[int, list[str]]]] = defaultdict(list)
    current = None
    for no, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line in SECTIONS:
            current = line
            continue
        if current is None:
            raise FormatError(f"{path}:{no}: data before the first section")
        sections[current].append((no, [c.strip() for c in line.split(",")]))

    def num(v: str, no: int, what: str) -> int:
        try:
            return int(v)
        except ValueError:
            raise FormatError(f"{path}:{no}: {what}: expected an integer, got {v!r}") from None

    def rows(name: str, width: int | None):
        for no, cells in sections.get(name, []):
            if width is not None and len(cells) < width:
                raise FormatError(f"{path}:{no}: {name} needs {width} fields, got {len(cells)}")
            yield no, cells

    horizon_rows = list(rows("SECTION_HORIZON", 1))
    if len(horizon_rows) != 1:
        raise FormatError(f"{path}: SECTION_HORIZON must hold exactly one value")
    horizon = num(horizon_rows[0][1][0], horizon_rows[0][0], "horizon")
    shifts: dict[str, Shift] = {}
    for no, c in rows("SECTION_SHIFTS", 2):
        follow = tuple(s for s in (c[2].split("|") if len(c) > 2 else []) if s)
        shifts[c[0]] = Shift(c[0], num(c[1], no, "length"), follow)
    staff: list[Staff] = []
    for no, c in rows("SECTION_STAFF", 8):
        caps = {}
        for item in c[1].split("|"):
            if item:
                sid, _, n = item.partition("=")
                if sid not in shifts:
                    raise FormatError(f"{path}:{no}: MaxShifts names unknown shift {sid!r}")
                caps[sid] = num(n, no, "MaxShifts")
        vals = [num(v, no, "staff limit") for v in c[2:8]]
        staff.append(Staff(c[0], caps, *vals))
    ids = {s.id for s in staff}
    days_off: dict[str, list[int]] = {}
    for no, c in rows("SECTION_DAYS_OFF", 1):
        if c[0] not in ids:
            raise FormatError(f"{path}:{no}: unknown employee {c[0]!r}")
        days_off.setdefault(c[0], []).extend(num(d, no, "day") for d in c[1:] if d)

    def requests(name: str) -> list[Request]:
        out = []
        for no, c in rows(name, 4):
            if c[0] not in ids or c[2] not in shifts:
                raise FormatError(f"{path}:{no}: unknown employee or shift in {c!r}")
            out.append(Request(c[0], num(c[1], no, "day"), c[2], num(c[3], no, "weight")))
        return out

    cover = []
    for no, c in rows("SECTION_COVER", 5):
        if c[1] not in shifts:
            raise FormatError(f"{path}:{no}: unknown shift {c[1]!r}")
        cover.append(Cover(num(c[0], no, "day"), c[1], *(num(v, no, "cover") for v in c[2:5])))
    return Instance(
        path.stem,
        horizon,
        shifts,
        staff,
        days_off,
        requests("SECTION_SHIFT_ON_REQUESTS"),
        requests("SECTION_SHIFT_OFF_REQUESTS"),
        cover,
    )


Roster = list[tuple[str, int, str]]  # (employee, day, shift)


def read_roster(path: str | Path) -> Roster:
    """Read a roster CSV with header ``employee,day,shift``."""
    path = Path(path)
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")))
    missing = {"employee", "day", "shift"} - set(reader.fieldnames or [])
    if missing:
        raise FormatError(f"{path}:1: missing column(s) {', '.join(sorted(missing))}")
    out = []
    for no, row in enumerate(reader, 2):
        try:
            out.append((row["employee"], int(row["day"]), row["shift"]))
        except ValueError:
            raise FormatError(f"{path}:{no}: day must be an integer, got {row['day']!r}") from None
    return out


def roster_csv(roster: Roster) -> str:
    """The roster as CSV text, sorted by employee and day."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["employee", "day", "shift"])
    for e, d, s in sorted(roster):
        w.writerow([e, d, s])
    return buf.getvalue()


@dataclass
class Report:
    """The benchmark's judgement of a roster."""

    objective: int
    violations: list[str]
    terms: dict[str, int]

    @property
    def feasible(self) -> bool:
        return not self.violations


def _runs(on: list[bool]) -> list[tuple[bool, int, int]]:
    """Maximal runs (state, first day, length)."""
    out: list[tuple[bool, int, int]] = []
    for d, state in enumerate(on):
        if out and out[-1][0] == state:
            out[-1] = (state, out[-1][1], out[-1][2] + 1)
        else:
            out.append((state, d, 1))
    return out


def evaluate(inst: Instance, roster: Roster) -> Report:
    """Objective (sum of request and cover penalties) and hard violations of ``roster``."""
    h = inst.horizon
    vio: list[str] = []
    ids = {s.id for s in inst.staff}
    grid: dict[tuple[str, int], str] = {}
    for e, d, s in roster:
        if e not in ids:
            vio.append(f"unknown employee {e!r}")
            continue
        if s not in inst.shifts:
            vio.append(f"{e} day {d}: unknown shift {s!r}")
            continue
        if not 0 <= d < h:
            vio.append(f"{e}: day {d} outside the horizon 0..{h - 1}")
            continue
        if (e, d) in grid:
            vio.append(f"{e} day {d}: more than one shift ({grid[(e, d)]}, {s})")
            continue
        grid[(e, d)] = s
    for st in inst.staff:
        e = st.id
        work = [grid.get((e, d)) for d in range(h)]
        # 2. rotation
        for d in range(h - 1):
            a, b = work[d], work[d + 1]
            if a and b and b in inst.shifts[a].cannot_follow:
                vio.append(f"{e} day {d + 1}: {b} may not follow {a}")
        # 3. max shifts per type
        count = Counter(s for s in work if s)
        for sid, n in count.items():
            cap = st.max_shifts.get(sid, h)
            if n > cap:
                vio.append(f"{e}: {n} shifts {sid} (max {cap})")
        # 4, 5. total minutes
        minutes = sum(inst.shifts[s].minutes for s in work if s)
        if minutes > st.max_minutes:
            vio.append(f"{e}: {minutes} minutes (max {st.max_minutes})")
        if minutes < st.min_minutes:
            vio.append(f"{e}: {minutes} minutes (min {st.min_minutes})")
        # 6, 7, 8. runs
        for state, first, length in _runs([s is not None for s in work]):
            inner = first > 0 and first + length < h
            if state and length > st.max_consecutive:
                vio.append(
                    f"{e}: {length} shifts in a row from day {first} (max {st.max_consecutive})"
                )
            if state and inner and length < st.min_consecutive:
                vio.append(
                    f"{e}: {length} shifts in a row from day {first} (min {st.min_consecutive})"
                )
            if not state and inner and length < st.min_days_off:
                vio.append(
                    f"{e}: {length} days off in a row from day {first} (min {st.min_days_off})"
                )
        # 9. weekends
        weekends = sum(1 for k in range(h // 7) if work[7 * k + 5] or work[7 * k + 6])
        if weekends > st.max_weekends:
            vio.append(f"{e}: {weekends} weekends (max {st.max_weekends})")
        # 10. days off
        for d in inst.days_off.get(e, []):
            if 0 <= d < h and work[d]:
                vio.append(f"{e} day {d}: works {work[d]} on a day off")
    terms = {"on_requests": 0, "off_requests": 0, "cover_under": 0, "cover_over": 0}
    for r in inst.on_requests:
        if grid.get((r.employee, r.day)) != r.shift:
            terms["on_requests"] += r.weight
    for r in inst.off_requests:
        if grid.get((r.employee, r.day)) == r.shift:
            terms["off_requests"] += r.weight
    staffed = Counter((d, s) for (_e, d), s in grid.items())
    for c in inst.cover:
        x = staffed[(c.day, c.shift)]
        terms["cover_under"] += c.under * max(0, c.requirement - x)
        terms["cover_over"] += c.over * max(0, x - c.requirement)
    return Report(sum(terms.values()), vio, terms)


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks.curtois_eval INSTANCE.txt ROSTER.csv``: print the objective and
    the hard violations; exit 0 if feasible, 1 if not, 2 on unreadable input."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m benchmarks.curtois_eval INSTANCE.txt ROSTER.csv", file=sys.stderr)
        return 2
    try:
        inst = parse_instance(args[0])
        report = evaluate(inst, read_roster(args[1]))
    except (OSError, FormatError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    terms = ", ".join(f"{k} {v}" for k, v in report.terms.items())
    print(
        f"{inst.name}: objective {report.objective} ({terms}); "
        f"{len(report.violations)} hard violation(s)"
    )
    for v in report.violations:
        print(f"  {v}")
    return 0 if report.feasible else 1


if __name__ == "__main__":
    sys.exit(main())
