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

from ortools.sat.python import cp_model

from .facts import Facts
from .fairshare import slot_classes

DET_LIMIT = 0.5  # deterministic seconds for the counting model (measured: S reaches 19256 of 21625 by 0.5, 7922 by 0.1)


def spread_bound(problem: Facts, det_limit: float = DET_LIMIT) -> int | None:
    """A lower bound (centi per FTE, the fairness model's rounding) on the load spread of
    every schedule that fills each slot exactly; ``None`` with soft cover or when the
    counting model finds no bound above 0."""
    sc = problem.scenario
    if any(role.soft for pat in sc.shifts for role in pat.roles):
        return None
    pool = list(problem.pool)
    if len(pool) < 2:
        return None
    classes = slot_classes(problem)
    need, avail = classes.need, classes.avail
    qualified = problem.qualified_people
    m = cp_model.CpModel()
    n: dict[tuple[int, tuple], cp_model.IntVar] = {}
    most: dict[int, int] = defaultdict(int)  # largest possible load of each person (centi)
    for (p, key), a in avail.items():
        ub = min(a, need[key])
        n[(p, key)] = m.new_int_var(0, ub, "")
        most[p] += ub * classes.load[(p, key)]
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
            m.add(sum(holders) >= classes.instances.get(pat.name, 0))
    if not sc.rules.person_caps.soft:
        for p, person in enumerate(problem.people):
            if person.max_shifts is not None and by_person.get(p):
                m.add(sum(v for _, v in by_person[p]) <= person.max_shifts)
    top = 0
    his, los = [], []
    for p in pool:
        f = problem.fte_pct(p)
        hist = problem.history_centi(p)
        terms = [(classes.load[(p, key)], v) for key, v in by_person.get(p, [])]
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
