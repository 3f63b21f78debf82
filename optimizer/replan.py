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
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import InputError
from .scenario import Scenario
from .schedule import Schedule, assignments_frame, people_frame, read_schedule
from .timecalc import human_iso

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
                out.append(f"{problem.people[p].id} can no longer take {inst.roles[r].name} on {inst.said}")
            elif problem.hard_time_off(p, i) is not None:
                out.append(f"{problem.people[p].id} is now off during frozen {inst.said}")
            elif (p, i) in problem.forbidden:
                out.append(f"{problem.people[p].id} may no longer be on {inst.said} (a hard rule forbids it)")
    return out


# --------------------------------------------------------------------------- compare


PEOPLE_STATUS = ("gains", "loses", "moved")  # only gains shifts, only loses shifts, both
AFFECTED_COLUMNS = ["person_id", "person_name", "email", "status", "gained", "lost", "shifts_before", "shifts_after"]
ASSIGNMENT_CHANGE_COLUMNS = ["change", "shift", "role", "start", "end", "person_id", "person_name", "email"]


@dataclass
class Comparison:
    """What changed from schedule ``a`` to schedule ``b``.

    ``changes``: one row per changed slot (``shift``, ``start``, ``role``, ``before``,
    ``after``, ``removed``, ``added``; people as ``;``-separated ids).
    ``assignments``: every changed assignment, one row each: ``change`` (``added`` or
    ``removed``), ``shift``, ``role``, ``start``, ``end``, ``person_id``, ``person_name``, ``email``.
    ``affected``: every person whose assignments changed (who to notify): ``status``
    ``gains`` (only gains shifts; a new hire has ``shifts_before`` 0), ``loses`` (only
    loses shifts) or ``moved`` (gains some and loses others), ``gained`` and ``lost``
    (``shift start role`` items joined by ``; ``), ``shifts_before``, ``shifts_after``.
    ``people``: everyone of either schedule, shifts/load/weekends/holidays before, after, delta.
    ``penalty``: rule, before, after, delta (points).
    """

    changes: pd.DataFrame
    people: pd.DataFrame
    penalty: pd.DataFrame
    assignments: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ASSIGNMENT_CHANGE_COLUMNS))
    affected: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=AFFECTED_COLUMNS))

    @property
    def moved(self) -> int:
        """Number of assignments that moved (people taken off a slot)."""
        return int((self.assignments["change"] == "removed").sum())

    def text(self) -> str:
        """The change list for people: every changed slot, then everyone affected."""
        if self.changes.empty:
            return "no assignment changed"
        lines = [f"{self.moved} assignment(s) changed:"]
        for row in self.changes.itertuples(index=False):
            lines.append(f"  {row.shift} {human_iso(row.start)} {row.role}: {row.before or '-'} -> {row.after or '-'}")
        lines.append(f"{len(self.affected)} people affected (notify them):")
        for r in self.affected.itertuples(index=False):
            parts = [f"  {r.person_id:12s} {r.status:8s} shifts {r.shifts_before:g} -> {r.shifts_after:g}"]
            mine = self.assignments[self.assignments.person_id == r.person_id]
            for kind, verb in (("added", "gains"), ("removed", "loses")):
                items = _items(mine, kind, human_iso, ", ")
                if items:
                    parts.append(f"{verb} {items}")
            lines.append("; ".join(parts))
        return "\n".join(lines)


def _items(frame: pd.DataFrame, kind: str, when=str, sep: str = "; ") -> str:
    """The ``kind`` (added/removed) assignments of ``frame`` as ``shift start role`` items,
    the start written by ``when``."""
    sel = frame[frame.change == kind]
    return sep.join(f"{r.shift} {when(r.start)} {r.role}" for r in sel.itertuples(index=False))


def _slots(frame: pd.DataFrame) -> dict[tuple[str, str, str], list[str]]:
    out: dict[tuple[str, str, str], list[str]] = {}
    for row in frame.itertuples(index=False):
        out.setdefault((row.shift, row.start, row.role), []).append(row.person_id)
    return out


def compare(a: Schedule, b: Schedule) -> Comparison:
    """Every changed assignment, everyone affected, and the change in per-person load and
    in each penalty.

    ``a`` and ``b`` may belong to different versions of a scenario (``b`` planned after
    new leave, a new hire or a leaver): slots are matched by shift, start and role, people
    by id.

    Returns
    -------
    Comparison
        See :class:`Comparison`; ``Comparison.affected`` is the list of people to notify.
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
    key_cols = ["shift", "role", "start", "person_id"]
    lost = fa.merge(fb[key_cols], on=key_cols, how="left", indicator=True)
    lost = lost[lost["_merge"] == "left_only"].drop(columns="_merge").assign(change="removed")
    gained = fb.merge(fa[key_cols], on=key_cols, how="left", indicator=True)
    gained = gained[gained["_merge"] == "left_only"].drop(columns="_merge").assign(change="added")
    moved = pd.concat([lost, gained], ignore_index=True)
    assignments = (
        moved.sort_values(["start", "shift", "role", "change", "person_id"], kind="stable")[ASSIGNMENT_CHANGE_COLUMNS]
        .reset_index(drop=True)
        if not moved.empty
        else pd.DataFrame(columns=ASSIGNMENT_CHANGE_COLUMNS)
    )
    pa, pb = people_frame(a).set_index("person_id"), people_frame(b).set_index("person_id")
    ids = list(pa.index) + [p for p in pb.index if p not in pa.index]
    people = pd.DataFrame({"person_id": ids})
    for col in ("shifts", "load", "weekends", "holidays"):
        people[f"{col}_before"] = pa[col].reindex(ids).fillna(0).values
        people[f"{col}_after"] = pb[col].reindex(ids).fillna(0).values
        people[f"{col}_delta"] = people[f"{col}_after"] - people[f"{col}_before"]
    info = {**_contacts(a), **_contacts(b)}
    affected_rows = []
    for pid in ids:
        mine = assignments[assignments.person_id == pid]
        if mine.empty:
            continue
        n0 = int((fa.person_id == pid).sum())
        n1 = int((fb.person_id == pid).sum())
        gains, loses = bool((mine.change == "added").any()), bool((mine.change == "removed").any())
        status = "moved" if gains and loses else "gains" if gains else "loses"

        name, email = info.get(pid, ("", ""))
        affected_rows.append({"person_id": pid, "person_name": name, "email": email, "status": status,
                              "gained": _items(mine, "added"), "lost": _items(mine, "removed"),
                              "shifts_before": n0, "shifts_after": n1})
    affected = pd.DataFrame(affected_rows, columns=AFFECTED_COLUMNS)
    ra, rb = evaluate(a).by_rule(), evaluate(b).by_rule()
    rules = sorted(set(ra.index) | set(rb.index))
    penalty = pd.DataFrame({"rule": rules,
                            "before": [float(ra.get(r, 0.0)) for r in rules],
                            "after": [float(rb.get(r, 0.0)) for r in rules]})
    penalty["delta"] = penalty["after"] - penalty["before"]
    return Comparison(changes, people, penalty, assignments, affected)


def _contacts(schedule: Schedule) -> dict[str, tuple[str, str]]:
    return {p.id: (p.display_name, p.email or "") for p in schedule.problem.people}


def _require(cond: bool, message: str) -> None:
    if not cond:
        raise InputError.single(message)
