"""Public holidays: each person's own (``country``/``subdivision`` via the ``holidays``
package, plus the scenario's ``extra_holidays``), as dates in the person's zone.

- ``rules.holidays: {mode: avoid}``: not on call on their own public holidays (hard), or
  each holiday on call costs ``weight`` (soft). ``mode: weight`` (default) allows them;
  holiday hours then weigh ``weights.holiday`` in the load.
- ``rules.max_holidays: N``: at most N public-holiday dates on call over the horizon.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from optimizer.settings import HolidayPolicy

from .base import (
    Capacity,
    Facts,
    Grouping,
    ModelBuilder,
    Outcome,
    Placed,
    Relaxation,
    WarmCheck,
    WarmCost,
    hard,
    largest_groups_bound,
    new_holidays,
    per_person,
    person_id,
    raises,
    rule_change,
)

if TYPE_CHECKING:
    from optimizer.schedule import Schedule
    from optimizer.stats import PersonStats

NAME_AVOID = "holidays_avoid"
NAME_MAX = "max_holidays"
NAMES = (NAME_AVOID, NAME_MAX)
OBJECTIVE_ONLY = False
RELAX: Grouping = "person"
RANK = 60


def _avoid(prob: Facts) -> HolidayPolicy | None:
    spec = prob.scenario.rules.holidays
    return spec if spec is not None and spec.mode == "avoid" else None


def prune(prob: Facts) -> Iterator[tuple[int, int]]:
    spec = _avoid(prob)
    if spec is None or spec.soft:
        return
    for p in range(len(prob.people)):
        hol = prob.holidays[p]
        if not hol:
            continue
        for i in range(len(prob.instances)):
            if any(d in hol for d in prob.days_of(p, i)):
                yield (p, i)


def encode(m: ModelBuilder) -> None:
    prob = m.problem
    avoid = _avoid(prob)
    cap = prob.scenario.rules.max_holidays
    if (avoid is None or not avoid.soft) and cap is None:
        return
    for p in m.vars.people():
        hol = prob.holidays[p]
        lits = [lit for d, lit in m.day_lits(p).items() if d in hol]
        if not lits:
            continue
        if avoid is not None and avoid.soft:
            m.limit(NAME_AVOID, avoid, p, sum(lits), 0, upper=len(lits))
        if cap is not None:
            m.limit(NAME_MAX, cap, p, sum(lits), cap.count, upper=len(lits))


def evaluate(prob: Facts, schedule: Schedule, stats: Sequence[PersonStats]) -> Outcome:
    out = Outcome()
    avoid = _avoid(prob)
    cap = prob.scenario.rules.max_holidays
    for p, s in enumerate(stats):
        pid = prob.people[p].id
        if avoid is not None:
            for d in sorted(s.holidays):
                out.over(NAME_AVOID, avoid, pid, 1, f"on call on public holiday {d}")
        if cap is not None:
            out.over(
                NAME_MAX,
                cap,
                pid,
                len(s.holidays) - cap.count,
                f"on call on {len(s.holidays)} public holidays (max {cap.count})",
            )
    return out


def _bits(prob: Facts) -> list[str]:
    cap = prob.scenario.rules.max_holidays
    bits = []
    if hard(_avoid(prob)):
        bits.append("not on call on own public holidays")
    if cap is not None and not cap.soft:
        bits.append(f"at most {cap.count} public holidays")
    return bits


def describe(prob: Facts, person: int | None, instance: int | None) -> str:
    if person is None or person < 0:
        return "the public-holiday rules (holidays / max_holidays)"
    return f"{person_id(prob, person)}: {'; '.join(_bits(prob))} (holidays)"


def relaxations(prob: Facts, person: int | None, instance: int | None) -> list[Relaxation]:
    pid = person_id(prob, person) or "everyone"
    cap = prob.scenario.rules.max_holidays
    avoid = _avoid(prob)
    if hard(avoid) or cap is None:
        out = [Relaxation(f"let {pid} be on call on public holidays", RANK)]
    else:
        out = [
            Relaxation(
                f"lift max_holidays ({cap.count}) for {pid} (smallest step: {cap.count} -> {cap.count + 1})", RANK
            )
        ]
    if person is not None and person >= 0:
        return out
    if avoid is not None and not avoid.soft:
        out.append(
            Relaxation(
                "make holidays: avoid soft (holidays: {mode: avoid, soft: true, weight: 20})",
                RANK + 2,
                rule_change("holidays", avoid, soft=True, weight=20.0),
            )
        )
    if cap is not None and not cap.soft:
        out += [
            Relaxation(f"raise max_holidays from {cap.count} to {c}", RANK + k, rule_change(NAME_MAX, cap, count=c))
            for k, c in enumerate(raises(cap.count))
        ]
    return out


def capacity(prob: Facts, p: int, insts: Sequence[int]) -> Capacity | None:
    cap = prob.scenario.rules.max_holidays
    avoid = hard(_avoid(prob))
    if not prob.holidays[p] or (not avoid and (cap is None or cap.soft)):
        return None
    groups: dict[dt.date, set[int]] = defaultdict(set)
    free = 0
    for i in insts:
        mine = [d for d in prob.days_of(p, i) if d in prob.holidays[p]]
        free += not mine
        for d in mine:
            groups[d].add(i)
    if avoid:
        return Capacity(free, "holidays: avoid")
    assert cap is not None
    return Capacity(largest_groups_bound(groups, free, cap.count), f"max_holidays {cap.count}")


def warm_start(prob: Facts) -> WarmCheck | None:
    avoid = hard(_avoid(prob))
    spec = prob.scenario.rules.max_holidays
    cap = spec.count if spec is not None and not spec.soft else None
    if not avoid and cap is None:
        return None

    def check(placed: Placed, p: int, i: int) -> bool:
        hol = prob.holidays[p]
        if not hol:
            return True
        mine = [d for d in prob.days_of(p, i) if d in hol]
        if mine and avoid:
            return False
        return cap is None or len(placed.holidays.union(mine)) <= cap

    return check


def warm_cost(prob: Facts) -> WarmCost | None:
    """Each new public holiday on call costs the soft ``avoid`` weight, and what it adds
    above a soft ``max_holidays`` costs that cap's weight."""
    avoid = _avoid(prob)
    w_avoid = avoid.weight if avoid is not None and avoid.soft else 0.0
    spec = prob.scenario.rules.max_holidays
    cap = spec if spec is not None and spec.soft else None
    if not w_avoid and cap is None:
        return None

    def cost(placed: Placed, p: int, i: int) -> float:
        new = new_holidays(prob, placed, p, i)
        if not new:
            return 0.0
        points = w_avoid * len(new)
        if cap is not None:
            before = len(placed.holidays)
            over = max(0, before + len(new) - cap.count) - max(0, before - cap.count)
            points += cap.weight * over
        return points

    return cost


couples = per_person  # binds each person alone
