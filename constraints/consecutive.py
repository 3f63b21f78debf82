"""``rules.max_consecutive_days: N``: at most N calendar days in a row (person's zone) on
which the person is on call at any time.

Hard: every run of N + 1 consecutive days has a day off.
Soft: each window of N + 1 consecutive days all on call costs ``weight`` (a run of
L > N days costs L - N).
"""

from __future__ import annotations

import datetime as dt

from .base import Outcome

NAME = "max_consecutive_days"


def encode(m) -> None:
    spec = m.problem.scenario.rules.max_consecutive_days
    if spec is None:
        return
    n = spec.count
    for p in m.vars.people():
        days = m.day_lits(p)
        for d in days:
            window = [d + dt.timedelta(days=k) for k in range(n + 1)]
            if all(w in days for w in window):
                m.limit(NAME, spec, p, sum(days[w] for w in window), n, upper=n + 1)


def evaluate(prob, schedule, stats) -> Outcome:
    out = Outcome()
    spec = prob.scenario.rules.max_consecutive_days
    if spec is None:
        return out
    for p, s in enumerate(stats):
        days = sorted(s.days)
        run_start, run = None, 0
        for k, d in enumerate(days):
            if k and d - days[k - 1] == dt.timedelta(days=1):
                run += 1
            else:
                run_start, run = d, 1
            end_of_run = k == len(days) - 1 or days[k + 1] - d != dt.timedelta(days=1)
            if end_of_run and run > spec.count:
                out.over(NAME, spec, prob.people[p].id, run - spec.count,
                         f"on call {run} days in a row from {run_start} (max {spec.count})")
    return out


def prune(prob):
    return ()

OBJECTIVE_ONLY = False
