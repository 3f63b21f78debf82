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
from .model import ModelBuilder
from .problem import Problem, build
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
        self.stop_at_first = False

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
        if self.stop_at_first:
            self.stop_search()


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
    warm_start: bool | None = None,
    lns: bool | None = None,
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
    warm_start
        Start from a constructed schedule (``optimizer.construct``), kept as the answer if
        the search finds nothing better; default: on for models of 50 000 or more
        assignment variables.
    lns
        After a first schedule (found in the first tenth of the time), improve it with a
        large-neighbourhood search over windows of days and groups of people
        (``optimizer.lns``); better schedules on large rosters, no optimality proof.

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
    lns = cfg.lns if lns is None else lns

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
    if warm_start is None:
        warm_start = len(builder.vars.x) >= WARM_START_FROM
    warm = _warm_start(builder, problem, hint, seed, progress, t0) if warm_start else None

    settings = solver_parameters(LNS_FIRST * time_limit if lns else time_limit, seed, workers, deterministic)
    if len(builder.vars.x) >= PRESOLVE_UNTIL:
        # measured: CP-SAT's presolve ran > 10 min on a 220k-variable year-long model and
        # ignored the time limit; the search without it finds schedules (see README)
        settings["cp_model_presolve"] = False
    settings = {**settings, **cfg.params, **(params or {})}
    solver = _configured(settings)
    solver.parameters.log_search_progress = log
    cb = _Callback(progress, t0)
    if warm is not None:
        cb.first = warm.wall_time + build_time
    interrupted = _run(solver, builder, cb, stop)
    if lns and not interrupted:
        return _improve(problem, builder, solver, warm, cb, settings, build_time, t0, time_limit,
                        seed, deterministic, progress, stop)
    if warm is not None and solver.response_proto.status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        # the search found nothing better in time: keep the constructed schedule
        return _result(problem, builder, warm, cb, build_time, time.perf_counter() - t0, interrupted,
                       status=Status.FEASIBLE, bound=max(0, round(solver.best_objective_bound)))
    return _result(problem, builder, solver, cb, build_time, time.perf_counter() - t0, interrupted)


def _configured(settings: dict[str, object]) -> cp_model.CpSolver:
    """A CP-SAT solver with ``settings``; a wrong name or type is an input error."""
    solver = cp_model.CpSolver()
    for k, v in settings.items():
        try:
            setattr(solver.parameters, k, v)
        except (AttributeError, TypeError, ValueError) as e:
            raise InputError.single(f"not a CP-SAT parameter or wrong type: {k}={v!r} ({e})",
                                    field=f"solver.params.{k}") from None
    # Python handles Ctrl-C (KeyboardInterrupt in the main thread -> stop_search); CP-SAT's
    # own SIGINT handler does not work from the worker thread the solve runs in.
    solver.parameters.catch_sigint_signal = False
    return solver


LNS_FIRST = 0.1  # share of the time limit for the first phase of an LNS solve


def _improve(problem, builder, solver, warm, cb, settings, build_time, t0, time_limit, seed,
             deterministic, progress, stop) -> Result:
    """Second phase of an LNS solve: improve the first phase's schedule (see
    ``optimizer.lns``) for the rest of the time; without one, search on as usual."""
    from .lns import LNS

    raw = solver.response_proto.status
    if raw == cp_model.OPTIMAL or raw == cp_model.INFEASIBLE or raw == cp_model.MODEL_INVALID:
        return _result(problem, builder, solver, cb, build_time, time.perf_counter() - t0, False)
    used = solver.deterministic_time if deterministic else time.perf_counter() - t0 - build_time
    rest = max(0.0, time_limit - used)
    start = solver if raw == cp_model.FEASIBLE else warm
    if start is None:
        # no schedule yet: the ordinary search goes on until its first schedule, then LNS
        again = _configured({**settings, **solver_parameters(rest, seed, settings["num_workers"], deterministic)})
        cb.stop_at_first = True
        interrupted = _run(again, builder, cb, stop)
        cb.stop_at_first = False
        used += again.deterministic_time if deterministic else again.wall_time
        rest = max(0.0, time_limit - used)
        if interrupted or again.response_proto.status != cp_model.FEASIBLE or rest <= 0:
            return _result(problem, builder, again, cb, build_time, time.perf_counter() - t0, interrupted)
        solver = start = again
    bound = max(0, round(solver.best_objective_bound))
    search = LNS(builder, problem, list(start.response_proto.solution), round(start.objective_value),
                 settings, seed, deterministic)
    interrupted = False

    def run(sub: cp_model.CpSolver) -> bool:
        nonlocal interrupted
        interrupted = _run(sub, builder, _Callback(None, t0), stop) or interrupted
        return interrupted

    def improved(objective: int) -> None:
        ev = Progress(points(objective), points(bound), time.perf_counter() - t0, len(cb.history) + 1)
        cb.history.append(ev)
        if progress:
            progress(ev)

    # measured on Curtois 8 and 12 at 60 s: steps of 0.5 s (1660, 5246) beat 0.25 s (1943,
    # 5849), 1 s (1937, 5360) and 2 s (1759, 6272)
    step = min(2.0, max(0.5, time_limit / 120))
    search.run(rest, step, run, improved)
    final = search.final()
    # the first phase's bound holds for the whole model: meeting it proves optimality
    status = Status.OPTIMAL if search.objective <= bound else Status.FEASIBLE
    return _result(problem, builder, final, cb, build_time, time.perf_counter() - t0, interrupted,
                   status=status, bound=bound)


WARM_START_FROM = 50_000  # decision variables; below this CP-SAT finds a schedule by itself
PRESOLVE_UNTIL = 150_000  # decision variables; above this presolve is switched off


def _warm_start(builder: ModelBuilder, problem: Problem, hint: Schedule | None, seed: int, progress, t0):
    """Start large searches from a constructed schedule.

    The greedy of ``optimizer.construct`` fills the slots under the hard rules; CP-SAT then
    completes it (every auxiliary variable) with the assignment variables fixed, and the
    complete solution becomes the hint of the real search, and its fallback. Returns
    the completing solver, or None when the construction is partial or cannot be completed.
    """
    from .construct import construct

    sched = hint if hint is not None else construct(problem, seed=seed)
    chosen = {(a.person, a.instance, a.role) for a in sched.assignments}
    need = sum(r.count_on(_date(problem, i)) for i, inst in enumerate(problem.instances) for r in inst.roles)
    if len(chosen) < need or any(k not in builder.vars.x for k in chosen):
        if hint is None:
            _add_hint(builder, sched, problem)
        return None
    model = builder.model
    model.clear_hints()
    for key, x in builder.vars.x.items():
        model.add_hint(x, key in chosen)
    fixed = cp_model.CpSolver()
    fixed.parameters.fix_variables_to_their_hinted_value = True
    fixed.parameters.num_workers = 1
    fixed.parameters.max_deterministic_time = 60.0
    fixed.parameters.catch_sigint_signal = False
    st = fixed.solve(model)
    model.clear_hints()
    if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        _add_hint(builder, sched, problem)
        return None
    for k in range(len(model.proto.variables)):
        model.add_hint(model.get_int_var_from_proto_index(k), fixed.value(model.get_int_var_from_proto_index(k)))
    if progress:
        progress(Progress(points(round(fixed.objective_value)), None, time.perf_counter() - t0, 0))
    return fixed


def _date(problem: Problem, i: int):
    from .facts import start_dates

    return start_dates(problem)[i]


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


def _result(problem, builder, solver, cb, build_time, wall, interrupted, status=None, bound=None) -> Result:
    raw = solver.response_proto.status
    status = status or _STATUS.get(raw, Status.UNKNOWN)
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
    bound = round(solver.best_objective_bound) if bound is None else bound
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
