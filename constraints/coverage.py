"""Coverage: every role of every instance gets exactly ``count`` distinct eligible people,
and nobody holds two roles in one instance. Hard by default.

The count of an instance is ``counts[date]`` (local start date) if given, else ``count``.
Soft cover (opt-in, a role with ``under_weight`` and/or ``over_weight``): with ``n`` people
in the role and ``c`` the count, the role costs ``under_weight × max(0, c - n) +
over_weight × max(0, n - c)`` points (rules ``cover_under`` / ``cover_over``); there is no
hard bound other than ``n >= 0``.

Eligible: holds all the role's skills, and the role is in the person's ``roles`` if
they list any.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

from optimizer.facts import start_dates
from optimizer.model import total
from optimizer.suggest import closest

from .base import (
    Facts,
    Grouping,
    Outcome,
    Penalty,
    Relaxation,
    Violation,
    new_person,
    no_capacity,
    no_prune,
    no_warm_cost,
    no_warm_start,
    person_change,
)

if TYPE_CHECKING:
    from optimizer.scenario import RoleSpec, Scenario

NAME = "coverage"
NAME_UNDER = "cover_under"
NAME_OVER = "cover_over"


NAMES = (NAME, NAME_UNDER, NAME_OVER)
OBJECTIVE_ONLY = False
RELAX: Grouping = "instance"
RANK = 90
prune = no_prune


def encode(m) -> None:
    prob, v = m.problem, m.vars
    dates = start_dates(prob)
    for i, inst in enumerate(prob.instances):
        for r, role in enumerate(inst.roles):
            if role.soft and not m.priced:
                continue  # a soft count only prices (a model of the hard rules: optimizer.repair)
            need = role.count_on(dates[i])
            cands = v.of_slot.get((i, r), [])
            n = total([x for _, x in cands])
            if not role.soft:
                m.model.add(n == need)
                continue
            # under = max(0, need - n) exactly; over = n - need + under = max(0, n - need).
            # The plain inequality keeps the bound in CP-SAT's default LP relaxation (which
            # leaves out lin_max and enforced constraints); the enforced pair makes it exact.
            if need > 0:
                under = m.model.new_int_var(0, need, f"under_{i}_{r}")
                short = m.model.new_bool_var(f"short_{i}_{r}")
                m.model.add(under >= need - n)
                m.model.add(under == need - n).only_enforce_if(short)
                m.model.add(under == 0).only_enforce_if(short.Not())
                m.model.add(n >= need).only_enforce_if(short.Not())
            else:
                under = 0
            m.penalize(NAME_UNDER, None, role.under_weight or 0, under)
            if cands:
                m.penalize(NAME_OVER, None, role.over_weight or 0, n - need + under)
    for roles in v.several_roles:
        m.model.add_at_most_one([x for _, x in roles])


def evaluate(prob, schedule, stats) -> Outcome:
    out = Outcome()
    dates = start_dates(prob)
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
                pid = prob.people[p].id
                out.violations.append(Violation(NAME, f"{pid} holds {n} roles on one shift", pid, **where))
        for r, role in enumerate(inst.roles):
            people = [a.person for a in assigned if a.role == r]
            need = role.count_on(dates[i])
            if role.soft:
                short, extra = max(0, need - len(people)), max(0, len(people) - need)
                if short and role.under_weight:
                    out.penalties.append(
                        Penalty(
                            NAME_UNDER,
                            None,
                            100 * short,
                            role.under_weight,
                            f"{inst.label} role {role.name}: {len(people)} of {need} (short {short})",
                        )
                    )
                if extra and role.over_weight:
                    out.penalties.append(
                        Penalty(
                            NAME_OVER,
                            None,
                            100 * extra,
                            role.over_weight,
                            f"{inst.label} role {role.name}: {len(people)} of {need} ({extra} extra)",
                        )
                    )
            elif len(people) != need:
                out.violations.append(
                    Violation(NAME, f"role {role.name} needs {need}, has {len(people)}", None, **where)
                )
            for p in people:
                person = prob.people[p]
                if person.roles is not None and role.name not in person.roles:
                    out.violations.append(
                        Violation(NAME, f"{person.id} may not take role {role.name}", person.id, **where)
                    )
                missing = sorted(set(role.skills) - set(person.skills))
                if missing:
                    out.violations.append(
                        Violation(
                            NAME, f"{person.id} lacks skill(s) {', '.join(missing)} for {role.name}", person.id, **where
                        )
                    )
    return out


def _when(prob: Facts, i: int) -> str:
    inst = prob.instances[i]
    return f"{inst.shift} {inst.start_iso[:10]}"


def describe(prob: Facts, person: int | None, instance: int | None) -> str:
    if instance is not None and instance >= 0:
        roles = ", ".join(f"{r.count} {r.name}" for r in prob.instances[instance].roles)
        return f"shift {_when(prob, instance)} needs {roles} (coverage)"
    if person is not None and person >= 0:
        return "a role that nobody is eligible for (coverage)"
    return "every role of every shift filled (coverage)"


def _more_people(n: int, prefix: str, skills: tuple[str, ...]) -> Callable[[Scenario], Scenario]:
    def change(sc: Scenario) -> Scenario:
        for _ in range(n):
            sc = new_person(sc, prefix, skills=list(skills))
        return sc

    return change


def _swap_skill(pattern: str, role: str, old: str, new: str) -> Callable[[Scenario], Scenario]:
    """The scenario with role ``role`` of ``pattern`` needing skill ``new`` instead of ``old``."""

    def change(sc: Scenario) -> Scenario:
        shifts = [s.model_dump(by_alias=True) for s in sc.shifts]
        for s in shifts:
            if s["name"] == pattern:
                for r in s["roles"]:
                    if r["name"] == role:
                        r["skills"] = [new if k == old else k for k in r["skills"]]
        return sc.replace(shifts=shifts)

    return change


def _role_changes(prob: Facts, pattern: str, role: RoleSpec) -> list[Relaxation]:
    """Parameter changes that give a role more people: a misspelt skill nobody holds
    replaced by the nearest held one, a person's ``roles`` widened, more people."""
    out = []
    what = f"{pattern} {role.name}" + (f" [{'+'.join(role.skills)}]" if role.skills else "")
    held = sorted({k for p in prob.people for k in p.skills})
    for skill in role.skills:
        near = closest(skill, held) if skill not in held else None
        if near is not None:
            out.append(
                Relaxation(
                    f"require {near} instead of {skill} for {pattern} {role.name} (nobody holds {skill})",
                    RANK - 40,
                    _swap_skill(pattern, role.name, skill, near),
                )
            )
    for p in prob.people:
        if p.roles is not None and role.name not in p.roles and set(role.skills) <= set(p.skills):
            out.append(
                Relaxation(
                    f"let {p.id} take {role.name} too (people[].roles)",
                    RANK - 20,
                    person_change(p.id, roles=(*p.roles, role.name)),
                )
            )
    for n, words in ((1, "one more person"), (2, "two more people")):
        out.append(
            Relaxation(f"{words} who can take {what}", RANK - 10 + n, _more_people(n, f"new_{role.name}", role.skills))
        )
    return out


def relaxations(prob: Facts, person: int | None, instance: int | None) -> list[Relaxation]:
    if instance is None or instance < 0:
        out = [Relaxation("let roles go unfilled at a cost (roles[].under_weight)", RANK)]
        for pat in prob.scenario.shifts:  # not narrowed down: every hard role's changes
            for role in pat.roles:
                if not role.soft:
                    out += _role_changes(prob, pat.name, role)
        return out
    inst = prob.instances[instance]
    out = [Relaxation(f"find extra cover for {_when(prob, instance)} (or leave a role unfilled that week)", RANK)]
    for role in inst.roles:
        if not role.soft:
            out += _role_changes(prob, inst.shift, role)
    return out


capacity = no_capacity  # coverage is the demand side of the capacity arithmetic
warm_start = no_warm_start  # the warm start fills each slot with qualified people itself
warm_cost = no_warm_cost  # no soft penalty the greedy weighs


def couples(prob: Facts) -> bool:
    """An exact (hard) count binds the people of a slot together; a soft target does not."""
    return any(not role.soft for pat in prob.scenario.shifts for role in pat.roles)
