"""Test one rule module alone: a :class:`ModelBuilder` with only that rule, assignments
fixed by hand (like the CP-SAT primer's ``fix()``), and brute-force agreement of the
module's ``encode`` with its ``evaluate`` over every small schedule."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from types import ModuleType

from ortools.sat.python import cp_model

from constraints.base import Placed, place
from optimizer import Problem, Scenario, Schedule
from optimizer.model import ModelBuilder
from optimizer.schedule import Assignment
from optimizer.stats import person_stats


@dataclass
class Alone:
    """Result of solving with one rule: ``status`` is "feasible", "infeasible" or the name
    of another CP-SAT status; ``cost`` the objective in internal units."""

    status: str
    cost: int
    schedule: list[tuple[str, int]]  # (person id, instance) of the solution


def solve_alone(
    sc: Scenario,
    rule: ModuleType,
    force: list[tuple[str, int]] = (),
    forbid: list[tuple[str, int]] = (),
    exact: bool = False,
    linear: bool = False,
) -> Alone:
    """Solve ``sc`` under ``rule`` alone. ``force``: (person id, instance) that must be
    worked; ``forbid``: that must not; ``exact``: nothing else is worked; ``linear``: the
    rule's linear encoding (``ModelBuilder(linear=True)``)."""
    prob = Problem(sc, rules=[rule])
    m = ModelBuilder(prob, [rule], linear=linear)
    v = m.vars
    wanted = {(prob.person_index[pid], i) for pid, i in force}
    banned = {(prob.person_index[pid], i) for pid, i in forbid}
    for p, i in wanted:
        lit = v.works(p, i)
        if isinstance(lit, int):
            if not lit:
                return Alone("infeasible", 0, [])  # pruned by the rule
        else:
            m.model.add(lit == 1)
    for (p, i), roles in v.of_pi.items():
        if (p, i) in banned or (exact and (p, i) not in wanted):
            for _, x in roles:
                m.model.add(x == 0)
    # at most one role per person and instance, as coverage would say (not a rule here)
    for roles in v.of_pi.values():
        if len(roles) > 1:
            m.model.add_at_most_one(x for _, x in roles)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10
    st = solver.solve(m.model)
    if st == cp_model.INFEASIBLE:
        return Alone("infeasible", 0, [])
    if st != cp_model.OPTIMAL:
        return Alone(solver.status_name(st), 0, [])
    got = sorted({(prob.people[p].id, i) for (p, i, _r), x in v.x.items() if solver.value(x)})
    return Alone("feasible", round(solver.objective_value), got)


def judge(sc: Scenario, rule: ModuleType, worked: list[tuple[str, int]]) -> tuple[bool, int]:
    """The module's ``evaluate`` on a schedule (role 0 of each instance): (no violation, cost)."""
    prob = Problem(sc, rules=[rule])
    sched = Schedule(prob, [Assignment(i, 0, prob.person_index[pid]) for pid, i in worked])
    out = rule.evaluate(prob, sched, person_stats(sched))
    return not out.violations, sum(pen.cost for pen in out.penalties)


def agree(
    sc: Scenario,
    rule: ModuleType,
    people: list[str] | None = None,
    limit: int = 300,
    seed: int = 0,
    nobody: bool = True,
    linear: bool = False,
) -> int:
    """For every schedule giving each instance one of ``people`` or nobody (a seeded sample
    of ``limit`` when there are more; ``nobody=False``: always someone): the model with
    only ``rule`` and those assignments fixed is feasible iff ``evaluate`` finds no
    violation, and its objective equals the evaluated penalty (``linear``: of the rule's
    linear encoding). Returns the number of schedules checked."""
    prob = Problem(sc, rules=[rule])
    ids = people or [p.id for p in prob.people]
    options = [None, *ids] if nobody else list(ids)
    n = len(prob.instances)
    total = len(options) ** n
    if total <= limit:
        combos = list(itertools.product(options, repeat=n))
    else:
        rng = random.Random(seed)
        combos = [tuple(rng.choice(options) for _ in range(n)) for _ in range(limit)]
    for combo in combos:
        worked = [(pid, i) for i, pid in enumerate(combo) if pid is not None]
        ok, cost = judge(sc, rule, worked)
        got = solve_alone(sc, rule, force=worked, exact=True, linear=linear)
        assert got.status == ("feasible" if ok else "infeasible"), (worked, got, ok)
        if ok:
            assert got.cost == cost, (worked, got.cost, cost)
    return len(combos)


def warm_agrees(sc: Scenario, rule: ModuleType, limit: int = 300, seed: int = 0) -> int:
    """For every schedule as in :func:`agree` (instances taken in start order, as the
    greedy places them): the module's ``warm_cost`` of each next assignment equals what
    that assignment adds to the penalty its ``evaluate`` finds. Returns the number of
    assignments checked."""
    prob = Problem(sc, rules=[rule])
    cost = rule.warm_cost(prob)
    assert cost is not None
    ids = [p.id for p in prob.people]
    options = [None, *ids]
    n = len(prob.instances)
    rng = random.Random(seed)
    combos = (list(itertools.product(options, repeat=n)) if len(options) ** n <= limit
              else [tuple(rng.choice(options) for _ in range(n)) for _ in range(limit)])
    checked = 0
    for combo in combos:
        placed = [Placed() for _ in prob.people]
        worked: list[tuple[str, int]] = []
        before = judge(sc, rule, [])[1]  # unmet wishes cost from the start
        for i in sorted(range(n), key=lambda k: prob.instances[k].start):
            pid = combo[i]
            if pid is None:
                continue
            p = prob.person_index[pid]
            points = cost(placed[p], p, i)
            worked.append((pid, i))
            after = judge(sc, rule, worked)[1]
            assert round(points * 10_000) == after - before, (worked, points, after - before)
            before = after
            place(prob, placed[p], p, i)
            checked += 1
    return checked
