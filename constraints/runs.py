"""Runs of days, per person, over calendar days in the person's zone (a day is "on" when
the person is on call at any time that day). One family, two sources of the maximum:

- ``rules.max_consecutive_days: N`` (everyone) and ``people[].max_consecutive_days: N``
  (one person; hard, or soft via ``rules.person_caps``): no run of more than N days on.
  Days outside the horizon count as off. Soft: a run of L > N days costs
  ``weight × (L - N)`` (each window of N + 1 days all on costs ``weight``).
- ``people[].min_consecutive_days: K``: every run of days on is at least K days long,
  except a run that touches the first or last day of the horizon. Always hard.
- ``people[].min_consecutive_days_off: K``: the same for runs of days off. Always hard.

The horizon's days are ``start`` .. ``end`` (widened to every day a shift instance
touches in the person's zone). Windows are sums of the linear day expressions of
:meth:`ModelBuilder.day_exprs` (in CP-SAT's LP relaxation where the shifts of a day
overlap).

Encoding of the minimums: each too-short run is forbidden pattern by pattern, and outside
a ``linear`` model (explain mode, the repair's local search: neither takes an automaton)
the same rules, with the hard maximum, are also one automaton per person over their days
(``add_automaton``). Measured on Curtois 5-8 at 60 s, four seeds each (AMD EPYC, 2 cores,
2026-12-03), mean of the four, both / automaton alone / patterns alone: 5 1290 / 1275 /
1295, 6 2103 / 2127 / 2149, 7 1236 / 1239 / 1201, 8 1677 / 1715 / 1876. On one worker in 5
deterministic seconds the automaton alone found no schedule of Instance3, the patterns
alone none of Instance5, both found one of each. CP-SAT's bounds are no higher with any.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from optimizer.model import total, weighted
from optimizer.settings import Limit
from optimizer.timecalc import days_touched

from .base import (
    Capacity,
    Facts,
    Grouping,
    ModelBuilder,
    Outcome,
    Placed,
    Relaxation,
    Violation,
    WarmCheck,
    no_prune,
    no_warm_cost,
    per_person,
    person_change,
    person_id,
    plural,
    rule_change,
)

if TYPE_CHECKING:
    from optimizer.model import Expr
    from optimizer.schedule import Schedule
    from optimizer.stats import PersonStats

NAME_MAX = "max_consecutive_days"
NAME_MIN = "min_consecutive_days"
NAME_OFF = "min_consecutive_days_off"
NAMES = (NAME_MAX, NAME_MIN, NAME_OFF)
OBJECTIVE_ONLY = False
RELAX: Grouping = "person"
RANK = 30
ONE_DAY = dt.timedelta(days=1)
prune = no_prune


def horizon_days(prob: Facts, p: int) -> list[dt.date]:
    """All local dates of person ``p``'s horizon, in order."""
    s = prob.scenario
    first, last = s.start, s.end
    if prob.instances:
        lo, hi = _span(prob)
        first = min(first, days_touched(lo, lo + 1, prob.tz[p])[0])
        last = max(last, days_touched(hi - 1, hi, prob.tz[p])[-1])
    return [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]


def _span(prob: Facts) -> tuple[int, int]:
    got = _SPAN.get(prob)
    if got is None:
        got = (min(i.start for i in prob.instances), max(i.end for i in prob.instances))
        _SPAN[prob] = got
    return got


_SPAN: WeakKeyDictionary[Facts, tuple[int, int]] = WeakKeyDictionary()


def max_sources(prob: Facts, p: int) -> list[tuple[Limit, int]]:
    """(spec, N) of every "at most N days in a row" that applies to person ``p``; two hard
    ones are one: the smaller N."""
    rules = prob.scenario.rules
    out: list[tuple[Limit, int]] = []
    if rules.max_consecutive_days is not None:
        out.append((rules.max_consecutive_days, rules.max_consecutive_days.count))
    own = prob.people[p].max_consecutive_days
    if own is not None:
        out.append((rules.person_caps, own))
    hard = [n for spec, n in out if not spec.soft]
    if len(hard) > 1:
        out = [(spec, n) for spec, n in out if spec.soft] + [(Limit(), min(hard))]
    return out


def hard_max(prob: Facts, p: int) -> int | None:
    """The hard "at most N days in a row" of person ``p`` (``None``: none)."""
    hard = [n for spec, n in max_sources(prob, p) if not spec.soft]
    return min(hard) if hard else None


def _forbid(m: ModelBuilder, on: list[Expr], off: list[Expr]) -> None:
    """Forbid: every 0/1 expression in ``on`` is 1 and every one in ``off`` is 0.

    Written as the linear inequality Σ(1 - on) + Σ off >= 1 (kept in the LP relaxation).
    """
    if any(isinstance(e, int) and not e for e in on) or any(isinstance(e, int) and e for e in off):
        return
    on = [e for e in on if not isinstance(e, int)]
    off = [e for e in off if not isinstance(e, int)]
    if not on and not off:
        m.model.add_bool_or([])  # the pattern is forced: infeasible
        return
    # Σ off - Σ on >= 1 - |on| (built in one call)
    m.model.add(weighted(on + off, [-1] * len(on) + [1] * len(off)) >= 1 - len(on))


def encode(m: ModelBuilder) -> None:
    prob, v = m.problem, m.vars
    for p in v.people():
        person = prob.people[p]
        sources = max_sources(prob, p)
        k_on, k_off = person.min_consecutive_days, person.min_consecutive_days_off
        if not sources and not (k_on and k_on > 1) and not (k_off and k_off > 1):
            continue
        exprs = m.day_exprs(p)
        days = horizon_days(prob, p)
        w: list[Expr] = [exprs.get(d, 0) for d in days]
        h = len(w)
        for spec, n in sources:
            for s in range(h - n):
                window = w[s : s + n + 1]
                if all(not isinstance(x, int) or x for x in window):
                    m.limit(NAME_MAX, spec, p, total(window), n, upper=n + 1)
        if not m.linear and ((k_on and k_on > 1) or (k_off and k_off > 1)):
            _automaton(m, w, hard_max(prob, p), k_on, k_off)  # and the patterns below (measured)
        for k, want_on in ((k_on, True), (k_off, False)):
            if not k or k < 2:
                continue
            # a run of length l < k on days s..s+l-1, bounded by the opposite on both sides
            for s in range(1, h - 1):
                for length in range(1, k):
                    e = s + length - 1
                    if e + 1 > h - 1:
                        break
                    inside, border = w[s : e + 1], [w[s - 1], w[e + 1]]
                    if want_on:
                        _forbid(m, on=inside, off=border)
                    else:
                        _forbid(m, on=border, off=inside)


def _automaton(m: ModelBuilder, w: list[Expr], n: int | None, k_on: int | None, k_off: int | None) -> None:
    """The runs of one person as a finite automaton over their days (0 off, 1 on): the
    hard maximum ``n`` and both minimums; runs touching the first or last day are exempt
    from the minimums (every state is final; the first run has states of its own)."""
    if not w:
        return
    if n == 0:  # no day on at all (no run to count)
        for e in w:
            m.model.add(e == 0)
        return
    kon = k_on if k_on and k_on > 1 else 1
    koff = k_off if k_off and k_off > 1 else 1
    top = n if n is not None else kon  # on-run lengths counted up to here
    states: dict[tuple[str, int], int] = {}

    def st(kind: str, j: int) -> int:
        return states.setdefault((kind, j), len(states))

    start = st("start", 0)
    t: list[tuple[int, int, int]] = []
    t.append((start, 0, st("first_off", 0)))
    t.append((st("first_off", 0), 0, st("first_off", 0)))
    t.append((st("first_off", 0), 1, st("on", 1)))
    t.append((start, 1, st("first_on", 1)))
    for j in range(1, top + 1):
        nxt = j + 1
        for kind in ("first_on", "on"):
            if nxt <= top:
                t.append((st(kind, j), 1, st(kind, nxt)))
            elif n is None:
                t.append((st(kind, j), 1, st(kind, j)))
            if kind == "first_on" or j >= kon:
                t.append((st(kind, j), 0, st("off", 1)))
    for j in range(1, koff + 1):
        t.append((st("off", j), 0, st("off", min(j + 1, koff))))
        if j >= koff:
            t.append((st("off", j), 1, st("on", 1)))
    m.model.add_automaton(w, start, sorted(states.values()), t)


def runs(days: list[dt.date], on: set[dt.date]) -> list[tuple[bool, int, int]]:
    """Maximal runs as (on?, first index, length) over ``days``."""
    out: list[tuple[bool, int, int]] = []
    for k, d in enumerate(days):
        state = d in on
        if out and out[-1][0] == state:
            out[-1] = (state, out[-1][1], out[-1][2] + 1)
        else:
            out.append((state, k, 1))
    return out


def evaluate(prob: Facts, schedule: Schedule, stats: Sequence[PersonStats]) -> Outcome:
    out = Outcome()
    for p, person in enumerate(prob.people):
        sources = max_sources(prob, p)
        k_on, k_off = person.min_consecutive_days, person.min_consecutive_days_off
        if not sources and k_on is None and k_off is None:
            continue
        days = horizon_days(prob, p)
        h = len(days)
        for state, s, length in runs(days, stats[p].days):
            inner = s > 0 and s + length < h
            what = "on call" if state else "off"
            if state:
                for spec, n in sources:
                    out.over(
                        NAME_MAX,
                        spec,
                        person.id,
                        length - n,
                        f"on call {length} days in a row from {days[s]} (max {n})",
                    )
            k = k_on if state else k_off
            if k is not None and inner and length < k:
                out.violations.append(
                    Violation(
                        NAME_MIN if state else NAME_OFF,
                        f"{what} only {length} day(s) in a row from {days[s]} (min {k})",
                        person.id,
                    )
                )
    return out


def _bits(prob: Facts, p: int) -> list[str]:
    person = prob.people[p]
    bits = []
    n = hard_max(prob, p)
    if n is not None:
        bits.append(f"at most {plural(n, 'day')} in a row (max_consecutive_days)")
    if person.min_consecutive_days and person.min_consecutive_days > 1:
        bits.append(f"at least {person.min_consecutive_days} days in a row on (min_consecutive_days)")
    if person.min_consecutive_days_off and person.min_consecutive_days_off > 1:
        bits.append(f"at least {person.min_consecutive_days_off} days in a row off (min_consecutive_days_off)")
    return bits


def describe(prob: Facts, person: int | None, instance: int | None) -> str:
    if person is None or person < 0:
        r = prob.scenario.rules.max_consecutive_days
        return f"max_consecutive_days {r.count}" if r is not None else "the runs of days (max/min_consecutive_days)"
    return f"{person_id(prob, person)}: {'; '.join(_bits(prob, person))}"


def _longest(prob: Facts) -> int:
    """Days touched by the longest shift instance (in anyone's zone)."""
    return max((len(prob.days_of(p, i.index)) for p in range(len(prob.people)) for i in prob.instances), default=1)


def _more_days(prob: Facts, n: int) -> list[int]:
    """Larger maxima to try, smallest change first; at least the longest shift's days."""
    need = _longest(prob)
    return sorted({max(n + k, need) for k in (1, 2, 3)})


def relaxations(prob: Facts, person: int | None, instance: int | None) -> list[Relaxation]:
    rules = prob.scenario.rules
    if person is None or person < 0:
        out = [Relaxation("relax max/min_consecutive_days for everyone", RANK + 5)]
        team = rules.max_consecutive_days
        if team is not None and not team.soft:
            out = [
                Relaxation(
                    f"raise max_consecutive_days from {team.count} to {c}",
                    RANK + k,
                    rule_change(NAME_MAX, team, count=c),
                )
                for k, c in enumerate(_more_days(prob, team.count))
            ] + out
        return out
    pid = person_id(prob, person)
    out = []
    n = hard_max(prob, person)
    if n is not None:
        out.append(Relaxation(f"lift max_consecutive_days ({n}) for {pid} (smallest step: {n} -> {n + 1})", RANK))
    person_ = prob.people[person]
    own = person_.max_consecutive_days
    team = rules.max_consecutive_days
    team_n = team.count if team is not None and not team.soft else None
    if own is not None and not rules.person_caps.soft and (team_n is None or own < team_n):
        out += [
            Relaxation(
                f"raise max_consecutive_days from {own} to {c} for {pid}",
                RANK + k,
                person_change(pid, max_consecutive_days=c),
            )
            for k, c in enumerate(_more_days(prob, own))
            if team_n is None or c <= team_n
        ]
    for key, k in (
        ("min_consecutive_days", person_.min_consecutive_days),
        ("min_consecutive_days_off", person_.min_consecutive_days_off),
    ):
        if k and k > 1:
            out.append(Relaxation(f"lift {key} ({k}) for {pid} (smallest step: {k} -> {k - 1})", RANK + 1))
            out.append(
                Relaxation(f"lower {key} from {k} to {k - 1} for {pid}", RANK + 2, person_change(pid, **{key: k - 1}))
            )
    return out or [Relaxation(f"relax the runs of days for {pid}", RANK)]


def capacity(prob: Facts, p: int, insts: Sequence[int]) -> Capacity | None:
    """A shift touching more days than the hard maximum allows in a row can never be taken
    (a 7-day shift under ``max_consecutive_days: 5``); otherwise no bound."""
    n = hard_max(prob, p)
    if n is None:
        return None
    fit = sum(1 for i in insts if len(prob.days_of(p, i)) <= n)
    return Capacity(fit, f"max_consecutive_days {n}") if fit < len(insts) else None


def warm_start(prob: Facts) -> WarmCheck | None:
    caps = [hard_max(prob, p) for p in range(len(prob.people))]
    if all(n is None for n in caps):
        return None

    def check(placed: Placed, p: int, i: int) -> bool:
        n = caps[p]
        if n is None:
            return True
        days = prob.days_of(p, i)
        lo, hi = days[0], days[-1]
        run = (hi - lo).days + 1
        while run <= n and lo - ONE_DAY in placed.days:
            lo -= ONE_DAY
            run += 1
        while run <= n and hi + ONE_DAY in placed.days:
            hi += ONE_DAY
            run += 1
        return run <= n

    return check


warm_cost = no_warm_cost  # no soft penalty the greedy weighs
couples = per_person  # binds each person alone
