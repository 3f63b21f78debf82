"""Local start dates of shift instances, shared by the rules that speak of "the day" of a
shift (per-date cover counts, next-day successions, shift requests). Not a rule module."""

from __future__ import annotations

import datetime as dt
from weakref import WeakKeyDictionary

_CACHE: WeakKeyDictionary = WeakKeyDictionary()


def _facts(prob) -> tuple[list[dt.date], dict[tuple[str, dt.date], int]]:
    got = _CACHE.get(prob)
    if got is None:
        dates = [dt.datetime.fromtimestamp(inst.start, inst.tz).date() for inst in prob.instances]
        index: dict[tuple[str, dt.date], int] = {}
        for i, inst in enumerate(prob.instances):
            index.setdefault((inst.shift, dates[i]), i)
        got = (dates, index)
        _CACHE[prob] = got
    return got


def start_dates(prob) -> list[dt.date]:
    """Local start date (pattern zone) of every instance, by instance index."""
    return _facts(prob)[0]


def instance_on(prob, shift: str, day: dt.date) -> int | None:
    """Index of the instance of pattern ``shift`` starting on local date ``day``, if any."""
    return _facts(prob)[1].get((shift, day))


def works_sum_if_exclusive(m, p: int, insts: list[int]):
    """``Σ works(p, i)`` when the instances share a common instant (so the overlap rule
    allows at most one of them and the sum is 0/1 exactly), else ``None``.

    A linear sum stays in CP-SAT's default LP relaxation, unlike an OR literal; rules use
    it for tighter bounds without changing their meaning.
    """
    if not insts:
        return 0
    prob = m.problem
    if max(prob.instances[i].start for i in insts) >= min(prob.instances[i].end for i in insts):
        return None
    return sum(m.vars.works(p, i) for i in insts)


def day_exprs(m, p: int) -> dict[dt.date, object]:
    """Per local date (person's zone), "p is on call that day" as a linear 0/1 expression
    where possible (see :func:`works_sum_if_exclusive`), else ``m.day_lits(p)[date]``."""
    from optimizer.timecalc import days_touched

    key = ("day_exprs", p)
    got = m._cache.get(key)
    if got is not None:
        return got
    prob = m.problem
    members: dict[dt.date, list[int]] = {}
    for i in m.vars.instances_of.get(p, []):
        inst = prob.instances[i]
        for d in days_touched(inst.start, inst.end, prob.tz[p]):
            members.setdefault(d, []).append(i)
    out: dict[dt.date, object] = {}
    lits = None
    for d, insts in sorted(members.items()):
        expr = works_sum_if_exclusive(m, p, insts)
        if expr is None:
            lits = lits if lits is not None else m.day_lits(p)
            expr = lits[d]
        out[d] = expr
    m._cache[key] = out
    return out
