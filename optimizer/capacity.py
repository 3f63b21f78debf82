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
    texts of the rules that bind: those whose capacity is that smallest one."""
    found: list[tuple[int, str]] = []
    for rule in rules:
        cap = rule.capacity(prob, p, insts)
        if cap is not None and cap.most < len(insts):
            found.append((cap.most, cap.text))
    most = min((m for m, _ in found), default=len(insts))
    texts: list[str] = []
    for m, text in found:  # the rules that bind: a looser one does not limit p
        if m == most and text and text not in texts:
            texts.append(text)
    return most, texts


MAX_PAIRS = 20_000  # person x shift pairs above which the per-shift lines are skipped (about 0.1 ms each)


def _uncovered(
    prob: Facts, insts: list[int], groups: list[tuple[str, int, list[int]]], rules: Sequence[Rule]
) -> dict[str, CapacityLine]:
    """Shifts of one pattern that too few of a role's (or crew skill's) eligible people
    can take at all, each shift alone (everyone off over Christmas): a line per role with
    a shortage, naming the first such shifts."""
    people = set().union(*(a for _, _, a in groups))
    free: dict[int, set[int]] = {i: set() for i in insts}
    why: dict[int, list[str]] = {i: [] for i in insts}
    for p in people:
        for i in insts:
            most, texts = most_takeable(prob, p, [i], rules)
            if most:
                free[i].add(p)
            else:
                why[i] += [t for t in texts if t and t not in why[i]]
    out = {}
    for what, slots, able in groups:
        per = slots // len(insts)  # people needed per shift (1 for a crew skill)
        short = [i for i in insts if len(free[i] & set(able)) < per]
        if not short:
            continue
        can = sum(min(per, len(free[i] & set(able))) for i in short)
        dates = [prob.instances[i].start_iso[:10] for i in short]
        shown = ", ".join(dates[:3]) + (f" and {len(dates) - 3} more" if len(dates) > 3 else "")
        reasons = ", ".join(sorted({t for i in short for t in why[i]})) or "time off"  # its text is ""
        limit = f"{reasons} leaves too few free"
        out[what] = CapacityLine(f"{what} on {shown}", per * len(short), len(able), can, limit)
    return out


def capacity(prob: Facts, rules: Sequence[Rule] = RULES) -> list[CapacityLine]:
    """Per pattern, role and crew skill: slots against the most the eligible people can
    give under every rule's ``capacity`` part. Cheap arithmetic, no solver."""
    out: list[CapacityLine] = []
    per_shift = len(prob.people) * len(prob.instances) <= MAX_PAIRS  # the 300-person year: 17 s, skipped
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
        few = _uncovered(prob, insts, groups[: len(pat.roles) + len(pat.crew_skills)], rules) if per_shift else {}
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
            if what in few and not out[-1].short:  # enough in total, not on some shifts
                out.append(few[what])
    return out
