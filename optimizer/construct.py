"""A constructive first schedule (warm start): a fast greedy that respects the hard rules.

Large scenarios take CP-SAT minutes to find any schedule. :func:`construct` builds one in
seconds, to be passed to the solver as a hint (``solve(..., hint=construct(problem))``).

How it works
------------
Shift instances are filled in order of start (the order of ``problem.instances``). Each
role of an instance needs ``count_on(date)`` people; the roles with the fewest feasible
candidates are filled first. A candidate for a role must be qualified
(``problem.qualified_people``), not on hard time off, not already on the instance, and
must keep every *hard* maximum-type rule satisfied given what is already placed:

- overlap and ``min_rest``; sliding-window ``max_shifts`` / ``max_hours``;
- ``max_consecutive_days`` (team rule and per person); ``max_weekends`` (team rule and
  per person); ``holidays: avoid`` and ``max_holidays``;
- per-person ``max_shifts``, ``max_hours``, ``max_shifts_by_type`` (``rules.person_caps``)
  and the team's ``max_share``;
- forbidden next-day successions (``not_followed_by``); crew skills; frozen instances of a
  re-plan keep their baseline people.

Each check is incremental and per person (sorted starts, cumulative minutes, days on call,
weekends, holidays, counts), so the greedy costs O(slots × candidates tried): it never
calls the full evaluator. Because instances are placed in start order, a new assignment
is always a person's latest start, so rest and window checks only look backwards.

Among feasible candidates the greedy prefers, in order: the baseline's person (when
re-planning), people whose (load + history) / fte so far is lowest (load in hundredths,
``problem.load``), with soft time off and soft holiday avoidance added to that load as
a penalty, then a seeded random order (same seed, same schedule).

Crew skills: the members of an instance are chosen by a small depth-first search over
its slots, in preference order, that accepts the first full crew covering every crew
skill (the last member must hold every skill still missing). If no such crew exists
within a node budget, the slots are filled preferring people who add missing skills, and
one slot is left empty so that the shortfall shows as unfilled, not as a wrong crew.

Minimum-type rules (``min_hours``, ``min_consecutive_days``, ``min_consecutive_days_off``)
and soft rules other than the tie-breakers above are not considered: the result is a
hint. A slot nobody can take is left empty and the greedy continues, so the schedule may
be partial; :func:`construct_report` says how much was filled and what
:func:`optimizer.verify.evaluate` finds.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from .problem import Problem
from .schedule import Assignment, Schedule
from .timecalc import days_touched, weekends_touched

ONE_DAY = dt.timedelta(days=1)
CREW_NODE_BUDGET = 4000  # depth-first search nodes per instance before giving up


@dataclass
class _PersonState:
    """What is already placed for one person (starts ascending, by construction)."""

    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    cum_minutes: list[int] = field(default_factory=lambda: [0])  # prefix sums
    insts: set[int] = field(default_factory=set)
    days: set[dt.date] = field(default_factory=set)
    weekends: set[dt.date] = field(default_factory=set)
    holidays: set[dt.date] = field(default_factory=set)
    by_type: Counter = field(default_factory=Counter)
    load: int = 0  # hundredths

    @property
    def minutes(self) -> int:
        return self.cum_minutes[-1]


@dataclass(frozen=True)
class _HardRules:
    """The hard maximum-type rules, read once from the scenario."""

    rest: int  # seconds of rest required after a shift (0 when min_rest is absent/soft)
    windows_shifts: tuple[tuple[int, int], ...]  # (width s, count)
    windows_hours: tuple[tuple[int, int], ...]  # (width s, cap minutes)
    max_consecutive: int | None
    max_weekends: int | None
    avoid_holidays: bool
    max_holidays: int | None
    share_cap: int | None  # minutes
    person_caps: bool  # per-person caps are hard


def _hard_rules(prob: Problem) -> _HardRules:
    r = prob.scenario.rules
    share_cap = None
    if r.max_share is not None and not r.max_share.soft:
        h0, h1 = prob.horizon
        share_cap = int((h1 - h0) * r.max_share.share) // 60
    return _HardRules(
        rest=int(r.min_rest.duration.total_seconds()) if r.min_rest and not r.min_rest.soft else 0,
        windows_shifts=tuple(
            (int(w.within.total_seconds()), w.count) for w in r.max_shifts if not w.soft
        ),
        windows_hours=tuple(
            (int(w.within.total_seconds()), round(w.hours * 60)) for w in r.max_hours if not w.soft
        ),
        max_consecutive=(
            r.max_consecutive_days.count
            if r.max_consecutive_days and not r.max_consecutive_days.soft
            else None
        ),
        max_weekends=r.max_weekends.count if r.max_weekends and not r.max_weekends.soft else None,
        avoid_holidays=bool(r.holidays and r.holidays.mode == "avoid" and not r.holidays.soft),
        max_holidays=r.max_holidays.count if r.max_holidays and not r.max_holidays.soft else None,
        share_cap=share_cap,
        person_caps=not r.person_caps.soft,
    )


def _least(*caps: int | None) -> int | None:
    """The tightest of the given caps (``None``: no cap)."""
    given = [c for c in caps if c is not None]
    return min(given) if given else None


class _Builder:
    """Greedy state and per-person incremental checks (see the module docstring)."""

    def __init__(self, prob: Problem, seed: int) -> None:
        from .facts import instance_on, start_dates

        self.prob = prob
        self.rules = _hard_rules(prob)
        self.state = [_PersonState() for _ in prob.people]
        self.longest = max((inst.seconds for inst in prob.instances), default=0)
        self.dates = start_dates(prob)
        order = list(range(len(prob.people)))
        random.Random(seed).shuffle(order)
        self.rank = {p: k for k, p in enumerate(order)}
        self.fte = [prob.fte_pct(p) for p in range(len(prob.people))]
        self.history = [prob.history_centi(p) for p in range(len(prob.people))]
        own = self.rules.person_caps
        self.max_run = [
            _least(self.rules.max_consecutive, person.max_consecutive_days if own else None)
            for person in prob.people
        ]
        self.max_weekends = [
            _least(self.rules.max_weekends, person.max_weekends if own else None)
            for person in prob.people
        ]
        self._days: dict[tuple[ZoneInfo, int], list[dt.date]] = {}
        self._weekends: dict[int, list[dt.date]] = {}
        # forbidden next-day successions: instance -> instances it may not share a person with
        self.clash: dict[int, set[int]] = {}
        rules = {
            pat.name: pat.not_followed_by for pat in prob.scenario.shifts if pat.not_followed_by
        }
        if rules:
            for i, inst in enumerate(prob.instances):
                for other in rules.get(inst.shift, ()):
                    j = instance_on(prob, other, self.dates[i] + ONE_DAY)
                    if j is not None:
                        self.clash.setdefault(i, set()).add(j)
                        self.clash.setdefault(j, set()).add(i)
        # soft preferences used as tie-breakers (hundredths of load)
        r = prob.scenario.rules
        self.soft_holiday = (
            round(100 * r.holidays.weight)
            if r.holidays and r.holidays.mode == "avoid" and r.holidays.soft
            else 0
        )
        self.stats = Counter()  # checks, crew searches, crew failures (for reports)

    # ------------------------------------------------------------------ cached facts

    def days(self, p: int, i: int) -> list[dt.date]:
        tz = self.prob.tz[p]
        key = (tz, i)
        got = self._days.get(key)
        if got is None:
            inst = self.prob.instances[i]
            got = days_touched(inst.start, inst.end, tz)
            self._days[key] = got
        return got

    def weekends(self, i: int) -> list[dt.date]:
        got = self._weekends.get(i)
        if got is None:
            inst = self.prob.instances[i]
            got = weekends_touched(inst.start, inst.end, self.prob.team_tz)
            self._weekends[i] = got
        return got

    # ------------------------------------------------------------------ checks

    def feasible(self, p: int, i: int) -> bool:
        """Can ``p`` take instance ``i`` (any role it is qualified for) without breaking a
        hard maximum-type rule, given what is placed? (Qualification is checked by the caller.)"""
        prob, rules, st = self.prob, self.rules, self.state[p]
        self.stats["checks"] += 1
        if i in st.insts:
            return False
        inst = prob.instances[i]
        s = inst.start
        # overlap and rest: previous shifts all start at or before s
        k = len(st.starts) - 1
        horizon = s - self.longest - rules.rest
        while k >= 0 and st.starts[k] > horizon:
            if st.ends[k] + rules.rest > s:
                return False
            k -= 1
        if prob.hard_off[p] and prob.hard_time_off(p, i) is not None:
            return False
        minutes = inst.seconds // 60
        person = prob.people[p]
        if rules.person_caps:
            if person.max_shifts is not None and len(st.insts) + 1 > person.max_shifts:
                return False
            if person.max_hours is not None and st.minutes + minutes > round(person.max_hours * 60):
                return False
            cap = person.max_shifts_by_type.get(inst.shift)
            if cap is not None and st.by_type[inst.shift] + 1 > cap:
                return False
        if rules.share_cap is not None and st.minutes + minutes > rules.share_cap:
            return False
        for width, count in rules.windows_shifts:
            lo = bisect.bisect_right(st.starts, s - width)
            if len(st.starts) - lo + 1 > count:
                return False
        for width, cap in rules.windows_hours:
            lo = bisect.bisect_right(st.starts, s - width)
            if st.minutes - st.cum_minutes[lo] + minutes > cap:
                return False
        clash = self.clash.get(i)
        if clash and not clash.isdisjoint(st.insts):
            return False
        days = self.days(p, i)
        hol = prob.holidays[p]
        if hol and (rules.avoid_holidays or rules.max_holidays is not None):
            mine = [d for d in days if d in hol]
            if mine and rules.avoid_holidays:
                return False
            if rules.max_holidays is not None and len(st.holidays.union(mine)) > rules.max_holidays:
                return False
        n = self.max_run[p]
        if n is not None:
            lo, hi = days[0], days[-1]
            run = (hi - lo).days + 1
            while run <= n and lo - ONE_DAY in st.days:
                lo -= ONE_DAY
                run += 1
            while run <= n and hi + ONE_DAY in st.days:
                hi += ONE_DAY
                run += 1
            if run > n:
                return False
        cap = self.max_weekends[p]
        if cap is not None:
            new = sum(1 for w in self.weekends(i) if w not in st.weekends)
            if new and len(st.weekends) + new > cap:
                return False
        return True

    def preference(self, p: int, i: int) -> tuple:
        """Sort key of a feasible candidate (lower is better)."""
        prob, st = self.prob, self.state[p]
        penalty = 0
        inst = prob.instances[i]
        for iv in prob.soft_off[p]:
            if iv.start < inst.end and inst.start < iv.end:
                penalty += round(100 * iv.entry.weight)
        if (
            self.soft_holiday
            and prob.holidays[p]
            and any(d in prob.holidays[p] for d in self.days(p, i))
        ):
            penalty += self.soft_holiday
        # (load + history + penalty) / fte, in 1/10 000 of a hundredth (integer, exact enough)
        value = (st.load + self.history[p] + penalty) * 10_000 // self.fte[p]
        return (value, self.rank[p])

    # ------------------------------------------------------------------ placing

    def place(self, p: int, i: int, r: int) -> None:
        prob, st = self.prob, self.state[p]
        inst = prob.instances[i]
        k = bisect.bisect_right(st.starts, inst.start)
        if k == len(st.starts):
            st.starts.append(inst.start)
            st.ends.append(inst.end)
            st.cum_minutes.append(st.cum_minutes[-1] + inst.seconds // 60)
        else:  # only for frozen baseline assignments placed out of order (never in practice)
            st.starts.insert(k, inst.start)
            st.ends.insert(k, inst.end)
            mins = [b - a for a, b in zip(st.cum_minutes, st.cum_minutes[1:], strict=False)]
            mins.insert(k, inst.seconds // 60)
            st.cum_minutes = [0]
            for m in mins:
                st.cum_minutes.append(st.cum_minutes[-1] + m)
        st.insts.add(i)
        days = self.days(p, i)
        st.days.update(days)
        st.weekends.update(self.weekends(i))
        hol = prob.holidays[p]
        st.holidays.update(d for d in days if d in hol)
        st.by_type[inst.shift] += 1
        st.load += prob.load(p, i, r)


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
    skills = [frozenset(prob.people[p].skills) for p in range(len(prob.people))] if crew else None
    if crew:
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
    reach = [frozenset()] * (n + 1)
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


def _crew_fallback(i, slots, feasible, crew, skills) -> list[Assignment]:
    """No full crew covers the crew skills: fill preferring people who add missing skills,
    and leave the last slot empty (the shortfall shows as an unfilled slot)."""
    out, taken, missing = [], set(), set(crew)
    for r in slots[:-1]:
        free = [p for p in feasible[r] if p not in taken]
        if not free:
            continue
        p = max(free, key=lambda q: len(missing & skills[q]))  # ties: first (preferred)
        taken.add(p)
        missing -= skills[p]
        out.append(Assignment(i, r, p))
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
    from .facts import start_dates

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
    from .verify import evaluate

    prob = schedule.problem
    filled, total = slot_counts(schedule)
    from .facts import start_dates

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
