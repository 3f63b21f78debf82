"""Caps over the whole horizon: per-person ``max_shifts`` and ``max_hours`` (hard or soft
via ``rules.person_caps``) and team-wide ``rules.max_share`` (nobody on call more than
this fraction of the horizon's time).

Soft hour caps cost ``weight`` per started hour over the cap.
"""

from __future__ import annotations

from .base import Outcome

NAME_SHIFTS = "max_shifts"
NAME_HOURS = "max_hours"
NAME_SHARE = "max_share"


def over_hours_expr(m, rule, spec, p, expr_min, cap_min, upper_min, enforce=None) -> None:
    """Soft cap in minutes, charged per started hour over: h = ceil(max(0, expr - cap) / 60)."""
    if upper_min <= cap_min:
        return
    if isinstance(enforce, int):
        if enforce == 0:
            return
        enforce = None
    over = m.excess(rule, expr_min, cap_min, upper_min, enforce)
    hours = m.model.new_int_var(0, -(-(upper_min - cap_min) // 60), f"overh_{rule}_{p}")
    m.model.add(60 * hours >= over)
    m.model.add(60 * hours <= over + 59)
    m.penalize(rule, p, spec.weight, hours)


def _share_cap_min(prob) -> int | None:
    spec = prob.scenario.rules.max_share
    if spec is None:
        return None
    h0, h1 = prob.horizon
    return int((h1 - h0) * spec.share) // 60


def encode(m) -> None:
    prob, v = m.problem, m.vars
    rules = prob.scenario.rules
    share_cap = _share_cap_min(prob)
    for p in v.people():
        person = prob.people[p]
        insts = v.instances_of[p]
        lits = [v.works(p, i) for i in insts]
        minutes = [prob.instances[i].seconds // 60 for i in insts]
        expr_min = sum(mm * lit for mm, lit in zip(minutes, lits, strict=True))
        if person.max_shifts is not None:
            m.limit(NAME_SHIFTS, rules.person_caps, p, sum(lits), person.max_shifts, upper=len(lits))
        caps = []
        if person.max_hours is not None:
            caps.append((NAME_HOURS, rules.person_caps, round(person.max_hours * 60)))
        if share_cap is not None:
            caps.append((NAME_SHARE, rules.max_share, share_cap))
        for name, spec, cap in caps:
            if spec.soft:
                over_hours_expr(m, name, spec, p, expr_min, cap, sum(minutes))
            elif sum(minutes) > cap:
                m.model.add(expr_min <= cap)


def evaluate(prob, schedule, stats) -> Outcome:
    out = Outcome()
    rules = prob.scenario.rules
    share_cap = _share_cap_min(prob)
    for p, person in enumerate(prob.people):
        insts = {a.instance for a in schedule.assignments if a.person == p}
        minutes = sum(prob.instances[i].seconds // 60 for i in insts)
        if person.max_shifts is not None:
            out.over(NAME_SHIFTS, rules.person_caps, person.id, len(insts) - person.max_shifts,
                     f"{len(insts)} shifts (max {person.max_shifts})")
        caps = []
        if person.max_hours is not None:
            caps.append((NAME_HOURS, rules.person_caps, round(person.max_hours * 60), "max_hours"))
        if share_cap is not None:
            caps.append((NAME_SHARE, rules.max_share, share_cap, f"max_share {rules.max_share.share:g}"))
        for name, spec, cap, label in caps:
            over = -(-(minutes - cap) // 60)
            out.over(name, spec, person.id, over, f"{minutes / 60:g}h on call ({label}: {cap / 60:g}h)")
    return out


def prune(prob):
    return ()

OBJECTIVE_ONLY = False
