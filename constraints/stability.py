"""Re-planning against a published baseline (see ``optimizer/replan.py``).

- ``frozen`` (hard): an instance starting before the freeze date keeps exactly the
  baseline's people in each role;
- ``changes`` (soft): each later baseline assignment that is not kept costs
  ``Baseline.cost_weight`` points (more the sooner the instance starts).
"""

from __future__ import annotations

from .base import (
    Facts,
    Grouping,
    Outcome,
    Penalty,
    Relaxation,
    Violation,
    no_capacity,
    no_warm_cost,
    no_warm_start,
    per_person,
    person_id,
)

NAME_FROZEN = "frozen"
NAME_CHANGES = "changes"


NAMES = (NAME_FROZEN, NAME_CHANGES)
OBJECTIVE_ONLY = False
RELAX: Grouping = "person"
RANK = 95


def prune(prob):
    if prob.baseline is None:
        return
    for i in prob.frozen:
        keep = set().union(*(prob.baseline_slots.get((i, r), set()) for r in range(len(prob.instances[i].roles))))
        for p in range(len(prob.people)):
            if p not in keep:
                yield (p, i)


def encode(m) -> None:
    prob, v = m.problem, m.vars
    if prob.baseline is None:
        return
    anchor = prob.freeze_point
    for (i, r), people in sorted(prob.baseline_slots.items()):
        for p in sorted(people):
            x = v.x.get((p, i, r))
            if i in prob.frozen:
                if x is None:  # cannot be kept (check_frozen tells why before solving)
                    m.model.add_bool_or([])
                else:
                    m.model.add(x == 1)
                continue
            w = prob.baseline.cost_weight(prob.instances[i].start, anchor)
            m.penalize(NAME_CHANGES, p, w, 1 - x if x is not None else 1)


def evaluate(prob, schedule, stats) -> Outcome:
    out = Outcome()
    if prob.baseline is None:
        return out
    anchor = prob.freeze_point
    held: dict[tuple[int, int], set[int]] = {}
    for a in schedule.assignments:
        held.setdefault((a.instance, a.role), set()).add(a.person)
    for (i, r), people in sorted(prob.baseline_slots.items()):
        inst = prob.instances[i]
        now = held.get((i, r), set())
        for p in sorted(people - now):
            pid = prob.people[p].id
            if i in prob.frozen:
                out.violations.append(
                    Violation(
                        NAME_FROZEN,
                        f"frozen assignment of {pid} as {inst.roles[r].name} was changed",
                        pid,
                        inst.shift,
                        inst.start_iso,
                    )
                )
            else:
                out.penalties.append(
                    Penalty(
                        NAME_CHANGES,
                        pid,
                        100,
                        prob.baseline.cost_weight(inst.start, anchor),
                        f"{pid} moved off {inst.label} {inst.roles[r].name}",
                    )
                )
    for i in sorted(prob.frozen):
        inst = prob.instances[i]
        for r in range(len(inst.roles)):
            extra = held.get((i, r), set()) - prob.baseline_slots.get((i, r), set())
            for p in sorted(extra):
                out.violations.append(
                    Violation(
                        NAME_FROZEN,
                        f"{prob.people[p].id} added to a frozen shift",
                        prob.people[p].id,
                        inst.shift,
                        inst.start_iso,
                    )
                )
    return out


def describe(prob: Facts, person: int | None, instance: int | None) -> str:
    pid = person_id(prob, person)
    return f"the frozen assignments{' of ' + pid if pid else ''} (re-plan freeze)"


def relaxations(prob: Facts, person: int | None, instance: int | None) -> list[Relaxation]:
    pid = person_id(prob, person)
    return [
        Relaxation(
            f"move the freeze date earlier{' (frees ' + pid + chr(39) + 's frozen shifts)' if pid else ''}", RANK
        )
    ]


capacity = no_capacity
warm_start = no_warm_start  # the warm start copies frozen instances from the baseline itself
warm_cost = no_warm_cost  # no soft penalty the greedy weighs
couples = per_person
