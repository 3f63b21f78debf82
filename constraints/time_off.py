"""Time off, in the person's zone, [from 00:00, to + 1 day 00:00).

- hard (default): no assignment overlaps it;
- ``soft: true``: each assignment overlapping it costs ``weight`` ("rather not");
- ``prefer: true``: a wish to be on call then; costs ``weight`` if the person has no
  assignment overlapping the period.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

from optimizer.facts import Interval
from optimizer.settings import Limit

from .base import (
    Capacity,
    Facts,
    Grouping,
    ModelBuilder,
    Outcome,
    Penalty,
    Placed,
    Relaxation,
    Violation,
    WarmCheck,
    WarmCost,
    per_person,
    person_id,
)

if TYPE_CHECKING:
    from optimizer.scenario import Scenario
    from optimizer.schedule import Schedule
    from optimizer.stats import PersonStats

NAME = "time_off"
PREFER = "preference"
NAMES = (NAME, PREFER)
OBJECTIVE_ONLY = False
RELAX: Grouping = "person"
RANK = 70


def prune(prob: Facts) -> Iterator[tuple[int, int]]:
    for p, intervals in enumerate(prob.hard_off):
        hit: set[int] = set()
        for iv in intervals:
            hit.update(prob.overlapping(iv.start, iv.end))
        for i in sorted(hit):
            yield (p, i)


def _overlapping(prob: Facts, iv: Interval) -> list[int]:
    return prob.overlapping(iv.start, iv.end)


def encode(m: ModelBuilder) -> None:
    prob, v = m.problem, m.vars
    for p, intervals in enumerate(prob.soft_off):
        for iv in intervals:
            lits = [v.works(p, i) for i in _overlapping(prob, iv)]
            m.penalize(NAME, p, iv.entry.weight, sum(lits))
    for p, intervals in enumerate(prob.prefer):
        for iv in intervals:
            lits = [v.works(p, i) for i in _overlapping(prob, iv)]
            m.penalize(PREFER, p, iv.entry.weight, 1 - m.bool_or(lits, f"pref_{p}_{iv.index}"))


def evaluate(prob: Facts, schedule: Schedule, stats: Sequence[PersonStats]) -> Outcome:
    out = Outcome()
    for p, assigned in schedule.by_person().items():
        pid = prob.people[p].id
        insts = sorted({a.instance for a in assigned})
        for iv in prob.hard_off[p] + prob.soft_off[p]:
            t = iv.entry
            hits = [
                prob.instances[i]
                for i in insts
                if iv.start < prob.instances[i].end and prob.instances[i].start < iv.end
            ]
            for inst in hits:
                msg = f"{pid} is off {t.from_}..{t.to} but on {inst.label}"
                if t.hard:
                    out.violations.append(Violation(NAME, msg, pid, inst.shift, inst.start_iso))
            out.over(
                NAME,
                Limit(soft=True, weight=t.weight),
                pid,
                len(hits) if t.soft else 0,
                f"on call during soft time off {t.from_}..{t.to}",
            )
        for iv in prob.prefer[p]:
            t = iv.entry
            if not any(iv.start < prob.instances[i].end and prob.instances[i].start < iv.end for i in insts):
                out.penalties.append(Penalty(PREFER, pid, 100, t.weight, f"wished to be on call {t.from_}..{t.to}"))
    return out


def describe(prob: Facts, person: int | None, instance: int | None) -> str:
    if person is None or person < 0:
        return "everyone's hard time off"
    spans = ", ".join(f"{iv.entry.from_}..{iv.entry.to}" for iv in prob.hard_off[person])
    return f"{person_id(prob, person)} is off {spans} (time off)"


def _soften(pid: str, weight: float) -> Callable[[Scenario], Scenario]:
    """The scenario with ``pid``'s hard time off soft (each shift overlapping it costs ``weight``)."""

    def change(sc: Scenario) -> Scenario:
        return sc.replace(
            time_off=tuple(
                t.model_copy(update={"soft": True, "weight": weight})
                if t.person == pid and not t.soft and not t.prefer
                else t
                for t in sc.time_off
            )
        )

    return change


def relaxations(prob: Facts, person: int | None, instance: int | None) -> list[Relaxation]:
    pid = person_id(prob, person)
    if not pid:
        return [Relaxation("make hard time off soft (time_off soft: true)", RANK)]
    return [
        Relaxation(f"ask {pid} to move their time off", RANK),
        Relaxation(f"make the hard time off soft (soft: true, weight: 100) for {pid}", RANK + 1, _soften(pid, 100.0)),
    ]


def capacity(prob: Facts, p: int, insts: Sequence[int]) -> Capacity | None:
    if not prob.hard_off[p]:
        return None
    return Capacity(sum(1 for i in insts if prob.hard_time_off(p, i) is None), "")


def warm_start(prob: Facts) -> WarmCheck | None:
    def check(placed: Placed, p: int, i: int) -> bool:
        return not prob.hard_off[p] or prob.hard_time_off(p, i) is None

    return check


def warm_cost(prob: Facts) -> WarmCost | None:
    """Soft time off that the shift overlaps costs its weight; the first shift inside a
    wish to be on call saves the wish's weight."""
    if not any(prob.soft_off) and not any(prob.prefer):
        return None

    def cost(placed: Placed, p: int, i: int) -> float:
        inst = prob.instances[i]
        points = 0.0
        for iv in prob.soft_off[p]:
            if iv.start < inst.end and inst.start < iv.end:
                points += iv.entry.weight
        for iv in prob.prefer[p]:
            if iv.start < inst.end and inst.start < iv.end and not any(
                iv.start < e and s < iv.end for s, e in zip(placed.starts, placed.ends, strict=True)
            ):
                points -= iv.entry.weight
        return points

    return cost


couples = per_person  # binds each person alone
