"""The search before the whole model is built: the greedy construction, repaired and
improved person by person where people are independent (``optimizer.repair``). Its
result is the solve's first schedule and the hint of the model's search."""

from __future__ import annotations

import time

from .construct import construct
from .problem import Problem
from .repair import descend, repair, separable
from .result import Progress
from .schedule import Schedule
from .starts import report_construction
from .units import points

REPAIR_SHARE = 0.8  # at most this share of the time limit for repairing the construction
# the per-person descent (optimizer.repair.descend), separable scenarios only: measured on Curtois
# at 60 s, with 1 s per person it beat the whole model's search from 50 people x 1092 shifts up
# (Instance20 47739 -> 14905 points, 21 239163 -> 73769, 22 270642 -> 135478) and lost below (12
# 5367 -> 5645, 14 1569 -> 1771). With the time per person scaled to the horizon
# (repair.descent_seconds; 2026-12-07, AMD EPYC, 2 cores, 60 s, without -> with it): Instance12
# 7304 -> 5354 (seed 0), 5839 -> 4943 (seed 1); 11 4285 -> 4092 (seed 0); even below that
# (10: 5192 / 5277, 4973 / 4986; 14: 1898 / 1949, 1674 / 1657), for at most DESCENT_SHARE of
# what is left (a share of 0.5 gave 19647 / 105677 / 187636 on 20 / 21 / 22, and 13474 on 13
# against 10809 at 0.8). It runs from DESCENT_FROM people x shifts: measured 2026-12-08 (AMD
# EPYC, 2 cores, 60 s, seeds 0/1/2, without -> with it) Instance8 (3360) 2131 / 1845 / 1820 ->
# 1663 / 1677 / 1656, 9 (4032) 470 / 479 -> 468 / 453 (453-558 over four runs with it);
# Instance7 (1680) takes the proof path
DESCENT_FROM = 3_000
DESCENT_SHARE = 0.8
# The whole model's build per candidate assignment (a person x role of an instance that no
# rule prunes), to decide before building whether a whole-model search can pay off. Measured
# 2026-12-08 (AMD EPYC, 2 cores): Curtois Instance24 (1.04 M candidates) built in 25.7 s and
# hinted in 1.7 s, the 300-person year (413 k) in 13.3-15.1 s.
BUILD_PER_CANDIDATE = 30e-6
# a whole-model search is worth building only with this many times its expected build left:
# measured on Curtois Instance23 at 60 s (2026-12-08, AMD EPYC, 2 cores; 333 k candidates),
# from the descent's end at 40.5 s: build 7.4 s, hint 0.5 s, the warm start's completion
# 3.6 s, main phase 2.4 s, the LNS's frame of the model 9.2 s, its final read-back about
# 3 s, the run ending at 73 s with nothing better than the descent's schedule. Before,
# Instance24 at 60 s ran 93.5 s: repair to 37 s, the descent to 64 s, then a 29 s build
# with no time left to search with it.
BUILD_WORTH = 3.0


class Early:
    """What the search before the model is built (repair, descent) spent and whether the
    wall clock cut it."""

    def __init__(self) -> None:
        self.times: dict[str, float] = {}
        self.work = 0.0  # their CP-SAT deterministic time per worker (reproducible mode's charge)
        self.cut = False
        self.better: list[Progress] = []  # the descent's improving schedules
        self.broken = False  # the schedule was judged and breaks a hard rule (the repair failed)
        self.unbuilt = False  # the time left cannot pay for the whole model: the early schedule is the answer


def candidates(problem: Problem) -> int:
    """Assignment variables the whole model will have: each instance's qualified people per
    role, less the (person, instance) pairs a rule prunes."""
    qual = problem.qualified_people
    n = sum(len(qual[(inst.shift, r)]) for inst in problem.instances for r in range(len(inst.roles)))
    for p, i in problem.forbidden:
        inst = problem.instances[i]
        n -= sum(p in qual[(inst.shift, r)] for r in range(len(inst.roles)))
    return n


def build_needs(problem: Problem) -> float:
    """Seconds to keep for building the whole model and searching with it (see
    ``BUILD_WORTH``)."""
    return BUILD_WORTH * BUILD_PER_CANDIDATE * candidates(problem)


def construct_early(problem: Problem, early: Early, limit: float, progress, t0: float, stop, seed: int, workers: int,
                    deterministic: bool) -> tuple[Schedule, Progress | None]:
    """The greedy construction, repaired and improved person by person where people are
    independent (``optimizer.repair``); the schedule and the report of the first valid
    one (None when it breaks a hard rule or is too large to judge before the build)."""
    hint = construct(problem, seed=seed)
    first = report_construction(problem, hint, progress, t0)
    if first is None:
        # the greedy broke a minimum rule: when people are independent, repair them one by one
        started = time.perf_counter()
        hint, mended = repair(problem, hint, REPAIR_SHARE * limit, workers=workers, seed=seed, stop=stop)
        if mended["people"]:
            early.times["repair"] = time.perf_counter() - started
            early.work += mended["work_ms"] / 1000 / max(1, workers)
            early.cut = early.cut or mended["failed"] > 0
        if mended["checked"]:  # judged person by person (separable): report it at any size
            first = report_construction(problem, hint, progress, t0, large=True)
            early.broken = first is None
    if first is None:
        return hint, first
    descends = len(problem.people) * len(problem.instances) >= DESCENT_FROM and separable(problem)
    if not descends:
        return hint, first  # the model is built and searched for the whole limit (docs/engine.md)
    # fast mode, where the descent improves the schedule in hand without the model: when what
    # its share leaves cannot pay for the whole model, the descent has all the time and its
    # schedule is the answer (the reproducible mode's outcome may not depend on the wall
    # clock: it builds)
    need = build_needs(problem)
    left = limit - (time.perf_counter() - t0)
    early.unbuilt = not deterministic and (1 - DESCENT_SHARE) * left < need
    # large and valid: improve the cover person by person (descend checks separability)
    better = early.better

    def improved(_: Schedule, cost: int) -> None:
        better.append(Progress(points(cost), None, time.perf_counter() - t0, 0, phase="descent"))
        if progress:
            progress(better[-1])

    started = time.perf_counter()
    # all that is left when the model will not be built, else a share
    share = left if early.unbuilt else DESCENT_SHARE * left
    hint, moved = descend(problem, hint, share, workers=workers, seed=seed, stop=stop,
                          improved=improved, deterministic=deterministic)
    if moved["sweeps"]:
        early.times["descent"] = time.perf_counter() - started
        early.work += moved["work_ms"] / 1000 / max(1, workers)
        early.cut = early.cut or moved["cut"] > 0
    if early.unbuilt and not moved["cut"]:  # converged early: the time left may pay for the model now
        early.unbuilt = limit - (time.perf_counter() - t0) < need
    return hint, first
