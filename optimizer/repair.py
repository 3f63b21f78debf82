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
are repaired side by side: the 50 take about 32 s.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from ortools.sat.python import cp_model

from constraints import RULES

from .problem import Problem, build
from .schedule import Assignment, Schedule
from .verify import evaluate

PERSON_SECONDS = 5.0  # at most this long per person


class _First(cp_model.CpSolverSolutionCallback):
    def on_solution_callback(self) -> None:
        self.stop_search()


def separable(problem: Problem) -> bool:
    """True when every hard rule binds one person at a time (no rule module ``couples``
    people in ``problem``: e.g. cover soft on every role, no crew skills) and there is no
    re-plan baseline (whose frozen instances are kept as they are)."""
    return problem.baseline is None and not any(rule.couples(problem) for rule in RULES)


def repair(problem: Problem, schedule: Schedule, seconds: float, workers: int = 2, seed: int = 0,
           stop: threading.Event | None = None) -> tuple[Schedule, dict[str, int]]:
    """``schedule`` with every person whose assignments break a hard rule re-planned alone
    (see the module docstring), within ``seconds`` of wall time or until ``stop`` is set.
    Returns the schedule and counters: ``people`` (with a hard violation), ``repaired``,
    ``failed`` (no valid part found in time; their part is kept as it was). Ctrl-C
    cancels the people not started and returns after the running ones (at most
    ``PERSON_SECONDS``)."""
    stats = {"people": 0, "repaired": 0, "failed": 0}
    if not separable(problem):
        return schedule, stats
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
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        jobs = {pool.submit(_alone_until, problem, keyed, p, by_person.get(p, []), deadline, quit_, seed): p
                for p in bad}
        try:
            for job, p in jobs.items():
                fixed = job.result()
                if fixed is None:
                    stats["failed"] += 1
                else:
                    by_person[p] = fixed
                    stats["repaired"] += 1
        except BaseException:  # Ctrl-C: do not start the others
            quit_.set()
            for job in jobs:
                job.cancel()
            raise
    out = sorted((a for part in by_person.values() for a in part), key=lambda a: (a.instance, a.role, a.person))
    return Schedule(problem, out, source=schedule.source), stats


def _alone_until(problem: Problem, keyed: dict, p: int, mine: list[Assignment], deadline: float,
                 quit_: threading.Event, seed: int) -> list[Assignment] | None:
    left = deadline - time.perf_counter()
    if left <= 0.05 or quit_.is_set():
        return None
    return _alone(problem, keyed, p, mine, min(PERSON_SECONDS, left), seed)


def _alone(problem: Problem, keyed: dict, p: int, mine: list[Assignment], seconds: float,
           seed: int) -> list[Assignment] | None:
    """Person ``p`` re-planned in a model of that person alone, hinted with ``mine``; None
    if no valid part is found in ``seconds``. ``keyed``: instance index by (shift, start)."""
    sc = problem.scenario
    person = problem.people[p]
    # cover is soft everywhere (``separable``), so it only prices the objective, which this
    # model has not: counts of 0 leave the coverage rule nothing to build
    shifts = tuple(pat.model_copy(update={"roles": tuple(role.model_copy(update={"count": 0, "counts": {}})
                                                         for role in pat.roles)}) for pat in sc.shifts)
    sub = Problem(sc.model_copy(update={
        "people": (person,),
        "shifts": shifts,
        "time_off": tuple(t for t in sc.time_off if t.person == person.id),
    }))
    b = build(sub)
    model = b.model
    model.clear_objective()
    chosen = {(problem.instances[a.instance].shift, problem.instances[a.instance].start,
               problem.instances[a.instance].roles[a.role].name) for a in mine}
    for (_, i, r), x in b.vars.x.items():
        inst = sub.instances[i]
        model.add_hint(x, (inst.shift, inst.start, inst.roles[r].name) in chosen)
    solver = cp_model.CpSolver()
    # measured on 6 people of Instance22: the default search on 1 worker finds nothing in
    # 10 s; the feasibility-jump local search finds each in 0.4 s on 1 worker, and 2 persons
    # run side by side (CP-SAT works outside the GIL)
    solver.parameters.num_workers = 1
    solver.parameters.use_ls_only = True
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = seconds
    # measured on 6 people of Instance22: one presolve pass 0.4 s each, full presolve 0.7 s,
    # none > 5 s (the first-solution workers need the presolved model)
    solver.parameters.max_presolve_iterations = 1
    solver.parameters.catch_sigint_signal = False
    st = solver.solve(model, _First())
    if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    out = []
    for (_, i, r), x in b.vars.x.items():
        if solver.boolean_value(x):
            inst = sub.instances[i]
            j = keyed.get((inst.shift, inst.start))
            rr = None if j is None else problem.role_index(j, inst.roles[r].name)
            if j is None or rr is None:
                return None
            out.append(Assignment(j, rr, p))
    return out
