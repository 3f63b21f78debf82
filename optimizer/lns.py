"""Large-neighbourhood search (LNS) over days and people, on top of CP-SAT.

CP-SAT's own neighbourhoods are generic (random variables, constraint-graph walks). A
roster has a structure they do not see: a bad stretch is usually fixed by rearranging
*everyone's* shifts over a few days, or *a few people's* shifts over the whole horizon.
This module keeps the best schedule, frees one such neighbourhood of assignment
variables (all others fixed to their current values), lets CP-SAT re-optimise that
sub-problem from the current schedule (the hint), and keeps the result when it is no
worse. Neighbourhood sizes adapt: one that CP-SAT explores completely (proves optimal)
grows, one it cannot shrinks.

Fixing is done on the model's variable domains in place (only the freed variables are
touched per step), so a step costs about the sub-problem, not the model.

Used by :func:`optimizer.solve.solve` when ``solver.lns`` is on, after a first schedule.
It gives up proofs: the bound is the one the first phase reached.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from .deadline import Deadline
from .model import ModelBuilder
from .problem import Problem


@dataclass
class Step:
    """One LNS step (kept for the log and tests)."""

    kind: str
    size: int
    freed: int
    objective: int
    accepted: bool
    status: str
    seconds: float


class LNS:
    """LNS over a built model. ``values`` is a complete solution (one value per proto
    variable) and ``objective`` its internal objective; :meth:`run` improves both."""

    def __init__(self, builder: ModelBuilder, problem: Problem, values: list[int], objective: int,
                 params: dict[str, object], seed: int, deterministic: bool):
        from .facts import start_dates

        self.model = builder.model
        self.proto = self.model.proto
        self.values = list(values)
        self.objective = objective
        self.params = {k: v for k, v in params.items()
                       if k not in ("max_time_in_seconds", "max_deterministic_time", "random_seed")}
        # measured on Curtois 9, 10 and 12 (60 s, 2 cores): one worker per step beats two
        # (460 vs 462, 4875 vs 5188, 5360 vs 6347): more, cheaper steps
        self.params["num_workers"] = 1
        self.params.pop("interleave_search", None)
        self.rng = random.Random(seed)
        self.seed = seed
        self.deterministic = deterministic
        dates = start_dates(problem)
        day0 = min(dates) if dates else None
        self.by_person: dict[int, list[int]] = {}
        self.by_day: dict[int, list[int]] = {}
        self.index: list[int] = []
        for (p, i, _r), x in builder.vars.x.items():
            k = x.index
            self.index.append(k)
            self.by_person.setdefault(p, []).append(k)
            self.by_day.setdefault((dates[i] - day0).days, []).append(k)  # type: ignore[operator]
        self.people = sorted(self.by_person)
        self.days = sorted(self.by_day)
        self.domains = {k: list(self.proto.variables[k].domain) for k in self.index}
        # sizes: days in a window, people in a group (grown / shrunk by the outcomes)
        self.size = {"days": max(1.0, len(self.days) / 8), "people": max(1.0, len(self.people) / 6)}
        self.steps: list[Step] = []

    # -- domains -----------------------------------------------------------------------
    def _set(self, k: int, domain: list[int]) -> None:
        d = self.proto.variables[k].domain
        d.clear()
        d.extend(domain)

    def _fix_all(self) -> None:
        self._refix(self.index)

    def _free(self, ks: list[int]) -> None:
        for k in ks:
            self._set(k, self.domains[k])

    def _refix(self, ks: list[int]) -> None:
        for k in ks:
            v = self.values[k]
            self._set(k, [v, v])

    def restore(self) -> None:
        """Give every assignment variable its original domain back."""
        self._free(self.index)

    def _hint(self) -> None:
        hint = self.proto.solution_hint
        hint.vars.clear()
        hint.values.clear()
        hint.vars.extend(range(len(self.values)))
        hint.values.extend(self.values)

    # -- neighbourhoods ------------------------------------------------------------------
    def _neighbourhood(self) -> tuple[str, int, list[int]]:
        kind = "days" if self.rng.random() < 0.5 else "people"
        if kind == "days":
            w = min(len(self.days), max(1, round(self.size["days"])))
            a = self.rng.randrange(len(self.days) - w + 1)
            return kind, w, [k for d in self.days[a:a + w] for k in self.by_day[d]]
        n = min(len(self.people), max(1, round(self.size["people"])))
        chosen = self.rng.sample(self.people, n)
        return kind, n, [k for p in chosen for k in self.by_person[p]]

    def _adapt(self, kind: str, complete: bool) -> None:
        limit = len(self.days) if kind == "days" else len(self.people)
        s = self.size[kind] * (1.25 if complete else 0.85)
        self.size[kind] = min(float(limit), max(1.0, s))

    def final(self) -> cp_model.CpSolver:
        """A solver holding the best schedule (every variable fixed to it), for reading
        values the way a normal solve is read."""
        self._fix_all()
        self._hint()
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
            solve: Callable[[cp_model.CpSolver], bool] | None = None,
            on_improve: Callable[[int], None] | None = None,
            deadline: Deadline | None = None, reserve: float = 0.0) -> None:
        """Improve for ``budget`` seconds (deterministic seconds in deterministic mode),
        each step at most ``step_limit``. ``solve(solver)`` runs one step's search and
        returns True when the user stopped it (default: ``solver.solve(model)``), which
        ends the search after that step. With ``deadline``, no step runs past the point
        where ``reserve`` seconds are left on it."""
        if not self.index or len(self.values) != len(self.proto.variables):
            return
        self._fix_all()
        self._hint()
        spent = 0.0
        t0 = time.perf_counter()
        n = 0
        try:
            stopped = False
            while spent < budget and not stopped:
                kind, size, ks = self._neighbourhood()
                limit = min(step_limit, budget - spent)
                wall = limit if deadline is None else min(10 * limit, deadline.remaining() - reserve)
                if limit <= 0.01 or wall <= 0.01:
                    if deadline is not None and limit > 0.01:
                        deadline.cut = True  # the wall clock, not the budget, ended the search
                    break
                self._free(ks)
                t_step = time.perf_counter()
                solver = cp_model.CpSolver()
                for key, val in self.params.items():
                    setattr(solver.parameters, key, val)
                solver.parameters.random_seed = self.seed + n
                solver.parameters.catch_sigint_signal = False
                if self.deterministic:
                    solver.parameters.max_deterministic_time = limit
                    solver.parameters.max_time_in_seconds = wall
                else:
                    solver.parameters.max_time_in_seconds = min(limit, wall)
                if solve is None:
                    solver.solve(self.model)
                else:
                    stopped = solve(solver)
                st = solver.response_proto.status
                n += 1
                spent = spent + solver.deterministic_time if self.deterministic else time.perf_counter() - t0
                accepted = False
                if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                    obj = round(solver.objective_value)
                    if obj <= self.objective:
                        accepted = True
                        better = obj < self.objective
                        self.values = list(solver.response_proto.solution)
                        self.objective = obj
                        self._hint()
                        if better and on_improve is not None:
                            on_improve(obj)
                self._refix(ks)
                self._adapt(kind, st == cp_model.OPTIMAL)
                self.steps.append(Step(kind, size, len(ks), self.objective, accepted, solver.status_name(st),
                                       time.perf_counter() - t_step))
        finally:
            self.restore()
