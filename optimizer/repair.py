"""Repair a constructed schedule person by person, when people are independent.

The greedy of ``optimizer.construct`` keeps every hard *maximum* rule but not the minimum
ones (``min_hours``, ``min_consecutive_days``, ``min_consecutive_days_off``): they look
ahead. When no rule module ``couples`` people (cover soft everywhere, no crew skills),
the hard rules bind each person alone, so a schedule can be made valid one person
at a time: each person whose part breaks a hard rule is re-planned in a CP-SAT model of
that person only (the same rule modules, a one-person scenario), hinted with the greedy's
choices (which were made for cover), stopping at the first valid part.

Measured on Curtois Instance22 (50 people × 364 days, 10 shift types of 8 h; cover soft;
everyone between 232 and 234 shifts with runs of at least 2 days on and 2 off): CP-SAT
on the whole model finds no schedule in 60 s, not even with the objective removed; one
person's model (1968 variables) is built in about 0.4 s and solved in about 0.4 s by the
feasibility-jump local search on one thread (CP-SAT's default search on one thread finds
nothing in 10 s: the tight minimum hours together with the minimum runs). Two people
are repaired side by side, in forked processes on Linux (see ``_Workers``). Instance23
(100 people × 364 days × 16 types, 95 to mend; AMD EPYC, 2 cores): 81 s on two threads,
32 s now (two processes, the calendar shared with the one-person problems, successions
encoded from each person's own instances, no symmetry detection or probing).

:func:`descend` then improves a valid schedule the same way, person by person, against the
cover the others leave (see its docstring). Measured on Curtois at 60 s (Intel Xeon, 2
cores): Instance20 47739 -> 14905 points, 21 239163 -> 73769, 22 270642 -> 135478; at 10
minutes Instance21 23003 (23120 with the whole model's LNS alone).
"""

from __future__ import annotations

import multiprocessing
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from ortools.sat.python import cp_model

from constraints import RULES

from .problem import Problem, build
from .schedule import Assignment, Schedule
from .verify import evaluate

PERSON_SECONDS = 5.0  # at most this long per person
# people the local search left unrepaired get this many more tries with other seeds (Instance22,
# 60 s, AMD EPYC: seeds 0 and 2 each left 1 of 50 people unrepaired after 5 s, so no roster;
# seed 1 repaired all 50 in 17 s)
RETRIES = 2
# per person and sweep in the descent: a person's model grows with the shifts of the horizon, so
# their search gets a second per DESCENT_SHIFTS shifts, within [DESCENT_MIN_SECONDS,
# DESCENT_SECONDS]. Measured on Curtois at 60 s (2026-12-07, AMD EPYC, 2 cores, seed 0, one
# run each, a build job running beside), a flat 1 s against this: Instance13 (504 shifts)
# 10809 -> 6495 at 0.1 s (0.2 s: 6186, 0.4 s: 7555), 20 (1092) 12311 -> 12004 at 0.27 s, 21
# (1456) 51987 -> 33769 at 0.36 s, 22 (3640) 143291 -> 133867 at 0.91 s (0.2 s: 236673).
DESCENT_SECONDS = 1.0
DESCENT_MIN_SECONDS = 0.1
DESCENT_SHIFTS = 4000
# a sweep gaining less than this share of the cost ends the descent. Measured on Curtois at
# 600 s: the sweeps' gains fall to 1-2 % after 4-6 sweeps, while the LNS on the whole model
# then gains about 5 % per 100 s (Instance21 25636 -> 24196, Instance22 46195 -> 44199); with
# 0.5 % the descent took 470 s of the 600 and Instance21 ended at 24196 (23120 without it)
DESCENT_MIN_GAIN = 0.03


def descent_seconds(problem: Problem) -> float:
    """Seconds of search per person and sweep in :func:`descend` (see DESCENT_SHIFTS)."""
    return min(DESCENT_SECONDS, max(DESCENT_MIN_SECONDS, len(problem.instances) / DESCENT_SHIFTS))


class _First(cp_model.CpSolverSolutionCallback):
    def on_solution_callback(self) -> None:
        self.stop_search()


# What forked workers inherit from the parent (set by _init_child in each child only).
_CHILD: dict[str, Any] = {}


def _init_child(problem: Problem, keyed: dict, quit_: Any) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _CHILD.update(problem=problem, keyed=keyed, quit=quit_)


def _alone_child(p: int, mine: list[Assignment], seconds: float, seed: int, residual=None, work=None,
                 deadline: float | None = None):
    return _alone_within(_CHILD["problem"], _CHILD["keyed"], _CHILD["quit"], p, mine, seconds, seed, residual,
                         work, deadline)


def _alone_within(problem: Problem, keyed: dict, quit_: Any, p: int, mine: list[Assignment], seconds: float,
                  seed: int, residual, work, deadline: float | None):
    """:func:`_alone`, unless ``quit_`` is set or ``deadline`` has (nearly) passed when the
    person starts."""
    if quit_.is_set():
        return None
    if deadline is not None:
        seconds = min(seconds, deadline - time.perf_counter())
        if seconds <= 0.05:
            return None
    return _alone(problem, keyed, p, mine, seconds, seed, residual, work)


class _Workers:
    """``workers`` one-person solves side by side: forked processes on Linux, so that one
    person's model is built in Python while another's is (threads share the GIL: measured
    on 16 people of Curtois Instance23, 16.9 s on one thread, 11.5 s on two threads, 8.9 s
    in two processes), threads elsewhere. A forked child inherits ``problem`` without
    copying it; it ignores Ctrl-C, and :meth:`close` (or ``quit``) stops it from starting
    another person."""

    def __init__(self, problem: Problem, keyed: dict, workers: int) -> None:
        self.problem, self.keyed = problem, keyed
        self.forked = workers > 1 and sys.platform == "linux"
        self.quit: Any
        self.pool: ProcessPoolExecutor | ThreadPoolExecutor
        if self.forked:
            ctx = multiprocessing.get_context("fork")
            self.quit = ctx.Event()
            self.pool = ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_child,
                                            initargs=(problem, keyed, self.quit))
        else:
            self.quit = threading.Event()
            self.pool = ThreadPoolExecutor(max(1, workers))

    def alone(self, p: int, mine: list[Assignment], seconds: float, seed: int, residual=None, work=None,
              deadline: float | None = None) -> Future:
        """:func:`_alone` for person ``p`` (within ``deadline``, a ``time.perf_counter``
        instant, when given: checked when the person starts)."""
        if self.forked:
            return self.pool.submit(_alone_child, p, mine, seconds, seed, residual, work, deadline)
        return self.pool.submit(_alone_within, self.problem, self.keyed, self.quit, p, mine, seconds, seed,
                                residual, work, deadline)

    def close(self) -> None:
        self.quit.set()
        self.pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> _Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def separable(problem: Problem) -> bool:
    """True when every hard rule binds one person at a time (no rule module ``couples``
    people in ``problem``: e.g. cover soft on every role, no crew skills) and there is no
    re-plan baseline (whose frozen instances are kept as they are)."""
    return problem.baseline is None and not any(rule.couples(problem) for rule in RULES)


def repair(problem: Problem, schedule: Schedule, seconds: float, workers: int = 2, seed: int = 0,
           stop: threading.Event | None = None) -> tuple[Schedule, dict[str, int]]:
    """``schedule`` with every person whose assignments break a hard rule re-planned alone
    (see the module docstring), within ``seconds`` of wall time or until ``stop`` is set.
    Returns the schedule and counters: ``checked`` (1 when people are separable, so the
    schedule was judged), ``people`` (with a hard violation), ``repaired``, ``failed`` (no
    valid part found in time; their part is kept as it was), ``work_ms`` (the one-person
    solves' CP-SAT deterministic time, milliseconds). Ctrl-C
    cancels the people not started and returns after the running ones (at most
    ``PERSON_SECONDS``)."""
    stats = {"people": 0, "repaired": 0, "failed": 0, "checked": 0, "work_ms": 0}
    if not separable(problem):
        return schedule, stats
    stats["checked"] = 1
    deadline = time.perf_counter() + seconds
    hard = evaluate(schedule).violations
    bad = sorted({problem.person_index[pid] for pid in hard["person"].dropna()
                  if pid in problem.person_index}) if len(hard) else []
    stats["people"] = len(bad)
    if not bad:
        return schedule, stats
    by_person: dict[int, list[Assignment]] = {}
    for a in schedule.assignments:
        by_person.setdefault(a.person, []).append(a)
    quit_ = stop if stop is not None else threading.Event()
    keyed = {(inst.shift, inst.start): i for i, inst in enumerate(problem.instances)}
    # ``workers`` persons at a time, each solved on one thread
    with _Workers(problem, keyed, workers) as pool:
        todo = bad  # stopped already (quit_ set): nobody starts
        for attempt in range(RETRIES + 1):  # a person the local search missed: again, another seed
            if not todo or quit_.is_set() or time.perf_counter() >= deadline:
                break
            jobs = {pool.alone(p, by_person.get(p, []), PERSON_SECONDS, seed + 7919 * attempt,
                               deadline=deadline): p for p in todo}
            todo = []
            try:
                for job, p in jobs.items():
                    if quit_.is_set():
                        pool.quit.set()  # stop: the people not started keep their parts
                    got = job.result() if not job.cancelled() else None
                    if got is None:
                        todo.append(p)
                    else:
                        by_person[p] = got[0]
                        stats["repaired"] += 1
                        stats["work_ms"] += got[3]
            except BrokenProcessPool:  # a worker was killed (e.g. SIGTERM to the process group)
                todo = []
                break
            except BaseException:  # Ctrl-C: do not start the others
                pool.quit.set()
                for job in jobs:
                    job.cancel()
                raise
        stats["failed"] = stats["people"] - stats["repaired"]
    out = sorted((a for part in by_person.values() for a in part), key=lambda a: (a.instance, a.role, a.person))
    return Schedule(problem, out, source=schedule.source), stats


def _sub_problem(problem: Problem, p: int, residual: dict[tuple[str, str], dict] | None) -> Problem:
    """Person ``p`` alone: the same scenario with one person, their own time off, and every
    role's count replaced by ``residual[(pattern, role)]`` (per local start date: what the
    others leave uncovered), or by 0 when ``residual`` is None. Cover is soft everywhere
    (``separable``), so the counts only price the objective: with the residual counts the
    coverage rule charges this person exactly what their choices change in the whole
    schedule's cover cost (plus a constant)."""
    sc = problem.scenario
    person = problem.people[p]
    res = residual or {}
    shifts = tuple(pat.model_copy(update={"roles": tuple(
        role.model_copy(update={"count": 0, "counts": res.get((pat.name, role.name), {})})
        for role in pat.roles)}) for pat in sc.shifts)
    sub = Problem(sc.model_copy(update={
        "people": (person,),
        "shifts": shifts,
        "time_off": tuple(t for t in sc.time_off if t.person == person.id),
    }))
    sub.adopt_calendar(problem)  # the same instances: share what depends on their times
    return sub


def _alone(problem: Problem, keyed: dict, p: int, mine: list[Assignment], seconds: float, seed: int,
           residual: dict[tuple[str, str], dict] | None = None,
           work: float | None = None) -> tuple[list[Assignment], int, int | None, int] | None:
    """Person ``p`` re-planned in a model of that person alone, hinted with ``mine``; None
    if no valid part is found in ``seconds``. ``keyed``: instance index by (shift, start).

    Without ``residual`` the model has no objective and the first valid part is returned
    (the repair). With it (the descent) the person's own soft terms and the residual cover
    are minimised for ``seconds``; the result is ``(part, cost of the part, cost of
    mine, work)``, both costs judged by the evaluator on the one-person problem, ``work``
    the solve's CP-SAT deterministic time in milliseconds (what reproducible mode charges
    to the time limit: it does not depend on machine load). ``work`` (the argument): a
    limit in CP-SAT's deterministic time as well (reproducible)."""
    sub = _sub_problem(problem, p, residual)
    # the local search below handles linear encodings only; the repair needs the hard rules only
    b = build(sub, linear=True, priced=residual is not None)
    model = b.model
    chosen = {(problem.instances[a.instance].shift, problem.instances[a.instance].start,
               problem.instances[a.instance].roles[a.role].name) for a in mine}
    for (_, i, r), x in b.vars.x.items():
        inst = sub.instances[i]
        model.add_hint(x, (inst.shift, inst.start, inst.roles[r].name) in chosen)
    solver = cp_model.CpSolver()
    # measured on 6 people of Instance22: the default search on 1 worker finds nothing in
    # 10 s; the feasibility-jump local search finds each in 0.4 s on 1 worker, and 2 persons
    # run side by side (CP-SAT works outside the GIL). With the objective (10 people, 2 s
    # each): local search 270642 -> 173514 points, the default search on 1 worker 249509
    solver.parameters.num_workers = 1
    solver.parameters.use_ls_only = True
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = seconds
    if work is not None:
        solver.parameters.max_deterministic_time = work
    # measured on 6 people of Instance22: one presolve pass 0.4 s each, full presolve 0.7 s,
    # none > 5 s (the first-solution workers need the presolved model)
    solver.parameters.max_presolve_iterations = 1
    # measured on 16 people of Instance23: symmetry detection and probing cost 0.08 s of
    # the 0.5 s each solve took, and the local search does not use them
    solver.parameters.symmetry_level = 0
    solver.parameters.cp_model_probing_level = 0
    # measured on the repair of 20 people each of Curtois 20, 22, 23 and 24 (2 seeds,
    # 2026-12-07): the presolve took 0.46 of a 0.51 s solve (the local search 0.04 s);
    # without its overlap, inclusion and at-most-one merging passes a one-person solve
    # takes 0.19 s instead of 0.45 s on Instance24, 0.38 instead of 0.51 on 22, 0.14
    # instead of 0.22 on 23, every person still repaired (each pass alone gains less).
    # The descent's solves (same settings) keep more of their second for the search.
    solver.parameters.find_big_linear_overlap = False
    solver.parameters.presolve_inclusion_work_limit = 0
    solver.parameters.merge_at_most_one_work_limit = 0
    solver.parameters.catch_sigint_signal = False
    st = solver.solve(model, _First() if residual is None else None)
    if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    spent = round(1000 * solver.deterministic_time)
    out = []
    for (_, i, r), x in b.vars.x.items():
        if solver.boolean_value(x):
            inst = sub.instances[i]
            j = keyed.get((inst.shift, inst.start))
            rr = None if j is None else problem.role_index(j, inst.roles[r].name)
            if j is None or rr is None:
                return None
            out.append(Assignment(j, rr, p))
    if residual is None:
        return out, 0, 0, spent
    new, old = _cost(sub, problem, out), _cost(sub, problem, mine)
    if new is None:
        return None
    return out, new, old, spent


def _cost(sub: Problem, problem: Problem, part: list[Assignment]) -> int | None:
    """The evaluator's cost of ``part`` (assignments of ``problem``) in the one-person
    problem ``sub``; None if it breaks a hard rule there or names a shift ``sub`` lacks."""
    back = {(inst.shift, inst.start): i for i, inst in enumerate(sub.instances)}
    local = []
    for a in part:
        inst = problem.instances[a.instance]
        k = back.get((inst.shift, inst.start))
        kr = None if k is None else sub.role_index(k, inst.roles[a.role].name)
        if k is None or kr is None:
            return None
        local.append(Assignment(k, kr, 0))
    judged = evaluate(Schedule(sub, local))
    return judged.cost if judged.feasible else None


def descend(problem: Problem, schedule: Schedule, seconds: float, workers: int = 2, seed: int = 0,
            stop: threading.Event | None = None, improved: Callable[[Schedule, int], None] | None = None,
            deterministic: bool = False) -> tuple[Schedule, dict[str, int]]:
    """Per-person descent on a valid schedule, when people are independent (``separable``).

    Sweep after sweep, each person is re-planned alone against everyone else's current
    assignments: a one-person model (the same rule modules) whose role counts are what the
    others leave uncovered, so its objective is the person's own soft terms plus exactly
    the change they make to the cover cost. CP-SAT's local search minimises it from the
    person's current part for :func:`descent_seconds`; a part that costs less replaces it.
    ``workers`` people are planned side by side against the same state (their choices can
    overlap), so after every sweep the whole schedule is judged by the evaluator and kept
    only when it is better than the best so far. Stops after ``seconds``, when ``stop`` is
    set, or when a sweep gains less than ``DESCENT_MIN_GAIN`` of the cost. ``improved`` is
    called with every better schedule and its cost (internal units). Returns the best
    schedule and counters: ``sweeps``, ``moves`` (parts replaced), ``gain`` (cost units),
    ``cut`` (1 when the wall clock or ``stop`` ended it, not convergence), ``work_ms`` (as
    in :func:`repair`). ``deterministic``:
    each person's search is limited by CP-SAT's deterministic time, so a descent that
    converges is reproducible."""
    stats = {"sweeps": 0, "moves": 0, "gain": 0, "cut": 0, "work_ms": 0}
    if not separable(problem) or seconds <= 0:
        return schedule, stats
    deadline = time.perf_counter() + seconds
    quit_ = stop if stop is not None else threading.Event()
    judging = time.perf_counter()
    start = evaluate(schedule)
    if not start.feasible:
        return schedule, stats
    # every sweep ends judging the whole schedule: no sweep starts a batch without that time
    # (Curtois Instance24 at 60 s: a descent given 18 s took 27 s)
    deadline -= time.perf_counter() - judging
    best, best_cost = schedule, start.cost
    dates = problem.start_dates
    keyed = {(inst.shift, inst.start): i for i, inst in enumerate(problem.instances)}
    mine: dict[int, list[Assignment]] = {p: [] for p in range(len(problem.people))}
    for a in schedule.assignments:
        mine[a.person].append(a)
    held: Counter[tuple[int, int]] = Counter((a.instance, a.role) for a in schedule.assignments)

    def residual(p: int) -> dict[tuple[str, str], dict]:
        own = {(a.instance, a.role) for a in mine[p]}
        out: dict[tuple[str, str], dict] = {}
        for i, inst in enumerate(problem.instances):
            for r, role in enumerate(inst.roles):
                others = held[(i, r)] - ((i, r) in own)
                out.setdefault((inst.shift, role.name), {})[dates[i]] = max(0, role.count_on(dates[i]) - others)
        return out

    people = list(range(len(problem.people)))
    each = descent_seconds(problem)
    broken = False
    with _Workers(problem, keyed, workers) as pool:
        while True:
            if broken or quit_.is_set() or time.perf_counter() >= deadline - 0.05:
                stats["cut"] = 1
                break
            stats["sweeps"] += 1
            for k in range(0, len(people), max(1, workers)):
                left = deadline - time.perf_counter()
                if left <= 0.05 or quit_.is_set() or broken:
                    stats["cut"] = 1
                    break
                batch = people[k:k + max(1, workers)]
                jobs = [(p, pool.alone(p, list(mine[p]), left if deterministic else min(each, left),
                                       seed, residual(p), each if deterministic else None))
                        for p in batch]
                touched: set[tuple[int, int]] = set()  # slots the batch's earlier moves changed
                for p, job in jobs:
                    try:
                        got = job.result()
                    except BrokenProcessPool:  # a worker was killed: keep what was found
                        broken = True
                        break
                    if got is not None:
                        stats["work_ms"] += got[3]
                    if got is None or got[2] is None or got[1] >= got[2]:
                        continue
                    old_slots = {(a.instance, a.role) for a in mine[p]}
                    new_slots = {(a.instance, a.role) for a in got[0]}
                    if touched & (old_slots | new_slots):
                        # planned against a state an earlier move of the batch changed: judge again
                        sub = _sub_problem(problem, p, residual(p))
                        new, old = _cost(sub, problem, got[0]), _cost(sub, problem, mine[p])
                        if new is None or old is None or new >= old:
                            continue
                    touched |= old_slots ^ new_slots
                    for a in mine[p]:
                        held[(a.instance, a.role)] -= 1
                    mine[p] = got[0]
                    for a in mine[p]:
                        held[(a.instance, a.role)] += 1
                    stats["moves"] += 1
            current = Schedule(problem, sorted((a for part in mine.values() for a in part),
                                               key=lambda a: (a.instance, a.role, a.person)), source=schedule.source)
            judged = evaluate(current)
            before = best_cost
            if judged.feasible and judged.cost < best_cost:
                best, best_cost = current, judged.cost
                stats["gain"] += before - best_cost
                if improved is not None:
                    improved(best, best_cost)
            if before - best_cost <= DESCENT_MIN_GAIN * before:
                break
    return best, stats
