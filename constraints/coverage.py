"""Coverage: every role of every instance gets exactly ``count`` distinct eligible people,
and nobody holds two roles in one instance. Always hard.

Eligible: holds all the role's skills, and the role is in the person's ``roles`` if
they list any.
"""

from __future__ import annotations

from collections import Counter

from .base import Outcome, Violation

NAME = "coverage"


def encode(m) -> None:
    prob, v = m.problem, m.vars
    for i, inst in enumerate(prob.instances):
        for r, role in enumerate(inst.roles):
            m.model.add(sum(x for _, x in v.of_slot.get((i, r), [])) == role.count)
    for roles in v.of_pi.values():
        if len(roles) > 1:
            m.model.add_at_most_one(x for _, x in roles)


def evaluate(prob, schedule, stats) -> Outcome:
    out = Outcome()
    for u in schedule.unmatched:
        out.violations.append(
            Violation(NAME, f"line {u.line}: {u.message}", u.person, u.shift or None, u.start or None)
        )
    for i, assigned in schedule.by_instance().items():
        inst = prob.instances[i]
        where = dict(shift=inst.shift, start=inst.start_iso)
        per_person = Counter(a.person for a in assigned)
        for p, n in per_person.items():
            if n > 1:
                out.violations.append(Violation(
                    NAME, f"{prob.people[p].id} holds {n} roles on one shift", prob.people[p].id, **where))
        for r, role in enumerate(inst.roles):
            people = [a.person for a in assigned if a.role == r]
            if len(people) != role.count:
                out.violations.append(Violation(
                    NAME, f"role {role.name} needs {role.count}, has {len(people)}", None, **where))
            for p in people:
                person = prob.people[p]
                if person.roles is not None and role.name not in person.roles:
                    out.violations.append(Violation(
                        NAME, f"{person.id} may not take role {role.name}", person.id, **where))
                missing = sorted(set(role.skills) - set(person.skills))
                if missing:
                    out.violations.append(Violation(
                        NAME, f"{person.id} lacks skill(s) {', '.join(missing)} for {role.name}",
                        person.id, **where))
    return out
