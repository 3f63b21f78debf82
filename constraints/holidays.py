"""Public holidays: each person's own (``country``/``subdivision`` via the ``holidays``
package, plus the scenario's ``extra_holidays``), as dates in the person's zone.

- ``rules.holidays: {mode: avoid}``: not on call on their own public holidays (hard), or
  each holiday on call costs ``weight`` (soft). ``mode: weight`` (default) allows them;
  holiday hours then weigh ``weights.holiday`` in the load.
- ``rules.max_holidays: N``: at most N public-holiday dates on call over the horizon.
"""

from __future__ import annotations

from optimizer.timecalc import days_touched

from .base import Outcome

NAME_AVOID = "holidays_avoid"
NAME_MAX = "max_holidays"


def _avoid(prob):
    spec = prob.scenario.rules.holidays
    return spec if spec is not None and spec.mode == "avoid" else None


def prune(prob):
    spec = _avoid(prob)
    if spec is None or spec.soft:
        return
    for p in range(len(prob.people)):
        hol = prob.holidays[p]
        if not hol:
            continue
        for i, inst in enumerate(prob.instances):
            if any(d in hol for d in days_touched(inst.start, inst.end, prob.tz[p])):
                yield (p, i)


def encode(m) -> None:
    prob = m.problem
    avoid = _avoid(prob)
    cap = prob.scenario.rules.max_holidays
    if (avoid is None or not avoid.soft) and cap is None:
        return
    for p in m.vars.people():
        hol = prob.holidays[p]
        lits = [lit for d, lit in m.day_lits(p).items() if d in hol]
        if not lits:
            continue
        if avoid is not None and avoid.soft:
            m.limit(NAME_AVOID, avoid, p, sum(lits), 0, upper=len(lits))
        if cap is not None:
            m.limit(NAME_MAX, cap, p, sum(lits), cap.count, upper=len(lits))


def evaluate(prob, schedule, stats) -> Outcome:
    out = Outcome()
    avoid = _avoid(prob)
    cap = prob.scenario.rules.max_holidays
    for p, s in enumerate(stats):
        pid = prob.people[p].id
        if avoid is not None:
            for d in sorted(s.holidays):
                out.over(NAME_AVOID, avoid, pid, 1, f"on call on public holiday {d}")
        if cap is not None:
            out.over(NAME_MAX, cap, pid, len(s.holidays) - cap.count,
                     f"on call on {len(s.holidays)} public holidays (max {cap.count})")
    return out

OBJECTIVE_ONLY = False
