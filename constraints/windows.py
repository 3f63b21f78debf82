"""Sliding-window caps: ``rules.max_shifts: [{count, within}]`` (shift starts) and
``rules.max_hours: [{hours, within}]`` (hours of shifts starting) in any window of
length ``within``, in real time.

Hard: for every window [t, t + within), the person's shifts starting in it stay within
the cap (windows starting at a shift start are enough).
Soft: for each of the person's shifts i, the window [start_i, start_i + within) is
checked; each shift over ``count`` (each started hour over ``hours``) costs ``weight``.

:func:`count_windows` and :func:`count_over` are the same "at most N
starts in any window" for other rules (``max_nights``, windowed ``max_weekends``).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from optimizer.fields import format_duration
from optimizer.model import total, weighted
from optimizer.settings import Limit

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
    no_prune,
    no_warm_cost,
    per_person,
    person_id,
    plural,
    raises,
    sliding,
)
from .caps import over_hours_expr

if TYPE_CHECKING:
    from optimizer.model import Lit
    from optimizer.scenario import Scenario
    from optimizer.schedule import Schedule
    from optimizer.stats import PersonStats

NAME_SHIFTS = "max_shifts_window"
NAME_HOURS = "max_hours_window"
NAMES = (NAME_SHIFTS, NAME_HOURS)
OBJECTIVE_ONLY = False
RELAX: Grouping = "person"
RANK = 10
prune = no_prune


def count_windows(
    m: ModelBuilder, name: str, spec: Limit, p: int, starts: Sequence[int], lits: Sequence[Lit], width: int, count: int
) -> None:
    """At most ``count`` of ``lits`` (sorted by ``starts``) in any window of ``width`` seconds.
    Hard: one constraint per distinct window; soft: each item over, in the window it
    opens, costs ``weight``."""
    prev_last = -1
    for k, last in sliding(starts, width):
        window = list(lits[k:last])
        if not spec.soft:
            if last != prev_last and len(window) > count:
                m.model.add(total(window) <= count)
            prev_last = last
        else:
            m.limit(name, spec, p, total(window), count, enforce=window[0], upper=len(window))


def count_over(
    out: Outcome,
    name: str,
    spec: Limit,
    pid: str,
    starts: Sequence[int],
    width: int,
    count: int,
    what: str,
    where: Sequence[tuple[str | None, str | None]] = (),
) -> None:
    """The evaluator of :func:`count_windows`: ``starts`` are the taken items, sorted."""
    days = width / 86400
    for k, last in sliding(starts, width):
        n = last - k
        out.over(
            name,
            spec,
            pid,
            n - count,
            f"{n} {what} within {days:g}d of {_label(where, k)}(max {count})",
            where[k] if where else (None, None),
        )


def _label(where: Sequence[tuple[str | None, str | None]], k: int) -> str:
    if not where:
        return ""
    shift, start = where[k]
    return f"{shift} {start} "


def _window_cap(placed: Placed, start: int, width: int, keep: Sequence[bool] | None = None) -> int:
    """Placed starts in (start - width, start], optionally only those with ``keep``."""
    lo = bisect.bisect_right(placed.starts, start - width)
    hi = bisect.bisect_right(placed.starts, start)
    if keep is None:
        return hi - lo
    return sum(1 for k in range(lo, hi) if keep[k])


def encode(m: ModelBuilder) -> None:
    prob, v = m.problem, m.vars
    rules = prob.scenario.rules
    for p in v.people():
        insts = v.instances_of[p]
        starts = [prob.instances[i].start for i in insts]
        lits = v.works_of(p, insts)
        for spec in rules.max_shifts:
            count_windows(m, NAME_SHIFTS, spec, p, starts, lits, int(spec.within.total_seconds()), spec.count)
        minutes = [prob.instances[i].seconds // 60 for i in insts]
        for hspec in rules.max_hours:
            width = int(hspec.within.total_seconds())
            cap_min = round(hspec.hours * 60)
            prev_last = -1
            for k, last in sliding(starts, width):
                most = sum(minutes[k:last])
                if most <= cap_min:
                    continue
                expr = weighted(lits[k:last], minutes[k:last])
                if not hspec.soft:
                    if last != prev_last:
                        m.model.add(expr <= cap_min)
                    prev_last = last
                else:
                    over_hours_expr(m, NAME_HOURS, hspec, p, expr, cap_min, most, enforce=lits[k])


def evaluate(prob: Facts, schedule: Schedule, stats: Sequence[PersonStats]) -> Outcome:
    out = Outcome()
    rules = prob.scenario.rules
    for p, assigned in schedule.by_person().items():
        pid = prob.people[p].id
        insts = sorted({a.instance for a in assigned}, key=lambda i: prob.instances[i].start)
        for spec in rules.max_shifts:
            width = int(spec.within.total_seconds())
            for k, i in enumerate(insts):
                a = prob.instances[i]
                n = sum(1 for j in insts[k:] if prob.instances[j].start < a.start + width)
                days = spec.within.total_seconds() / 86400
                out.over(
                    NAME_SHIFTS,
                    spec,
                    pid,
                    n - spec.count,
                    f"{n} shifts start within {days:g}d of {a.label} (max {spec.count})",
                    (a.shift, a.start_iso),
                )
        for hspec in rules.max_hours:
            width = int(hspec.within.total_seconds())
            for k, i in enumerate(insts):
                a = prob.instances[i]
                minutes = sum(
                    prob.instances[j].seconds // 60 for j in insts[k:] if prob.instances[j].start < a.start + width
                )
                over = -(-(minutes - round(hspec.hours * 60)) // 60)  # started hours over
                days = hspec.within.total_seconds() / 86400
                out.over(
                    NAME_HOURS,
                    hspec,
                    pid,
                    over,
                    f"{minutes / 60:g}h of shifts start within {days:g}d of {a.label} (max {hspec.hours:g}h)",
                    (a.shift, a.start_iso),
                )
    return out


def _hard_caps(prob: Facts) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(width s, count) of the hard shift windows, (width s, cap minutes) of the hard hour windows."""
    r = prob.scenario.rules
    shifts = [(int(w.within.total_seconds()), w.count) for w in r.max_shifts if not w.soft]
    hours = [(int(w.within.total_seconds()), round(w.hours * 60)) for w in r.max_hours if not w.soft]
    return shifts, hours


def _texts(prob: Facts, hard_only: bool) -> tuple[list[str], list[str]]:
    r = prob.scenario.rules
    shifts = [
        f"{plural(w.count, 'shift')} in {format_duration(w.within)}" for w in r.max_shifts if not (hard_only and w.soft)
    ]
    hours = [f"{w.hours:g}h in {format_duration(w.within)}" for w in r.max_hours if not (hard_only and w.soft)]
    return shifts, hours


def describe(prob: Facts, person: int | None, instance: int | None) -> str:
    pid = person_id(prob, person)
    shifts, hours = _texts(prob, hard_only=bool(pid))
    if not pid:
        return "the window caps (" + "; ".join(shifts + hours) + ")"
    parts = [f"at most {s}" for s in shifts + hours]
    return f"{pid}: {'; '.join(parts)} (max_shifts/max_hours)"


def _window_change(field: str, k: int, **update: object) -> Callable[[Scenario], Scenario]:
    """The scenario with the ``k``-th window of ``rules.<field>`` changed."""

    def change(sc: Scenario) -> Scenario:
        windows = list(getattr(sc.rules, field))
        windows[k] = windows[k].model_copy(update=update)
        return sc.with_rules(**{field: windows})

    return change


def relaxations(prob: Facts, person: int | None, instance: int | None) -> list[Relaxation]:
    pid = person_id(prob, person) or "everyone"
    r = prob.scenario.rules
    parts = [f"{w.count} in {format_duration(w.within)}" for w in r.max_shifts if not w.soft]
    parts += [f"{w.hours:g}h in {format_duration(w.within)}" for w in r.max_hours if not w.soft]
    steps = [
        f"max_shifts {w.count} -> {w.count + 1} in {format_duration(w.within)}" for w in r.max_shifts if not w.soft
    ]
    text = f"lift the window cap ({' / '.join(parts)}) for {pid}"
    if steps:
        text += f" (smallest step: {', '.join(steps)})"
    out = [Relaxation(text, RANK)]
    if person is not None and person >= 0:
        return out
    longest = max((i.seconds for i in prob.instances), default=3600) / 3600
    for k, w in enumerate(r.max_shifts):
        if not w.soft:
            within = format_duration(w.within)
            out += [
                Relaxation(
                    f"raise max_shifts from {w.count} to {c} within {within}",
                    RANK + j,
                    _window_change("max_shifts", k, count=c),
                )
                for j, c in enumerate(raises(w.count))
            ]
    for k, h in enumerate(r.max_hours):
        if not h.soft:
            within = format_duration(h.within)
            out += [
                Relaxation(
                    f"raise max_hours from {h.hours:g}h to {h.hours + j * longest:g}h within {within}",
                    RANK + j,
                    _window_change("max_hours", k, hours=h.hours + j * longest),
                )
                for j in (1, 2, 3)
            ]
    return out


def capacity(prob: Facts, p: int, insts: Sequence[int]) -> Capacity | None:
    check = cached_check(prob, NAME_SHIFTS, warm_start)
    if check is None:
        return None
    shifts, hours = _texts(prob, hard_only=True)
    text = ", ".join([f"max {s}" for s in shifts] + [f"max {h}" for h in hours])
    return Capacity(greedy_count(prob, p, insts, check), text)


def warm_start(prob: Facts) -> WarmCheck | None:
    shifts, hours = _hard_caps(prob)
    if not shifts and not hours:
        return None

    def check(placed: Placed, p: int, i: int) -> bool:
        inst = prob.instances[i]
        s = inst.start
        for width, count in shifts:
            if _window_cap(placed, s, width) + 1 > count:
                return False
        for width, cap in hours:
            lo = bisect.bisect_right(placed.starts, s - width)
            if placed.minutes - placed.cum_minutes[lo] + inst.seconds // 60 > cap:
                return False
        return True

    return check


warm_cost = no_warm_cost  # no soft penalty the greedy weighs
couples = per_person  # binds each person alone
