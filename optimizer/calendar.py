"""Expand shift patterns into time-zone-exact shift instances."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from .scenario import RoleSpec, Scenario, ShiftPattern
from .timecalc import human_local, iso_local, local_to_utc, zone


@dataclass(frozen=True)
class ShiftInstance:
    """One occurrence of a shift pattern.

    ``start``/``end`` are UTC epoch seconds; ``end`` is the start plus the pattern's
    length in wall-clock time of the pattern's zone (a ``1d`` shift across a DST change
    lasts 23 or 25 real hours).
    """

    index: int
    shift: str
    pattern: ShiftPattern
    tz: ZoneInfo
    start: int
    end: int

    @property
    def roles(self) -> tuple[RoleSpec, ...]:
        return self.pattern.roles

    @property
    def seconds(self) -> int:
        return self.end - self.start

    @property
    def hours(self) -> float:
        return (self.end - self.start) / 3600

    @property
    def start_iso(self) -> str:
        return iso_local(self.start, self.tz)

    @property
    def end_iso(self) -> str:
        return iso_local(self.end, self.tz)

    @property
    def label(self) -> str:
        """A key for tables and files: the shift and its ISO start."""
        return f"{self.shift} {self.start_iso}"

    @property
    def said(self) -> str:
        """The shift as messages name it: ``week Mon 4 Jan 2027 10:00 CET``."""
        return f"{self.shift} {human_local(self.start, self.tz)}"


def expand(scenario: Scenario) -> list[ShiftInstance]:
    """All shift instances of the horizon, sorted by (start, pattern order).

    An instance exists for every occurrence whose local start lies in
    [start 00:00, end + 1 day 00:00) in the pattern's zone.
    """
    pats = scenario.shifts
    return [
        ShiftInstance(index=k, shift=pats[o].name, pattern=pats[o], tz=tz, start=s, end=e)
        for k, (s, o, tz, e) in enumerate(_timing(timing_key(scenario)))
    ]


def timing_key(scenario: Scenario) -> tuple:
    """What the instances' times depend on: the horizon, the zones and each pattern's
    timing (not its roles), so scenarios that differ only in people, time off or role
    counts (e.g. ``optimizer.repair``'s one-person scenarios) share one expansion."""
    return (scenario.start, scenario.end, scenario.timezone,
            tuple((pat.repeat, pat.start_weekday, pat.start_time, pat.length, pat.days, pat.timezone)
                  for pat in scenario.shifts))


@functools.lru_cache(maxsize=8)
def _timing(key: tuple) -> tuple[tuple[int, int, ZoneInfo, int], ...]:
    """(start, pattern order, zone, end) of every instance, sorted by (start, order)."""
    start_day, end_day, team_zone, patterns = key
    raw: list[tuple[int, int, ZoneInfo, int]] = []
    for order, (repeat, weekday, t, length, days, pat_zone) in enumerate(patterns):
        tz = zone(pat_zone or team_zone)
        day = start_day
        while day <= end_day:
            wd = WEEKDAY_NAMES[day.weekday()]
            wanted = weekday == day.weekday() if repeat == "weekly" else (days is None or wd in days)
            if wanted:
                naive = dt.datetime.combine(day, t)
                start = local_to_utc(naive, tz)
                # wall-clock end: add the length to the local start time
                local_start = dt.datetime.fromtimestamp(start, tz).replace(tzinfo=None)
                end = local_to_utc(local_start + length, tz)
                raw.append((start, order, tz, end))
            day += dt.timedelta(days=1)
    raw.sort(key=lambda r: (r[0], r[1]))
    return tuple(raw)


WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def horizon_bounds(scenario: Scenario) -> tuple[int, int]:
    """[start 00:00, end + 1 day 00:00) of the horizon in the team zone, as epoch seconds."""
    tz = scenario.tz
    s = local_to_utc(dt.datetime.combine(scenario.start, dt.time()), tz)
    e = local_to_utc(dt.datetime.combine(scenario.end + dt.timedelta(days=1), dt.time()), tz)
    return s, e
