"""Rule limits, load weights, fairness weights and solver settings of a scenario."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    Field,
    field_validator,
)

from .fields import Duration, Frozen, Weight


class Limit(Frozen):
    """Common to every rule: hard (default) or soft with a weight per unit of violation."""

    soft: bool = False
    weight: Weight = 1.0


def _shorthand(key: str):
    def f(v: Any) -> Any:
        if isinstance(v, (int, float, str)) and not isinstance(v, bool):
            return {key: v}
        return v

    return BeforeValidator(f)


class RestLimit(Limit):
    duration: Duration


class CountLimit(Limit):
    count: int = Field(ge=0)


class ShareLimit(Limit):
    share: float = Field(gt=0, le=1)


class Window(Limit):
    within: Duration

    @field_validator("within")
    @classmethod
    def _positive(cls, v: dt.timedelta) -> dt.timedelta:
        if v <= dt.timedelta(0):
            raise ValueError("within must be a positive duration, e.g. 7d")
        return v


class WindowShifts(Window):
    count: int = Field(ge=0)


class WindowHours(Window):
    hours: float = Field(ge=0)

class HolidayPolicy(Limit):
    mode: Literal["avoid", "weight"] = "weight"


class Rules(Frozen):
    """Burnout and time-off rules. Each is hard unless ``soft: true``."""

    min_rest: Annotated[RestLimit | None, _shorthand("duration")] = Field(
        None, description="Minimum gap between the end of a shift and the start of the next"
    )
    max_shifts: tuple[WindowShifts, ...] = Field((), description="Shift starts per sliding window")
    max_hours: tuple[WindowHours, ...] = Field((), description="Hours of shifts starting per window")
    max_consecutive_days: Annotated[CountLimit | None, _shorthand("count")] = None
    max_weekends: Annotated[CountLimit | None, _shorthand("count")] = None
    max_holidays: Annotated[CountLimit | None, _shorthand("count")] = None
    max_share: Annotated[ShareLimit | None, _shorthand("share")] = None
    holidays: Annotated[HolidayPolicy | None, _shorthand("mode")] = None
    person_caps: Limit = Field(
        Limit(),
        description="Hard/soft for per-person max_shifts/max_hours (and min_hours, "
        "max_shifts_by_type, max_consecutive_days, max_weekends)",
    )

    @field_validator("max_shifts", "max_hours", mode="before")
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
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
    time_limit: float = Field(30.0, gt=0, description="Seconds (deterministic seconds by default)")
    seed: int = Field(0, ge=0)
    workers: int = Field(
        1, ge=1, le=64, description="Search workers; >1 with deterministic interleaves (slower per second)"
    )
    deterministic: bool = Field(True, description="Byte-identical output for the same inputs")
    params: dict[str, bool | int | float | str] = Field(
        default_factory=dict,
        description="Extra CP-SAT parameters (advanced), e.g. {linearization_level: 2}",
    )
    lns: bool = Field(
        False,
        description="After a first schedule, improve it by re-optimising windows of days and "
        "groups of people (large rosters; no optimality proof)",
    )


# --------------------------------------------------------------------------- escalation
