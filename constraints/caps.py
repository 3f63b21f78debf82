"""Caps over the whole horizon, per person and team-wide (one family, two sources):

- ``people[].max_shifts``, ``people[].max_shifts_by_type: {D: 14, N: 0}`` (shifts of one
  pattern), ``people[].max_hours`` and ``people[].min_hours``: hard, or soft via
  ``rules.person_caps`` (each shift over costs ``weight``; each started hour over or short
  costs ``weight``). A hard ``max_shifts_by_type`` of 0 removes the person from that
  pattern altogether (no variables).
- ``rules.max_share``: nobody on call more than this fraction of the horizon's time
  (soft: each started hour over costs ``weight``).

``max_shifts`` is ``max_shifts_by_type`` over every pattern: both are one count encoding.
Time is counted in whole minutes of each shift.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from optimizer.model import total, weighted
from optimizer.settings import Limit

from .base import (
    Capacity,
    Facts,
    Grouping,
    ModelBuilder,
    Outcome,
    Placed,
    Relaxation,
    WarmCheck,
    no_warm_cost,
    per_person,
    person_change,
    person_id,
    raises,
    rule_change,
)

if TYPE_CHECKING:
    from optimizer.model import Expr, Lit
    from optimizer.schedule import Schedule
    from optimizer.stats import PersonStats

NAME_SHIFTS = "max_shifts"
NAME_BY_TYPE = "max_shifts_by_type"
NAME_HOURS = "max_hours"
NAME_MIN_HOURS = "min_hours"
NAME_SHARE = "max_share"
NAMES = (NAME_SHIFTS, NAME_BY_TYPE, NAME_HOURS, NAME_MIN_HOURS, NAME_SHARE)
OBJECTIVE_ONLY = False
RELAX: Grouping = "person"
RANK = 50


def over_hours_expr(
    m: ModelBuilder,
    rule: str,
    spec: Limit,
    p: int,
    expr_min: Expr,
    cap_min: int,
    upper_min: int,
    enforce: Lit | None = None,
) -> None:
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


def _share_cap_min(prob: Facts) -> int | None:
    spec = prob.scenario.rules.max_share
    if spec is None:
        return None
    h0, h1 = prob.horizon
    return int((h1 - h0) * spec.share) // 60


def _count_caps(prob: Facts, p: int) -> list[tuple[str, str | None, int]]:
    """(rule name, pattern or None for every pattern, cap) of person ``p``'s count caps."""
    person = prob.people[p]
    out: list[tuple[str, str | None, int]] = []
    if person.max_shifts is not None:
        out.append((NAME_SHIFTS, None, person.max_shifts))
    out += [(NAME_BY_TYPE, name, cap) for name, cap in person.max_shifts_by_type.items()]
    return out


def prune(prob: Facts) -> Iterator[tuple[int, int]]:
    if prob.scenario.rules.person_caps.soft:
        return
    for p, person in enumerate(prob.people):
        banned = {name for name, n in person.max_shifts_by_type.items() if n == 0}
        if not banned:
            continue
        for i, inst in enumerate(prob.instances):
            if inst.shift in banned:
                yield (p, i)


def encode(m: ModelBuilder) -> None:
    prob, v = m.problem, m.vars
    rules = prob.scenario.rules
    own = rules.person_caps
    share_cap = _share_cap_min(prob)
    shift_of = [inst.shift for inst in prob.instances]
    minutes_of = [inst.seconds // 60 for inst in prob.instances]
    for p in range(len(prob.people)):
        person = prob.people[p]
        insts = v.instances_of.get(p, [])
        lits = v.works_of(p, insts)
        by_type: dict[str, list[Lit]] = defaultdict(list)
        for i, lit in zip(insts, lits, strict=True):
            by_type[shift_of[i]].append(lit)
        for name, pattern, cap in _count_caps(prob, p):
            some = lits if pattern is None else by_type.get(pattern, [])
            if len(some) > cap:
                m.limit(name, own, p, total(some), cap, upper=len(some))
        minutes = [minutes_of[i] for i in insts]
        expr_min = weighted(lits, minutes)
        caps: list[tuple[str, Limit, int]] = []
        if person.max_hours is not None:
            caps.append((NAME_HOURS, own, round(person.max_hours * 60)))
        if share_cap is not None and rules.max_share is not None:
            caps.append((NAME_SHARE, rules.max_share, share_cap))
        for name, spec, cap in caps:
            if spec.soft:
                over_hours_expr(m, name, spec, p, expr_min, cap, sum(minutes))
            elif sum(minutes) > cap:
                m.model.add(expr_min <= cap)
        need = round(person.min_hours * 60) if person.min_hours is not None else 0
        if need > 0:
            if own.soft:
                over_hours_expr(m, NAME_MIN_HOURS, own, p, -expr_min, -need, 0)
            elif sum(minutes) < need:
                m.note(m.model.add_bool_or([]), person=p)  # cannot be met: infeasible
            else:
                m.model.add(expr_min >= need)


def evaluate(prob: Facts, schedule: Schedule, stats: Sequence[PersonStats]) -> Outcome:
    out = Outcome()
    rules = prob.scenario.rules
    own = rules.person_caps
    share_cap = _share_cap_min(prob)
    mine = schedule.by_person()
    for p, person in enumerate(prob.people):
        insts = {a.instance for a in mine.get(p, ())}
        minutes = sum(prob.instances[i].seconds // 60 for i in insts)
        counts = Counter(prob.instances[i].shift for i in insts)
        for name, pattern, cap in _count_caps(prob, p):
            n = len(insts) if pattern is None else counts[pattern]
            what = "shifts" if pattern is None else f"{pattern} shifts"
            out.over(name, own, person.id, n - cap, f"{n} {what} (max {cap})")
        caps: list[tuple[str, Limit, int, str]] = []
        if person.max_hours is not None:
            caps.append((NAME_HOURS, own, round(person.max_hours * 60), "max_hours"))
        if share_cap is not None and rules.max_share is not None:
            caps.append((NAME_SHARE, rules.max_share, share_cap, f"max_share {rules.max_share.share:g}"))
        for name, spec, cap, label in caps:
            over = -(-(minutes - cap) // 60)
            out.over(name, spec, person.id, over, f"{minutes / 60:g}h on call ({label}: {cap / 60:g}h)")
        if person.min_hours is not None:
            need = round(person.min_hours * 60)
            short = -(-(need - minutes) // 60)  # started hours short
            out.over(NAME_MIN_HOURS, own, person.id, short, f"{minutes / 60:g}h on call (min_hours {need / 60:g}h)")
    return out


def _bits(prob: Facts, p: int) -> list[str]:
    person = prob.people[p]
    rules = prob.scenario.rules
    bits = []
    if not rules.person_caps.soft:
        if person.max_shifts is not None:
            bits.append(f"max_shifts {person.max_shifts}")
        bits += [f"max_shifts_by_type {name}: {cap}" for name, cap in person.max_shifts_by_type.items()]
        if person.max_hours is not None:
            bits.append(f"max_hours {person.max_hours:g}")
        if person.min_hours is not None:
            bits.append(f"min_hours {person.min_hours:g}")
    if rules.max_share is not None and not rules.max_share.soft:
        bits.append(f"max_share {rules.max_share.share:g}")
    return bits


def describe(prob: Facts, person: int | None, instance: int | None) -> str:
    if person is None or person < 0:
        return "the personal caps (max_shifts / max_hours / max_share)"
    return f"{person_id(prob, person)}: {', '.join(_bits(prob, person))} (caps)"


def relaxations(prob: Facts, person: int | None, instance: int | None) -> list[Relaxation]:
    rules = prob.scenario.rules
    longest = max((i.seconds for i in prob.instances), default=3600) / 3600
    if person is None or person < 0:
        out = [Relaxation("relax the personal caps (max_shifts / max_hours / max_share) for everyone", RANK + 5)]
        share = rules.max_share
        if share is not None and not share.soft:
            ups = sorted({min(1.0, round(share.share + k / 10, 2)) for k in (1, 2, 3)} - {share.share})
            out = [
                Relaxation(
                    f"raise max_share from {share.share:g} to {s:g}", RANK + k, rule_change(NAME_SHARE, share, share=s)
                )
                for k, s in enumerate(ups)
            ] + out
        return out
    pid = person_id(prob, person)
    person_ = prob.people[person]
    out = [Relaxation(f"lift {pid}'s caps ({', '.join(_bits(prob, person))})", RANK)]
    if rules.person_caps.soft:
        return out
    if person_.max_shifts is not None:
        out += [
            Relaxation(
                f"raise max_shifts from {person_.max_shifts} to {c} for {pid}",
                RANK + k,
                person_change(pid, max_shifts=c),
            )
            for k, c in enumerate(raises(person_.max_shifts))
        ]
    for name, cap in person_.max_shifts_by_type.items():
        out += [
            Relaxation(
                f"raise max_shifts_by_type {name} from {cap} to {c} for {pid}",
                RANK + k,
                person_change(pid, max_shifts_by_type={**person_.max_shifts_by_type, name: c}),
            )
            for k, c in enumerate(raises(cap))
        ]
    if person_.max_hours is not None:
        hours = person_.max_hours
        out += [
            Relaxation(
                f"raise max_hours from {hours:g} to {hours + k * longest:g} for {pid}",
                RANK + k - 1,
                person_change(pid, max_hours=hours + k * longest),
            )
            for k in (1, 2, 3)
        ]
    if person_.min_hours is not None:
        low = person_.min_hours
        out += [
            Relaxation(
                f"lower min_hours from {low:g} to {max(0.0, low - k * longest):g} for {pid}",
                RANK + k - 1,
                person_change(pid, min_hours=max(0.0, low - k * longest)),
            )
            for k in (1, 2, 3)
            if low - (k - 1) * longest > 0
        ]
    return out


def capacity(prob: Facts, p: int, insts: Sequence[int]) -> Capacity | None:
    person = prob.people[p]
    rules = prob.scenario.rules
    most: int | None = None
    texts: list[str] = []
    if not rules.person_caps.soft:
        by_pattern = Counter(prob.instances[i].shift for i in insts)
        typed = sum(min(n, person.max_shifts_by_type.get(name, n)) for name, n in by_pattern.items())
        if typed < len(insts):
            most, texts = typed, texts + ["max_shifts_by_type"]
        if person.max_shifts is not None and person.max_shifts < (most if most is not None else len(insts)):
            most, texts = person.max_shifts, texts + [f"max_shifts {person.max_shifts}"]
    cap_min = [round(person.max_hours * 60)] if person.max_hours is not None and not rules.person_caps.soft else []
    share = _share_cap_min(prob)
    if share is not None and rules.max_share is not None and not rules.max_share.soft:
        cap_min.append(share)
    if cap_min:
        # the most shifts whose minutes fit: shortest first
        left, n = min(cap_min), 0
        for mm in sorted(prob.instances[i].seconds // 60 for i in insts):
            if mm > left:
                break
            left -= mm
            n += 1
        if most is None or n < most:
            most, texts = n, texts + ["hour caps"]
    if most is None:
        return None
    return Capacity(most, ", ".join(texts))


def warm_start(prob: Facts) -> WarmCheck | None:
    rules = prob.scenario.rules
    own = not rules.person_caps.soft
    share = _share_cap_min(prob) if rules.max_share is not None and not rules.max_share.soft else None
    hours = [round(p.max_hours * 60) if own and p.max_hours is not None else None for p in prob.people]

    def check(placed: Placed, p: int, i: int) -> bool:
        inst = prob.instances[i]
        minutes = placed.minutes + inst.seconds // 60
        if share is not None and minutes > share:
            return False
        if not own:
            return True
        person = prob.people[p]
        if person.max_shifts is not None and len(placed.insts) + 1 > person.max_shifts:
            return False
        cap = hours[p]
        if cap is not None and minutes > cap:
            return False
        by_type = person.max_shifts_by_type.get(inst.shift)
        return by_type is None or placed.by_type[inst.shift] + 1 <= by_type

    return check


warm_cost = no_warm_cost  # no soft penalty the greedy weighs
couples = per_person  # binds each person alone
