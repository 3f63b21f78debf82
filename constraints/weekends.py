"""Weekends on call: a weekend (Saturday 00:00 - Monday 00:00, team zone) counts once if
any of the person's shifts touches it. One family, two sources:

- ``rules.max_weekends: N`` (everyone), over the horizon or, with
  ``{count: N, within: 28d}``, in any window of that length (weekends whose Saturdays lie
  less than ``within`` after the first one's); soft: each weekend over costs ``weight``
  (windowed: each on-call weekend opening a window with too many);
- ``people[].max_weekends: N`` (one person, over the horizon): hard, or soft via
  ``rules.person_caps``.

The encoding adds redundant linear links "works an instance touching weekend W => W
counts" so that CP-SAT's LP relaxation sees the caps (the OR literal alone is not in it).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from optimizer.fields import format_duration
from optimizer.model import total
from optimizer.settings import Limit
from optimizer.timecalc import to_local

from .base import (
    Capacity,
    Facts,
    Grouping,
    ModelBuilder,
    Outcome,
    Placed,
    Relaxation,
    WarmCheck,
    largest_groups_bound,
    no_prune,
    no_warm_cost,
    per_person,
    person_change,
    person_id,
    plural,
    raises,
    rule_change,
)

if TYPE_CHECKING:
    from optimizer.model import Lit
    from optimizer.schedule import Schedule
    from optimizer.stats import PersonStats

NAME = "max_weekends"
NAMES = (NAME,)
OBJECTIVE_ONLY = False
RELAX: Grouping = "person"
RANK = 40
prune = no_prune


def sources(prob: Facts, p: int) -> list[tuple[Limit, int, int | None]]:
    """(spec, count, window in seconds or None for the horizon) of every weekend cap of ``p``."""
    rules = prob.scenario.rules
    out: list[tuple[Limit, int, int | None]] = []
    team = rules.max_weekends
    if team is not None:
        out.append((team, team.count, int(team.within.total_seconds()) if team.within else None))
    own = prob.people[p].max_weekends
    if own is not None:
        out.append((rules.person_caps, own, None))
    return out


def _windows(sats: list[dt.date], width: int | None) -> list[list[dt.date]]:
    """The weekends counted together: all of them, or those of each window opened by one."""
    if width is None:
        return [sats]
    days = width / 86400
    return [[s for s in sats[k:] if (s - a).days < days] for k, a in enumerate(sats)]


def _link(m: ModelBuilder, p: int, weekends: dict[dt.date, Lit], keys: list[list[tuple[dt.date, dt.date]]]) -> None:
    """Redundant linear links "works an instance touching weekend W => W counts", one per
    group of instances starting on the same local date that can hold at most one of them
    (``keys``: :func:`_group_keys`)."""
    groups: dict[tuple[dt.date, dt.date], list[int]] = defaultdict(list)
    for i in m.vars.instances_of.get(p, []):
        for key in keys[i]:
            groups[key].append(i)
    for (sat, _day), insts in groups.items():
        wk = weekends.get(sat)
        if wk is None or isinstance(wk, int):
            continue
        expr = m.works_sum_if_exclusive(p, insts)
        if expr is not None:
            m.model.add(expr <= wk)


def _group_keys(prob: Facts) -> list[list[tuple[dt.date, dt.date]]]:
    """Per instance: (Saturday, local start date in the team zone) of each weekend it touches."""
    out: list[list[tuple[dt.date, dt.date]]] = []
    for i, inst in enumerate(prob.instances):
        sats = prob.weekends_of(i)
        if not sats:
            out.append([])
            continue
        day = to_local(inst.start, prob.team_tz).date()
        out.append([(sat, day) for sat in sats])
    return out


def encode(m: ModelBuilder) -> None:
    prob = m.problem
    keys: list[list[tuple[dt.date, dt.date]]] | None = None  # _group_keys, once needed
    for p in m.vars.people():
        caps = sources(prob, p)
        if not caps:
            continue
        weekends = m.weekend_lits(p)
        sats = sorted(weekends)
        linked = False
        for spec, count, width in caps:
            for window in _windows(sats, width):
                if len(window) <= count:
                    continue
                if not linked:
                    keys = keys if keys is not None else _group_keys(prob)
                    _link(m, p, weekends, keys)
                    linked = True
                lits = [weekends[s] for s in window]
                enforce = lits[0] if width is not None and spec.soft else None
                m.limit(NAME, spec, p, total(lits), count, enforce=enforce, upper=len(lits))


def evaluate(prob: Facts, schedule: Schedule, stats: Sequence[PersonStats]) -> Outcome:
    out = Outcome()
    for p, s in enumerate(stats):
        pid = prob.people[p].id
        sats = sorted(s.weekends)
        for spec, count, width in sources(prob, p):
            if width is None:
                out.over(NAME, spec, pid, len(sats) - count, f"on call {len(sats)} weekends (max {count})")
                continue
            for window in _windows(sats, width):
                out.over(
                    NAME,
                    spec,
                    pid,
                    len(window) - count,
                    f"on call {len(window)} weekends within {format_duration(dt.timedelta(seconds=width))} "
                    f"from {window[0]} (max {count})",
                )
    return out


def _hard(prob: Facts, p: int) -> list[tuple[int, int | None]]:
    return [(count, width) for spec, count, width in sources(prob, p) if not spec.soft]


def _text(count: int, width: int | None) -> str:
    within = f" in {format_duration(dt.timedelta(seconds=width))}" if width is not None else ""
    return f"at most {plural(count, 'weekend')}{within}"


def describe(prob: Facts, person: int | None, instance: int | None) -> str:
    if person is None or person < 0:
        team = prob.scenario.rules.max_weekends
        return f"max_weekends {team.count}" if team is not None else "the personal weekend caps (max_weekends)"
    caps = _hard(prob, person)
    return f"{person_id(prob, person)}: {'; '.join(_text(c, w) for c, w in caps)} (max_weekends)"


def relaxations(prob: Facts, person: int | None, instance: int | None) -> list[Relaxation]:
    team = prob.scenario.rules.max_weekends
    if person is None or person < 0:
        out = [Relaxation("relax max_weekends for everyone", RANK + 5)]
        if team is not None and not team.soft:
            within = f" within {format_duration(team.within)}" if team.within else ""
            out = [
                Relaxation(
                    f"raise max_weekends from {team.count} to {c}{within}", RANK + k, rule_change(NAME, team, count=c)
                )
                for k, c in enumerate(raises(team.count))
            ] + out
        return out
    pid = person_id(prob, person)
    caps = _hard(prob, person)
    counts = "/".join(str(c) for c, _ in caps) or "?"
    steps = ", ".join(f"{c} -> {c + 1}" for c, _ in caps)
    out = [Relaxation(f"lift max_weekends ({counts}) for {pid} (smallest step: {steps})", RANK)]
    own = prob.people[person].max_weekends
    if own is not None and not prob.scenario.rules.person_caps.soft and (team is None or team.soft or own < team.count):
        # the person's own cap binds: raising it (up to the team's) is a parameter change
        top = team.count if team is not None and not team.soft else None
        out += [
            Relaxation(f"raise max_weekends from {own} to {c} for {pid}", RANK + k, person_change(pid, max_weekends=c))
            for k, c in enumerate(raises(own))
            if top is None or c <= top
        ]
    return out


def capacity(prob: Facts, p: int, insts: Sequence[int]) -> Capacity | None:
    caps = [c for c, w in _hard(prob, p) if w is None]  # windows: no simple bound
    if not caps:
        return None
    groups: dict[dt.date, set[int]] = defaultdict(set)
    free = 0
    for i in insts:
        sats = prob.weekends_of(i)
        if not sats:
            free += 1
        for sat in sats:
            groups[sat].add(i)
    cap = min(caps)
    return Capacity(largest_groups_bound(groups, free, cap), f"max_weekends {cap}")


def warm_start(prob: Facts) -> WarmCheck | None:
    caps = [_hard(prob, p) for p in range(len(prob.people))]
    if not any(caps):
        return None

    def check(placed: Placed, p: int, i: int) -> bool:
        new = [w for w in prob.weekends_of(i) if w not in placed.weekends]
        if not new:
            return True
        sats = sorted(placed.weekends.union(new))
        for count, width in caps[p]:
            if width is None:
                if len(sats) > count:
                    return False
                continue
            days = width / 86400
            for w in new:  # every window holding a new weekend
                for a in sats:
                    if a <= w and (w - a).days < days and sum(1 for s in sats if 0 <= (s - a).days < days) > count:
                        return False
        return True

    return check


warm_cost = no_warm_cost  # no soft penalty the greedy weighs
couples = per_person  # binds each person alone
