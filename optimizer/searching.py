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

# the main search is stalled after no better schedule for as long as it took to find the
# last one, and at least this long; what follows depends on the gap (see optimizer.solve)
STALL_AT_LEAST = 5.0
# ... and far from the bound at least this long: the default search is often still closing
# the gap itself (team14_replan.yaml: its optimum found at 0.9 s with the bound at 188,
# proven at 2.6-8 s; with probes after 5 s its proof came at 4.4-10.7 s instead of 2.6-4.1 s)
STALL_FAR_AT_LEAST = 10.0
# within this share of the bound a core-based search goes on from the schedule (what is
# left is mostly a proof); further away, probes raise the bound first (optimizer.probing).
# The core-based search raises bounds but finds schedules slowly: M (204 from its
# construction, gap 24 %) was still 191 after 60 s once handed over
STALL_GAP = 0.1
# ... and very far from it (the schedule more than twice the bound: e.g. a construction that
# leaves most cover open), stalled after this many quiet seconds, whatever the last one took:
# the proof portfolio (no LNS) does not bring such a schedule down by itself. Measured on
# Curtois (2026-12-08, AMD EPYC, 2 cores, 60 s, seeds 0-3 -> 0-4): Instance7 stalled at its
# warm start (9742 points, bound 1050) until 12 s and ended 1158 / 1066 / 1059 / 1059, with
# the stall at 5 s 1056 / 1061 / 1067 / 1058 / 1063 (optimum 1056); Instance5's main phase
# proven in 21.6 s instead of 35.6 s, Instance6's in 16.1 s instead of 28.8 s (seed 0)
STALL_VERY_FAR_GAP = 0.5
STALL_VERY_FAR_AT_LEAST = 2.0
# Below this many assignment variables, on 2 or 3 workers, the two full-problem workers
# are CP-SAT's default-LP worker and its max-LP worker (every Boolean constraint in the LP,
# added up front) instead of the default LP worker and the interleaved LNS: on these
# models the proof is the work and the max-LP relaxation is what closes it. Measured
# (2026-12-07, AMD EPYC, 2 cores, three seeds, models saved from the solve): team14_replan's
# balance phase 0.3-0.7 s instead of 6-11 s, its main phase 0.2-0.3 s instead of 2-4 s,
# quarterly's balance phase 1.6-2.5 s as before; the 60-person M scenario (7 926
# assignment variables) lost 204 against 177 points at 60 s without the LNS, hence small only.
PROOF_UNTIL = 2_000
PROOF_PORTFOLIO: dict[str, object] = {"subsolvers": ["default_lp", "max_lp"], "num_full_subsolvers": 2}
# ... and when its search stalls far from the bound (schedules, not the proof, are missing),
# the max-LP worker with the interleaved LNS for the rest of the main phase. Measured on
# Curtois Instance7 (60 s, AMD EPYC, 2 cores): the proof portfolio stalled at 9742 points
# after 3 s; max-LP with LNS from the start ended at 1068 (bound 1052; best known 1056).
SEARCH_PORTFOLIO: dict[str, object] = {"subsolvers": ["max_lp"], "num_full_subsolvers": 1}
# the worker counts these portfolios are for: one worker has none, and from 4 CP-SAT's own
# portfolio runs the max-LP worker beside the default-LP one and the LNS
PORTFOLIO_WORKERS = range(2, 4)

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
        self.live = 0  # the search's best bound now (set by run_search's bound callback)
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
    time_limit: float, seed: int, workers: int, deterministic: bool, wall: float | None = None,
    portfolio: dict[str, object] | None = None,
) -> dict[str, object]:
    """CP-SAT parameters for one phase of ``time_limit`` seconds.

    Reproducible (``deterministic``): the phase is limited by CP-SAT's *deterministic*
    time (work units that do not depend on machine load), and with several workers the
    search is interleaved so that they exchange information at fixed points; the same
    inputs then give the same schedule. ``wall`` (the time left on the deadline) caps it
    in wall-clock seconds all the same.
    Default: a wall-clock limit and the parallel portfolio on ``workers`` threads.
    ``portfolio`` (:data:`PROOF_PORTFOLIO`, :data:`SEARCH_PORTFOLIO`): the full-problem
    workers instead of CP-SAT's default, on :data:`PORTFOLIO_WORKERS` workers only.
    """
    params: dict[str, object] = {"random_seed": seed, "num_workers": workers}
    if portfolio and workers in PORTFOLIO_WORKERS:
        params.update(portfolio)
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

    def on_bound(bound: float) -> None:  # called by CP-SAT's threads: one assignment
        cb.live = max(cb.live, round(bound))

    solver.best_bound_callback = on_bound
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


def stalled(cb: Callback, started: float, half: float = math.inf) -> bool:
    """The search has a schedule, and no better one came for as long as the last one took
    to find (from ``started``), and at least ``STALL_AT_LEAST`` seconds
    (``STALL_FAR_AT_LEAST`` when the schedule is far from the bound, ``STALL_VERY_FAR_AT_LEAST``
    when it is more than ``STALL_VERY_FAR_GAP`` above the search's positive bound of the
    moment: a bound of 0 is often only the search's start). Far from the bound
    the search also counts as stalled from ``half`` (half its time) on, once no better
    schedule came for ``STALL_FAR_AT_LEAST``: the rest goes to the bound either way."""
    if cb.objective is None:
        return False
    now = time.perf_counter()
    bound = max(cb.bound, cb.live, cb.floor)
    if bound > 0 and cb.objective - bound > STALL_VERY_FAR_GAP * cb.objective:
        return now - cb.last > STALL_VERY_FAR_AT_LEAST
    if not far(cb.objective, cb.bound):
        return now - cb.last > max(STALL_AT_LEAST, cb.last - started)
    quiet = now - cb.last > STALL_FAR_AT_LEAST
    return quiet and (now >= half or now - cb.last > cb.last - started)


def far(objective: int, bound: int) -> bool:
    """More than ``STALL_GAP`` of the objective above the bound."""
    return objective - bound > STALL_GAP * objective
