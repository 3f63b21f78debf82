"""Fairness: balance load, weekends and holidays across the pool (people who could take
at least one slot), in proportion to FTE.

For each person p of the pool and each balanced quantity q (in hundredths):

- load: ``q_p = load_p + history_p`` where load = Σ hours × role weight × kind weight;
- weekends: ``q_p = 100 × weekends on call``; holidays: ``q_p = 100 × holiday dates on call``.

With ``f_p = fte × 100``: ``hi_p = ceil(100 q_p / f_p)``, ``lo_p = floor(100 q_p / f_p)``
(q per FTE, in hundredths). The term is ``weight × (max_p hi_p - min_p lo_p) / 100``
points: the spread per FTE. ``fairness.load`` charges per hour of spread,
``fairness.weekends`` per weekend, ``fairness.holidays`` per holiday.

To let CP-SAT prove optimality quickly, the load term also gets the bounds implied by the
totals: the largest normalized load is at least the FTE-weighted mean of the smallest
possible total, the smallest at most the mean of the largest possible total.
"""

from __future__ import annotations

import math

from optimizer.bounds import spread_bound, weekend_spread_bound
from optimizer.facts import start_dates
from optimizer.fairshare import rounded_bounds
from optimizer.units import ceil_div, normalized

from .base import (
    Grouping,
    Outcome,
    Penalty,
    Placed,
    WarmCost,
    new_holidays,
    no_capacity,
    no_describe,
    no_prune,
    no_relaxations,
    no_warm_start,
    per_person,
)

# assignment variables; above this the counting-model bounds are skipped (optimizer.bounds; on
# the 300-person year, 219k variables, it finds nothing above 0). The LP's bounds on the largest
# and smallest load (optimizer.fairshare) are kept at any size: 4.6 s there (2026-12-03), and
# the only bound that year has (the load spread at least 88 load-hours; bound 0 without it)
BOUNDS_UNTIL = 60_000
OBJECTIVE_ONLY = True  # adds objective terms only; skipped when explaining infeasibility
# share of the fairness weight the greedy charges per weekend (holiday) per FTE; measured
# on the benchmarks' constructions (2026-12-03): with 0.3 S 474, M 204, L 1022 points;
# with the whole weight 518, 228, 1647 (weekends crowd out holiday avoidance)
WARM_SHARE = 0.3
NAME_LOAD = "fair_load"
NAME_WEEKENDS = "fair_weekends"
NAME_HOLIDAYS = "fair_holidays"


def _spread(m, name, weight, pool, quantities, unit=1, bounds=None, proven=None) -> None:
    """Add weight × (max hi - min lo) for the per-person quantities.

    ``quantities[p] = (expr, max)`` in multiples of ``unit`` hundredths. When everyone in
    the pool works full time the spread is kept in those units, so CP-SAT sees that it
    moves in steps of ``unit`` (a much stronger bound than hundredths); otherwise per-FTE
    values are kept in hundredths.
    """
    if weight == 0 or len(pool) < 2:
        return
    prob, model = m.problem, m.model
    full = all(prob.fte_pct(p) == 100 for p in pool)
    scale = 1 if full else unit  # hundredths per model unit of q below
    his, los, tops = [], [], []
    for p in pool:
        q, q_max = quantities[p]
        f = prob.fte_pct(p)
        if full:
            his.append(q)
            los.append(q)
            tops.append(q_max)
            continue
        top = ceil_div(100 * unit * q_max, f)
        tops.append(top)
        if f == 100:
            his.append(unit * q)
            los.append(unit * q)
            continue
        hi = model.new_int_var(0, top, f"hi_{name}_{p}")
        lo = model.new_int_var(0, top, f"lo_{name}_{p}")
        model.add(f * hi >= 100 * unit * q)
        model.add(f * hi <= 100 * unit * q + f - 1)
        model.add(f * lo <= 100 * unit * q)
        model.add(f * lo >= 100 * unit * q - f + 1)
        his.append(hi)
        los.append(lo)
    top = max(tops)
    big = model.new_int_var(0, top, f"max_{name}")
    small = model.new_int_var(0, top, f"min_{name}")
    model.add_max_equality(big, his)
    model.add_min_equality(small, los)
    big_lo, small_hi, spread_lo = 0, top, 0  # what is known of big and small, for the floor
    if bounds is not None:
        lo_total, hi_total = bounds  # in units
        fte_sum = sum(prob.fte_pct(p) for p in pool)
        big_lo, small_hi = ceil_div(100 * scale * lo_total, fte_sum), (100 * scale * hi_total) // fte_sum
        model.add(big >= big_lo)
        model.add(small <= small_hi)
    if proven is not None:  # from optimizer.fairshare and optimizer.bounds, in the units of big/small
        big_at_least, small_at_most, spread_at_least = proven
        if big_at_least is not None:
            model.add(big >= big_at_least)
            big_lo = max(big_lo, big_at_least)
        if small_at_most is not None:
            model.add(small <= small_at_most)
            small_hi = min(small_hi, small_at_most)
        if spread_at_least:
            spread_lo = ceil_div(spread_at_least, unit) if full else spread_at_least
            model.add(big - small >= spread_lo)
    # objective in hundredths: one model unit is `unit` hundredths when full, else 1
    m.penalize(name, None, weight * (unit if full else 1), big - small, centi=True,
               lower=max(big_lo - small_hi, spread_lo))


def encode(m) -> None:
    prob = m.problem
    fair = prob.scenario.fairness
    pool = prob.pool
    if fair.load:
        _encode_load(m, fair.load, pool)
    # weekends and holidays: counts, in units of one (= 100 hundredths)
    if fair.weekends:
        wk = {p: (sum(m.weekend_lits(p).values()), len(m.weekend_lits(p))) for p in pool}
        _spread(m, NAME_WEEKENDS, fair.weekends, pool, wk, unit=100, proven=_weekend_bound(m))
    if fair.holidays:
        hol = {}
        for p in pool:
            lits = [lit for d, lit in m.day_lits(p).items() if d in prob.holidays[p]]
            hol[p] = (sum(lits), len(lits))
        if any(q[1] for q in hol.values()):
            _spread(m, NAME_HOLIDAYS, fair.holidays, pool, hol, unit=100)


def _weekend_bound(m) -> tuple[None, None, int] | None:
    """The counting model's lower bound on the weekend spread (``optimizer.bounds``), where
    weekends add up over a person's shifts."""
    if m.plain or len(m.vars.x) > BOUNDS_UNTIL:
        return None
    sb = weekend_spread_bound(m.problem)
    return None if sb is None else (None, None, sb)


def _encode_load(m, weight, pool) -> None:
    """Load (+ history), in units of the gcd of every possible contribution."""
    prob, v = m.problem, m.vars
    coeffs = {p: [(prob.load(p, i, r), x) for (_, i, r), x in _vars_of(v, p)] for p in pool}
    g = 0
    for p in pool:
        g = math.gcd(g, prob.history_centi(p), *(c for c, _ in coeffs[p]))
    g = g or 1
    loads = {}
    for p in pool:
        hist = prob.history_centi(p) // g
        loads[p] = (sum((c // g) * x for c, x in coeffs[p]) + hist, sum(c // g for c, _ in coeffs[p]) + hist)
    # Bounds implied by the totals, valid only when every slot takes exactly its count
    # (not with soft cover, where a slot may take fewer or more people).
    bounds = None
    if not any(role.soft for pat in prob.scenario.shifts for role in pat.roles):
        dates = start_dates(prob)
        lo_total = hi_total = sum(prob.history_centi(p) for p in pool) // g
        for (i, r), cands in v.of_slot.items():
            slot = [prob.load(p, i, r) // g for p, _ in cands]
            if slot:
                n = prob.instances[i].roles[r].count_on(dates[i])
                lo_total += n * min(slot)
                hi_total += n * max(slot)
        bounds = (lo_total, hi_total)
    proven = None
    if m.plain:
        bounds = None
    if bounds is not None:
        lp = rounded_bounds(prob, g, all(prob.fte_pct(p) == 100 for p in pool))
        if lp is not None:
            proven = (*lp, spread_bound(prob) if len(v.x) <= BOUNDS_UNTIL else None)
    if len(pool) >= 2 and not m.plain:
        _break_symmetry(m, loads, pool)
    _spread(m, NAME_LOAD, weight, pool, loads, unit=g, bounds=bounds, proven=proven)


def _break_symmetry(m, loads, pool) -> None:
    """Interchangeable people (identical in every rule, see ``interchangeable``) can swap
    whole schedules without changing anything: order their loads, so the search (and the
    proof) sees each distribution once."""
    for group in interchangeable(m.problem, pool):
        for a, b in zip(group, group[1:], strict=False):
            m.model.add(loads[a][0] >= loads[b][0])


def in_symmetry_order(prob, chosen: set[tuple[int, int, int]]) -> set[tuple[int, int, int]]:
    """The same schedule with interchangeable people's whole schedules permuted so that their
    loads are in the order ``_break_symmetry`` requires (for hints and warm starts)."""
    out = set(chosen)
    for group in interchangeable(prob, prob.pool):
        members = set(group)
        mine = {p: [(i, r) for (q, i, r) in chosen if q == p] for p in group}
        ranked = sorted(group, key=lambda p: -sum(prob.load(p, i, r) for i, r in mine[p]))
        out = {k for k in out if k[0] not in members}
        for target, source in zip(group, ranked, strict=True):
            out.update((target, i, r) for i, r in mine[source])
    return out


def interchangeable(prob, pool) -> list[list[int]]:
    """Groups (two or more) of pool members that every rule treats alike: the same person
    fields apart from id, name and e-mail, no time off or shift requests of their own, and
    no re-plan baseline. Swapping two of them maps every schedule to one of equal cost."""
    if prob.baseline is not None:
        return []
    with_entries = {t.person for t in prob.scenario.time_off}
    groups: dict[str, list[int]] = {}
    for p in pool:
        person = prob.people[p]
        if person.id in with_entries or person.shift_requests:
            continue
        key = person.model_dump_json(exclude={"id", "name", "email"})
        groups.setdefault(key, []).append(p)
    return [g for g in groups.values() if len(g) > 1]


def _vars_of(v, p):
    for i in v.instances_of.get(p, []):
        for r, x in v.of_pi[(p, i)]:
            yield (p, i, r), x


def evaluate(prob, schedule, stats) -> Outcome:
    out = Outcome()
    fair = prob.scenario.fairness
    pool = prob.pool
    if len(pool) < 2:
        return out
    quantities = [
        (NAME_LOAD, fair.load, {p: stats[p].load_centi + prob.history_centi(p) for p in pool}, "load per FTE"),
        (NAME_WEEKENDS, fair.weekends, {p: 100 * len(stats[p].weekends) for p in pool}, "weekends per FTE"),
        (NAME_HOLIDAYS, fair.holidays, {p: 100 * len(stats[p].holidays) for p in pool}, "holidays per FTE"),
    ]
    for name, weight, q, label in quantities:
        if weight == 0:
            continue
        norm = {p: normalized(q[p], prob.fte_pct(p)) for p in pool}
        hi = max(norm.values(), key=lambda t: t[0])[0]
        lo = min(norm.values(), key=lambda t: t[1])[1]
        if hi - lo > 0:
            top = max(pool, key=lambda p: norm[p][0])
            bottom = min(pool, key=lambda p: norm[p][1])
            out.penalties.append(
                Penalty(
                    name,
                    None,
                    hi - lo,
                    weight,
                    f"spread of {label}: {prob.people[top].id} {hi / 100:g} - {prob.people[bottom].id} {lo / 100:g}",
                )
            )
    return out


# the rule protocol (constraints/base.py): objective terms only, nothing hard to explain
NAMES = (NAME_LOAD, NAME_WEEKENDS, NAME_HOLIDAYS)
RELAX: Grouping = "never"
prune = no_prune
describe = no_describe
relaxations = no_relaxations
capacity = no_capacity
warm_start = no_warm_start
couples = per_person


def warm_cost(prob) -> WarmCost | None:
    """A shift that brings a person a new weekend (or public holiday) costs ``WARM_SHARE``
    of the fairness weight per weekend (holiday) per FTE they would then have: the greedy
    gives weekends to those with the fewest so far, as it gives load
    (``optimizer.construct``)."""
    fair = prob.scenario.fairness
    if not (fair.weekends or fair.holidays):
        return None
    pool = set(prob.pool)

    def cost(placed: Placed, p: int, i: int) -> float:
        if p not in pool:
            return 0.0
        fte = prob.fte_pct(p) / 100
        points = 0.0
        if fair.weekends:
            new = len(set(prob.weekends_of(i)) - placed.weekends)
            if new:
                points += fair.weekends * (len(placed.weekends) + new) / fte
        if fair.holidays:
            new = len(new_holidays(prob, placed, p, i))
            if new:
                points += fair.holidays * (len(placed.holidays) + new) / fte
        return WARM_SHARE * points

    return cost
