"""How a solve starts: the re-plan baseline, hints, the construction reported as the first
schedule, and a lower bound per objective term given to the model before the main phase
(see ``optimizer.solve`` and docs/engine.md)."""

from __future__ import annotations

import datetime as dt
import math
import time
from concurrent.futures import ThreadPoolExecutor

from ortools.sat.python import cp_model

from constraints.fairness import in_symmetry_order

from .errors import InputError
from .facts import slots_needed
from .model import ModelBuilder, hint_chosen
from .phases import by_rule, hint_all, main_objective
from .problem import Problem
from .replan import Baseline
from .result import Progress, Result
from .schedule import Schedule
from .units import points
from .verify import penalty_cost

TERM_BOUNDS_UNTIL = 60_000  # assignment variables; above this each term's solve costs more than it proves
TERM_BOUND_SECONDS = 0.5  # at most this long per rule's terms (measured on the examples: most prove in 0.2 s)
TERM_BOUND_SHARE = 0.1  # and all of them together at most this share of the time limit
REPORT_CONSTRUCTION_UNTIL = 200_000  # people x shift instances; above this evaluating it costs seconds


def report_construction(problem: Problem, sched: Schedule, progress, t0: float, large: bool = False) -> Progress | None:
    """Report the construction as the first schedule, before the model is built, when it
    is complete and breaks no hard rule (judged by the rule modules' evaluators); the
    event reported (for ``Result.history``), or None when it is not reported. Above
    ``REPORT_CONSTRUCTION_UNTIL`` only when ``large`` (the schedule was repaired person by
    person: it is the early search's result, worth the seconds of judging it)."""
    if len(problem.people) * len(problem.instances) > REPORT_CONSTRUCTION_UNTIL and not large:
        return None
    need = slots_needed(problem)
    if len(sched.assignments) < need:
        return None
    hard, cost = penalty_cost(sched)
    if hard:
        return None
    ev = Progress(points(cost), None, time.perf_counter() - t0, 0)
    if progress:
        progress(ev)
    return ev


def configured(settings: dict[str, object]) -> cp_model.CpSolver:
    """A CP-SAT solver with ``settings``; a wrong name or type is an input error."""
    solver = cp_model.CpSolver()
    for k, v in settings.items():
        try:
            if isinstance(v, list | tuple):  # repeated fields, e.g. subsolvers
                field = getattr(solver.parameters, k)
                field.clear()
                field.extend(v)
            else:
                setattr(solver.parameters, k, v)
        except (AttributeError, TypeError, ValueError) as e:
            raise InputError.single(f"not a CP-SAT parameter or wrong type: {k}={v!r} ({e})",
                                    field=f"solver.params.{k}") from None
    # Python handles Ctrl-C (KeyboardInterrupt in the main thread -> stop_search); CP-SAT's
    # own SIGINT handler does not work from the worker thread the solve runs in.
    solver.parameters.catch_sigint_signal = False
    return solver


def baseline_of(scenario, baseline, freeze_until, weight):
    if baseline is None:
        if freeze_until is not None:
            raise ValueError("freeze_until needs a baseline")
        return None
    if isinstance(freeze_until, str):
        freeze_until = dt.date.fromisoformat(freeze_until)
    if isinstance(baseline, Result):
        baseline = baseline.schedule
    if isinstance(baseline, Schedule):
        return Baseline.from_schedule(baseline, freeze_until, weight)
    if isinstance(baseline, Baseline):
        return baseline if freeze_until is None else Baseline(baseline.keys, freeze_until, baseline.weight)
    return Baseline.from_csv(scenario, baseline, freeze_until, weight)


def add_hint(builder: ModelBuilder, hint: Schedule | None, problem: Problem) -> None:
    """Hint the search: the given schedule, else the baseline's assignments."""
    chosen: set[tuple[int, int, int]] = set()
    if hint is not None:
        by_key = {(i.shift, i.start): i.index for i in problem.instances}
        for a in hint.assignments:
            inst = hint.problem.instances[a.instance]
            i = by_key.get((inst.shift, inst.start))
            p = problem.person_index.get(hint.problem.people[a.person].id)
            if i is not None and p is not None:
                r = problem.role_index(i, inst.roles[a.role].name)
                if r is not None:
                    chosen.add((p, i, r))
        if not builder.plain:
            chosen = in_symmetry_order(problem, chosen)
    else:
        chosen = {(p, i, r) for (i, r), people in problem.baseline_slots.items() for p in people}
    hint_chosen(builder, chosen)


def term_bounds(run, warm: cp_model.CpSolver | None) -> None:
    """A lower bound per objective term, given back to the model: each rule's terms
    minimised alone for a moment (a much easier problem than their sum), and the
    model told ``terms >= that bound``. Valid for every schedule, so the main phase's
    optimum stands; its bound starts at their sum (the run's ``floor``, below which no
    reported bound goes), and a schedule that reaches it is proven at once. Rules whose
    terms are 0 at the warm start are skipped. ``run`` is the solve's ``_Run`` (its
    builder, deadline, settings and times).

    Measured and not kept (2026-12-03, docs/benchmarks.md): the bounds used only as the
    floor and a stop criterion, out of the main phase's model (the examples proved 3-20x
    slower; neither S nor M gained); and pairs of rules bounded together after the singles
    (S's floor 316.25 where CP-SAT's own bound reaches it anyway; the examples' proofs
    0.5-2 s later)."""
    groups = by_rule(run.builder)
    # what the rules proved of their own terms (Term.lower): the floor at any size
    known = {rule: sum(t.coeff * t.lower for t in terms) for rule, terms in groups.items()}
    run.floor = max(run.floor, sum(known.values()))
    run.known = known
    if len(run.builder.vars.x) > TERM_BOUNDS_UNTIL or len(groups) < 2:
        return
    model = run.builder.model
    limit = run.deadline.budget or 1e9
    each = min(TERM_BOUND_SECONDS, TERM_BOUND_SHARE * limit / len(groups))
    started = time.perf_counter()
    todo = [(rule, sum(t.coeff * t.expr for t in terms)) for rule, terms in groups.items()]
    # nothing to bound where the warm start already pays nothing (nor does `known`)
    todo = [(rule, expr) for rule, expr in todo if warm is None or round(warm.value(expr)) != 0]

    def alone(expr) -> cp_model.CpSolver | None:
        """``expr`` minimised on a copy of the model by one CP-SAT worker (``None``: no time)."""
        # reproducible mode: limited by deterministic time alone (a wall-clock cut would
        # make the bound, and so the rest of the solve, depend on machine load)
        left = run.deadline.remaining() - 0.05
        wall = left if run.deterministic else min(each, left)
        if wall <= 0.01 or run.interrupted or (run.early is not None and run.deadline.overdue()):
            return None  # (a valid schedule in hand: no solve that could not load in time)
        copy = model.clone()
        copy.minimize(expr)
        solver = configured({**run.settings(each, wall=wall), "num_workers": 1, "interleave_search": False})
        solver.solve(copy)
        if run.deterministic and solver.wall_time >= wall - 0.01:
            run.deadline.cut = True  # the wall clock ended it after all: not reproducible
        return solver

    # as many rules at once as the run has workers, one worker each: the examples' rules
    # prove in 0.1-0.5 s each, and two such solves side by side take about as long as one
    # (quarterly.yaml: 0.63 s for its six rules against 1.2 s one after the other)
    with ThreadPoolExecutor(max(1, min(run.workers, len(todo)))) as pool:
        solved = list(pool.map(alone, [expr for _, expr in todo]))
    for (rule, expr), solver in zip(todo, solved, strict=True):
        if solver is None:
            continue  # no time left for it when its turn came (the others' bounds hold all the same)
        run.work += solver.deterministic_time
        st = solver.response_proto.status
        if st == cp_model.OPTIMAL:
            lb = round(solver.objective_value)
        elif st in (cp_model.FEASIBLE, cp_model.UNKNOWN):
            lb = math.ceil(solver.best_objective_bound - 1e-6)
        else:
            break  # infeasible: the main phase proves (and explains) it
        known[rule] = max(known[rule], lb)
        if lb > 0:
            model.add(expr >= lb)
    run.floor = max(run.floor, sum(known.values()))  # (`run.known` is `known`, updated in place)
    model.minimize(main_objective(run.builder))
    if warm is not None:
        hint_all(model, warm)
    run.times["bounds"] = time.perf_counter() - started
