"""The rule protocol: what every rule module (one per family, listed in build order in
``constraints/__init__.py``) provides, and what it returns when judging a schedule.

A module satisfies :class:`Rule` by defining, at module level:

- ``NAMES``: the rule names it reports (violations, penalties, objective terms);
- ``OBJECTIVE_ONLY``: it adds objective terms only (skipped when explaining infeasibility);
- ``RELAX``: how its hard constraints are grouped when explaining a conflict: per
  ``"person"``, per ``"instance"`` (shift), or ``"never"`` relaxed (physics, not policy);
- ``prune(prob)``: assignments the rule forbids outright, so no variable is created for
  them (may yield nothing);
- ``encode(m)``: add constraints and objective terms through the :class:`ModelBuilder`;
- ``evaluate(prob, schedule, stats) -> Outcome``: the same rule judged from the schedule
  alone, without the solver. This is the ground truth: the objective of every returned
  schedule equals the evaluators' penalty;
- ``describe(prob, person, instance) -> str``: its hard constraints in a team lead's words,
  for one person, one shift instance, or (both ``None``) everyone;
- ``relaxations(prob, person, instance) -> list[Relaxation]``: what a team lead could
  relax, cheapest (lowest ``rank``) first, as parameter changes where possible;
- ``capacity(prob, p, insts) -> Capacity | None``: the most person ``p`` could take of the
  instances ``insts`` under this rule alone (``rota check``'s capacity arithmetic);
- ``warm_start(prob) -> WarmCheck | None``: the rule's own incremental check that the
  greedy warm start (``optimizer.construct``) runs before placing a person;
- ``warm_cost(prob) -> WarmCost | None``: what placing a person would add to the rule's
  soft penalty (points, negative for a gain), which the greedy weighs when choosing
  among the people its checks admit.

``tests/constraints/test_protocol.py`` fails when a module in ``RULES`` lacks any of them.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol
from weakref import WeakKeyDictionary

from optimizer.facts import Facts
from optimizer.model import ModelBuilder
from optimizer.settings import Limit
from optimizer.stats import PersonStats
from optimizer.units import scaled

if TYPE_CHECKING:
    from optimizer.scenario import Scenario
    from optimizer.schedule import Schedule

__all__ = [
    "Capacity",
    "Facts",
    "ModelBuilder",
    "Outcome",
    "Penalty",
    "Placed",
    "Relaxation",
    "Rule",
    "Violation",
    "WarmCheck",
    "WarmCost",
    "cached_check",
    "no_capacity",
    "no_prune",
    "new_holidays",
    "no_warm_cost",
    "no_warm_start",
]


@dataclass(frozen=True)
class Relaxation:
    """A way to relax a rule, in a team lead's words. ``rank``: lower is cheaper to relax
    (a personal limit before dropping a requirement).

    ``change``, when given, is the relaxation as a parameter change of the scenario
    (``"raise max_weekends from 1 to 2"``): it returns the changed scenario, which
    ``rota explain`` solves to check that the change is enough. A text naming one person
    ends in ``" for <id>"``, so that explain can merge the same change for several people
    (``"... for the security holders (a, b)"``)."""

    text: str
    rank: int
    change: Callable[[Scenario], Scenario] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Capacity:
    """The most a person can take of some instances under one rule, and why (``text``,
    e.g. ``"min_rest 40d"``)."""

    most: int
    text: str


@dataclass
class Placed:
    """What the warm start has placed for one person so far (``starts`` ascending)."""

    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    cum_minutes: list[int] = field(default_factory=lambda: [0])  # prefix sums, minutes
    insts: list[int] = field(default_factory=list)  # same order as starts
    days: set[dt.date] = field(default_factory=set)  # own zone
    weekends: set[dt.date] = field(default_factory=set)  # Saturdays, team zone
    holidays: set[dt.date] = field(default_factory=set)
    by_type: Counter[str] = field(default_factory=Counter)
    load: int = 0  # hundredths

    @property
    def minutes(self) -> int:
        return self.cum_minutes[-1]


WarmCheck = Callable[[Placed, int, int], bool]
"""``check(placed, p, i)``: may person ``p`` (with ``placed`` so far) take instance ``i``?"""

WarmCost = Callable[[Placed, int, int], float]
"""``cost(placed, p, i)``: the points person ``p`` taking instance ``i`` would add to the
rule's soft penalty, given ``placed`` (negative: what it would save)."""

Grouping = Literal["person", "instance", "never"]


class Rule(Protocol):
    """A rule family's module (see the module docstring)."""

    @property
    def NAMES(self) -> tuple[str, ...]: ...  # noqa: N802 (module constants)

    @property
    def OBJECTIVE_ONLY(self) -> bool: ...  # noqa: N802

    @property
    def RELAX(self) -> Grouping: ...  # noqa: N802

    def prune(self, prob: Facts) -> Iterable[tuple[int, int]]: ...

    def encode(self, m: ModelBuilder) -> None: ...

    def evaluate(self, prob: Facts, schedule: Schedule, stats: Sequence[PersonStats]) -> Outcome: ...

    def describe(self, prob: Facts, person: int | None, instance: int | None) -> str: ...

    def relaxations(self, prob: Facts, person: int | None, instance: int | None) -> list[Relaxation]: ...

    def capacity(self, prob: Facts, p: int, insts: Sequence[int]) -> Capacity | None: ...

    def warm_start(self, prob: Facts) -> WarmCheck | None: ...

    def warm_cost(self, prob: Facts) -> WarmCost | None: ...

    def couples(self, prob: Facts) -> bool: ...


def no_prune(prob: Facts) -> Iterable[tuple[int, int]]:
    """``prune`` of a rule that forbids nothing outright."""
    return ()


def no_capacity(prob: Facts, p: int, insts: Sequence[int]) -> Capacity | None:
    """``capacity`` of a rule that limits no single person's share."""
    return None


def no_warm_start(prob: Facts) -> WarmCheck | None:
    """``warm_start`` of a rule the greedy need not check (soft, or a minimum)."""
    return None


def new_holidays(prob: Facts, placed: Placed, p: int, i: int) -> set[dt.date]:
    """Person ``p``'s own public holidays that instance ``i`` would add to ``placed``."""
    hol = prob.holidays[p]
    if not hol:
        return set()
    return {d for d in prob.days_of(p, i) if d in hol} - placed.holidays


def no_warm_cost(prob: Facts) -> WarmCost | None:
    """``warm_cost`` of a rule whose soft penalty the greedy does not weigh (hard only, or
    one that looks ahead: minimum rules, runs, stability)."""
    return None


def per_person(prob: Facts) -> bool:
    """``couples`` of a rule whose hard constraints bind each person alone (or that has
    none): a schedule breaking only such rules can be mended one person at a time."""
    return False


def person_id(prob: Facts, person: int | None) -> str:
    return prob.people[person].id if person is not None and person >= 0 else ""


def plural(k: int, word: str) -> str:
    return f"{k} {word}" + ("" if k == 1 else "s")


def hard(spec: Limit | None) -> bool:
    """The limit is given and hard."""
    return spec is not None and not spec.soft


@dataclass(frozen=True)
class Violation:
    """A broken hard rule."""

    rule: str
    message: str
    person: str | None = None
    shift: str | None = None
    start: str | None = None


@dataclass(frozen=True)
class Penalty:
    """A soft cost: ``amount`` (hundredths of the rule's unit) × ``weight`` points."""

    rule: str
    person: str | None
    amount_centi: int
    weight: float
    detail: str = ""

    @property
    def cost(self) -> int:
        """Internal objective units (see ``optimizer.units``)."""
        return scaled(self.weight) * self.amount_centi

    @property
    def amount(self) -> float:
        return self.amount_centi / 100


@dataclass
class Outcome:
    """What a rule's ``evaluate`` finds: hard violations and soft penalties."""

    violations: list[Violation] = field(default_factory=list)
    penalties: list[Penalty] = field(default_factory=list)

    def over(
        self,
        rule: str,
        spec: Limit,
        person: str | None,
        amount: int,
        detail: str,
        where: tuple[str | None, str | None] = (None, None),
    ) -> None:
        """Record ``amount`` units over a limit: a violation if hard, a penalty if soft."""
        if amount <= 0:
            return
        if spec.soft:
            if spec.weight:
                self.penalties.append(Penalty(rule, person, 100 * amount, spec.weight, detail))
        else:
            self.violations.append(Violation(rule, detail, person, where[0], where[1]))


# --------------------------------------------------------------------------- shared helpers


def sliding(starts: Sequence[int], width: int) -> list[tuple[int, int]]:
    """For sorted ``starts``, the index range [k, last) of the window [starts[k], starts[k] + width)."""
    out, last = [], 0
    for k, s in enumerate(starts):
        last = max(last, k)
        while last < len(starts) and starts[last] < s + width:
            last += 1
        out.append((k, last))
    return out


def place(prob: Facts, placed: Placed, p: int, i: int, load: int = 0) -> None:
    """Record that person ``p`` takes instance ``i`` (the warm start's bookkeeping)."""
    inst = prob.instances[i]
    k = bisect.bisect_right(placed.starts, inst.start)
    minutes = inst.seconds // 60
    if k == len(placed.starts):
        placed.starts.append(inst.start)
        placed.ends.append(inst.end)
        placed.insts.append(i)
        placed.cum_minutes.append(placed.cum_minutes[-1] + minutes)
    else:  # placed out of start order (frozen baseline assignments)
        placed.starts.insert(k, inst.start)
        placed.ends.insert(k, inst.end)
        placed.insts.insert(k, i)
        mins = [b - a for a, b in zip(placed.cum_minutes, placed.cum_minutes[1:], strict=False)]
        mins.insert(k, minutes)
        placed.cum_minutes = [0]
        for mm in mins:
            placed.cum_minutes.append(placed.cum_minutes[-1] + mm)
    days = prob.days_of(p, i)
    placed.days.update(days)
    placed.weekends.update(prob.weekends_of(i))
    hol = prob.holidays[p]
    placed.holidays.update(d for d in days if d in hol)
    placed.by_type[inst.shift] += 1
    placed.load += load


def greedy_count(prob: Facts, p: int, insts: Sequence[int], check: WarmCheck, by_end: bool = False) -> int:
    """How many of ``insts`` person ``p`` takes when taking each, earliest first (by end when
    ``by_end``), that ``check`` admits. The maximum for rest gaps (by end) and for count
    windows over starts; an estimate otherwise."""
    key = (lambda i: (prob.instances[i].end, i)) if by_end else (lambda i: (prob.instances[i].start, i))
    placed = Placed()
    n = 0
    for i in sorted(insts, key=key):
        if check(placed, p, i):
            place(prob, placed, p, i)
            n += 1
    return n


def largest_groups_bound(groups: dict[dt.date, set[int]], free: int, cap: int) -> int:
    """Upper bound on instances takeable when at most ``cap`` of the ``groups`` (dates or
    weekends, each the instances touching it) may be used: ``free`` untouched instances
    plus the ``cap`` largest groups."""
    sizes = sorted((len(g) for g in groups.values()), reverse=True)
    return free + sum(sizes[:cap])


def no_describe(prob: Facts, person: int | None, instance: int | None) -> str:
    """``describe`` of a rule without hard constraints."""
    return ""


def no_relaxations(prob: Facts, person: int | None, instance: int | None) -> list[Relaxation]:
    """``relaxations`` of a rule without hard constraints."""
    return []


# --------------------------------------------------------------------------- parameter changes


def rule_change(name: str, spec: Limit, **update: object) -> Callable[[Scenario], Scenario]:
    """The scenario with team rule ``rules.<name>`` changed (``count=2``); a relaxation's ``change``."""
    new = spec.model_copy(update=update)
    return lambda sc: sc.with_rules(**{name: new})


def person_change(pid: str, **update: object) -> Callable[[Scenario], Scenario]:
    """The scenario with person ``pid``'s fields changed (``max_shifts=3``); a relaxation's ``change``."""

    def change(sc: Scenario) -> Scenario:
        return sc.replace(people=tuple(p.model_copy(update=update) if p.id == pid else p for p in sc.people))

    return change


def new_person(sc: Scenario, prefix: str, **fields: object) -> Scenario:
    """``sc`` with one more person (id ``prefix``, ``prefix_2``, ... whichever is free) with ``fields``."""
    taken = {p.id for p in sc.people}
    pid, k = prefix, 1
    while pid in taken:
        k += 1
        pid = f"{prefix}_{k}"
    return sc.with_person({"id": pid, **fields})


def raises(count: int, steps: int = 3) -> list[int]:
    """The next ``steps`` values above a count cap: a relaxation ladder, smallest change first."""
    return [count + k for k in range(1, steps + 1)]


_CHECKS: WeakKeyDictionary[Facts, dict[str, WarmCheck | None]] = WeakKeyDictionary()


def cached_check(prob: Facts, key: str, make: Callable[[Facts], WarmCheck | None]) -> WarmCheck | None:
    """``make(prob)`` once per problem and ``key``: the capacity parts ask for their warm
    start check for every person and, in ``rota check``'s per-shift lines, every shift."""
    got = _CHECKS.setdefault(prob, {})
    if key not in got:
        got[key] = make(prob)
    return got[key]
