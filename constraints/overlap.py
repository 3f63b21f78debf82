"""No overlap: nobody is on two instances that overlap in real time. Always hard, never
relaxed when explaining a conflict (physics, not policy)."""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .base import (
    Capacity,
    Facts,
    Grouping,
    ModelBuilder,
    Outcome,
    Placed,
    Relaxation,
    Violation,
    WarmCheck,
    cached_check,
    greedy_count,
    no_prune,
    no_warm_cost,
    per_person,
)

if TYPE_CHECKING:
    from optimizer.schedule import Schedule
    from optimizer.stats import PersonStats

NAME = "overlap"
NAMES = (NAME,)
OBJECTIVE_ONLY = False
RELAX: Grouping = "never"
prune = no_prune


def interval_cliques(items: list[tuple[int, int, int]]) -> list[list[int]]:
    """Maximal cliques of an interval graph. ``items`` are (start, end, key) half-open
    intervals; returns lists of keys whose intervals share a common point (size >= 2)."""
    out: list[list[int]] = []
    active: list[tuple[int, int]] = []  # (end, key)
    soonest = math.inf  # the earliest end in active
    grew = False
    for s, e, key in sorted(items):
        if soonest <= s:  # some active interval ended
            if grew and len(active) > 1:
                out.append([k for _, k in active])
            grew = False
            active = [(end, k) for end, k in active if end > s]
            soonest = min((end for end, _ in active), default=math.inf)
        active.append((e, key))
        soonest = min(soonest, e)
        grew = True
    if grew and len(active) > 1:
        out.append([k for _, k in active])
    return out


def encode(m: ModelBuilder) -> None:
    prob, v = m.problem, m.vars
    rest = prob.scenario.rules.min_rest
    if rest is not None and not rest.soft and not m.explain:
        return  # the min_rest cliques over [start, end + rest) contain these ones (when
        # explaining, min_rest may be relaxed but overlap never is, so keep both)
    starts, ends = m.starts, m.ends
    for p in v.people():
        items = [(starts[i], ends[i], i) for i in v.instances_of[p]]
        works = v.person_works(p)
        for clique in interval_cliques(items):
            m.model.add_at_most_one([works[i] for i in clique])


def evaluate(prob: Facts, schedule: Schedule, stats: Sequence[PersonStats]) -> Outcome:
    out = Outcome()
    for p, assigned in schedule.by_person().items():
        insts = sorted({a.instance for a in assigned}, key=lambda i: prob.instances[i].start)
        for k, i in enumerate(insts):
            a = prob.instances[i]
            for j in insts[k + 1 :]:
                b = prob.instances[j]
                if b.start >= a.end:
                    break
                out.violations.append(
                    Violation(NAME, f"{a.label} overlaps {b.label}", prob.people[p].id, b.shift, b.start_iso)
                )
    return out


def gap_check(prob: Facts, gap: int) -> WarmCheck:
    """``check(placed, p, i)``: ``i`` keeps at least ``gap`` seconds from every placed shift."""
    longest = max((inst.seconds for inst in prob.instances), default=0)

    def check(placed: Placed, p: int, i: int) -> bool:
        inst = prob.instances[i]
        lo = bisect.bisect_right(placed.starts, inst.start - longest - gap)
        hi = bisect.bisect_left(placed.starts, inst.end + gap)
        return not any(placed.starts[k] < inst.end + gap and inst.start < placed.ends[k] + gap for k in range(lo, hi))

    return check


def describe(prob: Facts, person: int | None, instance: int | None) -> str:
    return "nobody on two overlapping shifts (overlap)"


def relaxations(prob: Facts, person: int | None, instance: int | None) -> list[Relaxation]:
    return []  # physics: never relaxed


def _gap0(prob: Facts) -> WarmCheck:
    check = cached_check(prob, "overlap", lambda f: gap_check(f, 0))
    assert check is not None
    return check


def capacity(prob: Facts, p: int, insts: Sequence[int]) -> Capacity | None:
    return Capacity(greedy_count(prob, p, insts, _gap0(prob), by_end=True), "")


def warm_start(prob: Facts) -> WarmCheck | None:
    return gap_check(prob, 0)


warm_cost = no_warm_cost  # no soft penalty the greedy weighs
couples = per_person  # binds each person alone
