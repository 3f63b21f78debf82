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

from optimizer.units import ceil_div, normalized

from .base import Outcome, Penalty

OBJECTIVE_ONLY = True  # adds objective terms only; skipped when explaining infeasibility
NAME_LOAD = "fair_load"
NAME_WEEKENDS = "fair_weekends"
NAME_HOLIDAYS = "fair_holidays"


def _spread(m, name, weight, pool, quantities, bounds=None) -> None:
    """Add weight × (max hi - min lo) for the per-person quantities (hundredths)."""
    if weight == 0 or len(pool) < 2:
        return
    prob, model = m.problem, m.model
    his, los = [], []
    for p in pool:
        q, q_max = quantities[p]
        f = prob.fte_pct(p)
        if f == 100:
            his.append(q)
            los.append(q)
            continue
        top = ceil_div(100 * q_max, f)
        hi = model.new_int_var(0, top, f"hi_{name}_{p}")
        lo = model.new_int_var(0, top, f"lo_{name}_{p}")
        model.add(f * hi >= 100 * q)
        model.add(f * hi <= 100 * q + f - 1)
        model.add(f * lo <= 100 * q)
        model.add(f * lo >= 100 * q - f + 1)
        his.append(hi)
        los.append(lo)
    top = max(ceil_div(100 * quantities[p][1], prob.fte_pct(p)) for p in pool)
    big = model.new_int_var(0, top, f"max_{name}")
    small = model.new_int_var(0, top, f"min_{name}")
    model.add_max_equality(big, his)
    model.add_min_equality(small, los)
    if bounds is not None:
        lo_total, hi_total = bounds
        fte_sum = sum(prob.fte_pct(p) for p in pool)
        model.add(big >= ceil_div(100 * lo_total, fte_sum))
        model.add(small <= (100 * hi_total) // fte_sum)
    m.penalize(name, None, weight, big - small, centi=True)


def encode(m) -> None:
    prob, v = m.problem, m.vars
    fair = prob.scenario.fairness
    pool = prob.pool
    # load (+ history)
    loads = {}
    for p in pool:
        terms = [(prob.load(p, i, r), x) for (pp, i, r), x in _vars_of(v, p)]
        hist = prob.history_centi(p)
        loads[p] = (sum(c * x for c, x in terms) + hist, sum(c for c, _ in terms) + hist)
    lo_total = hi_total = sum(prob.history_centi(p) for p in pool)
    for (i, r), cands in v.of_slot.items():
        coeffs = [prob.load(p, i, r) for p, _ in cands]
        if coeffs:
            n = prob.instances[i].roles[r].count
            lo_total += n * min(coeffs)
            hi_total += n * max(coeffs)
    _spread(m, NAME_LOAD, fair.load, pool, loads, bounds=(lo_total, hi_total))
    # weekends and holidays
    if fair.weekends:
        wk = {p: (100 * sum(m.weekend_lits(p).values()), 100 * len(m.weekend_lits(p))) for p in pool}
        _spread(m, NAME_WEEKENDS, fair.weekends, pool, wk)
    if fair.holidays:
        hol = {}
        for p in pool:
            lits = [lit for d, lit in m.day_lits(p).items() if d in prob.holidays[p]]
            hol[p] = (100 * sum(lits), 100 * len(lits))
        if any(q[1] for q in hol.values()):
            _spread(m, NAME_HOLIDAYS, fair.holidays, pool, hol)


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
            out.penalties.append(Penalty(
                name, None, hi - lo, weight,
                f"spread of {label}: {prob.people[top].id} {hi / 100:g} - "
                f"{prob.people[bottom].id} {lo / 100:g}"))
    return out
