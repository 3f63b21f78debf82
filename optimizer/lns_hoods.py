"""Neighbourhood families of the roster LNS (``optimizer.lns``) and the adaptive choice
among them.

A neighbourhood is a set of assignment variables to free (all others stay fixed to the
incumbent). The families follow the shape of a roster:

- ``days``: everyone over a window of days;
- ``people``: a few random people over the whole horizon;
- ``block``: a few random people over a window of days;
- ``type``: one shift pattern over a window of days: its variables for everyone, plus
  every variable of that window of the people who now work the pattern there (so they
  can move to another pattern);
- ``group``: people sharing a qualification (a skill, or the same pattern's role) over
  a window of days;
- ``hot``: everyone over a window of days around a day where the incumbent pays a
  located cost (a holiday on call, a wish not met...), drawn in proportion to that cost;
  offered when the LNS can locate costs (:meth:`Hoods.locate`: sub-model steps), and
  no rule is named to do so.

Every family has its own size, counted in freed variables: it grows by a quarter when
CP-SAT explores the sub-problem completely and shrinks by 15 % when it cannot. Families
are drawn by a roulette wheel weighted by their recent improvement per second (every
family keeps at least a tenth of the best one's weight); after a long stall every size
and weight is reset (a restart).
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Callable
from dataclasses import dataclass

from .facts import Facts, start_dates
from .model import ModelBuilder

FAMILIES = ("days", "people", "block", "type", "group")
GROW, SHRINK = 1.25, 0.85
SMOOTH = 0.3  # weight of the latest step in a family's improvement-per-second score
FLOOR = 0.1  # every family keeps this share of the best family's weight
WINDOWS = (7, 14, 21, 28)  # window lengths (days) of the block and group families
HOT_DAYS = 1  # the hot family's first window (days): a located cost is mended near it
Spots = Callable[[list[int]], list[tuple[int, float]]]  # values -> (day offset, cost) paid


@dataclass
class Hood:
    """One neighbourhood: ``ks`` are the freed proto variable indexes. ``people`` None is
    everyone, ``days`` None the whole horizon (else [first, last) day offsets), ``shift``
    the pattern of a ``type`` neighbourhood; ``size`` is the family's own unit (days in a
    window, people in a group)."""

    family: str
    size: int
    ks: list[int]
    people: tuple[int, ...] | None = None
    days: tuple[int, int] | None = None
    shift: str | None = None


class Hoods:
    """The families over one model's assignment variables, with their sizes and scores."""

    def __init__(self, builder: ModelBuilder, problem: Facts, rng: random.Random):
        self.rng = rng
        dates = start_dates(problem)
        day0 = min(dates) if dates else None
        self.by_person: dict[int, list[int]] = {}
        self.by_day: dict[int, list[int]] = {}
        self.by_pd: dict[tuple[int, int], list[int]] = {}
        self.by_type: dict[tuple[str, int], list[tuple[int, int]]] = {}  # (pattern, day) -> (person, k)
        self.index: list[int] = []
        role_people: dict[tuple[str, int], set[int]] = {}
        for (p, i, r), x in builder.vars.x.items():
            k = x.index
            d = (dates[i] - day0).days  # type: ignore[operator]
            shift = problem.instances[i].shift
            self.index.append(k)
            self.by_person.setdefault(p, []).append(k)
            self.by_day.setdefault(d, []).append(k)
            self.by_pd.setdefault((p, d), []).append(k)
            self.by_type.setdefault((shift, d), []).append((p, k))
            role_people.setdefault((shift, r), set()).add(p)
        self.people = sorted(self.by_person)
        self.days = sorted(self.by_day)
        self.shifts = sorted({s for s, _d in self.by_type})
        skills: dict[str, set[int]] = {}
        for p in self.people:
            for s in problem.people[p].skills:
                skills.setdefault(s, set()).add(p)
        groups = {frozenset(g) for g in (*role_people.values(), *skills.values())}
        self.groups = sorted(tuple(sorted(g)) for g in groups if 2 <= len(g) < len(self.people))
        n = len(self.index)
        self.per_pd = n / max(1, len(self.people) * len(self.days))  # variables per person-day
        self.start = max(1.0, n / 8)
        self.least = max(1.0, self.per_pd)
        self.families = [f for f in FAMILIES if f != "group" or self.groups]
        if len(self.shifts) < 2:
            self.families.remove("type")
        self.reset()

    def reset(self) -> None:
        """Every size back to its start and every score to the same value (a restart)."""
        self.size = {f: self.start for f in self.families}
        if "hot" in self.size:  # a cost is local: a day around it first (HOT_DAYS)
            self.size["hot"] = min(self.start, HOT_DAYS * self.per_pd * len(self.people))
        self.score = {f: 1.0 for f in self.families}

    def locate(self, spots: Spots) -> None:
        """Offer the ``hot`` family from the next :meth:`reset`: ``spots(values)`` lists
        (day offset, cost) of every located cost the incumbent ``values`` pays."""
        self._spots_of = spots
        self._spots: tuple[list[int] | None, list[tuple[int, float]]] = (None, [])
        if "hot" not in self.families:
            self.families.append("hot")

    # -- choice ------------------------------------------------------------------------
    def pick(self) -> str:
        """A family by roulette wheel over the scores (with a floor for each)."""
        top = max(self.score.values())
        weights = [max(self.score[f], FLOOR * top, 1e-9) for f in self.families]
        return self.rng.choices(self.families, weights)[0]

    def learn(self, family: str, gain: int, seconds: float, complete: bool) -> None:
        """Score (improvement per second) and size of ``family`` after one of its steps."""
        rate = max(0, gain) / max(seconds, 1e-3)
        self.score[family] = (1 - SMOOTH) * self.score[family] + SMOOTH * rate
        s = self.size[family] * (GROW if complete else SHRINK)
        self.size[family] = min(float(len(self.index)), max(self.least, s))

    # -- the families ------------------------------------------------------------------
    def make(self, family: str, values: list[int]) -> Hood:
        """A neighbourhood of ``family`` around the incumbent ``values``."""
        target = self.size[family]
        ndays, npeople = len(self.days), len(self.people)
        if family == "days":
            w = _clip(target / (self.per_pd * npeople), ndays)
            days = self._span(w)
            return Hood(family, w, [k for d in self._in(days) for k in self.by_day[d]], days=days)
        if family == "people":
            n = _clip(target / (self.per_pd * ndays), npeople)
            return self._people(family, self.rng.sample(self.people, n), None)
        if family == "type":
            return self._type(target, values)
        if family == "hot":
            day = self._hot(values)
            if day is None:  # the incumbent pays nothing located: an ordinary window of days
                return self.make("days", values)
            w = _clip(target / (self.per_pd * npeople), ndays)
            days = self._around(day, w)
            return Hood(family, w, [k for d in self._in(days) for k in self.by_day[d]], days=days)
        w = min(ndays, self.rng.choice(WINDOWS))
        pool = self.people if family == "block" else list(self.rng.choice(self.groups))
        n = _clip(target / (self.per_pd * w), len(pool))
        return self._people(family, self.rng.sample(pool, n), self._span(w))

    def _hot(self, values: list[int]) -> int | None:
        """A day offset where ``values`` pays a located cost, drawn in proportion to that
        cost (None: it pays nothing located)."""
        if self._spots[0] is not values:  # a new incumbent (the LNS replaces its list)
            self._spots = (values, self._spots_of(values))
        spots = self._spots[1]
        if not spots:
            return None
        return self.rng.choices([d for d, _c in spots], [c for _d, c in spots])[0]

    def _around(self, day: int, w: int) -> tuple[int, int]:
        """A window of ``w`` of the model's days around day offset ``day``."""
        j = min(max(0, bisect.bisect_left(self.days, day) - w // 2), len(self.days) - w)
        return self.days[j], self.days[j + w - 1] + 1

    def _span(self, w: int) -> tuple[int, int]:
        a = self.rng.randrange(len(self.days) - w + 1)
        return self.days[a], self.days[a + w - 1] + 1

    def _in(self, days: tuple[int, int]) -> list[int]:
        return [d for d in self.days if days[0] <= d < days[1]]

    def _people(self, family: str, chosen: list[int], days: tuple[int, int] | None) -> Hood:
        chosen = sorted(chosen)
        if days is None:
            ks = [k for p in chosen for k in self.by_person[p]]
        else:
            span = self._in(days)
            ks = [k for p in chosen for d in span for k in self.by_pd.get((p, d), ())]
        return Hood(family, len(chosen), ks, people=tuple(chosen), days=days)

    def _type(self, target: float, values: list[int]) -> Hood:
        shift = self.rng.choice(self.shifts)
        of_shift = [v for d in self.days for v in self.by_type.get((shift, d), ())]
        on = sum(values[k] for _p, k in of_shift)
        per_day = (len(of_shift) + on * max(0.0, self.per_pd - 1)) / max(1, len(self.days))
        w = _clip(target / max(per_day, 1e-9), len(self.days))
        days = self._span(w)
        span = self._in(days)
        ks: set[int] = set()
        working: set[int] = set()
        for d in span:
            for p, k in self.by_type.get((shift, d), ()):
                ks.add(k)
                if values[k]:
                    working.add(p)
        ks.update(k for p in working for d in span for k in self.by_pd.get((p, d), ()))
        return Hood("type", w, sorted(ks), days=days, shift=shift)


def _clip(x: float, most: int) -> int:
    return min(most, max(1, round(x)))
