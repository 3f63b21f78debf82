"""Crew skills: the people on an instance, together, hold every skill in the pattern's
``crew_skills`` (so the crew can escalate across infra, data, security, product). Hard."""

from __future__ import annotations

from .base import Outcome, Violation

NAME = "crew_skills"


def encode(m) -> None:
    prob, v = m.problem, m.vars
    for i, inst in enumerate(prob.instances):
        for skill in inst.pattern.crew_skills:
            holders = [
                v.works(p, i) for p, person in enumerate(prob.people)
                if skill in person.skills and (p, i) in v.of_pi
            ]
            m.note(m.model.add(sum(holders) >= 1), instance=i)


def evaluate(prob, schedule, stats) -> Outcome:
    out = Outcome()
    for i, assigned in schedule.by_instance().items():
        inst = prob.instances[i]
        have = {s for a in assigned for s in prob.people[a.person].skills}
        missing = [s for s in inst.pattern.crew_skills if s not in have]
        if missing:
            out.violations.append(Violation(
                NAME, f"crew lacks {', '.join(missing)}", None, inst.shift, inst.start_iso))
    return out


def prune(prob):
    return ()

OBJECTIVE_ONLY = False
