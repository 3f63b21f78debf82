"""Sliding-window caps: ``rules.max_shifts: [{count, within}]`` (shift starts) and
``rules.max_hours: [{hours, within}]`` (hours of shifts starting) in any window of
length ``within``, in real time.

Hard: for every window [t, t + within), the person's shifts starting in it stay within
the cap (windows starting at a shift start are enough).
Soft: for each of the person's shifts i, the window [start_i, start_i + within) is
checked; each shift over ``count`` (each started hour over ``hours``) costs ``weight``.
"""

from __future__ import annotations

from .base import Outcome
from .caps import over_hours_expr

NAME_SHIFTS = "max_shifts_window"
NAME_HOURS = "max_hours_window"


def _windows(starts: list[int], width: int) -> list[tuple[int, int]]:
    """For sorted ``starts``, the index range [k, last) of each window anchored at k."""
    out, last = [], 0
    for k, s in enumerate(starts):
        last = max(last, k)
        while last < len(starts) and starts[last] < s + width:
            last += 1
        out.append((k, last))
    return out


def encode(m) -> None:
    prob, v = m.problem, m.vars
    rules = prob.scenario.rules
    for p in v.people():
        insts = v.instances_of[p]
        starts = [prob.instances[i].start for i in insts]
        for spec in rules.max_shifts:
            width = int(spec.within.total_seconds())
            prev_last = -1
            for k, last in _windows(starts, width):
                lits = [v.works(p, insts[j]) for j in range(k, last)]
                if not spec.soft:
                    if last != prev_last and len(lits) > spec.count:
                        m.model.add(sum(lits) <= spec.count)
                    prev_last = last
                else:
                    m.limit(NAME_SHIFTS, spec, p, sum(lits), spec.count,
                            enforce=lits[0], upper=len(lits))
        for spec in rules.max_hours:
            width = int(spec.within.total_seconds())
            cap_min = round(spec.hours * 60)
            prev_last = -1
            for k, last in _windows(starts, width):
                minutes = [(prob.instances[insts[j]].seconds // 60, v.works(p, insts[j])) for j in range(k, last)]
                total = sum(mm for mm, _ in minutes)
                if total <= cap_min:
                    continue
                expr = sum(mm * lit for mm, lit in minutes)
                if not spec.soft:
                    if last != prev_last:
                        m.model.add(expr <= cap_min)
                    prev_last = last
                else:
                    over_hours_expr(m, NAME_HOURS, spec, p, expr, cap_min, total, enforce=minutes[0][1])


def evaluate(prob, schedule, stats) -> Outcome:
    out = Outcome()
    rules = prob.scenario.rules
    for p, assigned in schedule.by_person().items():
        pid = prob.people[p].id
        insts = sorted({a.instance for a in assigned}, key=lambda i: prob.instances[i].start)
        for spec in rules.max_shifts:
            width = int(spec.within.total_seconds())
            for k, i in enumerate(insts):
                a = prob.instances[i]
                n = sum(1 for j in insts[k:] if prob.instances[j].start < a.start + width)
                days = spec.within.total_seconds() / 86400
                out.over(NAME_SHIFTS, spec, pid, n - spec.count,
                         f"{n} shifts start within {days:g}d of {a.label} (max {spec.count})",
                         (a.shift, a.start_iso))
        for spec in rules.max_hours:
            width = int(spec.within.total_seconds())
            for k, i in enumerate(insts):
                a = prob.instances[i]
                minutes = sum(prob.instances[j].seconds // 60 for j in insts[k:]
                              if prob.instances[j].start < a.start + width)
                over = -(-(minutes - round(spec.hours * 60)) // 60)  # started hours over
                days = spec.within.total_seconds() / 86400
                out.over(NAME_HOURS, spec, pid, over,
                         f"{minutes / 60:g}h of shifts start within {days:g}d of {a.label} "
                         f"(max {spec.hours:g}h)", (a.shift, a.start_iso))
    return out


def prune(prob):
    return ()

OBJECTIVE_ONLY = False
