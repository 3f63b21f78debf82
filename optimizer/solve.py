"""Solve a scenario with CP-SAT and return a :class:`Result`."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

import pandas as pd
from ortools.sat.python import cp_model

from .errors import InputError, InputProblem
from .model import ModelBuilder, build
from .problem import Problem
from .replan import check_frozen
from .scenario import Scenario
from .schedule import Assignment, Schedule, assignments_frame, people_frame
from .units import OBJECTIVE_SCALE, points
from .verify import Evaluation, evaluate


class Status(str, Enum):
    OPTIMAL = "optimal"        # proven optimal
    FEASIBLE = "feasible"      # a schedule, not proven optimal (time limit or stopped)
    INFEASIBLE = "infeasible"  # proven: no schedule satisfies the hard rules
    UNKNOWN = "unknown"        # no schedule found within the limit
    MODEL_INVALID = "model_invalid"

    @property
    def has_schedule(self) -> bool:
        return self in (Status.OPTIMAL, Status.FEASIBLE)


@dataclass(frozen=True)
class Progress:
    """Reported to the ``progress`` callback on every improving schedule and bound."""

    objective: float | None
    bound: float | None
    elapsed: float
    solutions: int


@dataclass
class Result:
    """What a solve produced.

    ``objective`` and ``bound`` are in points (see ``optimizer.units``); ``terms`` gives
    the objective per rule; ``evaluation`` is the independent judgement of the schedule.
    """

    status: Status
    objective: float | None
    bound: float | None
    wall_time: float
    build_time: float
    first_solution_time: float | None
    terms: dict[str, float]
    schedule: Schedule | None
    evaluation: Evaluation | None
    model_size: dict[str, int]
    interrupted: bool = False
    solver_objective_internal: int | None = None
    history: list[Progress] = field(default_factory=list)

    @property
    def gap(self) -> float | None:
        """Relative gap (objective - bound) / objective; 0 when proven optimal."""
        if self.objective is None or self.bound is None:
            return None
        if self.status == Status.OPTIMAL:
            return 0.0
        if abs(self.objective) < 1e-9:
            return 0.0 if abs(self.bound) < 1e-9 else float("inf")
        return max(0.0, (self.objective - self.bound) / abs(self.objective))

    @property
    def assignments(self) -> pd.DataFrame:
        return assignments_frame(self.schedule) if self.schedule else pd.DataFrame()

    @property
    def people(self) -> pd.DataFrame:
        return people_frame(self.schedule) if self.schedule else pd.DataFrame()


class _Callback(cp_model.CpSolverSolutionCallback):
    def __init__(self, progress: Callable[[Progress], None] | None, t0: float):
        super().__init__()
        self.progress = progress
        self.t0 = t0
        self.count = 0
        self.first: float | None = None
        self.history: list[Progress] = []

    def on_solution_callback(self) -> None:
        self.count += 1
        now = time.perf_counter() - self.t0
        if self.first is None:
            self.first = now
        ev = Progress(points(round(self.objective_value)), points(round(self.best_objective_bound)),
                      now, self.count)
        self.history.append(ev)
        if self.progress:
            self.progress(ev)


def solver_parameters(
    time_limit: float, seed: int, workers: int, deterministic: bool
) -> dict[str, object]:
    """CP-SAT parameters for a solve.

    Deterministic (default): the limit is CP-SAT's *deterministic* time (work units that
    do not depend on machine load), and with several workers the search is interleaved
    so that they exchange information at fixed points; the same inputs then give the
    same schedule. A wall-clock safety limit of 10x (at least 60 s) guards against a
    machine far slower than the deterministic clock assumes.
    Fast mode: a wall-clock limit and the parallel portfolio: usually better schedules in
    the same time, not reproducible.
    """
    params: dict[str, object] = {"random_seed": seed, "num_workers": workers}
    if deterministic:
        params["max_deterministic_time"] = float(time_limit)
        params["max_time_in_seconds"] = max(60.0, 10.0 * time_limit)
        if workers > 1:
            params["interleave_search"] = True
    else:
        params["max_time_in_seconds"] = float(time_limit)
    return params


def solve(
    scenario: Scenario,
    *,
    time_limit: float | None = None,
    seed: int | None = None,
    workers: int | None = None,
    deterministic: bool | None = None,
    progress: Callable[[Progress], None] | None = None,
    log: bool = False,
    stop: threading.Event | None = None,
    baseline: object | None = None,
    freeze_until: dt.date | str | None = None,
    change_weight: float = 50.0,
    hint: Schedule | None = None,
    params: dict | None = None,
) -> Result:
    """Solve ``scenario``; arguments left ``None`` come from ``scenario.solver``.

    Parameters
    ----------
    scenario
        The scenario to plan.
    time_limit
        Seconds (deterministic seconds when ``deterministic``).
    seed, workers
        CP-SAT random seed and number of search workers.
    deterministic
        Reproducible search (default); ``False`` uses wall-clock time and the portfolio.
    progress
        Called with a :class:`Progress` on every improving schedule.
    stop
        Set this event (from another thread) to stop the search and keep the best schedule.
    baseline, freeze_until, change_weight
        Re-plan from a published schedule (a ``Result``, ``Schedule``, ``Baseline`` or a
        CSV path): instances before ``freeze_until`` keep their people; moving a later
        baseline assignment costs ``change_weight`` points, up to twice that for one
        within four weeks (see ``optimizer.replan``).
    hint
        A schedule to start the search from (CP-SAT solution hint).
    params
        Extra CP-SAT parameters (merged over ``scenario.solver.params``).

    Returns
    -------
    Result
        Status, objective, bound, gap, times, per-rule terms, the schedule and its
        independent evaluation.
    """
    cfg = scenario.solver
    time_limit = cfg.time_limit if time_limit is None else time_limit
    seed = cfg.seed if seed is None else seed
    workers = cfg.workers if workers is None else workers
    deterministic = cfg.deterministic if deterministic is None else deterministic

    t0 = time.perf_counter()
    base = _baseline(scenario, baseline, freeze_until, change_weight)
    problem = Problem(scenario, baseline=base)
    if base is not None:
        blocked = check_frozen(problem)
        if blocked:
            raise InputError([InputProblem(f"frozen assignment cannot be kept: {b}", field="baseline")
                              for b in blocked])
    builder = build(problem)
    if hint is not None or base is not None:
        _add_hint(builder, hint, problem)
    build_time = time.perf_counter() - t0

    solver = cp_model.CpSolver()
    settings = {**solver_parameters(time_limit, seed, workers, deterministic), **cfg.params, **(params or {})}
    for k, v in settings.items():
        try:
            setattr(solver.parameters, k, v)
        except (AttributeError, TypeError, ValueError) as e:
            raise InputError.single(f"not a CP-SAT parameter or wrong type: {k}={v!r} ({e})",
                                    field=f"solver.params.{k}") from None
    solver.parameters.log_search_progress = log
    # Python handles Ctrl-C (KeyboardInterrupt in the main thread -> stop_search); CP-SAT's
    # own SIGINT handler does not work from the worker thread the solve runs in.
    solver.parameters.catch_sigint_signal = False
    cb = _Callback(progress, t0)
    interrupted = _run(solver, builder, cb, stop)
    return _result(problem, builder, solver, cb, build_time, time.perf_counter() - t0, interrupted)


def _baseline(scenario, baseline, freeze_until, weight):
    from .replan import Baseline

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


def _add_hint(builder: ModelBuilder, hint: Schedule | None, problem: Problem) -> None:
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
    else:
        chosen = {(p, i, r) for (i, r), people in problem.baseline_slots.items() for p in people}
    for key, x in builder.vars.x.items():
        builder.model.add_hint(x, key in chosen)


def _run(solver: cp_model.CpSolver, builder: ModelBuilder, cb: _Callback, stop) -> bool:
    """Run the solve in a worker thread so that Ctrl-C (or ``stop``) can end the search
    while keeping the best schedule found so far."""
    done = threading.Event()

    def work() -> None:
        try:
            solver.solve(builder.model, cb)
        finally:
            done.set()

    th = threading.Thread(target=work, name="cp-sat", daemon=True)
    th.start()
    interrupted = False
    # Wait on an Event, not Thread.join: a join interrupted by KeyboardInterrupt can leave
    # is_alive() wrong on Python 3.11.
    while not done.is_set():
        try:
            done.wait(0.1)
            if stop is not None and stop.is_set() and not interrupted:
                interrupted = True
                solver.stop_search()
        except KeyboardInterrupt:
            interrupted = True
            solver.stop_search()
    th.join()
    return interrupted


_STATUS = {
    cp_model.OPTIMAL: Status.OPTIMAL,
    cp_model.FEASIBLE: Status.FEASIBLE,
    cp_model.INFEASIBLE: Status.INFEASIBLE,
    cp_model.UNKNOWN: Status.UNKNOWN,
    cp_model.MODEL_INVALID: Status.MODEL_INVALID,
}


def _result(problem, builder, solver, cb, build_time, wall, interrupted) -> Result:
    raw = solver.response_proto.status
    status = _STATUS.get(raw, Status.UNKNOWN)
    proto = builder.model.proto
    size = {
        "variables": len(proto.variables),
        "constraints": len(proto.constraints),
        "decision_variables": len(builder.vars.x),
    }
    if not status.has_schedule:
        return Result(status, None, None, wall, build_time, cb.first, {}, None, None, size,
                      interrupted, None, cb.history)
    chosen = [Assignment(i, r, p) for (p, i, r), x in builder.vars.x.items() if solver.boolean_value(x)]
    schedule = Schedule(problem, chosen)
    evaluation = evaluate(schedule)
    terms: dict[str, int] = {}
    for t in builder.terms:
        terms[t.rule] = terms.get(t.rule, 0) + t.coeff * int(solver.value(t.expr))
    internal = round(solver.objective_value)
    bound = round(solver.best_objective_bound)
    return Result(
        status=status,
        objective=points(internal),
        bound=points(bound),
        wall_time=wall,
        build_time=build_time,
        first_solution_time=cb.first,
        terms={k: v / OBJECTIVE_SCALE for k, v in sorted(terms.items())},
        schedule=schedule,
        evaluation=evaluation,
        model_size=size,
        interrupted=interrupted,
        solver_objective_internal=internal,
        history=cb.history,
    )
