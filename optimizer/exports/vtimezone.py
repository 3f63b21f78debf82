"""VTIMEZONE components (RFC 5545 §3.6.5) written from the IANA data that ``zoneinfo`` reads.

Each observance is one kind of change: its DTSTART is the first change in the window
as *local time before the change* (that is, in TZOFFSETFROM, as the RFC requires),
and RDATEs list the later ones, in the same form. Europe/Berlin's spring-forward at
01:00Z therefore reads ``DTSTART:...T020000`` with ``TZOFFSETFROM:+0100``. No RRULE
is used, so a client needs no rule arithmetic: the listed instants are the transitions.

We do not use ``icalendar.Timezone.from_tzid`` (icalendar 7.3.2), which writes the
spring-forward an hour late (see tests/test_ical_tz.py for a minimal reproducer).

Observances are ordered by DTSTART, zones by TZID, so two exports are byte-identical.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import icalendar

_STEP = 6 * 3600  # scan step; no zone changes offset twice within six hours


@dataclass(frozen=True)
class Transition:
    """One change of a zone's offset or abbreviation, at ``at`` (epoch seconds, UTC)."""

    at: int
    offset_from: dt.timedelta
    offset_to: dt.timedelta
    name: str
    daylight: bool

    @property
    def local_start(self) -> dt.datetime:
        """The instant as naive local time in the offset before the change (RFC DTSTART)."""
        return dt.datetime(1970, 1, 1) + dt.timedelta(seconds=self.at) + self.offset_from


def _state(ts: int, tz: ZoneInfo) -> tuple[dt.timedelta, str]:
    d = dt.datetime.fromtimestamp(ts, tz)
    return d.utcoffset() or dt.timedelta(0), d.tzname() or ""


def transitions(zone: str, first: int, last: int) -> list[Transition]:
    """Every offset or name change of ``zone`` in ``[first, last)`` (epoch seconds), exact to the second.

    Parameters
    ----------
    zone
        IANA zone name.
    first, last
        The window, epoch seconds.

    Returns
    -------
    list[Transition]
        In time order. ``daylight`` is true when the change moves clocks forward
        (so Europe/Dublin's summer time, which the IANA data models as negative
        winter DST, is DAYLIGHT as clients expect).
    """
    tz = ZoneInfo(zone)
    out: list[Transition] = []
    ts, state = first, _state(first, tz)
    while ts < last:
        nxt = min(ts + _STEP, last)
        new = _state(nxt, tz)
        if new != state:
            lo, hi = ts, nxt  # state at lo, new at hi: find the first second of the new state
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if _state(mid, tz) == state:
                    lo = mid
                else:
                    hi = mid
            out.append(Transition(hi, state[0], new[0], new[1], new[0] > state[0]))
            state = new
        ts = nxt
    return out


def _epoch(day: dt.date) -> int:
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())


def vtimezone(zone: str, first: dt.date, last: dt.date) -> icalendar.Timezone:
    """The VTIMEZONE of ``zone`` valid from ``first`` to ``last`` (dates, UTC midnight).

    The first observance states the offset in force at ``first`` (TZOFFSETFROM ==
    TZOFFSETTO); one more observance per kind of change (same offsets, name and
    kind), DTSTART its first occurrence and RDATE the others. A zone without changes
    (Asia/Kolkata, UTC) gets just the first observance.
    """
    tz = ZoneInfo(zone)
    start = _epoch(first)
    offset, name = _state(start, tz)
    d0 = dt.datetime.fromtimestamp(start, tz)
    initial = Transition(start, offset, offset, name, (d0.dst() or dt.timedelta(0)) > dt.timedelta(0))
    groups: dict[tuple[bool, dt.timedelta, dt.timedelta, str], list[Transition]] = {}
    for t in [initial, *transitions(zone, start, _epoch(last))]:
        groups.setdefault((t.daylight, t.offset_from, t.offset_to, t.name), []).append(t)
    comp = icalendar.Timezone()
    comp.add("tzid", zone)
    for (daylight, off_from, off_to, abbr), items in sorted(groups.items(), key=lambda kv: kv[1][0].at):
        obs = icalendar.TimezoneDaylight() if daylight else icalendar.TimezoneStandard()
        obs.add("dtstart", items[0].local_start)
        obs.add("tzoffsetfrom", off_from)
        obs.add("tzoffsetto", off_to)
        if abbr:
            obs.add("tzname", abbr)
        if len(items) > 1:
            obs.add("rdate", [t.local_start for t in items[1:]])
        comp.add_component(obs)
    return comp


def vtimezones(zones: set[str], first: dt.date, last: dt.date) -> list[icalendar.Timezone]:
    """:func:`vtimezone` for each zone except UTC, ordered by name."""
    return [vtimezone(z, first, last) for z in sorted(zones) if z not in ("UTC", "Etc/UTC")]
