"""Time off, in the person's zone, [from 00:00, to + 1 day 00:00).

- hard (default): no assignment overlaps it;
- ``soft: true``: each assignment overlapping it costs ``weight`` ("rather not");
- ``prefer: true``: a wish to be on call then; costs ``weight`` if the person has no
  assignment overlapping the period.
"""

from __future__ import annotations

from optimizer.settings import Limit

from .base import Outcome, Penalty, Violation

NAME = "time_off"
PREFER = "preference"


def prune(prob):
    for p, intervals in enumerate(prob.hard_off):
        hit: set[int] = set()
        for iv in intervals:
            hit.update(prob.overlapping(iv.start, iv.end))
        for i in sorted(hit):
            yield (p, i)


def _overlapping(prob, iv):
    return prob.overlapping(iv.start, iv.end)


def encode(m) -> None:
    prob, v = m.problem, m.vars
    for p, intervals in enumerate(prob.soft_off):
        for iv in intervals:
            lits = [v.works(p, i) for i in _overlapping(prob, iv)]
            m.penalize(NAME, p, iv.entry.weight, sum(lits))
    for p, intervals in enumerate(prob.prefer):
        for iv in intervals:
            lits = [v.works(p, i) for i in _overlapping(prob, iv)]
            m.penalize(PREFER, p, iv.entry.weight, 1 - m.bool_or(lits, f"pref_{p}_{iv.index}"))


def evaluate(prob, schedule, stats) -> Outcome:
    out = Outcome()
    for p, assigned in schedule.by_person().items():
        pid = prob.people[p].id
        insts = sorted({a.instance for a in assigned})
        for iv in prob.hard_off[p] + prob.soft_off[p]:
            t = iv.entry
            hits = [prob.instances[i] for i in insts
                    if iv.start < prob.instances[i].end and prob.instances[i].start < iv.end]
            for inst in hits:
                msg = f"{pid} is off {t.from_}..{t.to} but on {inst.label}"
                if t.hard:
                    out.violations.append(Violation(NAME, msg, pid, inst.shift, inst.start_iso))
            out.over(NAME, Limit(soft=True, weight=t.weight), pid, len(hits) if t.soft else 0,
                     f"on call during soft time off {t.from_}..{t.to}")
        for iv in prob.prefer[p]:
            t = iv.entry
            if not any(iv.start < prob.instances[i].end and prob.instances[i].start < iv.end for i in insts):
                out.penalties.append(Penalty(PREFER, pid, 100, t.weight,
                                             f"wished to be on call {t.from_}..{t.to}"))
    return out

OBJECTIVE_ONLY = False
