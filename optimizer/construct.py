"""A constructive first schedule (warm start): a fast greedy that respects the hard rules.

Large scenarios take CP-SAT minutes to find any schedule. :func:`construct` builds one in
seconds, to be passed to the solver as a hint (``solve(..., hint=construct(problem))``).

How it works
------------
Shift instances are filled in order of start (the order of ``problem.instances``). Each
role of an instance needs ``count_on(date)`` people; the roles with the fewest feasible
candidates are filled first. A candidate for a role must be qualified
(``problem.qualified_people``), not on hard time off, not already on the instance, and
must pass every rule module's warm-start check (``warm_start`` of
:class:`constraints.base.Rule`: overlap and ``min_rest``, sliding windows, runs of days,
weekends, night shifts, public holidays, per-person and team caps, forbidden next-day
successions ...) given what is already placed; crew skills and frozen instances of a
re-plan are handled here.

Each check is incremental and per person (on :class:`constraints.base.Placed`: sorted
starts, cumulative minutes, days on call, weekends, holidays, counts), so the greedy costs
O(slots × candidates tried): it never calls the full evaluator. Because instances are
placed in start order, a new assignment is always a person's latest start, so rest and
window checks only look backwards.

Among feasible candidates the greedy prefers, in order: the baseline's person (when
re-planning), the lowest *score*, then a seeded random order (same seed, same schedule).
The score is the person's (load + history) / fte so far (load in hundredths,
``problem.load``) plus what taking the shift would add to the soft penalties, as each
rule module prices it (``warm_cost``: soft time off and holidays, shift requests,
weekends and holidays per FTE), one point counting as ``COST_HOURS`` load-hours.

Crew skills: the members of an instance are chosen by a small depth-first search over
its slots, in preference order, that accepts the first full crew covering every crew
skill (the last member must hold every skill still missing). If no such crew exists
within a node budget, the slots are filled preferring people who add missing skills, and
one slot is left empty so that the shortfall shows as unfilled, not as a wrong crew.

Minimum-type rules (``min_hours``, ``min_consecutive_days``, ``min_consecutive_days_off``)
and the soft rules without a ``warm_cost`` are not considered: the result is a
hint. A slot nobody can take is left empty and the greedy continues, so the schedule may
be partial; :func:`construct_report` says how much was filled and what
:func:`optimizer.verify.evaluate` finds.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from typing import Any

from constraints import RULES
from constraints.base import Placed, WarmCheck, WarmCost, place

from .facts import start_dates
from .problem import Problem
from .schedule import Assignment, Schedule
from .verify import evaluate

CREW_NODE_BUDGET = 4000  # depth-first search nodes per instance before giving up
# one point of soft penalty weighs as much as this many load-hours (per FTE) in the choice
COST_HOURS = 20


class _Builder:
    """Greedy state and the rules' incremental checks (see the module docstring)."""

    def __init__(self, prob: Problem, seed: int) -> None:
        self.prob = prob
        self.checks: list[WarmCheck] = [c for rule in RULES if (c := rule.warm_start(prob)) is not None]
        self.costs: list[WarmCost] = [w for rule in RULES if (w := rule.warm_cost(prob)) is not None]
        self.state = [Placed() for _ in prob.people]
        self.mine: list[set[int]] = [set() for _ in prob.people]
        self.dates = start_dates(prob)
        order = list(range(len(prob.people)))
        random.Random(seed).shuffle(order)
        self.rank = {p: k for k, p in enumerate(order)}
        self.fte = [prob.fte_pct(p) for p in range(len(prob.people))]
        self.history = [prob.history_centi(p) for p in range(len(prob.people))]
        self.stats: Counter[str] = Counter()  # checks, crew searches, crew failures (for reports)

    # ------------------------------------------------------------------ checks

    def feasible(self, p: int, i: int) -> bool:
        """Can ``p`` take instance ``i`` (any role it is qualified for) without breaking a
        hard rule's warm-start check, given what is placed? (Qualification is checked by the caller.)"""
        self.stats["checks"] += 1
        if i in self.mine[p]:
            return False
        st = self.state[p]
        return all(check(st, p, i) for check in self.checks)

    def preference(self, p: int, i: int) -> tuple[int, int]:
        """Sort key of a feasible candidate (lower is better)."""
        st = self.state[p]
        points = sum(cost(st, p, i) for cost in self.costs)
        # (load + history) / fte + points as load-hours, in 1/10 000 of a hundredth (integer)
        value = (st.load + self.history[p]) * 10_000 // self.fte[p] + round(points * COST_HOURS * 10_000)
        return (value, self.rank[p])

    # ------------------------------------------------------------------ placing

    def place(self, p: int, i: int, r: int) -> None:
        self.mine[p].add(i)
        place(self.prob, self.state[p], p, i, self.prob.load(p, i, r))


def _slots(prob: Problem, i: int, date: dt.date) -> list[int]:
    """Role index of every person-slot of instance ``i`` (a role of count n gives n slots)."""
    out = []
    for r, role in enumerate(prob.instances[i].roles):
        out.extend([r] * role.count_on(date))
    return out


def _fill_instance(b: _Builder, i: int) -> list[Assignment]:
    prob = b.prob
    inst = prob.instances[i]
    slots = _slots(prob, i, b.dates[i])
    if not slots:
        return []
    baseline = prob.baseline_slots
    feasible: dict[int, list[int]] = {}  # role -> feasible candidates, best first
    for r in set(slots):
        cands = [p for p in prob.qualified_people.get((inst.shift, r), ()) if b.feasible(p, i)]
        keep = baseline.get((i, r), ())
        cands.sort(key=lambda p: (p not in keep, *b.preference(p, i)))
        feasible[r] = cands
    slots.sort(key=lambda r: (len(feasible[r]), r))  # fewest candidates first
    crew = tuple(inst.pattern.crew_skills)
    if crew:
        skills = [frozenset(prob.people[p].skills) for p in range(len(prob.people))]
        picked = _crew_search(b, slots, feasible, frozenset(crew), skills)
        if picked is not None:
            return [Assignment(i, r, p) for r, p in zip(slots, picked, strict=True)]
        b.stats["crew_failures"] += 1
        return _crew_fallback(i, slots, feasible, frozenset(crew), skills)
    out, taken = [], set()
    for r in slots:
        p = next((q for q in feasible[r] if q not in taken), None)
        if p is not None:
            taken.add(p)
            out.append(Assignment(i, r, p))
    return out


def _crew_search(b, slots, feasible, crew, skills) -> list[int] | None:
    """First full crew, in preference order, that holds every crew skill (or None)."""
    n = len(slots)
    # skills the slots from k on could still bring (ignoring who is taken): for pruning
    reach: list[frozenset[str]] = [frozenset()] * (n + 1)
    for k in range(n - 1, -1, -1):
        union = set(reach[k + 1])
        for p in feasible[slots[k]]:
            union |= skills[p]
        reach[k] = frozenset(union)
    budget = [CREW_NODE_BUDGET]
    picked: list[int] = []

    def go(k: int, missing: frozenset) -> bool:
        if k == n:
            return not missing
        if not missing <= reach[k]:
            return False
        last = k == n - 1
        for p in feasible[slots[k]]:
            if p in picked or (last and not missing <= skills[p]):
                continue
            budget[0] -= 1
            if budget[0] < 0:
                return False
            picked.append(p)
            if go(k + 1, missing - skills[p]):
                return True
            picked.pop()
        return False

    b.stats["crew_searches"] += 1
    return list(picked) if go(0, crew) else None


def _crew_fallback(
    i: int, slots: list[int], feasible: dict[int, list[int]], crew: frozenset[str], skills: list[frozenset[str]]
) -> list[Assignment]:
    """No full crew covers the crew skills: fill preferring people who add missing skills,
    and leave one slot empty (the shortfall shows as an unfilled slot): a slot nobody can
    take if there is one, else the last."""
    out: list[Assignment] = []
    taken: set[int] = set()
    missing = set(crew)
    for r in slots:
        free = [p for p in feasible[r] if p not in taken]
        if not free:
            continue
        p = max(free, key=lambda q: len(missing & skills[q]))  # ties: first (preferred)
        taken.add(p)
        missing -= skills[p]
        out.append(Assignment(i, r, p))
    if len(out) == len(slots):
        out.pop()
    return out


def construct(problem: Problem, seed: int = 0, stats: dict[str, int] | None = None) -> Schedule:
    """A schedule built greedily, slot by slot, that keeps every hard maximum-type rule.

    Parameters
    ----------
    problem
        The compiled scenario (with its baseline, if re-planning: frozen instances keep
        their baseline people; the baseline's person is preferred elsewhere).
    seed
        Tie-break order among equally loaded people. Same seed, same schedule.
    stats
        If given, receives counters: ``checks`` (candidate checks), ``crew_searches`` and
        ``crew_failures`` (instances where no full crew covered the crew skills).

    Returns
    -------
    Schedule
        Possibly partial (slots nobody could take are left empty). ``source`` is
        ``"construct(seed=N)"``. Use it as a solver hint: ``solve(scenario, hint=...)``.
    """
    b = _Builder(problem, seed)
    out: list[Assignment] = []
    for i in range(len(problem.instances)):
        if i in problem.frozen:
            placed = [
                Assignment(i, r, p)
                for r in range(len(problem.instances[i].roles))
                for p in sorted(problem.baseline_slots.get((i, r), ()))
            ]
        else:
            placed = _fill_instance(b, i)
        for a in placed:
            b.place(a.person, a.instance, a.role)
        out.extend(placed)
    if stats is not None:
        stats.update(b.stats)
    return Schedule(problem, out, source=f"construct(seed={seed})")


def slot_counts(schedule: Schedule) -> tuple[int, int]:
    """(filled, total) person-slots: a role of count n on an instance is n slots; people
    beyond a role's count do not fill anything."""
    prob = schedule.problem
    dates = start_dates(prob)
    held = Counter((a.instance, a.role) for a in schedule.assignments)
    total = filled = 0
    for i, inst in enumerate(prob.instances):
        for r, role in enumerate(inst.roles):
            need = role.count_on(dates[i])
            total += need
            filled += min(need, held[(i, r)])
    return filled, total


def construct_report(schedule: Schedule) -> dict[str, Any]:
    """How complete a constructed schedule is and which hard rules it breaks.

    Parameters
    ----------
    schedule
        Usually the result of :func:`construct` (any schedule works).

    Returns
    -------
    dict
        ``filled``, ``total`` (person-slots), ``share`` (filled / total, 1.0 when there
        is nothing to fill), ``unfilled_instances`` (number of instances with an empty
        slot), ``violations`` (every hard violation :func:`optimizer.verify.evaluate`
        finds, as dicts with rule, person, shift, start, message) and ``other_violations``
        (those not explained by an empty slot: everything except coverage shortfalls
        "needs N, has M" with M < N and crew-skill shortfalls on instances with an empty
        slot).
    """
    prob = schedule.problem
    filled, total = slot_counts(schedule)
    dates = start_dates(prob)
    held = Counter((a.instance, a.role) for a in schedule.assignments)
    short: set[tuple[str, str]] = set()
    for i, inst in enumerate(prob.instances):
        if any(held[(i, r)] < role.count_on(dates[i]) for r, role in enumerate(inst.roles)):
            short.add((inst.shift, inst.start_iso))
    ev = evaluate(schedule)
    rows = [
        {k: (None if v != v else v) for k, v in row.items()}  # NaN -> None
        for row in ev.violations.to_dict("records")
    ]

    def explained(v: dict) -> bool:
        if (v["shift"], v["start"]) not in short:
            return False
        if v["rule"] == "crew_skills":
            return True
        if v["rule"] == "coverage" and " needs " in v["message"]:
            need, has = v["message"].rsplit(" needs ", 1)[1].split(", has ")
            return int(has) < int(need)
        return False

    return {
        "filled": filled,
        "total": total,
        "share": filled / total if total else 1.0,
        "unfilled_instances": len(short),
        "violations": rows,
        "other_violations": [v for v in rows if not explained(v)],
    }
