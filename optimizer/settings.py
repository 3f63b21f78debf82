"""Rule limits, load weights, fairness weights and solver settings of a scenario."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    Field,
    field_validator,
)

from .fields import MAX_COUNT, MAX_HOURS, POSITIVE_DURATION_PATTERN, Duration, Frozen, LocatedError, Weight

MAX_TIME_LIMIT = 7 * 24 * 3600.0  # seconds: a week


class Limit(Frozen):
    """Common to every rule: hard (default) or soft with a weight per unit of violation."""

    soft: bool = False
    weight: Weight = 1.0


def _shorthand(key: str, model: Any, short: Any) -> BeforeValidator:
    """``min_rest: 14d`` for ``min_rest: {duration: 14d}``; the JSON Schema offers ``model``,
    the shorthand type ``short`` (that of field ``key``) and null."""

    def f(v: Any) -> Any:
        if isinstance(v, (int, float, str)) and not isinstance(v, bool):
            return {key: v}
        return v

    return BeforeValidator(f, json_schema_input_type=model | short | None)


class RestLimit(Limit):
    duration: Duration


class CountLimit(Limit):
    count: int = Field(ge=0, le=MAX_COUNT)


class ShareLimit(Limit):
    share: float = Field(gt=0, le=1)


class Window(Limit):
    within: Duration = Field(json_schema_extra={"pattern": POSITIVE_DURATION_PATTERN})

    @field_validator("within")
    @classmethod
    def _positive(cls, v: dt.timedelta) -> dt.timedelta:
        if v <= dt.timedelta(0):
            raise ValueError("within must be a positive duration, e.g. 7d")
        return v


class WindowShifts(Window):
    count: int = Field(ge=0, le=MAX_COUNT)


class WindowHours(Window):
    hours: float = Field(ge=0, le=MAX_HOURS)


class CountWithin(CountLimit):
    """At most ``count`` over the horizon or, with ``within``, in any window of that length."""

    within: Duration | None = None

    @field_validator("within")
    @classmethod
    def _positive(cls, v: dt.timedelta | None) -> dt.timedelta | None:
        if v is not None and v <= dt.timedelta(0):
            raise ValueError("within must be a positive duration, e.g. 28d")
        return v


class HolidayPolicy(Limit):
    mode: Literal["avoid", "weight"] = "weight"


# the shorthand forms' types (JSON Schema only: the validators above check the values)
_Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
_Share = Annotated[float, Field(gt=0, le=1)]
_Mode = Literal["avoid", "weight"]


class Rules(Frozen):
    """Burnout and time-off rules. Each is hard unless ``soft: true``."""

    min_rest: Annotated[RestLimit | None, _shorthand("duration", RestLimit, Duration)] = Field(
        None, description="Minimum gap between the end of a shift and the start of the next"
    )
    max_shifts: tuple[WindowShifts, ...] = Field((), description="Shift starts per sliding window")
    max_hours: tuple[WindowHours, ...] = Field((), description="Hours of shifts starting per window")
    max_consecutive_days: Annotated[CountLimit | None, _shorthand("count", CountLimit, _Count)] = None
    max_weekends: Annotated[CountWithin | None, _shorthand("count", CountWithin, _Count)] = Field(
        None, description="Weekends on call (Sat 00:00-Mon 00:00, team zone), over the horizon or `within` a window"
    )
    max_nights: Annotated[CountWithin | None, _shorthand("count", CountWithin, _Count)] = Field(
        None,
        description="Night shifts (at least half in 22:00-06:00, own zone), over the horizon or `within` a window",
    )
    max_holidays: Annotated[CountLimit | None, _shorthand("count", CountLimit, _Count)] = None
    max_share: Annotated[ShareLimit | None, _shorthand("share", ShareLimit, _Share)] = None
    holidays: Annotated[HolidayPolicy | None, _shorthand("mode", HolidayPolicy, _Mode)] = None
    person_caps: Limit = Field(
        Limit(),
        description="Hard/soft for per-person max_shifts/max_hours (and min_hours, "
        "max_shifts_by_type, max_consecutive_days, max_weekends)",
    )

    @field_validator("max_shifts", mode="before", json_schema_input_type=list[WindowShifts] | WindowShifts)
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        return [v] if isinstance(v, dict) else v

    @field_validator("max_hours", mode="before", json_schema_input_type=list[WindowHours] | WindowHours)
    @classmethod
    def _one_or_many_hours(cls, v: Any) -> Any:
        return [v] if isinstance(v, dict) else v


class LoadWeights(Frozen):
    """Load = Σ hours × role weight × kind weight; each hour is of exactly one kind."""

    roles: dict[str, Weight] = Field(default_factory=dict, description="Role weight, default 1")
    weekend: Weight = 1.0
    holiday: Weight = 1.0
    night: Weight = 1.0
    escalation_level: dict[int, Weight] = Field(
        default_factory=dict,
        description="Escalation load (charts only, never the optimizer): weight of being "
        "on escalation level N, e.g. {1: 1, 2: 0.5, 3: 0.2}; unlisted levels count 0. "
        "Default: not used",
    )


class Fairness(Frozen):
    """Objective weights of the balance terms (points per unit of spread)."""

    load: Weight = Field(1.0, description="Per hour of spread in (load + history) / fte")
    weekends: Weight = Field(10.0, description="Per weekend of spread in weekends / fte")
    holidays: Weight = Field(10.0, description="Per day of spread in holidays / fte")


class SolverSettings(Frozen):
    time_limit: float = Field(
        30.0, gt=0, le=MAX_TIME_LIMIT, description="Seconds of wall time after the model is built, in every mode"
    )
    seed: int = Field(0, ge=0, le=2**31 - 1, description="Random seed of the search (CP-SAT takes 0 .. 2^31-1)")
    workers: int | None = Field(
        None, ge=1, le=64, description="Search workers (threads); default: every core of the machine"
    )
    deterministic: bool = Field(
        False,
        description="Reproducible mode: phases limited by CP-SAT's deterministic time, so the same input and "
        "seed give byte-identical output (unless the wall-clock limit cuts a phase); default off: output is "
        "byte-identical whenever the solve is proven optimal (canonical tie-break)",
    )
    balance: bool = Field(
        True,
        description="Second phase: with the first phase's objective held, bring each person's load as close "
        "as possible to their fair share",
    )
    params: dict[str, bool | int | float | str] = Field(
        default_factory=dict,
        description="Extra CP-SAT parameters (advanced), e.g. {linearization_level: 2}",
    )

    @field_validator("params")
    @classmethod
    def _known_params(cls, v: dict[str, Any]) -> dict[str, Any]:
        """Each name a field of CP-SAT's SatParameters, each value of its type and range."""
        from ortools.sat import sat_parameters_pb2
        from ortools.sat.python import cp_model

        fields = sat_parameters_pb2.SatParameters.DESCRIPTOR.fields_by_name
        for name, value in v.items():
            if name not in fields:
                raise LocatedError((name,), f"unknown CP-SAT parameter {name[:60]!r}")
            f = fields[name]
            if getattr(f, "is_repeated", False) or f.message_type is not None or f.enum_type is not None:
                raise LocatedError((name,), f"CP-SAT parameter {name!r} cannot be set in solver.params")
            try:
                setattr(cp_model.CpSolver().parameters, name, value)
            except (TypeError, ValueError, AttributeError, OverflowError):
                raise LocatedError(
                    (name,), f"invalid value {str(value)[:40]!r} for CP-SAT parameter {name!r}"
                ) from None
        return v

    lns: bool | None = Field(
        None,
        description="After a first schedule, improve it by re-optimising windows of days and "
        "groups of people (no optimality proof). Default: on above 60 000 candidate "
        "assignments, where no bound is computed anyway",
    )


# --------------------------------------------------------------------------- escalation
