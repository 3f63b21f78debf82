"""``rules.max_nights``: at most N night shifts per person, over the horizon
(``max_nights: 4``) or in any window (``max_nights: {count: 2, within: 7d}``: at most 2
night shifts starting within any 7 days).

A night shift is one with at least half of its time in the load's night hours
(22:00-06:00 in the person's zone, ``optimizer.timecalc.NIGHT_START`` / ``NIGHT_END``),
on any day: :func:`is_night`. Hard, or soft: each night shift over costs ``weight`` (windowed: each
night shift opening a window with too many costs ``weight`` per shift over).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary
from zoneinfo import ZoneInfo

from optimizer.fields import format_duration
from optimizer.settings import CountWithin
from optimizer.timecalc import NIGHT_END, NIGHT_START, days_touched, local_to_utc, midnight

from .base import (
    Capacity,
    Facts,
    Grouping,
    ModelBuilder,
    Outcome,
    Placed,
    Relaxation,
    WarmCheck,
    cached_check,
    greedy_count,
    hard,
    no_prune,
    no_warm_cost,
    per_person,
    person_id,
    plural,
    raises,
    rule_change,
)
from .windows import count_over, count_windows

if TYPE_CHECKING:
    from optimizer.schedule import Schedule
    from optimizer.stats import PersonStats

NAME = "max_nights"
NAMES = (NAME,)
OBJECTIVE_ONLY = False
RELAX: Grouping = "person"
RANK = 45
prune = no_prune


def night_seconds(start: int, end: int, tz: ZoneInfo) -> int:
    """Seconds of [start, end) between 22:00 and 06:00 local time in ``tz``, on any day
    (the hours the load calls ``night`` on working days; see :func:`split_kinds`)."""
    total = 0
    for d in days_touched(start, end, tz):
        b0 = midnight(d, tz)
        b1 = max(b0, local_to_utc(dt.datetime(d.year, d.month, d.day, NIGHT_END), tz))
        b2 = max(b1, local_to_utc(dt.datetime(d.year, d.month, d.day, NIGHT_START), tz))
        b3 = max(b2, midnight(d + dt.timedelta(days=1), tz))
        for lo, hi in ((b0, b1), (b2, b3)):
            total += max(0, min(hi, end) - max(lo, start))
    return total


_NIGHTS: WeakKeyDictionary[Facts, dict[tuple[ZoneInfo, int], bool]] = WeakKeyDictionary()


def is_night(prob: Facts, p: int, i: int) -> bool:
    """Instance ``i`` is a night shift for person ``p``: at least half of it lies in the
    load's night hours (22:00-06:00 in ``p``'s zone)."""
    cache = _NIGHTS.setdefault(prob, {})
    key = (prob.tz[p], i)
    got = cache.get(key)
    if got is None:
        inst = prob.instances[i]
        got = 2 * night_seconds(inst.start, inst.end, prob.tz[p]) >= inst.seconds > 0
        cache[key] = got
    return got


def _spec(prob: Facts) -> CountWithin | None:
    return prob.scenario.rules.max_nights


def _width(spec: CountWithin) -> int | None:
    return int(spec.within.total_seconds()) if spec.within is not None else None


def encode(m: ModelBuilder) -> None:
    prob, v = m.problem, m.vars
    spec = _spec(prob)
    if spec is None:
        return
    width = _width(spec)
    for p in v.people():
        nights = [i for i in v.instances_of[p] if is_night(prob, p, i)]  # sorted by start
        lits = [v.works(p, i) for i in nights]
        if width is None:
            if len(lits) > spec.count:
                m.limit(NAME, spec, p, sum(lits), spec.count, upper=len(lits))
            continue
        starts = [prob.instances[i].start for i in nights]
        count_windows(m, NAME, spec, p, starts, lits, width, spec.count)


def evaluate(prob: Facts, schedule: Schedule, stats: Sequence[PersonStats]) -> Outcome:
    out = Outcome()
    spec = _spec(prob)
    if spec is None:
        return out
    width = _width(spec)
    for p, assigned in schedule.by_person().items():
        pid = prob.people[p].id
        nights = sorted(
            {a.instance for a in assigned if is_night(prob, p, a.instance)}, key=lambda i: prob.instances[i].start
        )
        if width is None:
            out.over(NAME, spec, pid, len(nights) - spec.count, f"{len(nights)} night shifts (max {spec.count})")
            continue
        where = [(prob.instances[i].shift, prob.instances[i].start_iso) for i in nights]
        count_over(
            out,
            NAME,
            spec,
            pid,
            [prob.instances[i].start for i in nights],
            width,
            spec.count,
            "night shifts start",
            where,
        )
    return out


def _text(spec: CountWithin) -> str:
    within = f" in {format_duration(spec.within)}" if spec.within is not None else ""
    return f"at most {plural(spec.count, 'night shift')}{within}"


def describe(prob: Facts, person: int | None, instance: int | None) -> str:
    spec = _spec(prob)
    if spec is None:
        return "max_nights"
    pid = person_id(prob, person)
    return f"{pid + ': ' if pid else 'everyone: '}{_text(spec)} (max_nights)"


def relaxations(prob: Facts, person: int | None, instance: int | None) -> list[Relaxation]:
    spec = _spec(prob)
    count = spec.count if spec is not None else 0
    pid = person_id(prob, person) or "everyone"
    out = [Relaxation(f"lift max_nights ({count}) for {pid} (smallest step: {count} -> {count + 1})", RANK)]
    if (person is None or person < 0) and spec is not None and not spec.soft:
        within = f" within {format_duration(spec.within)}" if spec.within is not None else ""
        out += [
            Relaxation(f"raise max_nights from {count} to {c}{within}", RANK + k, rule_change(NAME, spec, count=c))
            for k, c in enumerate(raises(count))
        ]
    return out


def capacity(prob: Facts, p: int, insts: Sequence[int]) -> Capacity | None:
    spec = _spec(prob)
    check = cached_check(prob, NAME, warm_start)
    if spec is None or check is None:
        return None
    # days shifts are free; nights earliest first (the most for a count window)
    return Capacity(greedy_count(prob, p, insts, check), f"max_nights {spec.count}")


def warm_start(prob: Facts) -> WarmCheck | None:
    spec = _spec(prob)
    if not hard(spec) or spec is None:
        return None
    width = _width(spec)
    count = spec.count

    def check(placed: Placed, p: int, i: int) -> bool:
        if not is_night(prob, p, i):
            return True
        if width is None:
            return sum(1 for j in placed.insts if is_night(prob, p, j)) + 1 <= count
        s = prob.instances[i].start
        lo = bisect.bisect_right(placed.starts, s - width)
        hi = bisect.bisect_left(placed.starts, s + width)
        mine = sorted([s] + [placed.starts[k] for k in range(lo, hi) if is_night(prob, p, placed.insts[k])])
        # every window [t, t + width) holding s: anchored at a night start in (s - width, s]
        return all(sum(1 for u in mine if a <= u < a + width) <= count for a in mine if s - width < a <= s)

    return check


warm_cost = no_warm_cost  # no soft penalty the greedy weighs
couples = per_person  # binds each person alone
