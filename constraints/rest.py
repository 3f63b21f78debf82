"""Minimum rest (``rules.min_rest``): the next shift of a person starts at least
``duration`` after the end of their previous one, in real elapsed time.

Hard: no two of a person's shifts i, j (start_i <= start_j) with start_j < end_i + rest.
Soft: each such pair costs ``weight``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from optimizer.fields import format_duration
from optimizer.settings import RestLimit

from .base import (
    Capacity,
    Facts,
    Grouping,
    ModelBuilder,
    Outcome,
    Relaxation,
    WarmCheck,
    cached_check,
    greedy_count,
    hard,
    no_prune,
    no_warm_cost,
    per_person,
    person_id,
    rule_change,
)
from .overlap import gap_check, interval_cliques

if TYPE_CHECKING:
    from optimizer.schedule import Schedule
    from optimizer.stats import PersonStats

NAME = "min_rest"
NAMES = (NAME,)
OBJECTIVE_ONLY = False
RELAX: Grouping = "person"
RANK = 20
prune = no_prune


def _spec(prob: Facts) -> RestLimit | None:
    return prob.scenario.rules.min_rest


def encode(m: ModelBuilder) -> None:
    spec = _spec(m.problem)
    if spec is None:
        return
    prob, v = m.problem, m.vars
    rest = int(spec.duration.total_seconds())
    for p in v.people():
        insts = v.instances_of[p]
        if not spec.soft:
            items = [(prob.instances[i].start, prob.instances[i].end + rest, i) for i in insts]
            for clique in interval_cliques(items):
                m.model.add_at_most_one(v.works(p, i) for i in clique)
            continue
        for k, i in enumerate(insts):
            a = prob.instances[i]
            for j in insts[k + 1 :]:
                b = prob.instances[j]
                if b.start >= a.end + rest:
                    break
                if b.start < a.end:
                    continue  # overlapping: forbidden by the overlap rule
                both = m.model.new_bool_var(f"rest_{p}_{i}_{j}")
                m.model.add_min_equality(both, [v.works(p, i), v.works(p, j)])
                m.penalize(NAME, p, spec.weight, both)


def evaluate(prob: Facts, schedule: Schedule, stats: Sequence[PersonStats]) -> Outcome:
    out = Outcome()
    spec = _spec(prob)
    if spec is None:
        return out
    rest = int(spec.duration.total_seconds())
    for p, assigned in schedule.by_person().items():
        insts = sorted({a.instance for a in assigned}, key=lambda i: prob.instances[i].start)
        for k, i in enumerate(insts):
            a = prob.instances[i]
            for j in insts[k + 1 :]:
                b = prob.instances[j]
                if b.start >= a.end + rest:
                    continue
                gap = format_duration(dt.timedelta(seconds=max(0, b.start - a.end)))
                out.over(
                    NAME,
                    spec,
                    prob.people[p].id,
                    1,
                    f"{b.label} starts {gap} after {a.label} ends (min_rest {format_duration(spec.duration)})",
                    (b.shift, b.start_iso),
                )
    return out


def _rest(prob: Facts) -> str:
    spec = _spec(prob)
    return format_duration(spec.duration) if spec is not None else ""


def describe(prob: Facts, person: int | None, instance: int | None) -> str:
    pid = person_id(prob, person)
    if not pid:
        return f"min_rest {_rest(prob)}"
    return f"{pid} needs {_rest(prob)} rest between shifts (min_rest)"


def _shorter(d: dt.timedelta) -> list[dt.timedelta]:
    """Shorter rests to try, smallest change first: whole days below ``d`` (at most three),
    or whole hours below it when it is a day or less."""
    unit = dt.timedelta(days=1) if d > dt.timedelta(days=1) else dt.timedelta(hours=1)
    top = -(-d // unit)  # ceil
    return [k * unit for k in range(top - 1, top - 4, -1) if k > 0 and k * unit < d]


def relaxations(prob: Facts, person: int | None, instance: int | None) -> list[Relaxation]:
    pid = person_id(prob, person)
    out = [Relaxation(f"lift min_rest ({_rest(prob)}) for {pid or 'everyone'}", RANK)]
    spec = _spec(prob)
    if not pid and spec is not None and not spec.soft:
        out += [
            Relaxation(
                f"lower min_rest from {_rest(prob)} to {format_duration(d)}",
                RANK + k,
                rule_change(NAME, spec, duration=d),
            )
            for k, d in enumerate(_shorter(spec.duration))
        ]
    return out


def capacity(prob: Facts, p: int, insts: Sequence[int]) -> Capacity | None:
    check = cached_check(prob, NAME, warm_start)
    if check is None:
        return None
    # earliest end of [start, end + rest) first: the most intervals that keep the gap
    return Capacity(greedy_count(prob, p, insts, check, by_end=True), f"min_rest {_rest(prob)}")


def warm_start(prob: Facts) -> WarmCheck | None:
    spec = _spec(prob)
    if not hard(spec) or spec is None:
        return None
    return gap_check(prob, int(spec.duration.total_seconds()))


warm_cost = no_warm_cost  # no soft penalty the greedy weighs
couples = per_person  # binds each person alone
