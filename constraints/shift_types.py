"""Per-person caps on shifts of one pattern: ``people[].max_shifts_by_type: {D: 14, N: 0}``
over the horizon. Hard (default) or soft via ``rules.person_caps`` (each shift over the
cap costs ``weight``). A hard cap of 0 removes the person from that pattern altogether.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from .base import Outcome

NAME = "max_shifts_by_type"


def prune(prob):
    if prob.scenario.rules.person_caps.soft:
        return
    for p, person in enumerate(prob.people):
        banned = {name for name, n in person.max_shifts_by_type.items() if n == 0}
        if not banned:
            continue
        for i, inst in enumerate(prob.instances):
            if inst.shift in banned:
                yield (p, i)


def encode(m) -> None:
    prob, v = m.problem, m.vars
    spec = prob.scenario.rules.person_caps
    for p in v.people():
        caps = prob.people[p].max_shifts_by_type
        if not caps:
            continue
        by_type: dict[str, list] = defaultdict(list)
        for i in v.instances_of[p]:
            by_type[prob.instances[i].shift].append(v.works(p, i))
        for name, cap in caps.items():
            lits = by_type.get(name, [])
            if len(lits) > cap:
                m.limit(NAME, spec, p, sum(lits), cap, upper=len(lits))


def evaluate(prob, schedule, stats) -> Outcome:
    out = Outcome()
    spec = prob.scenario.rules.person_caps
    for p, assigned in schedule.by_person().items():
        caps = prob.people[p].max_shifts_by_type
        if not caps:
            continue
        counts = Counter(prob.instances[i].shift for i in {a.instance for a in assigned})
        for name, cap in caps.items():
            out.over(
                NAME,
                spec,
                prob.people[p].id,
                counts[name] - cap,
                f"{counts[name]} {name} shifts (max {cap})",
            )
    return out

OBJECTIVE_ONLY = False
