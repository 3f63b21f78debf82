"""Shift requests: ``people[].shift_requests: [{date, shift, want: on|off, weight}]``.

- ``want: on``: costs ``weight`` points unless the person works the instance of pattern
  ``shift`` that starts on local date ``date`` (also when no such instance exists);
- ``want: off``: costs ``weight`` points if they work it.

Always soft.
"""

from __future__ import annotations

from optimizer.facts import instance_on

from .base import (
    Facts,
    Grouping,
    Outcome,
    Penalty,
    Relaxation,
    WarmCost,
    no_capacity,
    no_prune,
    no_warm_start,
    per_person,
    person_id,
)

NAME_ON = "shift_on_request"
NAME_OFF = "shift_off_request"


NAMES = (NAME_ON, NAME_OFF)
OBJECTIVE_ONLY = False
RELAX: Grouping = "person"
RANK = 100
prune = no_prune


def encode(m) -> None:
    prob, v = m.problem, m.vars
    for p, person in enumerate(prob.people):
        for req in person.shift_requests:
            i = instance_on(prob, req.shift, req.date)
            lit = v.works(p, i) if i is not None else 0
            if req.want == "on":
                m.penalize(NAME_ON, p, req.weight, 1 - lit)
            elif not isinstance(lit, int):
                m.penalize(NAME_OFF, p, req.weight, lit)


def evaluate(prob, schedule, stats) -> Outcome:
    out = Outcome()
    for p, assigned in schedule.by_person().items():
        person = prob.people[p]
        if not person.shift_requests:
            continue
        mine = {a.instance for a in assigned}
        for req in person.shift_requests:
            i = instance_on(prob, req.shift, req.date)
            works = i is not None and i in mine
            if req.want == "on" and not works:
                out.penalties.append(
                    Penalty(
                        NAME_ON,
                        person.id,
                        100,
                        req.weight,
                        f"asked to work {req.shift} on {req.date}",
                    )
                )
            elif req.want == "off" and works:
                out.penalties.append(
                    Penalty(
                        NAME_OFF,
                        person.id,
                        100,
                        req.weight,
                        f"asked not to work {req.shift} on {req.date}",
                    )
                )
    return out


def describe(prob: Facts, person: int | None, instance: int | None) -> str:
    pid = person_id(prob, person)
    return f"the shift requests{' of ' + pid if pid else ''} (always soft)"


def relaxations(prob: Facts, person: int | None, instance: int | None) -> list[Relaxation]:
    return []  # soft only: never part of a conflict


capacity = no_capacity
warm_start = no_warm_start  # soft only


def warm_cost(prob: Facts) -> WarmCost | None:
    """Taking a shift someone asked to work saves the request's weight; one they asked
    not to work costs it."""
    points: dict[tuple[int, int], float] = {}
    for p, person in enumerate(prob.people):
        for req in person.shift_requests:
            i = instance_on(prob, req.shift, req.date)
            if i is not None:
                points[(p, i)] = points.get((p, i), 0.0) + (-req.weight if req.want == "on" else req.weight)
    if not points:
        return None
    return lambda placed, p, i: points.get((p, i), 0.0)
couples = per_person
