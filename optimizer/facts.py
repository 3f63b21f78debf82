"""The scenario compiled into facts: shift instances, per-person zones, holidays,
time-off intervals, qualification, local start dates, and the load of each possible
assignment.

These are *facts*, computed once and shared by the model builder and the evaluators.
No rule logic lives here: rules (``constraints/``) decide what the facts imply. The rule
set itself is given to :class:`Facts` (``optimizer.problem.Problem`` gives it rota's
``constraints.RULES``), so this module imports no rule.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo

import holidays as holidays_lib

from .calendar import ShiftInstance, expand, horizon_bounds, timing_key
from .scenario import Person, Scenario, TimeOff
from .timecalc import days_touched, midnight, split_kinds, weekends_touched, zone
from .units import load_centi

T = TypeVar("T")


class Published(Protocol):
    """What the facts need of a published schedule to re-plan from (``optimizer.replan.Baseline``)."""

    @property
    def keys(self) -> frozenset[tuple[str, int, str, str]]: ...

    @property
    def freeze_until(self) -> dt.date | None: ...

    def cost_weight(self, start: int, anchor: int) -> float: ...


class Pruning(Protocol):
    """The part of a rule module that forbids assignments outright (``constraints.base.Rule``)."""

    def prune(self, prob: Facts) -> Iterable[tuple[int, int]]: ...


def pruned(prob: Facts, rules: Iterable[Pruning]) -> frozenset[tuple[int, int]]:
    """(person, instance) pairs that some of ``rules`` forbid outright (the union of their ``prune``)."""
    out: set[tuple[int, int]] = set()
    for rule in rules:
        out.update(rule.prune(prob))
    return frozenset(out)


@dataclass(frozen=True)
class Interval:
    """A time-off interval [start, end) in epoch seconds, with the entry it came from."""

    start: int
    end: int
    entry: TimeOff
    index: int  # position in scenario.time_off


class Facts:
    """Facts derived from a :class:`Scenario` (immutable once built).

    ``baseline`` (optional) is a previously published schedule to re-plan from (see
    ``optimizer.replan``): its assignments before ``baseline.freeze_until`` are fixed
    and moving a later one costs points. ``rules`` are the rule modules whose ``prune``
    make :attr:`forbidden` (and so :attr:`pool`); usually ``constraints.RULES`` through
    ``optimizer.problem.Problem``.
    """

    def __init__(self, scenario: Scenario, baseline: Published | None = None, rules: Sequence[Pruning] = ()) -> None:
        self.scenario = scenario
        self.baseline = baseline
        self.rules: tuple[Pruning, ...] = tuple(rules)
        self.instances: list[ShiftInstance] = expand(scenario)
        self.people: tuple[Person, ...] = scenario.people
        self.person_index = {p.id: k for k, p in enumerate(self.people)}
        self.team_tz: ZoneInfo = zone(scenario.timezone)
        self.tz: list[ZoneInfo] = [zone(p.timezone or scenario.timezone) for p in self.people]
        self.horizon = horizon_bounds(scenario)
        self.holidays: list[frozenset[dt.date]] = self._holidays()
        self.hard_off: list[list[Interval]] = [[] for _ in self.people]
        self.soft_off: list[list[Interval]] = [[] for _ in self.people]
        self.prefer: list[list[Interval]] = [[] for _ in self.people]
        for k, t in enumerate(scenario.time_off):
            p = self.person_index[t.person]
            tz = self.tz[p]
            iv = Interval(midnight(t.from_, tz), midnight(t.to + dt.timedelta(days=1), tz), t, k)
            (self.hard_off if t.hard else self.soft_off if t.soft else self.prefer)[p].append(iv)
        self._kinds: dict[tuple[int, int], dict[str, int]] = {}
        self._loads: dict[tuple[int, int, int], int] = {}
        self._days: dict[tuple[ZoneInfo, int], list[dt.date]] = {}
        self._weekends: dict[int, list[dt.date]] = {}
        self._memo: dict[Hashable, object] = {}  # calendar_memo
        self.baseline_slots: dict[tuple[int, int], set[int]] = {}  # (instance, role) -> people
        self.frozen: set[int] = set()  # instances fixed to the baseline
        if baseline is not None:
            self._match_baseline(baseline)

    # caches that depend only on the instances' names and times
    _CALENDAR_CACHES = ("_starts", "start_dates", "_on_date", "_instances_of_shift")

    def adopt_calendar(self, other: Facts) -> bool:
        """Share ``other``'s caches of what depends only on the calendar (start dates, the
        instance index by date, the days and weekends each instance touches) when both
        scenarios expand to the same instances: the same horizon, zones and patterns'
        names and timing (``optimizer.repair``'s one-person problems). Returns whether they
        did; otherwise nothing changes."""
        if (timing_key(self.scenario) != timing_key(other.scenario)
                or [p.name for p in self.scenario.shifts] != [p.name for p in other.scenario.shifts]):
            return False
        self._days = other._days
        self._weekends = other._weekends
        self._memo = other._memo
        for name in self._CALENDAR_CACHES:
            self.__dict__[name] = getattr(other, name)
        return True

    def _match_baseline(self, baseline: Published) -> None:
        by_key = {(inst.shift, inst.start): inst.index for inst in self.instances}
        for shift, start, role, pid in sorted(baseline.keys):
            i = by_key.get((shift, start))
            p = self.person_index.get(pid)
            if i is None or p is None:
                continue  # the instance or the person no longer exists: nothing to keep
            r = self.role_index(i, role)
            if r is not None:
                self.baseline_slots.setdefault((i, r), set()).add(p)
        # instant the freeze ends (00:00 team zone); changes are weighed from here
        self.freeze_point = self.horizon[0]
        if baseline.freeze_until is not None:
            self.freeze_point = midnight(baseline.freeze_until, self.team_tz)
            self.frozen = {inst.index for inst in self.instances if inst.start < self.freeze_point}

    # ------------------------------------------------------------------ holidays

    def _holidays(self) -> list[frozenset[dt.date]]:
        s = self.scenario
        years = list(range(s.start.year - 1, s.end.year + 2))
        extra = {h.date for h in s.extra_holidays}
        cache: dict[tuple[str | None, str | None], frozenset[dt.date]] = {}
        out = []
        for p in self.people:
            key = (p.country, p.subdivision)
            if key not in cache:
                dates = set(extra)
                if p.country:
                    dates |= set(holidays_lib.country_holidays(p.country, subdiv=p.subdivision, years=years))
                cache[key] = frozenset(dates)
            out.append(cache[key])
        return out

    def holiday_names(self, p: int) -> dict[dt.date, str]:
        """Public holidays of person ``p`` in the horizon, with names (for reports)."""
        s = self.scenario
        person = self.people[p]
        names: dict[dt.date, str] = {h.date: h.name for h in s.extra_holidays}
        if person.country:
            years = list(range(s.start.year, s.end.year + 1))
            for d, n in holidays_lib.country_holidays(person.country, subdiv=person.subdivision, years=years).items():
                names.setdefault(d, n)
        return {d: n for d, n in sorted(names.items()) if s.start <= d <= s.end}

    # ------------------------------------------------------------------ eligibility

    def qualified(self, p: int, i: int, r: int) -> bool:
        """Person ``p`` holds every skill of role ``r`` of instance ``i`` and may take the role."""
        person = self.people[p]
        role = self.instances[i].roles[r]
        if person.roles is not None and role.name not in person.roles:
            return False
        return set(role.skills) <= set(person.skills)

    @cached_property
    def _starts(self) -> tuple[list[int], int]:
        return [inst.start for inst in self.instances], max((inst.seconds for inst in self.instances), default=0)

    def overlapping(self, start: int, end: int) -> list[int]:
        """Indexes of the instances overlapping [start, end) (bisecting the sorted starts)."""
        starts, longest = self._starts
        lo = bisect.bisect_right(starts, start - longest)
        hi = bisect.bisect_left(starts, end)
        return [i for i in range(lo, hi) if start < self.instances[i].end]

    @cached_property
    def qualified_people(self) -> dict[tuple[str, int], frozenset[int]]:
        """(shift pattern, role index) -> the people qualified for it."""
        out = {}
        for inst in self.instances:
            for r in range(len(inst.roles)):
                if (inst.shift, r) not in out:
                    out[(inst.shift, r)] = frozenset(
                        p for p in range(len(self.people)) if self.qualified(p, inst.index, r)
                    )
        return out

    def hard_time_off(self, p: int, i: int) -> Interval | None:
        inst = self.instances[i]
        for iv in self.hard_off[p]:
            if iv.start < inst.end and inst.start < iv.end:
                return iv
        return None

    @cached_property
    def forbidden(self) -> frozenset[tuple[int, int]]:
        """(person, instance) pairs that some rule forbids outright (the union of every
        rule module's ``prune``: hard time off, hard holiday avoidance, frozen shifts...)."""
        return pruned(self, self.rules)

    @cached_property
    def pool(self) -> list[int]:
        """People who could take at least one slot: qualified for a role of an instance
        that no rule forbids them.

        Fairness is balanced over this pool; people who can never be on call are left out.
        """
        forbidden = self.forbidden
        out = []
        for p in range(len(self.people)):
            if any(
                p in people and (p, i) not in forbidden
                for (shift, _r), people in self.qualified_people.items()
                for i in self._instances_of_shift[shift]
            ):
                out.append(p)
        return out

    @cached_property
    def _instances_of_shift(self) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for inst in self.instances:
            out.setdefault(inst.shift, []).append(inst.index)
        return out

    # ------------------------------------------------------------------ calendar

    @cached_property
    def start_dates(self) -> list[dt.date]:
        """Local start date (pattern zone) of every instance, by instance index."""
        return [dt.datetime.fromtimestamp(inst.start, inst.tz).date() for inst in self.instances]

    @cached_property
    def _on_date(self) -> dict[tuple[str, dt.date], int]:
        index: dict[tuple[str, dt.date], int] = {}
        for i, inst in enumerate(self.instances):
            index.setdefault((inst.shift, self.start_dates[i]), i)
        return index

    def calendar_memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, once per calendar: problems that adopt this one's calendar
        (:meth:`adopt_calendar`) share the result. For what depends on the instances' names
        and times alone; ``key`` must name everything else it depends on (e.g. the
        patterns' ``not_followed_by``)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]  # type: ignore[return-value]

    def instance_on(self, shift: str, day: dt.date) -> int | None:
        """Index of the instance of pattern ``shift`` starting on local date ``day``, if any."""
        return self._on_date.get((shift, day))

    def days_of(self, p: int, i: int) -> list[dt.date]:
        """Local dates (person ``p``'s zone) that instance ``i`` touches."""
        tz = self.tz[p]
        key = (tz, i)
        got = self._days.get(key)
        if got is None:
            inst = self.instances[i]
            got = days_touched(inst.start, inst.end, tz)
            self._days[key] = got
        return got

    def weekends_of(self, i: int) -> list[dt.date]:
        """Saturdays (team zone) of the weekends instance ``i`` touches."""
        got = self._weekends.get(i)
        if got is None:
            inst = self.instances[i]
            got = weekends_touched(inst.start, inst.end, self.team_tz)
            self._weekends[i] = got
        return got

    # ------------------------------------------------------------------ load

    def kinds(self, p: int, i: int) -> dict[str, int]:
        """Seconds of instance ``i`` by kind (weekday/night/weekend/holiday) for person ``p``
        (cached per zone and holiday calendar: people who share both share the split)."""
        key = (self.profiles[p], i)
        got = self._kinds.get(key)
        if got is None:
            inst = self.instances[i]
            got = split_kinds(inst.start, inst.end, self.tz[p], self.holidays[p])
            self._kinds[key] = got
        return got

    @cached_property
    def profiles(self) -> list[int]:
        """Per person, the index of their zone and holiday calendar among the distinct ones
        (people with the same profile have the same :meth:`kinds` and :meth:`load`)."""
        seen: dict[tuple[str, frozenset[dt.date]], int] = {}
        return [seen.setdefault((str(self.tz[p]), self.holidays[p]), len(seen)) for p in range(len(self.people))]

    def load(self, p: int, i: int, r: int) -> int:
        """Load of person ``p`` taking role ``r`` on instance ``i``, in hundredths (cached per
        zone and holiday calendar, like :meth:`kinds`)."""
        key = (self.profiles[p], i, r)
        got = self._loads.get(key)
        if got is None:
            w = self.scenario.weights
            role = self.instances[i].roles[r].name
            got = self._loads[key] = load_centi(self.kinds(p, i), w.roles.get(role, 1.0), w)
        return got

    def history_centi(self, p: int) -> int:
        return round(self.people[p].history * 100)

    def fte_pct(self, p: int) -> int:
        return round(self.people[p].fte * 100)

    def role_index(self, i: int, role: str) -> int | None:
        for r, spec in enumerate(self.instances[i].roles):
            if spec.name == role:
                return r
        return None


def start_dates(prob: Facts) -> list[dt.date]:
    """Local start date (pattern zone) of every instance, by instance index."""
    return prob.start_dates


def slots_needed(prob: Facts) -> int:
    """People the hard cover needs over the horizon: every role's count on its instance's
    date, except roles whose count is a soft target (a schedule with fewer is complete)."""
    dates = prob.start_dates
    return sum(r.count_on(dates[i]) for i, inst in enumerate(prob.instances) for r in inst.roles if not r.soft)


def instance_on(prob: Facts, shift: str, day: dt.date) -> int | None:
    """Index of the instance of pattern ``shift`` starting on local date ``day``, if any."""
    return prob.instance_on(shift, day)
