"""One CP-SAT search of the solve: its parameters, the callback that reports every
improving schedule as :class:`Progress` (and stops at a known lower bound), and the run in
a worker thread that Ctrl-C, a ``stop`` event or a stall can end (``optimizer.solve``)."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from ortools.sat.python import cp_model

from .model import ModelBuilder
from .result import Progress
from .units import points


class Callback(cp_model.CpSolverSolutionCallback):
    """Reports every improving solution of one phase as :class:`Progress`.

    With ``interleave_search`` (reproducible mode on several workers) the callback never
    stops the search itself: OR-Tools 9.15 aborts the whole process (``Check failed:
    solution->size() == postsolve_mapping.size()``) when a callback stops an interleaved
    search at the schedule of a complete hint, as happened on ``team14.yaml`` with
    ``--reproducible``. It sets :attr:`want_stop` and :func:`run_search` stops the solver
    from outside; a schedule that arrives in between is counted in :attr:`late`."""

    def __init__(self, progress: Callable[[Progress], None] | None, t0: float, history: list[Progress],
                 phase: str = "main", scale: Callable[[int], float] = points,
                 builder: ModelBuilder | None = None):
        super().__init__()
        self.builder = builder
        self.progress = progress
        self.t0 = t0
        self.count = 0
        self.first: float | None = None
        self.history = history
        self.phase = phase
        self.scale = scale
        self.stop_at_first = False
        self.floor = 0  # a lower bound of the objective known before the search (starts.term_bounds)
        self.last = time.perf_counter()  # when the last schedule came
        self.objective: int | None = None  # the last schedule's objective and the bound then
        self.bound = 0
        self.stalled = False  # run_search ended the search for want of progress
        self.defer = False  # stop from outside (interleaved search: see the class text)
        self.want_stop = False  # asked run_search to stop the search (stays set)
        self.late = 0  # schedules reported after the stop was asked (the outcome then depends on timing)

    def on_solution_callback(self) -> None:
        self.count += 1
        self.late += self.want_stop
        self.last = time.perf_counter()
        now = self.last - self.t0
        if self.first is None:
            self.first = now
        terms: dict[str, float] | None = None
        if self.builder is not None:
            terms = {}
            for term in self.builder.terms:
                terms[term.rule] = terms.get(term.rule, 0.0) + points(term.coeff * self.value(term.expr))
        objective = round(self.objective_value)
        bound = max(round(self.best_objective_bound), self.floor)
        self.objective, self.bound = objective, bound
        ev = Progress(self.scale(objective), self.scale(bound), now, len(self.history) + 1, self.phase, terms)
        self.history.append(ev)
        if self.progress:
            self.progress(ev)
        if self.stop_at_first or objective <= self.floor:
            if self.defer:
                self.want_stop = True
            else:
                self.stop_search()


def solver_parameters(
    time_limit: float, seed: int, workers: int, deterministic: bool, wall: float | None = None
) -> dict[str, object]:
    """CP-SAT parameters for one phase of ``time_limit`` seconds.

    Reproducible (``deterministic``): the phase is limited by CP-SAT's *deterministic*
    time (work units that do not depend on machine load), and with several workers the
    search is interleaved so that they exchange information at fixed points; the same
    inputs then give the same schedule. ``wall`` (the time left on the deadline) caps it
    in wall-clock seconds all the same.
    Default: a wall-clock limit and the parallel portfolio on ``workers`` threads.
    """
    params: dict[str, object] = {"random_seed": seed, "num_workers": workers}
    if deterministic:
        params["max_deterministic_time"] = float(time_limit)
        params["max_time_in_seconds"] = float(time_limit if wall is None else wall)
        if workers > 1:
            params["interleave_search"] = True
    else:
        params["max_time_in_seconds"] = float(time_limit if wall is None else min(wall, time_limit))
    return params


def bound_of(solver: cp_model.CpSolver, unfinished: bool = False) -> int | None:
    """CP-SAT's proven bound (internal units) when the search has a schedule, else None;
    with ``unfinished`` also after a search cut before its first schedule (its bound holds
    all the same)."""
    st = solver.response_proto.status
    if st in (cp_model.OPTIMAL, cp_model.FEASIBLE) or (
            unfinished and st == cp_model.UNKNOWN and math.isfinite(solver.best_objective_bound)):
        return max(0, round(solver.best_objective_bound))
    return None


def run_search(solver: cp_model.CpSolver, builder: ModelBuilder, cb: Callback, stop,
               stalled: Callable[[], bool] | None = None) -> bool:
    """Run the solve in a worker thread so that Ctrl-C (or ``stop``) can end the search
    while keeping the best schedule found so far; ``stalled()`` true also ends it (not
    counted as an interruption)."""
    done = threading.Event()
    cb.defer = bool(solver.parameters.interleave_search)
    asked = False  # cb.want_stop passed on to the solver

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
            done.wait(0.02 if cb.defer else 0.1)
            if cb.want_stop and not asked:
                asked = True
                solver.stop_search()
            elif stop is not None and stop.is_set() and not interrupted:
                interrupted = True
                solver.stop_search()
            elif stalled is not None and stalled():
                stalled = None
                cb.stalled = True
                solver.stop_search()
        except KeyboardInterrupt:
            interrupted = True
            solver.stop_search()
    th.join()
    return interrupted
