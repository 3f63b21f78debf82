"""Crew skills: the people on an instance, together, hold every skill in the pattern's
``crew_skills`` (so the crew can escalate across infra, data, security, product). Hard."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .base import (
    Facts,
    Grouping,
    Outcome,
    Relaxation,
    Violation,
    new_person,
    no_capacity,
    no_prune,
    no_warm_cost,
    no_warm_start,
)

if TYPE_CHECKING:
    from optimizer.scenario import Scenario

NAME = "crew_skills"


NAMES = (NAME,)
OBJECTIVE_ONLY = False
RELAX: Grouping = "instance"
RANK = 80
prune = no_prune


def encode(m) -> None:
    prob, v = m.problem, m.vars
    for i, inst in enumerate(prob.instances):
        for skill in inst.pattern.crew_skills:
            holders = [
                v.works(p, i) for p, person in enumerate(prob.people) if skill in person.skills and (p, i) in v.of_pi
            ]
            m.note(m.model.add(sum(holders) >= 1), instance=i)


def evaluate(prob, schedule, stats) -> Outcome:
    out = Outcome()
    for i, assigned in schedule.by_instance().items():
        inst = prob.instances[i]
        have = {s for a in assigned for s in prob.people[a.person].skills}
        missing = [s for s in inst.pattern.crew_skills if s not in have]
        if missing:
            out.violations.append(Violation(NAME, f"crew lacks {', '.join(missing)}", None, inst.shift, inst.start_iso))
    return out


def describe(prob: Facts, person: int | None, instance: int | None) -> str:
    if instance is None or instance < 0:
        return "crews covering their crew skills (crew_skills)"
    inst = prob.instances[instance]
    return (
        f"the crew of {inst.shift} {inst.start_iso[:10]} must cover {', '.join(inst.pattern.crew_skills)} (crew_skills)"
    )


def _more_people(n: int, skills: tuple[str, ...]) -> Callable[[Scenario], Scenario]:
    def change(sc: Scenario) -> Scenario:
        for _ in range(n):
            sc = new_person(sc, "new_" + "_".join(skills), skills=list(skills))
        return sc

    return change


def relaxations(prob: Facts, person: int | None, instance: int | None) -> list[Relaxation]:
    if instance is None or instance < 0:
        return [Relaxation("drop the crew_skills requirements", RANK + 5)]
    inst = prob.instances[instance]
    skills = tuple(inst.pattern.crew_skills)
    out = [
        Relaxation(
            f"drop the {'/'.join(skills)} crew requirement on {inst.shift} {inst.start_iso[:10]}",
            RANK + 5,
        )
    ]
    options = [(k,) for k in skills] + ([skills] if len(skills) > 1 else [])
    for n, words in ((1, "one more person"), (2, "two more people")):
        out += [Relaxation(f"{words} with {', '.join(ks)}", RANK + n - 1, _more_people(n, ks)) for ks in options]
    return out


capacity = no_capacity  # the capacity lines count crew-skill holders per pattern themselves
warm_start = no_warm_start  # a crew, not a person: the warm start searches crews itself
warm_cost = no_warm_cost  # no soft penalty the greedy weighs


def couples(prob: Facts) -> bool:
    """A crew's skills are held jointly by its members."""
    return any(pat.crew_skills for pat in prob.scenario.shifts)
