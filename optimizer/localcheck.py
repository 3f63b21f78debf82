"""The fast local check of small changes to a published schedule (used by swaps and the
absence Monte Carlo).

Swaps and the Monte Carlo judge many small changes to one schedule. :class:`LocalCheck` judges a
change by running the rule evaluators (the ground truth, ``constraints/``) on the part
of the schedule the change can affect: every assignment of the people it touches and
every assignment of the shift instances it touches. This is exact because of a property
of the evaluators, checked against the full :func:`optimizer.verify.evaluate` on random
cases in ``tests/test_whatif.py``:

- a violation that names a person depends only on that person's assignments;
- a violation that names no person names the shift instance whose assignments it
  depends on (coverage counts, crew skills).

A change's *new* violations are those of the part after the change that the part did
not have before (violations are compared by rule, person, shift, start and message, as
``rota explain`` does).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .problem import Problem
from .schedule import Assignment, Schedule
from .stats import person_stats
from .verify import Evaluation

ViolationKey = tuple[str, str | None, str | None, str | None, str]


def _none(x):
    return None if isinstance(x, float) and math.isnan(x) else x


def _key(v) -> ViolationKey:
    """A violation (object or DataFrame row, where a missing field reads as NaN) as a key."""
    return (v.rule, _none(v.person), _none(v.shift), _none(v.start), v.message)


def sorted_keys(keys: Iterable[ViolationKey]) -> list[ViolationKey]:
    """Violation keys in a stable order (missing fields first)."""
    return sorted(keys, key=lambda k: tuple("" if x is None else x for x in k))


def violation_keys(ev: Evaluation) -> set[ViolationKey]:
    """The violations of an evaluation as comparable keys (rule, person, shift, start, message)."""
    return {_key(v) for v in ev.violations.itertuples(index=False)}


def _judging_rules() -> list:
    from constraints import RULES

    return [r for r in RULES if not getattr(r, "OBJECTIVE_ONLY", False)]


# --------------------------------------------------------------------------- local checks


@dataclass
class _Part(Schedule):
    """Part of a schedule: ``by_person``/``by_instance`` list only the given people and
    instances, so the evaluators do not judge (or pay for) the rest."""

    people: frozenset[int] = frozenset()
    insts: frozenset[int] = frozenset()

    def __post_init__(self) -> None:  # the evaluators do not need the display order
        pass

    def by_person(self) -> dict[int, list[Assignment]]:
        out: dict[int, list[Assignment]] = {p: [] for p in sorted(self.people)}
        for a in self.assignments:
            if a.person in out:
                out[a.person].append(a)
        return out

    def by_instance(self) -> dict[int, list[Assignment]]:
        out: dict[int, list[Assignment]] = {i: [] for i in sorted(self.insts)}
        for a in self.assignments:
            if a.instance in out:
                out[a.instance].append(a)
        return out


class LocalCheck:
    """Fast hard-rule check of small changes to ``schedule`` (see the module docstring).

    Parameters
    ----------
    schedule
        The schedule the changes apply to. It is not modified.
    """

    def __init__(self, schedule: Schedule) -> None:
        self.schedule = schedule
        self.problem: Problem = schedule.problem
        self.mine = schedule.by_person()
        self.crew = schedule.by_instance()
        self._held = {(a.instance, a.person) for a in schedule.assignments}
        self._rules = _judging_rules()
        self._before: dict[tuple[frozenset[int], frozenset[int]], set[ViolationKey]] = {}
        self.checks = 0  # number of part evaluations (for tests and tuning)

    def holds(self, person: int, instance: int) -> bool:
        """Does ``person`` hold any role of ``instance`` in the schedule?"""
        return (instance, person) in self._held

    def could_take(self, person: int, instance: int, role: int) -> bool:
        """Quick necessary condition: qualified for the role, not already on the instance,
        not on hard time off then. (Each failure is a new violation of the evaluators.)"""
        prob = self.problem
        return (
            prob.qualified(person, instance, role)
            and not self.holds(person, instance)
            and prob.hard_time_off(person, instance) is None
        )

    def _judge(
        self,
        people: frozenset[int],
        insts: frozenset[int],
        remove: set[Assignment],
        add: Sequence[Assignment],
    ) -> set[ViolationKey]:
        prob = self.problem
        part: set[Assignment] = set()
        for p in people:
            part.update(self.mine.get(p, ()))
        for i in insts:
            part.update(self.crew.get(i, ()))
        part -= remove
        part.update(add)
        sched = _Part(prob, list(part), people=people, insts=insts)
        stats = person_stats(sched)
        ids = {prob.people[p].id for p in people}
        where = {(prob.instances[i].shift, prob.instances[i].start_iso) for i in insts}
        out: set[ViolationKey] = set()
        for rule in self._rules:
            for v in rule.evaluate(prob, sched, stats).violations:
                if v.person in ids or (v.person is None and (v.shift, v.start) in where):
                    out.add(_key(v))
        self.checks += 1
        return out

    def new_violations(
        self, remove: Iterable[Assignment], add: Iterable[Assignment], excuse: Iterable[int] = ()
    ) -> list[ViolationKey]:
        """Hard-rule violations that removing ``remove`` and adding ``add`` would create.

        Parameters
        ----------
        remove, add
            Assignments taken out of and put into the schedule.
        excuse
            People whose own violations do not count (an absent person's broken
            minimum hours is not the replacement's fault).

        Returns
        -------
        list of (rule, person, shift, start, message), sorted; empty when the change
        breaks no hard rule that the schedule did not already break.
        """
        remove, add = set(remove), list(add)
        people = frozenset(a.person for a in (*remove, *add)) - frozenset(excuse)
        insts = frozenset(a.instance for a in (*remove, *add))
        key = (people, insts)
        before = self._before.get(key)
        if before is None:
            before = self._judge(people, insts, set(), [])
            self._before[key] = before
        after = self._judge(people, insts, remove, add)
        return sorted_keys(after - before)

    def replacements(self, slot: Assignment, excuse_holder: bool = True) -> list[int]:
        """People who could take ``slot`` from its holder without a new hard violation
        (the holder's own violations excused unless ``excuse_holder`` is false)."""
        i, r, p = slot.instance, slot.role, slot.person
        out = []
        for q in range(len(self.problem.people)):
            if q == p or not self.could_take(q, i, r):
                continue
            if not self.new_violations([slot], [Assignment(i, r, q)], excuse=[p] if excuse_holder else []):
                out.append(q)
        return out
