"""Minimum time on call per person: ``people[].min_hours`` over the horizon (the maximum,
``max_hours``, is in ``caps``). Hard (default) or soft via ``rules.person_caps``: each
started hour short costs ``weight``. Time is counted in whole minutes of each shift.
"""

from __future__ import annotations

from .base import Outcome
from .caps import over_hours_expr

NAME = "min_hours"


def encode(m) -> None:
    prob, v = m.problem, m.vars
    spec = prob.scenario.rules.person_caps
    for p, person in enumerate(prob.people):
        if person.min_hours is None:
            continue
        need = round(person.min_hours * 60)
        if need <= 0:
            continue
        insts = v.instances_of.get(p, [])
        terms = [(prob.instances[i].seconds // 60, v.works(p, i)) for i in insts]
        expr = sum(mm * lit for mm, lit in terms)
        if spec.soft:
            over_hours_expr(m, NAME, spec, p, -expr, -need, 0)
        elif sum(mm for mm, _ in terms) < need:
            m.model.add_bool_or([])  # cannot be met: infeasible
        else:
            m.model.add(expr >= need)


def evaluate(prob, schedule, stats) -> Outcome:
    out = Outcome()
    spec = prob.scenario.rules.person_caps
    for p, assigned in schedule.by_person().items():
        person = prob.people[p]
        if person.min_hours is None:
            continue
        need = round(person.min_hours * 60)
        minutes = sum(prob.instances[i].seconds // 60 for i in {a.instance for a in assigned})
        short = -(-(need - minutes) // 60)  # started hours short
        out.over(
            NAME, spec, person.id, short, f"{minutes / 60:g}h on call (min_hours {need / 60:g}h)"
        )
    return out


def prune(prob):
    return ()

OBJECTIVE_ONLY = False
