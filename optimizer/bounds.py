"""A lower bound on the load spread that counts whole shifts.

The fairness term charges ``max_p hi_p − min_p lo_p`` where ``hi_p = ceil(100 q_p / f_p)``
and ``lo_p = floor(100 q_p / f_p)``, ``q_p`` the person's load plus history (centi) and
``f_p`` their FTE in percent. CP-SAT's LP relaxation lets a shift be split, so its bound
on that spread is weak: a weekly rotation of 26 slots over 12 people, or 91 daily shifts
over the 9 people who may lead them, cannot be shared evenly, and it takes CP-SAT a long
search to find that out.

:func:`spread_bound` solves a much smaller integer model instead: slots are grouped into
*classes* (same pattern, same role, the same load for every person who may take them);
``n[p, c]`` counts how many slots of class ``c`` person ``p`` takes, at most as many as
they may take; every class is filled exactly; crews hold their crew skills (counted per
pattern); hard per-person caps hold. Every schedule maps to such counts with the same
loads, so the smallest spread of the counting model is a valid lower bound of the real
one, in the model's own rounding. Its best bound after a short, deterministic solve
(proved or not) is what :mod:`constraints.fairness` adds to the model.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from ortools.sat.python import cp_model

from .facts import Facts, start_dates
from .fairshare import slot_classes

# deterministic seconds for the counting model (measured: S proves 21625 by 1.0, in 1.5 s of
# wall time, and reaches 19256 by 0.5; M and the examples prove theirs by 0.5)
DET_LIMIT = 1.0


def spread_bound(problem: Facts, det_limit: float = DET_LIMIT) -> int | None:
    """A lower bound (centi per FTE, the fairness model's rounding) on the load spread of
    every schedule that fills each slot exactly; ``None`` with soft cover or when the
    counting model finds no bound above 0."""
    if not _exact_cover(problem):
        return None
    classes = slot_classes(problem)
    return _counting_spread(problem, classes.need, classes.avail, classes.load, classes.instances,
                            problem.history_centi, det_limit)


def weekend_spread_bound(problem: Facts, det_limit: float = DET_LIMIT) -> int | None:
    """The same for weekends on call (centi per FTE: 100 per weekend), when they add up
    over a person's shifts: every two shift instances that touch the same weekend overlap
    in time, so nobody can take both (weekly and longer rotations). ``None`` otherwise
    (two daily shifts on Saturday and Sunday are one weekend, not two)."""
    if not _exact_cover(problem):
        return None
    touching: dict = defaultdict(list)
    for i in range(len(problem.instances)):
        for sat in problem.weekends_of(i):
            touching[sat].append(problem.instances[i])
    for insts in touching.values():
        for k, a in enumerate(insts):
            if any(not (a.start < b.end and b.start < a.end) for b in insts[k + 1:]):
                return None
    dates = start_dates(problem)
    qualified = problem.qualified_people
    forbidden = problem.forbidden
    need: dict[tuple, int] = defaultdict(int)
    avail: dict[tuple[int, tuple], int] = defaultdict(int)
    value: dict[tuple[int, tuple], int] = {}
    busy: dict[str, int] = defaultdict(int)
    for i, inst in enumerate(problem.instances):
        centi = 100 * len(problem.weekends_of(i))
        needed = False
        for r, role in enumerate(inst.roles):
            n = role.count_on(dates[i])
            if n <= 0:
                continue
            needed = True
            key = (inst.shift, r, centi)
            need[key] += n
            for p in qualified[(inst.shift, r)]:
                if (p, i) not in forbidden:
                    avail[(p, key)] += 1
                    value[(p, key)] = centi
        busy[inst.shift] += needed
    if not any(value.values()):
        return None
    return _counting_spread(problem, dict(need), dict(avail), value, dict(busy), lambda p: 0, det_limit)


def _exact_cover(problem: Facts) -> bool:
    """Every slot takes exactly its count (no soft cover) and there are two to compare."""
    if any(role.soft for pat in problem.scenario.shifts for role in pat.roles):
        return False
    return len(problem.pool) >= 2


def _counting_spread(problem: Facts, need: dict[tuple, int], avail: dict[tuple[int, tuple], int],
                     value: dict[tuple[int, tuple], int], instances: dict[str, int],
                     history: Callable[[int], int], det_limit: float) -> int | None:
    """Smallest max − min of ``(history + Σ value × count) / FTE`` (centi per FTE, hi
    rounded up and lo down) over the counts ``n[p, class]``, solved briefly; its best
    bound (or optimum) if above 0."""
    sc = problem.scenario
    pool = list(problem.pool)
    qualified = problem.qualified_people
    m = cp_model.CpModel()
    n: dict[tuple[int, tuple], cp_model.IntVar] = {}
    most: dict[int, int] = defaultdict(int)  # largest possible quantity of each person (centi)
    for (p, key), a in avail.items():
        ub = min(a, need[key])
        n[(p, key)] = m.new_int_var(0, ub, "")
        most[p] += ub * value[(p, key)]
    by_class: dict[tuple, list] = defaultdict(list)
    by_person: dict[int, list[tuple[tuple, cp_model.IntVar]]] = defaultdict(list)
    for (p, key), v in n.items():
        by_class[key].append(v)
        by_person[p].append((key, v))
    for key, k in need.items():
        if sum(avail.get((p, key), 0) for p in qualified[(key[0], key[1])]) < k:
            return None  # not even the counts can be filled: the real model will say why
        m.add(sum(by_class[key]) == k)
    for pat in sc.shifts:  # each instance's crew holds the skill: at least one holder per instance
        for skill in pat.crew_skills:
            holders = [v for (p, key), v in n.items() if key[0] == pat.name and skill in problem.people[p].skills]
            m.add(sum(holders) >= instances.get(pat.name, 0))
    if not sc.rules.person_caps.soft:
        for p, person in enumerate(problem.people):
            if person.max_shifts is not None and by_person.get(p):
                m.add(sum(v for _, v in by_person[p]) <= person.max_shifts)
    top = 0
    his, los = [], []
    for p in pool:
        f = problem.fte_pct(p)
        hist = history(p)
        terms = [(value[(p, key)], v) for key, v in by_person.get(p, [])]
        q_max = hist + most[p]
        hi_top = -((-100 * q_max) // f)
        top = max(top, hi_top)
        q = sum(c * v for c, v in terms) + hist
        hi = m.new_int_var(0, hi_top, "")
        lo = m.new_int_var(0, hi_top, "")
        m.add(f * hi >= 100 * q)
        m.add(f * lo <= 100 * q)
        his.append(hi)
        los.append(lo)
    big = m.new_int_var(0, top, "")
    small = m.new_int_var(0, top, "")
    m.add_max_equality(big, his)
    m.add_min_equality(small, los)
    m.minimize(big - small)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_deterministic_time = det_limit
    solver.parameters.max_time_in_seconds = 10 * det_limit
    solver.parameters.catch_sigint_signal = False
    status = solver.solve(m)
    if status == cp_model.INFEASIBLE or status == cp_model.MODEL_INVALID:
        return None
    bound = round(solver.best_objective_bound) if status != cp_model.OPTIMAL else round(solver.objective_value)
    return bound if bound > 0 else None
