"""Runs of days, per person, over calendar days in the person's zone (a day is "on" when
the person is on call at any time that day):

- ``people[].max_consecutive_days: N``: no run of more than N days on. Days outside the
  horizon count as off. Hard, or soft via ``rules.person_caps``: a run of L > N days costs
  ``weight × (L - N)`` (each window of N + 1 days all on costs ``weight``).
- ``people[].min_consecutive_days: K``: every run of days on is at least K days long,
  except a run that touches the first or last day of the horizon. Always hard.
- ``people[].min_consecutive_days_off: K``: the same for runs of days off. Always hard.

The horizon's days are ``start`` .. ``end`` (widened to every day a shift instance
touches in the person's zone).
"""

from __future__ import annotations

import datetime as dt
from weakref import WeakKeyDictionary

from optimizer.timecalc import days_touched

from .base import Outcome, Violation


NAME_MAX = "max_consecutive_days_person"
NAME_MIN = "min_consecutive_days"
NAME_OFF = "min_consecutive_days_off"


def horizon_days(prob, p: int) -> list[dt.date]:
    """All local dates of person ``p``'s horizon, in order."""
    s = prob.scenario
    first, last = s.start, s.end
    if prob.instances:
        lo, hi = _span(prob)
        first = min(first, days_touched(lo, lo + 1, prob.tz[p])[0])
        last = max(last, days_touched(hi - 1, hi, prob.tz[p])[-1])
    return [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]


def _span(prob) -> tuple[int, int]:
    got = _SPAN.get(prob)
    if got is None:
        got = (min(i.start for i in prob.instances), max(i.end for i in prob.instances))
        _SPAN[prob] = got
    return got


_SPAN: WeakKeyDictionary = WeakKeyDictionary()


def _forbid(m, on: list, off: list) -> None:
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
    m.model.add(sum(1 - e for e in on) + sum(off) >= 1)


def encode(m) -> None:
    prob, v = m.problem, m.vars
    spec = prob.scenario.rules.person_caps
    for p in v.people():
        person = prob.people[p]
        n, k_on, k_off = (
            person.max_consecutive_days,
            person.min_consecutive_days,
            person.min_consecutive_days_off,
        )
        if n is None and not (k_on and k_on > 1) and not (k_off and k_off > 1):
            continue
        exprs = m.day_exprs(p)
        days = horizon_days(prob, p)
        w = [exprs.get(d, 0) for d in days]
        h = len(w)
        if n is not None:
            for s in range(h - n):
                window = w[s : s + n + 1]
                if all(not isinstance(x, int) or x for x in window):
                    m.limit(NAME_MAX, spec, p, sum(window), n, upper=n + 1)
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


def evaluate(prob, schedule, stats) -> Outcome:
    out = Outcome()
    spec = prob.scenario.rules.person_caps
    for p, person in enumerate(prob.people):
        n, k_on, k_off = (
            person.max_consecutive_days,
            person.min_consecutive_days,
            person.min_consecutive_days_off,
        )
        if n is None and k_on is None and k_off is None:
            continue
        days = horizon_days(prob, p)
        h = len(days)
        for state, s, length in runs(days, stats[p].days):
            inner = s > 0 and s + length < h
            what = "on call" if state else "off"
            if state and n is not None:
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


def prune(prob):
    return ()

OBJECTIVE_ONLY = False
