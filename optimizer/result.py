"""What a solve returns: :class:`Status`, :class:`Progress` and :class:`Result`, and the one
function that reads a CP-SAT solution into a result."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import pandas as pd
from ortools.sat.python import cp_model

from .model import ModelBuilder
from .problem import Problem
from .schedule import Assignment, Schedule, assignments_frame, people_frame
from .units import OBJECTIVE_SCALE, points
from .verify import Evaluation, evaluate


class Status(str, Enum):  # noqa: UP042  (str() keeps the enum form)
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
    """Reported to the ``progress`` callback on every improving schedule and bound.

    ``phase`` is ``main`` (objective and bound in points), ``descent`` (a schedule of the
    per-person descent before the model is built, in points, see ``optimizer.repair``) or
    ``balance`` (the second phase: objective and bound are the total distance from fair
    shares, in load-hours) or ``bound`` (a bound the main phase's probes proved, with the
    best schedule's objective: no new schedule, see ``optimizer.probing``; points).
    """

    objective: float | None
    bound: float | None
    elapsed: float
    solutions: int
    phase: str = "main"
    terms: dict[str, float] | None = None  # main phase: the objective per rule (points)


@dataclass
class Result:
    """What a solve produced.

    ``objective`` and ``bound`` are the first phase's, in points (see ``optimizer.units``);
    ``terms`` gives that objective per rule. ``balance`` is the second phase's objective:
    Σ over the pool of |load − fair share| in load-hours (``balance_optimal`` when proven).
    ``evaluation`` is the independent judgement of the schedule (both phases).
    ``reproducible`` says whether the same input and seed give this schedule again
    byte for byte (reproducible mode within the wall limit, or a proven canonical optimum).
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
    balance: float | None = None
    balance_optimal: bool = False
    reproducible: bool = False
    phase_times: dict[str, float] = field(default_factory=dict)

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


_STATUS = {
    cp_model.OPTIMAL: Status.OPTIMAL,
    cp_model.FEASIBLE: Status.FEASIBLE,
    cp_model.INFEASIBLE: Status.INFEASIBLE,
    cp_model.UNKNOWN: Status.UNKNOWN,
    cp_model.MODEL_INVALID: Status.MODEL_INVALID,
}


def status_of(solver: cp_model.CpSolver) -> Status:
    return _STATUS.get(solver.response_proto.status, Status.UNKNOWN)


def objective_of(builder: ModelBuilder, solver: cp_model.CpSolver) -> int:
    """The first phase's objective (internal units) of the solution ``solver`` holds."""
    return sum(t.coeff * int(solver.value(t.expr)) for t in builder.terms)


def read_result(problem: Problem, builder: ModelBuilder | None, solver: cp_model.CpSolver | None, *, status: Status,
                bound: int | None, wall: float, build_time: float, first: float | None, interrupted: bool,
                history: list[Progress], schedule: Schedule | None = None, **extra: Any) -> Result:
    """A :class:`Result` from the solution ``solver`` holds (none unless ``status`` has one),
    or, with ``solver`` None, from ``schedule``: a valid schedule found before the model
    was built (``optimizer.repair``), its terms judged by the evaluators (which equal the
    model's objective on every schedule). ``builder`` None: the model was not built (no
    time left to pay for it; ``model_size`` is empty)."""
    size = {} if builder is None else {
        "variables": len(builder.model.proto.variables),
        "constraints": len(builder.model.proto.constraints),
        "decision_variables": len(builder.vars.x),
    }
    if solver is None and schedule is not None and status.has_schedule:
        judged = evaluate(schedule)
        costs = judged.penalties.groupby("rule", sort=True)["cost"].sum() if not judged.penalties.empty else {}
        return Result(status=status, objective=points(judged.cost),
                      bound=None if bound is None else points(min(bound, judged.cost)), wall_time=wall,
                      build_time=build_time, first_solution_time=first,
                      terms={str(k): int(v) / OBJECTIVE_SCALE for k, v in dict(costs).items()},
                      schedule=schedule, evaluation=judged, model_size=size, interrupted=interrupted,
                      solver_objective_internal=judged.cost, history=history, **extra)
    if solver is None or builder is None or not status.has_schedule:
        return Result(status, None, None, wall, build_time, first, {}, None, None, size, interrupted, None,
                      history, **extra)
    chosen = [Assignment(i, r, p) for (p, i, r), x in builder.vars.x.items() if solver.boolean_value(x)]
    schedule = Schedule(problem, chosen)
    terms: dict[str, int] = {}
    for t in builder.terms:
        terms[t.rule] = terms.get(t.rule, 0) + t.coeff * int(solver.value(t.expr))
    internal = sum(terms.values())
    return Result(
        status=status,
        objective=points(internal),
        bound=(points(internal) if status == Status.OPTIMAL
               else None if bound is None else points(min(bound, internal))),
        wall_time=wall,
        build_time=build_time,
        first_solution_time=first,
        terms={k: v / OBJECTIVE_SCALE for k, v in sorted(terms.items())},
        schedule=schedule,
        evaluation=evaluate(schedule),
        model_size=size,
        interrupted=interrupted,
        solver_objective_internal=internal,
        history=history,
        **extra,
    )
