"""Parameter changes that resolve a conflict: the rule modules' relaxations with a
``change`` (``"raise max_weekends from 1 to 2"``), gathered for the groups of a conflict
(for everyone, for the people in it, for its shifts), merged across people, and each
checked by the solver; cheapest first, one step of each ladder.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from constraints.base import Relaxation

from .assumptions import RULE_OF, Group, solvable
from .errors import InputError
from .problem import Problem
from .scenario import Scenario


@dataclass(frozen=True)
class Change:
    """A parameter change (``"raise max_weekends from 1 to 2"``) and the scenario it makes,
    which the solver found solvable."""

    text: str
    rank: int
    scenario: Scenario = field(compare=False, repr=False)


_NUMBER = re.compile(r"\b(\d+(\.\d+)?[a-z]*|one|two|three)\b")


def _ladder(text: str) -> str:
    """A change with its numbers taken out: the steps of one ladder ("raise max_weekends from
    1 to 2", "... to 3") share it, so explain stops climbing at the first that works."""
    return _NUMBER.sub("#", text).replace("people", "person")


def who(prob: Problem, ids: list[str]) -> str:
    """Several people as a team lead knows them: everyone, the holders of a skill, or by id."""
    if len(ids) < 2:
        return ", ".join(ids)
    chosen = set(ids)
    pool = {prob.people[p].id for p in prob.pool}
    if chosen == pool:
        return f"everyone ({', '.join(ids)})"
    for skill in sorted({k for p in prob.people for k in p.skills}):
        if chosen == {p.id for p in prob.people if skill in p.skills}:
            return f"the {skill} holders ({', '.join(ids)})"
    return ", ".join(ids)


def _compose(changes: list[Callable[[Scenario], Scenario]]) -> Callable[[Scenario], Scenario]:
    def change(sc: Scenario) -> Scenario:
        for c in changes:
            sc = c(sc)
        return sc

    return change


def _merge(prob: Problem, items: list[tuple[int, Relaxation]]) -> tuple[str, Callable[[Scenario], Scenario]]:
    """One change for several people: texts that differ only in their closing ``for <id>``
    become one ("raise max_shifts from 2 to 3 for a, b")."""
    parts: dict[str, list[str]] = {}
    for p, r in items:
        pid = prob.people[p].id
        tail = f" for {pid}"
        if r.text.endswith(tail):
            parts.setdefault(r.text[: -len(tail)], []).append(pid)
        else:
            parts.setdefault(r.text, [])
    text = "; ".join(f"{head} for {who(prob, ids)}" if ids else head for head, ids in parts.items())
    return text, _compose([r.change for _, r in items if r.change is not None])


def _candidates(prob: Problem, groups: list[Group]) -> list[tuple[int, str, str, Callable[[Scenario], Scenario]]]:
    """(rank, scope, text, change) of every parameter change the rule modules offer for
    the groups of a conflict: for everyone, for the people in it (merged, and one by one
    when they are few), for its shifts; cheapest first, then the fewest people changed."""
    out = []
    for fam in sorted({g.family for g in groups}):
        rule = RULE_OF.get(fam)
        if rule is None:
            continue
        everyone = len(prob.people)
        out += [
            (r.rank, everyone, f"{fam}/team", r.text, r.change) for r in rule.relaxations(prob, None, None) if r.change
        ]
        people = sorted({g.person for g in groups if g.family == fam and g.person >= 0})
        per = {p: [r for r in rule.relaxations(prob, p, None) if r.change] for p in people}
        for k in range(max((len(v) for v in per.values()), default=0)):
            items = [(p, per[p][k]) for p in people if k < len(per[p])]
            text, change = _merge(prob, items)
            out.append((min(r.rank for _, r in items), len(items), f"{fam}/people", text, change))
            if 1 < len(items) <= 4:  # one person's change may be enough: the smaller change
                out += [(r.rank, 1, f"{fam}/person", r.text, r.change) for _, r in items if r.change]
        seen: set[str] = set()
        for i in sorted({g.instance for g in groups if g.family == fam and g.instance >= 0}):
            for r in rule.relaxations(prob, None, i):
                if r.change and r.text not in seen:
                    seen.add(r.text)
                    out.append((r.rank, 1, f"{fam}/shifts", r.text, r.change))
    out.sort(key=lambda c: (c[0], c[1], c[2], c[3]))
    return [(rank, scope, text, change) for rank, _, scope, text, change in out]


def parameter_changes(prob: Problem, groups: list[Group], time_limit: float = 10.0, most: int = 5) -> list[Change]:
    """The parameter changes (rule modules' ``relaxations`` with a ``change``) for the
    groups of a conflict that make the whole scenario solvable, each checked by the
    solver; cheapest first, at most ``most``, one step of each ladder (the smallest that
    works). ``time_limit`` bounds the checks (wall-clock seconds)."""
    deadline = time.perf_counter() + time_limit
    found: list[Change] = []
    done_ladders: set[tuple[str, str]] = set()
    skip: set[str] = set()
    tried: set[str] = set()  # the same text is the same change (a team's and a shift's, say)
    for rank, scope, text, change in _candidates(prob, groups):
        left = deadline - time.perf_counter()
        if left <= 0 or len(found) >= most:
            break
        ladder = (scope, _ladder(text))  # one person's: the ladder of that person
        if ladder in done_ladders or scope in skip or text in tried:
            continue
        tried.add(text)
        try:
            changed = change(prob.scenario)
            ok = solvable(changed, min(5.0, left), left)
        except (InputError, ValueError):
            continue  # the change is not a valid scenario (e.g. a cap past its maximum)
        if ok:
            done_ladders.add(ladder)
            found.append(Change(text, rank, changed))
            if scope.endswith("/person"):  # one person's change is enough: not everyone's
                skip.add(scope.replace("/person", "/people"))
    return found
