"""Capacity arithmetic before solving (``rota check``, the head of ``rota explain``): per
pattern, role and crew skill, the slots against the most the eligible people can give.

What one person can give is the smallest of the rule modules' ``capacity`` parts (each
the most that person can take under that rule alone: time off, rest, windows, caps,
weekends, night shifts ...), so a shortfall proves infeasibility. Cheap, no solver.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from constraints import RULES
from constraints.base import Rule

from .facts import Facts


@dataclass(frozen=True)
class CapacityLine:
    """Slots of one role (or crew skill) of one pattern against what the eligible people
    can give; ``short > 0`` proves infeasibility."""

    what: str
    slots: int
    eligible: int
    capacity: int
    limiting: str

    @property
    def short(self) -> int:
        return max(0, self.slots - self.capacity)

    def __str__(self) -> str:
        s = f"{self.what}: {self.slots} slots, {self.eligible} eligible people"
        if self.limiting:
            s += f", {self.limiting}"
        s += f" -> can give {self.capacity}"
        return s + (f" -> short by {self.short}" if self.short else "")


def most_takeable(prob: Facts, p: int, insts: Sequence[int], rules: Sequence[Rule] = RULES) -> tuple[int, list[str]]:
    """The most of ``insts`` person ``p`` could take (the smallest rule capacity), and the
    texts of the rules that limit it below ``len(insts)``."""
    most = len(insts)
    texts: list[str] = []
    for rule in rules:
        cap = rule.capacity(prob, p, insts)
        if cap is None or cap.most >= len(insts):
            continue
        most = min(most, cap.most)
        if cap.text and cap.text not in texts:
            texts.append(cap.text)
    return most, texts


def capacity(prob: Facts, rules: Sequence[Rule] = RULES) -> list[CapacityLine]:
    """Per pattern, role and crew skill: slots against the most the eligible people can
    give under every rule's ``capacity`` part. Cheap arithmetic, no solver."""
    out: list[CapacityLine] = []
    for pat in prob.scenario.shifts:
        insts = [i.index for i in prob.instances if i.shift == pat.name]
        if not insts:
            continue
        groups: list[tuple[str, int, list[int]]] = []
        for r, role in enumerate(pat.roles):
            able = [p for p in range(len(prob.people)) if prob.qualified(p, insts[0], r)]
            skills = f" [{'+'.join(role.skills)}]" if role.skills else ""
            groups.append((f"{pat.name} {role.name}{skills}", role.count * len(insts), able))
        for skill in pat.crew_skills:
            able = [p for p, person in enumerate(prob.people) if skill in person.skills]
            groups.append((f"{pat.name} crew skill {skill}", len(insts), able))
        total_slots = sum(r.count for r in pat.roles) * len(insts)
        able_any = [
            p for p in range(len(prob.people)) if any(prob.qualified(p, insts[0], r) for r in range(len(pat.roles)))
        ]
        groups.append((f"{pat.name} all roles", total_slots, able_any))
        takeable = {p: most_takeable(prob, p, insts, rules) for p in set().union(*(a for _, _, a in groups))}
        for what, slots, able in groups:
            cap = sum(takeable[p][0] for p in able)
            texts: list[str] = []
            for p in able:
                texts += [t for t in takeable[p][1] if t not in texts]
            lim = (
                (f"{', '.join(texts)} lets each take at most {max((takeable[p][0] for p in able), default=0)}")
                if texts
                else ""
            )
            out.append(CapacityLine(what, slots, len(able), cap, lim))
    return out
