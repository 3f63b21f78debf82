"""Large-neighbourhood search (LNS) over a roster's days and people, on top of CP-SAT,
on every core.

CP-SAT's own neighbourhoods are generic (random variables, constraint-graph walks). A
roster has a structure they do not see: a bad stretch is usually fixed by rearranging
*everyone's* shifts over a few days, *a few people's* shifts over a window or the whole
horizon, or one shift pattern's cover. This module keeps the best schedule, frees such
neighbourhoods of assignment variables (all others fixed to their current values; the
families and their adaptive choice are in ``optimizer.lns_hoods``), lets CP-SAT
re-optimise each sub-problem from the current schedule (the hint), and keeps the result
when it is no worse.

Each round solves ``k`` neighbourhoods at once, one CP-SAT worker each, ``k`` being the
number of workers the solve was given: every thread has its own copy of the model
(domains fixed to the incumbent; only the freed variables are touched per step), the
solves release the GIL, and the best result of the round (ties: the first) becomes the
incumbent of the next. On models of :data:`SUB_FROM` constraints or more a step does not
solve a copy of the whole model (CP-SAT would spend seconds loading it) but a model of
what the step can change (``optimizer.submodel``), written by the step's own thread; there
the costs the incumbent pays can be located on days, and the ``hot`` family frees
everyone around a day where a cost lies. In deterministic mode the neighbourhoods of a round are drawn in
a fixed order, each step is limited by deterministic time, and the results are merged in
that order, so the same seed gives the same sequence of schedules. There the budget is in
deterministic seconds (``optimizer.deadline.DET_PER_SECOND`` per second of the limit) and a
round is charged :data:`WALL_PER_DET` × ``DET_PER_SECOND`` times its own deterministic
time, so that it buys about as many wall seconds as the whole-model phases.

Used by :func:`optimizer.solve.solve` when ``solver.lns`` is on, after a first schedule.
It gives up proofs: the bound is the one the first phase reached.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from .deadline import DET_PER_SECOND, Deadline
from .lns_hoods import Hood, Hoods
from .model import ModelBuilder
from .problem import Problem
from .submodel import Frame, Sub, Unsupported

# wall seconds per deterministic second of an LNS round (two one-worker steps at once):
# measured on AMD EPYC, 2 cores, 10 s reproducible solves: Curtois Instance2 12.9 s of step
# wall time for 5.6 deterministic s, Instance8 8.5 for 3.0, follow_the_sun.yaml 8.1 for 3.0
# (each step presolves its copy, which the deterministic clock counts little); charged
# at 1 : 1 a 4 s reproducible limit ran 7 s of LNS and met the deadline's grace
WALL_PER_DET = 2.5
CHARGE = WALL_PER_DET * DET_PER_SECOND  # reproducible budget per deterministic second of a round
STALL = 30  # rounds without a strict improvement before sizes and scores restart
# models with this many constraints solve each step as a sub-model of what the step can
# change (optimizer.submodel) instead of a copy of the whole model with the rest fixed
SUB_FROM = 200_000
# wall seconds per constraint of reading a model's frame (submodel.Frame.of), which the
# first step waits for: measured 2026-12-08 (AMD EPYC) 9.2 s for the 412 k constraints of
# Curtois Instance23, whose LNS then ran to 17 s past a 60 s limit
FRAME_PER_CONSTRAINT = 25e-6
SUB_START = 1000  # freed variables of every family's first sub-model step
DEPTH = 2  # auxiliary variables within this many constraints of a freed one are free too


@dataclass
class Step:
    """One LNS step (kept for the log and tests). ``objective`` is the incumbent's after
    the step's round, ``found`` the step's own result (None: none), ``accepted`` whether
    that result became the incumbent."""

    kind: str
    size: int
    freed: int
    objective: int
    accepted: bool
    status: str
    seconds: float
    found: int | None = None
    round: int = 0


class _Copy:
    """One thread's model: a copy of the built model, assignment domains fixed to the
    incumbent, the incumbent as hint."""

    def __init__(self, model: cp_model.CpModel, index: list[int], domains: dict[int, list[int]],
                 values: list[int]):
        self.model = model.clone()
        self.proto = self.model.proto
        self.domains = domains
        self.refix(index, values)
        self.hint(values)

    def set(self, k: int, domain: list[int]) -> None:
        d = self.proto.variables[k].domain
        d.clear()
        d.extend(domain)

    def free(self, ks: list[int]) -> None:
        for k in ks:
            self.set(k, self.domains[k])

    def refix(self, ks: list[int], values: list[int]) -> None:
        for k in ks:
            v = values[k]
            self.set(k, [v, v])

    def hint(self, values: list[int]) -> None:
        hint = self.proto.solution_hint
        hint.vars.clear()
        hint.values.clear()
        hint.vars.extend(range(len(values)))
        hint.values.extend(values)


class LNS:
    """LNS over a built model. ``values`` is a complete solution (one value per proto
    variable) and ``objective`` its internal objective; :meth:`run` improves both."""

    def __init__(self, builder: ModelBuilder, problem: Problem, values: list[int], objective: int,
                 params: dict[str, object], seed: int, deterministic: bool):
        self.model = builder.model
        self.proto = self.model.proto
        self.values = list(values)
        self.objective = objective
        workers = params.get("num_workers") or os.cpu_count() or 1
        self.workers = max(1, int(workers))  # type: ignore[call-overload]
        # each step is one CP-SAT worker (measured on Curtois 9, 10 and 12, 60 s, 2 cores:
        # one worker per step beat two, 460 vs 462, 4875 vs 5188, 5360 vs 6347); the
        # workers the solve was given run that many steps at once
        self.params = {k: v for k, v in params.items()
                       if k not in ("max_time_in_seconds", "max_deterministic_time", "random_seed",
                                    "num_workers", "interleave_search")}
        self.params["num_workers"] = 1
        self.rng = random.Random(seed)
        self.seed = seed
        self.deterministic = deterministic
        self.hoods = Hoods(builder, problem, self.rng)
        self.index = self.hoods.index
        self.domains = {k: list(self.proto.variables[k].domain) for k in self.index}
        self.steps: list[Step] = []
        self.frame: Frame | None = None
        self.rounds = 0
        self.restarts = 0
        self.interrupted = False

    # -- the shared model's domains ------------------------------------------------------
    def _set(self, k: int, domain: list[int]) -> None:
        d = self.proto.variables[k].domain
        d.clear()
        d.extend(domain)

    def restore(self) -> None:
        """Give every assignment variable of the built model its original domain back."""
        for k in self.index:
            self._set(k, self.domains[k])

    def final(self) -> cp_model.CpSolver:
        """A solver holding the best schedule (every variable fixed to it), for reading
        values the way a normal solve is read."""
        for k in self.index:
            v = self.values[k]
            self._set(k, [v, v])
        hint = self.proto.solution_hint
        hint.vars.clear()
        hint.values.clear()
        hint.vars.extend(range(len(self.values)))
        hint.values.extend(self.values)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.fix_variables_to_their_hinted_value = True
        solver.parameters.max_time_in_seconds = 60.0
        solver.parameters.catch_sigint_signal = False
        try:
            solver.solve(self.model)
        finally:
            self.restore()
            self.model.clear_hints()
        return solver

    # -- search --------------------------------------------------------------------------
    def run(self, budget: float, step_limit: float,
            on_improve: Callable[[int], None] | None = None,
            deadline: Deadline | None = None, reserve: float = 0.0, stop: threading.Event | None = None) -> None:
        """Improve for ``budget`` seconds (in deterministic mode: deterministic seconds,
        rounds charged :data:`CHARGE` times their own), each step at most ``step_limit``
        (deterministic seconds in deterministic mode). ``stop`` (an event) or Ctrl-C ends the search
        during a round, keeping the best schedule (:attr:`interrupted` says so). With
        ``deadline``, no step runs past the point where ``reserve`` seconds are left on
        it."""
        if not self.index or len(self.values) != len(self.proto.variables):
            return
        t0 = time.perf_counter()
        if len(self.proto.constraints) >= SUB_FROM:
            if budget < FRAME_PER_CONSTRAINT * len(self.proto.constraints) and not self.deterministic:
                return  # reading the model's frame would take the time left (and more)
            try:
                self.frame = Frame.of(self.model, self.index)
            except Unsupported:
                self.frame = None
        if self.frame is not None:
            # steps now cost what they free, not the whole model: start small and grow
            self.hoods.start = min(self.hoods.start, SUB_START)
            day_of = {k: d for d, ks in self.hoods.by_day.items() for k in ks}
            located, domains = self.frame.located(day_of), self.frame.domains
            if located:
                self.hoods.locate(lambda values: _spots(located, values, domains))
            self.hoods.reset()
        copies = ([] if self.frame is not None else
                  [_Copy(self.model, self.index, self.domains, self.values) for _ in range(self.workers)])
        spent = 0.0
        n = 0
        stalled = 0
        while spent < budget and not self.interrupted:
            if stop is not None and stop.is_set():
                self.interrupted = True
                break
            limit = min(step_limit, (budget - spent) / (CHARGE if self.deterministic else 1.0))
            wall = 10 * limit if deadline is None else min(10 * limit, deadline.remaining() - reserve)
            if limit <= 0.01 or wall <= 0.01:
                if deadline is not None and limit > 0.01:
                    deadline.cut = True  # the wall clock, not the budget, ended the search
                break
            hoods = [self.hoods.make(self.hoods.pick(), self.values) for _ in range(self.workers)]
            solvers = []
            for _h in hoods:
                solvers.append(self._solver(n, limit, wall))
                n += 1
            started = time.perf_counter()
            subs: list[Sub | None] = [None] * len(hoods)
            if self.frame is not None:
                # each thread writes its own sub-model, then solves it (the writing holds
                # the GIL, the solving does not: one step writes while the other solves)
                writers = [self._writer(h, solvers[j], subs, j) for j, h in enumerate(hoods)]
                self.interrupted = _solve_all(solvers, writers, stop)
            else:
                for c, h in zip(copies, hoods, strict=True):
                    c.free(h.ks)
                self.interrupted = _solve_all(solvers, [c.model for c in copies], stop)
            seconds = time.perf_counter() - started
            for c, h in zip(copies, hoods):  # noqa: B905 - no copies with sub-models
                c.refix(h.ks, self.values)
            det = max(s.deterministic_time for s in solvers)
            spent = spent + CHARGE * det if self.deterministic else time.perf_counter() - t0
            if (self.deterministic and deadline is not None and seconds >= 0.98 * wall
                    and any(s.response_proto.status not in (cp_model.OPTIMAL, cp_model.INFEASIBLE) for s in solvers)):
                deadline.cut = True  # a step ended on the wall clock: the run may not repeat
            better = self._merge(hoods, solvers, copies, seconds, subs)
            if better and on_improve is not None:
                on_improve(self.objective)
            stalled = 0 if better else stalled + 1
            if stalled >= STALL:
                self.hoods.reset()
                self.restarts += 1
                stalled = 0
            self.rounds += 1

    def _writer(self, hood: Hood, solver: cp_model.CpSolver, subs: list[Sub | None],
                j: int) -> Callable[[], cp_model.CpModel]:
        """Writes ``hood``'s sub-model into ``subs[j]`` and returns its model (run by the
        step's thread)."""
        frame, values = self.frame, self.values
        assert frame is not None

        def write() -> cp_model.CpModel:
            sub = subs[j] = frame.sub(hood.ks, values, DEPTH)
            if not self.deterministic:
                # the writing counts in the step's time: a neighbourhood too large to
                # write in it is not explored completely and shrinks
                p = solver.parameters
                p.max_time_in_seconds = max(0.05, p.max_time_in_seconds - sub.seconds)
            return sub.model
        return write

    def _solver(self, n: int, limit: float, wall: float) -> cp_model.CpSolver:
        solver = cp_model.CpSolver()
        for key, val in self.params.items():
            setattr(solver.parameters, key, val)
        if self.frame is not None:
            solver.parameters.cp_model_presolve = True  # a sub-model is small
        solver.parameters.random_seed = self.seed + n
        solver.parameters.catch_sigint_signal = False
        if self.deterministic:
            solver.parameters.max_deterministic_time = limit
            solver.parameters.max_time_in_seconds = wall
        else:
            solver.parameters.max_time_in_seconds = min(limit, wall)
        return solver

    def _merge(self, hoods: list[Hood], solvers: list[cp_model.CpSolver], copies: list[_Copy],
               seconds: float, subs: list[Sub | None]) -> bool:
        """Keep the round's best result (the first among equals) if no worse than the
        incumbent; score the families; True when strictly better."""
        before = self.objective
        found: list[int | None] = []
        best = None
        for j, (h, s) in enumerate(zip(hoods, solvers, strict=True)):
            st = s.response_proto.status
            obj = round(s.objective_value) if st in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None
            found.append(obj)
            if obj is not None and obj <= self.objective and (best is None or obj < found[best]):  # type: ignore[operator]
                best = j
            sub = subs[j]
            took = s.deterministic_time if self.deterministic else s.wall_time + (sub.seconds if sub else 0.0)
            self.hoods.learn(h.family, before - obj if obj is not None else 0, took, st == cp_model.OPTIMAL)
        if best is not None:
            sub = subs[best]
            new = (list(solvers[best].response_proto.solution) if sub is None
                   else sub.complete(solvers[best], self.values))
            changed = [k for k in self.index if new[k] != self.values[k]] if copies else []
            self.values = new
            self.objective = found[best]  # type: ignore[assignment]
            for c in copies:
                c.refix(changed, new)
                c.hint(new)
        for j, (h, s) in enumerate(zip(hoods, solvers, strict=True)):
            self.steps.append(Step(h.family, h.size, len(h.ks), self.objective, j == best,
                                   s.status_name(s.response_proto.status), seconds, found[j], self.rounds))
        return self.objective < before


def _spots(located: list[tuple[int, int, list[tuple[int, int]]]], values: list[int],
           domains: list[list[int]]) -> list[tuple[int, float]]:
    """(day, cost) of the located objective terms ``values`` pays: a positive term when
    its variable is above its lowest value, a negative one (a reward) when below its
    highest; the cost is shared by the days of the term's decisions that are on (those
    who pay), or by all of them when none is (what is missing, e.g. a wish not met)."""
    out: list[tuple[int, float]] = []
    for v, a, near in located:
        dom = domains[v]
        cost = a * (values[v] - dom[0]) if a > 0 else -a * (dom[-1] - values[v])
        if cost > 0:
            days = [d for k, d in near if values[k]] or [d for _k, d in near]
            out.extend((d, cost / len(days)) for d in days)
    return out


def _solve_all(solvers: list[cp_model.CpSolver],
               models: list[cp_model.CpModel] | list[Callable[[], cp_model.CpModel]],
               stop: threading.Event | None) -> bool:
    """Solve ``models[j]`` with ``solvers[j]``, each in its own thread (CP-SAT releases the
    GIL); a model may be given as a function that makes it (called in the thread). ``stop``
    or Ctrl-C stops them all. True when stopped."""
    errors: list[BaseException] = []
    done = [threading.Event() for _ in solvers]

    def work(solver: cp_model.CpSolver, model, ev: threading.Event) -> None:  # noqa: ANN001
        try:
            if callable(model):
                model = model()
            solver.solve(model)
        except BaseException as e:  # noqa: BLE001 - re-raised in the calling thread
            errors.append(e)
        finally:
            ev.set()

    threads = [threading.Thread(target=work, args=(s, m, ev), name=f"lns-{j}", daemon=True)
               for j, (s, m, ev) in enumerate(zip(solvers, models, done, strict=True))]
    for th in threads:
        th.start()
    stopped = False
    # wait on Events, not Thread.join: a join interrupted by Ctrl-C can leave is_alive()
    # wrong on Python 3.11 (and Ctrl-C reaches only the main thread's waits)
    while not all(ev.is_set() for ev in done):
        try:
            next(ev for ev in done if not ev.is_set()).wait(0.05)
            if stop is not None and stop.is_set():
                stopped = True
        except KeyboardInterrupt:
            stopped = True
        if stopped:
            for s in solvers:
                s.stop_search()  # again every poll: a solve not started yet would miss it
    for th in threads:
        th.join()
    if errors:
        raise errors[0]
    return stopped
