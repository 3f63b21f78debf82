"""Who is on call when, as tables: one roster per shift pattern (instance -> role -> people,
with each person's local time and public holidays), a day x shift grid, and the public
holidays of the horizon by name, per country."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from zoneinfo import ZoneInfo

from ..schedule import Schedule


def span(start: int, end: int, tz: ZoneInfo) -> str:
    """``Mon 04 Jan 10:00 – Mon 11 Jan 10:00`` (the end's date only when it differs)."""
    a = dt.datetime.fromtimestamp(start, tz)
    b = dt.datetime.fromtimestamp(end, tz)
    tail = f"{b:%H:%M}" if a.date() == b.date() else f"{b:%a %d %b %H:%M}"
    return f"{a:%a %d %b %H:%M} – {tail}"


def _dates(start: int, end: int, tz: ZoneInfo) -> list[dt.date]:
    """Local dates the interval [start, end) touches in ``tz``."""
    a = dt.datetime.fromtimestamp(start, tz).date()
    b = dt.datetime.fromtimestamp(end - 1, tz).date()
    return [a + dt.timedelta(days=k) for k in range((b - a).days + 1)]


@dataclass(frozen=True)
class OnCall:
    """One person in one role of one shift instance, as the report shows them."""

    person_id: str
    name: str
    local: str | None  # the shift in the person's own zone, when it differs from the shift's
    title: str  # hover text: the shift in the person's zone
    holidays: tuple[str, ...]  # the person's public holidays during the shift, by name


@dataclass(frozen=True)
class RosterRow:
    instance: int
    when: str
    weekend: bool
    roles: tuple[tuple[OnCall, ...], ...]  # per role of the pattern: the people (empty: a gap)
    need: tuple[int, ...]  # people each role needs


@dataclass(frozen=True)
class Roster:
    """The roster of one shift pattern: one row per instance, one column per role."""

    shift: str
    zone: str
    daily: bool
    roles: tuple[str, ...]
    rows: tuple[RosterRow, ...]

    @property
    def gaps(self) -> int:
        return sum(max(0, n - len(c)) for row in self.rows for c, n in zip(row.roles, row.need, strict=True))


class _Context:
    """What the tables share: holidays and zones per person, assignments per slot."""

    def __init__(self, schedule: Schedule) -> None:
        self.schedule = schedule
        self.prob = schedule.problem
        self.sc = self.prob.scenario
        self.slots: dict[tuple[int, int], list[int]] = {}
        for a in schedule.assignments:
            self.slots.setdefault((a.instance, a.role), []).append(a.person)
        self._on_call: dict[tuple[int, int], OnCall] = {}

    @cached_property
    def holiday_names(self) -> list[dict[dt.date, str]]:
        return [self.prob.holiday_names(p) for p in range(len(self.prob.people))]

    def on_call(self, p: int, i: int) -> OnCall:
        key = (p, i)
        got = self._on_call.get(key)
        if got is None:
            inst = self.prob.instances[i]
            person = self.prob.people[p]
            tz = self.prob.tz[p]
            mine = span(inst.start, inst.end, tz)
            local = None if str(tz) == str(inst.tz) else f"{mine} ({tz})"
            names = self.holiday_names[p]
            hols = tuple(f"{names[d]} ({d:%d %b})" for d in _dates(inst.start, inst.end, tz) if d in names)
            title = f"{person.display_name}: {mine} their time ({tz})"
            got = OnCall(person.id, person.display_name, local, title, hols)
            self._on_call[key] = got
        return got


def rosters(schedule: Schedule) -> list[Roster]:
    """One :class:`Roster` per shift pattern, instances in time order."""
    ctx = _Context(schedule)
    out = []
    for pat in ctx.sc.shifts:
        rows = []
        zone = pat.timezone or ctx.sc.timezone
        for inst in ctx.prob.instances:
            if inst.shift != pat.name:
                continue
            day = dt.datetime.fromtimestamp(inst.start, inst.tz).date()
            cells = []
            need = []
            for r, role in enumerate(inst.roles):
                people = sorted(ctx.slots.get((inst.index, r), []), key=lambda p: ctx.prob.people[p].display_name)
                cells.append(tuple(ctx.on_call(p, inst.index) for p in people))
                need.append(role.count_on(day) if hasattr(role, "count_on") else role.count)
            rows.append(
                RosterRow(
                    inst.index, span(inst.start, inst.end, inst.tz), day.weekday() >= 5, tuple(cells), tuple(need)
                )
            )
        out.append(Roster(pat.name, zone, pat.repeat == "daily", tuple(r.name for r in pat.roles), tuple(rows)))
    return out


@dataclass(frozen=True)
class GridCell:
    people: tuple[OnCall, ...]
    handover: str | None  # "10:00" when the crew changes during the day


@dataclass(frozen=True)
class GridRow:
    day: dt.date
    weekend: bool
    holidays: tuple[str, ...]  # the scenario's extra holidays that day
    cells: tuple[GridCell, ...]


@dataclass(frozen=True)
class DayGrid:
    """Days x (pattern, role): who is on call each day; crews that change during a day are
    listed in order with the hand-over time."""

    columns: tuple[tuple[str, str, str], ...]  # (pattern, role, "09:00–17:00 Asia/Singapore")
    rows: tuple[GridRow, ...]
    daily: bool  # every column is a daily pattern (follow-the-sun): the grid is the main view


def day_grid(schedule: Schedule) -> DayGrid:
    """The day x shift grid of ``schedule`` (each pattern's days in its own zone)."""
    ctx = _Context(schedule)
    sc = ctx.sc
    columns: list[tuple[str, str, str]] = []
    col_of: dict[tuple[str, int], int] = {}
    for pat in sc.shifts:
        for r, role in enumerate(pat.roles):
            col_of[(pat.name, r)] = len(columns)
            columns.append((pat.name, role.name, f"{_hours_of(ctx, pat.name)}{pat.timezone or sc.timezone}"))
    zones = {pat.name: pat.timezone or sc.timezone for pat in sc.shifts}
    days = [sc.start + dt.timedelta(days=k) for k in range((sc.end - sc.start).days + 1)]
    index = {d: k for k, d in enumerate(days)}
    cells: list[list[list[tuple[int, str, int, int]]]] = [[[] for _ in columns] for _ in days]
    for inst in ctx.prob.instances:
        for r in range(len(inst.roles)):
            c = col_of[(inst.shift, r)]
            people = sorted(ctx.slots.get((inst.index, r), []), key=lambda p: ctx.prob.people[p].display_name)
            for d in _dates(inst.start, inst.end, inst.tz):
                k = index.get(d)
                if k is not None:
                    cells[k][c].extend((inst.start, ctx.prob.people[p].display_name, p, inst.index) for p in people)
    extra = {h.date: h.name for h in sc.extra_holidays}
    rows = []
    for k, d in enumerate(days):
        row_cells = []
        for c, (pat_name, _role, _label) in enumerate(columns):
            zone = zones[pat_name]
            items = sorted(cells[k][c])
            starts = sorted({s for s, *_ in items})
            handover = None
            if len(starts) > 1:
                handover = f"{dt.datetime.fromtimestamp(starts[-1], ZoneInfo(zone)):%H:%M}"
            row_cells.append(GridCell(tuple(ctx.on_call(p, i) for _s, _n, p, i in items), handover))
        rows.append(GridRow(d, d.weekday() >= 5, (extra[d],) if d in extra else (), tuple(row_cells)))
    daily = all(p.repeat == "daily" for p in sc.shifts)
    return DayGrid(tuple(columns), tuple(rows), daily)


def _hours_of(ctx: _Context, shift: str) -> str:
    """``"09:00–17:00 "`` for a pattern whose instances start and end at one time of day."""
    inst = next((i for i in ctx.prob.instances if i.shift == shift), None)
    if inst is None or inst.seconds >= 86400:
        return ""
    a = dt.datetime.fromtimestamp(inst.start, inst.tz)
    b = dt.datetime.fromtimestamp(inst.end, inst.tz)
    return f"{a:%H:%M}–{b:%H:%M} "


@dataclass(frozen=True)
class HolidayRow:
    day: dt.date
    name: str
    calendar: str  # the calendars that have it: "DE-BE, PL", or everyone for the scenario's extra holidays
    people: tuple[str, ...]  # everyone whose calendar has the day
    on_call: tuple[str, ...]  # of them, those on call that day


def holiday_table(schedule: Schedule) -> list[HolidayRow]:
    """The public holidays of the horizon by name, per country/subdivision, with whose they are
    and who of them is on call that day (in their own zone)."""
    ctx = _Context(schedule)
    prob = ctx.prob
    extra = {h.date for h in ctx.sc.extra_holidays}
    busy: list[set[dt.date]] = [set() for _ in prob.people]
    for a in schedule.assignments:
        inst = prob.instances[a.instance]
        busy[a.person].update(_dates(inst.start, inst.end, prob.tz[a.person]))
    groups: dict[tuple[dt.date, str], tuple[list[str], list[str], list[str]]] = {}
    for p, person in enumerate(prob.people):
        cal = "-".join(x for x in (person.country, person.subdivision) if x) or "no country"
        for d, name in ctx.holiday_names[p].items():
            cals, who, on = groups.setdefault((d, name), ([], [], []))
            label = "everyone (extra holiday)" if d in extra else cal
            if label not in cals:
                cals.append(label)
            who.append(person.display_name)
            if d in busy[p]:
                on.append(person.display_name)
    return [
        HolidayRow(d, name, ", ".join(sorted(cals)), tuple(who), tuple(on))
        for (d, name), (cals, who, on) in sorted(groups.items())
    ]
