"""Re-planning with minimal disruption, and comparing two schedules.

A :class:`Baseline` is a published schedule. Solving with it
(``solve(scenario, baseline=Baseline.from_csv(...), ...)``):

- assignments of instances that start before ``freeze_until`` (00:00, team zone) are
  fixed: exactly the baseline's people hold them (rule ``frozen``, hard);
- every later baseline assignment that the new schedule moves costs points (rule
  ``changes``): ``weight × (1 + max(0, 28 - d) / 28)`` for an instance starting ``d``
  days after the freeze (or the horizon start), so a change next week costs up to twice
  one a month away.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .errors import InputError
from .scenario import Scenario
from .schedule import Schedule, assignments_frame, people_frame, read_schedule

URGENCY_DAYS = 28


@dataclass(frozen=True)
class Baseline:
    """A published schedule to re-plan from.

    ``keys`` are (shift, start epoch seconds, role, person id) tuples.
    """

    keys: frozenset[tuple[str, int, str, str]]
    freeze_until: dt.date | None = None
    weight: float = 50.0

    @classmethod
    def from_schedule(cls, schedule: Schedule, freeze_until: dt.date | None = None,
                      weight: float = 50.0) -> Baseline:
        prob = schedule.problem
        keys = frozenset(
            (prob.instances[a.instance].shift, prob.instances[a.instance].start,
             prob.instances[a.instance].roles[a.role].name, prob.people[a.person].id)
            for a in schedule.assignments
        )
        return cls(keys, freeze_until, weight)

    @classmethod
    def from_csv(cls, scenario: Scenario, path: str | Path, freeze_until: dt.date | None = None,
                 weight: float = 50.0) -> Baseline:
        """Read a schedule CSV (ours or hand-made) as the baseline of ``scenario``."""
        from .problem import Problem

        sched = read_schedule(Problem(scenario), path)
        return cls.from_schedule(sched, freeze_until, weight)

    def cost_weight(self, start: int, anchor: int) -> float:
        """Points for moving a baseline assignment whose instance starts at ``start``."""
        days = max(0.0, (start - anchor) / 86400)
        return round(self.weight * (1 + max(0.0, URGENCY_DAYS - days) / URGENCY_DAYS), 2)


def check_frozen(problem) -> list[str]:
    """Frozen baseline assignments the scenario no longer allows (person unqualified, on
    hard time off, or forbidden by another rule). Each is a reason the re-plan cannot keep
    the frozen part."""
    out = []
    for (i, r), people in sorted(problem.baseline_slots.items()):
        if i not in problem.frozen:
            continue
        inst = problem.instances[i]
        for p in sorted(people):
            if not problem.qualified(p, i, r):
                out.append(f"{problem.people[p].id} can no longer take {inst.roles[r].name} on {inst.label}")
            elif problem.hard_time_off(p, i) is not None:
                out.append(f"{problem.people[p].id} is now off during frozen {inst.label}")
            elif (p, i) in problem.forbidden:
                out.append(f"{problem.people[p].id} may no longer be on {inst.label} (a hard rule forbids it)")
    return out


# --------------------------------------------------------------------------- compare


@dataclass
class Comparison:
    """What changed between two schedules of the same scenario."""

    changes: pd.DataFrame   # shift, start, role, before, after (one row per changed slot)
    people: pd.DataFrame    # person_id, shifts/load/weekends/holidays before, after, delta
    penalty: pd.DataFrame   # rule, before, after, delta (points)

    @property
    def moved(self) -> int:
        """Number of assignments that moved (people taken off a slot)."""
        return int(sum(len(b.split(";")) if b else 0 for b in self.changes["removed"]))

    def text(self) -> str:
        if self.changes.empty:
            return "no assignment changed"
        lines = [f"{self.moved} assignment(s) changed:"]
        for row in self.changes.itertuples(index=False):
            lines.append(f"  {row.shift} {row.start} {row.role}: {row.before or '-'} -> {row.after or '-'}")
        affected = self.people[(self.people.shifts_delta != 0) | (self.people.load_delta != 0)]
        if not affected.empty:
            lines.append("per person (shifts, load):")
            for r in affected.itertuples(index=False):
                lines.append(f"  {r.person_id:12s} shifts {r.shifts_before:g} -> {r.shifts_after:g}, "
                             f"load {r.load_before:g} -> {r.load_after:g}")
        return "\n".join(lines)


def _slots(frame: pd.DataFrame) -> dict[tuple[str, str, str], list[str]]:
    out: dict[tuple[str, str, str], list[str]] = {}
    for row in frame.itertuples(index=False):
        out.setdefault((row.shift, row.start, row.role), []).append(row.person_id)
    return out


def compare(a: Schedule, b: Schedule) -> Comparison:
    """Changed assignments and the change in per-person load and in each penalty.

    Both schedules must belong to the same scenario (``b`` may carry a baseline).
    """
    from .verify import evaluate

    fa, fb = assignments_frame(a), assignments_frame(b)
    sa, sb = _slots(fa), _slots(fb)
    rows = []
    for key in sorted(set(sa) | set(sb), key=lambda k: (k[1], k[0], k[2])):
        before, after = sorted(sa.get(key, [])), sorted(sb.get(key, []))
        if before != after:
            rows.append({"shift": key[0], "start": key[1], "role": key[2],
                         "before": ";".join(before), "after": ";".join(after),
                         "removed": ";".join(p for p in before if p not in after),
                         "added": ";".join(p for p in after if p not in before)})
    changes = pd.DataFrame(rows, columns=["shift", "start", "role", "before", "after", "removed", "added"])
    pa, pb = people_frame(a).set_index("person_id"), people_frame(b).set_index("person_id")
    people = pd.DataFrame({"person_id": pa.index})
    for col in ("shifts", "load", "weekends", "holidays"):
        people[f"{col}_before"] = pa[col].values
        people[f"{col}_after"] = pb.reindex(pa.index)[col].values
        people[f"{col}_delta"] = people[f"{col}_after"] - people[f"{col}_before"]
    ra, rb = evaluate(a).by_rule(), evaluate(b).by_rule()
    rules = sorted(set(ra.index) | set(rb.index))
    penalty = pd.DataFrame({"rule": rules,
                            "before": [float(ra.get(r, 0.0)) for r in rules],
                            "after": [float(rb.get(r, 0.0)) for r in rules]})
    penalty["delta"] = penalty["after"] - penalty["before"]
    return Comparison(changes, people, penalty)


def _require(cond: bool, message: str) -> None:
    if not cond:
        raise InputError.single(message)
