"""Per-person weekend cap: ``people[].max_weekends: N``. A weekend (Saturday 00:00 - Monday
00:00, team zone) counts once if any of the person's shifts touches its Saturday or Sunday.
Hard (default) or soft via ``rules.person_caps``: each weekend over N costs ``weight``.
(``rules.max_weekends`` is the same cap for everybody, in ``weekends``.)
"""

from __future__ import annotations

from collections import defaultdict

from optimizer.timecalc import to_local, weekends_touched

from .base import Outcome


NAME = "person_max_weekends"


def encode(m) -> None:
    prob, v = m.problem, m.vars
    spec = prob.scenario.rules.person_caps
    for p in v.people():
        cap = prob.people[p].max_weekends
        if cap is None:
            continue
        weekends = m.weekend_lits(p)
        lits = list(weekends.values())
        if len(lits) > cap:
            _link(m, p, weekends)
            m.limit(NAME, spec, p, sum(lits), cap, upper=len(lits))


def _link(m, p: int, weekends: dict) -> None:
    """Redundant linear links "works an instance touching weekend W => W counts", one
    per group of instances starting on the same local date that can hold at most one of
    them, so CP-SAT's default LP relaxation sees the cap (the OR literal alone is not in it)."""
    prob = m.problem
    groups: dict[tuple, list[int]] = defaultdict(list)
    for i in m.vars.instances_of.get(p, []):
        inst = prob.instances[i]
        for sat in weekends_touched(inst.start, inst.end, prob.team_tz):
            groups[(sat, to_local(inst.start, prob.team_tz).date())].append(i)
    for (sat, _day), insts in groups.items():
        wk = weekends.get(sat)
        if wk is None or isinstance(wk, int):
            continue
        expr = m.works_sum_if_exclusive(p, insts)
        if expr is not None:
            m.model.add(expr <= wk)


def evaluate(prob, schedule, stats) -> Outcome:
    out = Outcome()
    spec = prob.scenario.rules.person_caps
    for p, s in enumerate(stats):
        cap = prob.people[p].max_weekends
        if cap is None:
            continue
        out.over(
            NAME,
            spec,
            prob.people[p].id,
            len(s.weekends) - cap,
            f"on call {len(s.weekends)} weekends (max {cap})",
        )
    return out


def prune(prob):
    return ()

OBJECTIVE_ONLY = False
