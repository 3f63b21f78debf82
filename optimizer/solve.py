"""Solve a scenario with CP-SAT and return a :class:`Result`.

One time budget (:class:`optimizer.deadline.Deadline`, ``time_limit`` seconds of wall time
after the model is built) is shared by every phase: the optional warm start, the main
phase (hard rules, soft rules, fairness spreads; optionally improved by LNS), the balance
phase (everyone's load towards their fair share, the main objective held), and — only
when both are proven optimal — a canonical tie-break that makes the output independent
of thread timing (see ``optimizer.phases``).
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections.abc import Callable

from ortools.sat.python import cp_model

from constraints.fairness import in_symmetry_order

from .construct import construct
from .deadline import DET_PER_SECOND, Deadline, reproducible_grace
from .early import Early, construct_early
from .errors import InputError, InputProblem
from .facts import slots_needed
from .later import BALANCE_PROOF, BALANCE_SHARE, CANONICAL_SECONDS, Later
from .lns import LNS
from .model import ModelBuilder, hint_chosen
from .phases import hint_all
from .probing import LEAST, PROBE_PARAMS, probe
from .problem import Problem, build
from .replan import check_frozen
from .result import Progress, Result, Status, objective_of, read_result, status_of
from .scenario import Scenario
from .schedule import Schedule
from .searching import (
    PORTFOLIO_WORKERS,
    PROOF_PORTFOLIO,
    PROOF_UNTIL,
    SEARCH_PORTFOLIO,
    Callback,
    bound_of,
    far,
    run_search,
    solver_parameters,
    stalled,
)
from .starts import TERM_BOUNDS_UNTIL, add_hint, baseline_of, configured, term_bounds
from .units import points

__all__ = ["BALANCE_PROOF", "CANONICAL_SECONDS", "Progress", "Result", "Status", "solve", "solver_parameters"]

BALANCE_UNTIL = 60_000  # assignment variables; above this the main phase keeps the whole budget
LNS_FIRST = 0.1  # share of the time limit for the main phase before an LNS search takes over
# assignment variables; above this LNS is on unless switched off: no bound is computed there
# (starts.TERM_BOUNDS_UNTIL, and constraints.fairness.BOUNDS_UNTIL alike), and on the
# 300-person year LNS ended at 898 points against 992 for the whole-model search (600 s,
# 2026-12-03)
LNS_FROM = TERM_BOUNDS_UNTIL
PRESOLVE_UNTIL = 150_000  # decision variables; above this presolve is switched off


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
    balance: bool | None = None,
    plain: bool = False,
) -> Result:
    """Solve ``scenario``; arguments left ``None`` come from ``scenario.solver``.

    Parameters
    ----------
    scenario
        The scenario to plan.
    time_limit
        Seconds of wall time after the model is built, shared by every phase.
    seed, workers
        CP-SAT random seed and number of search workers (default: every core).
    deterministic
        Reproducible mode: each phase limited by deterministic time as well, so the same
        inputs and seed give the same bytes (unless the wall limit cuts a phase; see
        ``Result.reproducible``). Default off: wall-clock search on every core; the output
        is still byte-identical whenever both phases are proven optimal.
    progress
        Called with a :class:`Progress` on every improving schedule (``phase`` says which).
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
        Start from a constructed schedule (``optimizer.construct``), reported as the first
        schedule before the model is built and kept as the answer if the search finds
        nothing better; default: on, except for re-plans (the published schedule is the
        hint) and the plain model.
    lns
        After a first schedule (found in the first tenth of the time), improve it with a
        large-neighbourhood search over windows of days and groups of people
        (``optimizer.lns``); better schedules on large rosters, no optimality proof.
        Default ``scenario.solver.lns``; unset there, on above ``LNS_FROM`` assignment
        variables (not for the plain model).
    balance
        The balance phase (default ``scenario.solver.balance``, on).
    plain
        The plain CP-SAT model: no derived bounds, no symmetry breaking, no balance phase,
        no canonical tie-break (the benchmarks' baseline).

    Returns
    -------
    Result
        Status, objective, bound, gap, times, per-rule terms, balance, the schedule and its
        independent evaluation.
    """
    cfg = scenario.solver
    time_limit = cfg.time_limit if time_limit is None else time_limit
    seed = cfg.seed if seed is None else seed
    workers = workers or cfg.workers or os.cpu_count() or 1
    deterministic = cfg.deterministic if deterministic is None else deterministic
    lns = cfg.lns if lns is None else lns
    balance = (cfg.balance if balance is None else balance) and not plain

    t0 = time.perf_counter()
    base = baseline_of(scenario, baseline, freeze_until, change_weight)
    problem = Problem(scenario, baseline=base)
    if base is not None:
        blocked = check_frozen(problem)
        if blocked:
            raise InputError([InputProblem(f"frozen assignment cannot be kept: {b}", field="baseline")
                              for b in blocked])
    if warm_start is None:
        # measured (docs/engine.md): the construction's schedule, completed in the model and
        # given as the hint, reaches a first schedule and a proof sooner on every size
        warm_start = not plain and base is None
    first: Progress | None = None
    early = Early()
    if warm_start and hint is None:
        hint, first = construct_early(problem, early, time_limit or 600.0, progress, t0, stop, seed, workers,
                                 deterministic)
    searched = sum(early.times.values())
    if first is not None and early.unbuilt:
        # too little time left to build the whole model and search with it: the valid early
        # schedule is the answer (optimizer.early.BUILD_WORTH)
        return read_result(problem, None, None, status=Status.FEASIBLE, bound=None, wall=time.perf_counter() - t0,
                           build_time=0.0, first=first.elapsed, interrupted=stop is not None and stop.is_set(),
                           history=[first, *early.better], schedule=hint, phase_times=dict(early.times))
    builder = build(problem, plain=plain)
    if hint is not None or base is not None:
        add_hint(builder, hint, problem)
    # the repair and the descent are search, not building: they drew on the time limit
    build_time = time.perf_counter() - t0 - searched
    # reproducible mode charges the search before the build its deterministic time (see
    # optimizer.deadline): its wall time would make every phase's budget depend on load
    budget = time_limit and (max(0.0, DET_PER_SECOND * time_limit - early.work) if deterministic
                             else max(0.0, time_limit - searched))
    grace = reproducible_grace(time_limit) if deterministic else 0.0
    deadline = Deadline(time_limit and max(0.0, time_limit - searched), grace, budget=budget)
    run = _Run(problem, builder, deadline, progress, stop, t0,
               {**cfg.params, **(params or {})}, seed, workers, deterministic, log, build_time)
    run.times.update(early.times)
    if early.cut:
        run.deadline.cut = True  # the wall clock decided who was mended or moved: not reproducible
    if first is not None:  # the construction is the run's first schedule (already reported)
        run.first_schedule(first, report=False)
        run.history.extend(early.better)  # the descent's schedules (already reported)
    balance = (balance and problem.scenario.fairness.load > 0 and len(problem.pool) >= 2
               and len(builder.vars.x) < BALANCE_UNTIL)
    run.early = hint if first is not None else None  # valid and judged before the build
    run.broken = early.broken
    if run.early is not None:
        deadline.expect(build_time)  # keep the valid schedule rather than overrun the deadline
    if lns is None:
        lns = not plain and len(builder.vars.x) > LNS_FROM
    return run.solve(hint if warm_start else None, warm_start, lns, balance, plain)


class _Run(Later):
    """One solve: the phases in order, all drawing on one deadline."""

    def __init__(self, problem: Problem, builder: ModelBuilder, deadline: Deadline, progress, stop, t0: float,
                 extra: dict, seed: int, workers: int, deterministic: bool, log: bool, build_time: float):
        self.problem, self.builder, self.deadline = problem, builder, deadline
        self.progress, self.stop, self.t0 = progress, stop, t0
        self.extra, self.seed, self.workers, self.deterministic, self.log = extra, seed, workers, deterministic, log
        self.build_time = build_time
        self.history: list[Progress] = []
        self.first: float | None = None
        self.interrupted = False
        self.times: dict[str, float] = {}
        self.early: Schedule | None = None  # a valid schedule found before the build (repair, descent)
        self.work = 0.0  # deterministic seconds of the per-term bounds (starts.term_bounds)
        self.floor = 0  # a lower bound of the main objective (starts.term_bounds); 0 = none known
        self.known: dict[str, int] = {}  # a lower bound per rule's terms (starts.term_bounds)
        self.stalled = False  # the last search was stopped for want of progress
        self.broken = False  # the hint was judged before the build and breaks a hard rule
        self.completion = 0.0  # wall seconds of the warm start's completion (every assignment fixed)
        self.small = False  # the proof portfolio's model (set by solve)

    # -- plumbing ------------------------------------------------------------------------
    def settings(self, budget: float, wall: float | None = None, proof: bool | None = None,
                 portfolio: dict[str, object] | None = None) -> dict[str, object]:
        """CP-SAT parameters; ``proof``: the proof portfolio (default: on small models),
        else ``portfolio`` (default: CP-SAT's own)."""
        if proof if proof is not None else self.small:
            portfolio = PROOF_PORTFOLIO
        s = solver_parameters(budget, self.seed, self.workers, self.deterministic,
                              self.deadline.remaining() if wall is None else wall, portfolio)
        if len(self.builder.vars.x) >= PRESOLVE_UNTIL:
            # measured: CP-SAT's presolve ran > 10 min on a 220k-variable year-long model and
            # ignored the time limit; the search without it finds schedules (see docs)
            s["cp_model_presolve"] = False
        return {**s, **self.extra}

    def search(self, settings: dict[str, object], phase: str = "main", scale: Callable[[int], float] = points,
               stop_at_first: bool = False, stall: bool = False) -> cp_model.CpSolver:
        solver = configured(settings)
        solver.parameters.log_search_progress = self.log
        cb = Callback(self.progress, self.t0, self.history, phase, scale,
                      self.builder if phase == "main" else None)
        cb.stop_at_first = stop_at_first
        if phase == "main":
            cb.floor = self.floor
        started = cb.last = time.perf_counter()
        half = started + float(settings.get("max_time_in_seconds", 0.0)) / 2  # type: ignore[arg-type]

        def is_stalled() -> bool:
            return stalled(cb, started, half)

        cut = run_search(solver, self.builder, cb, self.stop, is_stalled if stall else None)
        self.interrupted = cut or self.interrupted
        self.stalled = cb.stalled
        if cb.late and cb.stop_at_first:
            self.deadline.cut = True  # a second schedule came before the stop: timing decided
        spent = time.perf_counter() - started
        self.deadline.took(spent)
        self.times[phase] = self.times.get(phase, 0.0) + spent
        if phase == "main" and cb.first is not None and self.first is None:
            self.first = cb.first
        if self.deterministic and solver.response_proto.status not in (cp_model.OPTIMAL, cp_model.INFEASIBLE):
            self.deadline.note_stop(spent, float(settings.get("max_time_in_seconds", 1e9)))  # type: ignore[arg-type]
        return solver

    def result(self, solver: cp_model.CpSolver | None, status: Status, bound: int | None, **extra) -> Result:
        extra.setdefault("reproducible", self.deterministic and not self.deadline.cut and not self.interrupted)
        return read_result(self.problem, self.builder, solver, status=status, bound=bound,
                           wall=time.perf_counter() - self.t0, build_time=self.build_time, first=self.first,
                           interrupted=self.interrupted, history=self.history, phase_times=self.times, **extra)

    def judged(self, solver: cp_model.CpSolver) -> tuple[cp_model.CpSolver, Status, int | None]:
        """The main search's status and bound, with the floor: a schedule that meets the
        floor is optimal, whatever CP-SAT could prove in this search."""
        status, bound = status_of(solver), bound_of(solver)
        if bound is not None:
            bound = max(bound, self.floor)
            if status == Status.FEASIBLE and objective_of(self.builder, solver) <= bound:
                status = Status.OPTIMAL
        return solver, status, bound

    # -- the phases ----------------------------------------------------------------------
    def solve(self, hint: Schedule | None, warm_start: bool, lns: bool, balance: bool, plain: bool) -> Result:
        limit = self.deadline.budget or 1e9
        # small models are proven with the proof portfolio where it runs (searching.PROOF_UNTIL);
        # not with LNS (asked for below LNS_FROM, as Curtois 8-14 do), which is for schedules
        self.small = (not plain and not lns and len(self.builder.vars.x) < PROOF_UNTIL
                      and self.workers in PORTFOLIO_WORKERS)
        warm = self.warm_start(hint) if warm_start else None
        if not plain:
            term_bounds(self, warm)
        if self.deterministic:
            # the bounds' work is charged as the wall time is: every later phase shares the rest
            limit = self.deadline.budget = max(0.0, limit - self.work)
        reserve = BALANCE_SHARE * limit if balance else 0.0
        main_budget = LNS_FIRST * limit if lns else max(0.0, limit - reserve)
        if self.deadline.overdue(reserve):
            return self.without_search(warm)
        # the stall test reads the wall clock: not in reproducible mode
        core = not (plain or lns or self.deterministic)
        solver = self.search(self.settings(main_budget, wall=max(0.0, self.deadline.remaining() - reserve)),
                             stall=core)
        src, status, bound = self.judged(solver)
        if core and self.stalled and status == Status.FEASIBLE and not self.interrupted:
            src, status, bound = self.prove(solver, bound, reserve)
        if lns and not self.interrupted and status in (Status.FEASIBLE, Status.UNKNOWN):
            src, status, bound = self.improve(solver, warm, reserve)
        if not status.has_schedule and warm is not None:
            src, status = warm, Status.FEASIBLE  # the search found nothing in time: keep the construction
        elif status == Status.FEASIBLE and src is not None and warm is not None:
            # a search can lose its hint (Curtois Instance8, 60 s: the main phase ended at 6614
            # points while the descent's schedule, completed as the warm start, had 4003): the
            # better of the two (the search's on a tie) is the answer; the bound stays the search's
            src = self._better(warm, src)
        if not status.has_schedule and self.early is not None:
            # not even completed in the model in time (a large model): keep the early schedule
            return self.result(None, Status.FEASIBLE, None, schedule=self.early)
        if not status.has_schedule or src is None:
            return self.result(solver, status, None)
        extra: dict[str, object] = {}
        if balance and not self.interrupted:
            src, extra = self.balance(src, solver.deterministic_time)
        if (not plain and not self.deterministic and not self.interrupted and status == Status.OPTIMAL
                and extra.get("balance_optimal", not balance)):
            src, extra["reproducible"] = self.canonical(src, extra.get("_dev"))
        extra.pop("_dev", None)
        return self.result(src, status, bound, **extra)

    def without_search(self, warm: cp_model.CpSolver | None) -> Result:
        """The result when the deadline has passed before the main search: the warm start's
        completion, else the valid schedule found before the build, else none."""
        self.deadline.cut = True
        if warm is not None:
            return self.result(warm, Status.FEASIBLE, None)
        if self.early is not None:
            return self.result(None, Status.FEASIBLE, None, schedule=self.early)
        return self.result(None, Status.UNKNOWN, None)

    def prove(self, solver: cp_model.CpSolver, bound: int | None, reserve: float):
        """The main search stalled: spend the main phase's remaining time on the bound.

        Far from the bound (more than ``STALL_GAP``), probes raise it first
        (``optimizer.probing``); then, within ``STALL_GAP``, CP-SAT's core-based search
        (lower bounds from unsatisfiable cores of the objective's terms) goes on from the
        best schedule, or else the default search does. Measured on S (12 people, weekly
        primary/secondary): the default search finds the optimum 337.5 at 3 s and its bound
        stops at 316.25; from there the core-based search proved it about 30 s later in
        most 60 s runs (not in every one). It is slower where the default search proves
        (quarterly 5.9 s instead of 1.7 s), so it only follows a stall."""
        if self.deadline.remaining() - reserve < LEAST:
            return solver, Status.FEASIBLE, bound
        self.floor = max(self.floor, bound or 0)  # the first search's bound holds for the model
        if self.small and far(objective_of(self.builder, solver), self.floor):
            # the proof portfolio has no LNS to find schedules: max-LP and LNS go on from the best
            left = self.deadline.remaining() - reserve
            hint_all(self.builder.model, solver)
            again = self.search(self.settings(left, wall=left, proof=False, portfolio=SEARCH_PORTFOLIO))
            self.floor = max(self.floor, bound_of(again) or 0)
            return self.judged(self._better(solver, again))
        if far(objective_of(self.builder, solver), self.floor):
            solver = self.probe(solver, reserve)
            src, status, bound = self.judged(solver)
            left = self.deadline.remaining() - reserve
            if status != Status.FEASIBLE or self.interrupted or left < LEAST:
                return src, status, bound
            if far(objective_of(self.builder, solver), self.floor):
                hint_all(self.builder.model, solver)
                return self.judged(self._better(solver, self.search(self.settings(left, wall=left))))
        left = self.deadline.remaining() - reserve
        hint_all(self.builder.model, solver)
        # the default portfolio here, also on small models: its LNS finds what the proof lacks
        # (follow_the_sun at 20 s: 230.74 in three runs of three, 233.4-234.74 with the proof one)
        again = self.search({**self.settings(left, wall=left, proof=False), "optimize_with_core": True})
        self.floor = max(self.floor, bound_of(again) or 0)  # the core-based search's bound holds too
        return self.judged(self._better(solver, again))

    def _better(self, solver: cp_model.CpSolver, again: cp_model.CpSolver) -> cp_model.CpSolver:
        """The one of two searches with the better schedule (``solver`` has one)."""
        if again.response_proto.status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return solver
        return again if objective_of(self.builder, again) <= objective_of(self.builder, solver) else solver

    def probe(self, solver: cp_model.CpSolver, reserve: float) -> cp_model.CpSolver:
        """Probes (``optimizer.probing``) until ``reserve`` seconds are left; the run's floor
        becomes their bound. Returns the search with the best schedule."""

        def search(seconds: float) -> cp_model.CpSolver:
            return self.search({**self.settings(seconds, wall=seconds), **PROBE_PARAMS})

        def raised(bound: int, best: int) -> None:  # a bound without a new schedule: progress all the same
            if self.progress:
                self.progress(Progress(points(best), points(bound), time.perf_counter() - self.t0,
                                       len(self.history), "bound"))

        started = time.perf_counter()
        self.floor, found = probe(self.builder, self.floor, objective_of(self.builder, solver), search,
                                  lambda: 0.0 if self.interrupted else self.deadline.remaining() - reserve, raised)
        self.times["probes"] = time.perf_counter() - started
        return solver if found is None else found

    def warm_start(self, hint: Schedule | None) -> cp_model.CpSolver | None:
        """Start large searches from a constructed schedule: the greedy of
        ``optimizer.construct`` fills the slots under the hard rules; CP-SAT completes it
        (every auxiliary variable) with the assignments fixed; the complete solution is the
        hint of the real search, and its fallback. None if partial or not completable."""
        problem, builder = self.problem, self.builder
        if self.early is not None and self.deadline.overdue():
            return None  # a valid schedule in hand and no time to load the model: keep it
        if hint is not None and self.broken:
            # judged before the build: it breaks a hard rule, so no completion exists (on
            # Curtois Instance24, whose repair mends 88 of 140 people in 60 s, trying took
            # 17.5 s past the deadline); it stays the search's hint
            return None
        sched = hint if hint is not None else construct(problem, seed=self.seed)
        chosen = {(a.person, a.instance, a.role) for a in sched.assignments}
        if not builder.plain:
            chosen = in_symmetry_order(problem, chosen)
        need = slots_needed(problem)
        if len(chosen) < need or any(k not in builder.vars.x for k in chosen):
            if hint is None:
                add_hint(builder, sched, problem)
            return None
        model = builder.model
        hint_chosen(builder, chosen)
        fixed = cp_model.CpSolver()
        fixed.parameters.fix_variables_to_their_hinted_value = True
        fixed.parameters.num_workers = 1
        fixed.parameters.max_deterministic_time = 60.0
        fixed.parameters.max_time_in_seconds = max(1.0, self.deadline.share(0.5))  # a construction is kept
        fixed.parameters.catch_sigint_signal = False
        st = fixed.solve(model)
        self.deadline.took(fixed.wall_time)
        self.completion = fixed.wall_time
        model.clear_hints()
        if self.deterministic:
            self.deadline.note_stop(fixed.wall_time, fixed.parameters.max_time_in_seconds)
        if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            add_hint(builder, sched, problem)
            return None
        hint_all(model, fixed)
        if self.first is None:  # not reported before the build (see starts.report_construction)
            self.first_schedule(Progress(points(round(fixed.objective_value)), None, time.perf_counter() - self.t0, 0))
        return fixed

    def first_schedule(self, ev: Progress, report: bool = True) -> None:
        """The run's first schedule (the construction, or its completion in the model)."""
        self.first = ev.elapsed
        self.history.append(ev)
        if report and self.progress:
            self.progress(ev)

    def improve(self, solver: cp_model.CpSolver, warm: cp_model.CpSolver | None, reserve: float):
        """LNS (``optimizer.lns``) from the main phase's schedule until ``reserve`` seconds
        are left; without a schedule yet, the ordinary search goes on to its first one."""
        limit = self.deadline.budget or 1e9
        used = solver.deterministic_time
        # from the search's schedule even when the warm start's is better: measured 2026-12-08
        # (Curtois 60 s, seeds 0/1/2) the LNS from the main phase's 6614-point roster of
        # Instance8 ended at 1663 / 1677 / 1656, from the descent's 4003 at 1855 / 1754 / 1834
        # (Instance9: 468 / 453 against 453 / 565); the better of the two is the result
        start = solver if solver.response_proto.status == cp_model.FEASIBLE else warm
        if start is None:
            if self.deadline.overdue(reserve):
                return self.judged(solver)
            again = self.search(self.settings(max(0.0, limit - reserve - used),
                                              wall=self.deadline.remaining() - reserve), stop_at_first=True)
            used += again.deterministic_time
            if self.interrupted or again.response_proto.status != cp_model.FEASIBLE:
                return self.judged(again)
            solver = start = again
        # also from the warm start: the main search's bound holds though it found no schedule
        bound = max(self.floor, bound_of(solver, unfinished=True) or 0)
        search = LNS(self.builder, self.problem, list(start.response_proto.solution),
                     objective_of(self.builder, start), self.settings(1.0, proof=False), self.seed, self.deterministic)

        def improved(objective: int) -> None:
            ev = Progress(points(objective), points(bound or 0), time.perf_counter() - self.t0, len(self.history) + 1)
            self.history.append(ev)
            if self.progress:
                self.progress(ev)

        # measured on Curtois 8 and 12 at 60 s: steps of 0.5 s (1660, 5246) beat 0.25 s (1943,
        # 5849), 1 s (1937, 5360) and 2 s (1759, 6272)
        step_limit = min(2.0, max(0.5, limit / 120))
        started = time.perf_counter()
        # the final solve that reads the best schedule back loads the whole model with every
        # variable fixed, as the warm start's completion did: keep that long for it (L ran
        # 622.7 s for limit + build 618.5)
        keep = reserve + self.completion
        budget = max(0.0, limit - reserve - used) if self.deterministic else self.deadline.remaining() - keep
        search.run(budget, step_limit, improved, deadline=self.deadline, reserve=keep, stop=self.stop)
        self.interrupted = search.interrupted or self.interrupted
        self.times["lns"] = time.perf_counter() - started
        # no step ran (e.g. no time to read a large model's frame): the start is the schedule
        final = search.final() if search.rounds else start
        # the main phase's bound holds for the whole model: meeting it proves optimality
        status = Status.OPTIMAL if bound is not None and search.objective <= bound else Status.FEASIBLE
        return final, status, bound
