"""The later phases of a solve, run on the main phase's model (``optimizer.phases`` holds
their objectives): the balance phase, everyone's load towards their fair share with the
main objective held, and the canonical tie-break among the optimal schedules.
:class:`Later` is a part of ``optimizer.solve``'s run, kept here to keep that file short."""

from __future__ import annotations

import time
from collections.abc import Callable

from ortools.sat.python import cp_model

from .deadline import Deadline
from .model import ModelBuilder
from .phases import balance_expr, canonical_expr, held_at, hint_all, holding
from .result import objective_of
from .searching import bound_of

BALANCE_SHARE = 0.2  # of the limit kept for the balance phase (more if the main phase ends early)
BALANCE_PROOF = 0.6  # of the balance phase, small models: the proof portfolio's (balance_search)
# the canonical tie-break: this share of the limit, at least CANONICAL_SECONDS, at most what is left; ends when
# proven (AMD EPYC, 2 cores: team14_planning 1.03 s, quarterly 1.24 s; with 1 s team14_planning not reproducible)
CANONICAL_SHARE = 0.25
CANONICAL_SECONDS = 3.0


class Later:
    """The balance phase and the canonical tie-break of ``optimizer.solve``'s run."""

    builder: ModelBuilder
    deadline: Deadline
    known: dict[str, int]
    times: dict[str, float]
    deterministic: bool
    interrupted: bool
    small: bool  # the proof portfolio runs (a small model on 2-3 workers, set by solve)
    search: Callable[..., cp_model.CpSolver]
    settings: Callable[..., dict[str, object]]

    def balance(self, src: cp_model.CpSolver, main_det: float) -> tuple[cp_model.CpSolver, dict[str, object]]:
        """Second phase: the main objective held at its value, Σ |load − fair share| minimised."""
        got = balance_expr(self.builder)
        if got is None:
            return src, {}
        if self.deadline.remaining() < 0.05:
            self.deadline.cut = True  # the wall clock, not a budget, dropped the phase
            return src, {}
        dev = got.expr
        held = objective_of(self.builder, src)
        limit = self.deadline.budget or 1e9
        main_wall = self.times.get("main", 0.0) + self.times.get("lns", 0.0)
        if self.deterministic:
            budget = max(BALANCE_SHARE * limit, min(main_det, limit - main_det))
            wall = self.deadline.remaining()
        else:  # and whatever the canonical tie-break would not need (`rota solve --time-limit 5`)
            left = self.deadline.remaining()
            budget = wall = min(left, max(BALANCE_SHARE * limit, main_wall, left - min(CANONICAL_SECONDS, left / 4)))
        with holding(self.builder, held_at(self.builder, self.known, held), dev):
            hint_all(self.builder.model, src)
            got.hint(self.builder.model, src)
            solver, bound = self.balance_search(budget, wall)
        if solver.response_proto.status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return src, {}
        value = round(solver.objective_value)
        return solver, {"balance": value / 100, "balance_optimal": value <= bound, "_dev": (dev, value)}

    def balance_search(self, budget: float, wall: float) -> tuple[cp_model.CpSolver, int]:
        """The balance phase's search and its proven bound. Small models: the proof
        portfolio (``searching.PROOF_PORTFOLIO``) for ``BALANCE_PROOF`` of the phase, then,
        if that did not prove it, the default portfolio's LNS from its best for the rest:
        team14_replan's balance is proven in the first, follow_the_sun's best (6.22 against
        14.22 load-hours with the proof portfolio alone, seed 0) comes from the second."""
        def run(budget: float, wall: float, proof: bool) -> cp_model.CpSolver:
            return self.search(self.settings(budget, wall=wall, proof=proof), phase="balance", scale=lambda v: v / 100)

        def bound(s: cp_model.CpSolver) -> int:
            return bound_of(s) or 0

        if not self.small:
            solver = run(budget, wall, False)
            return solver, bound(solver)
        started = time.perf_counter()
        first = run(BALANCE_PROOF * budget, BALANCE_PROOF * wall, True)
        if first.response_proto.status != cp_model.FEASIBLE or self.interrupted:
            return first, bound(first)
        hint_all(self.builder.model, first)
        spent = first.deterministic_time if self.deterministic else time.perf_counter() - started
        second = run(max(0.0, budget - spent), max(0.0, wall - (time.perf_counter() - started)), False)
        best = max(bound(first), bound(second))
        if second.response_proto.status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and (
                second.objective_value <= first.objective_value):
            return second, best
        return first, best

    def canonical(self, src: cp_model.CpSolver, dev) -> tuple[cp_model.CpSolver, bool]:
        """The canonical optimum among the optimal schedules (both objectives fixed)."""
        if self.deadline.remaining() < 0.05:
            return src, False
        holds = held_at(self.builder, self.known, objective_of(self.builder, src))
        if dev is not None:
            holds.append(dev)
        budget = self.deadline.share(CANONICAL_SHARE, at_least=CANONICAL_SECONDS)
        with holding(self.builder, holds, canonical_expr(self.builder)):
            hint_all(self.builder.model, src)
            solver = self.search(self.settings(budget, wall=budget), phase="canonical", scale=float)
        if solver.response_proto.status == cp_model.OPTIMAL:
            return solver, True
        return src, False

