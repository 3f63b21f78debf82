"""``rules.max_weekends: N``: weekends (Saturday 00:00 - Monday 00:00 in the team zone)
on which a person has any on-call time, over the horizon; a weekend touched by one long
shift counts once. Soft: each weekend over N costs ``weight``."""

from __future__ import annotations

from .base import Outcome

NAME = "max_weekends"


def encode(m) -> None:
    spec = m.problem.scenario.rules.max_weekends
    if spec is None:
        return
    for p in m.vars.people():
        lits = list(m.weekend_lits(p).values())
        if len(lits) > spec.count:
            m.limit(NAME, spec, p, sum(lits), spec.count, upper=len(lits))


def evaluate(prob, schedule, stats) -> Outcome:
    out = Outcome()
    spec = prob.scenario.rules.max_weekends
    if spec is None:
        return out
    for p, s in enumerate(stats):
        out.over(NAME, spec, prob.people[p].id, len(s.weekends) - spec.count,
                 f"on call {len(s.weekends)} weekends (max {spec.count})")
    return out


def prune(prob):
    return ()

OBJECTIVE_ONLY = False
