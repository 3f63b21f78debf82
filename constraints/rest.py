"""Minimum rest (``rules.min_rest``): the next shift of a person starts at least
``duration`` after the end of their previous one, in real elapsed time.

Hard: no two of a person's shifts i, j (start_i <= start_j) with start_j < end_i + rest.
Soft: each such pair costs ``weight``.
"""

from __future__ import annotations

import datetime as dt

from optimizer.fields import format_duration

from .base import Outcome
from .overlap import interval_cliques

NAME = "min_rest"


def _spec(prob):
    return prob.scenario.rules.min_rest


def encode(m) -> None:
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
            for j in insts[k + 1:]:
                b = prob.instances[j]
                if b.start >= a.end + rest:
                    break
                if b.start < a.end:
                    continue  # overlapping: forbidden by the overlap rule
                both = m.model.new_bool_var(f"rest_{p}_{i}_{j}")
                m.model.add_min_equality(both, [v.works(p, i), v.works(p, j)])
                m.penalize(NAME, p, spec.weight, both)


def evaluate(prob, schedule, stats) -> Outcome:
    out = Outcome()
    spec = _spec(prob)
    if spec is None:
        return out
    rest = int(spec.duration.total_seconds())
    for p, assigned in schedule.by_person().items():
        insts = sorted({a.instance for a in assigned}, key=lambda i: prob.instances[i].start)
        for k, i in enumerate(insts):
            a = prob.instances[i]
            for j in insts[k + 1:]:
                b = prob.instances[j]
                if b.start >= a.end + rest:
                    continue
                gap = format_duration(dt.timedelta(seconds=max(0, b.start - a.end)))
                out.over(NAME, spec, prob.people[p].id, 1,
                         f"{b.label} starts {gap} after {a.label} ends (min_rest "
                         f"{format_duration(spec.duration)})", (b.shift, b.start_iso))
    return out


def prune(prob):
    return ()

OBJECTIVE_ONLY = False
