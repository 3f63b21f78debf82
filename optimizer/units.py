"""Integer units: the one place that says how quantities become exact integers.

CP-SAT works on integers, and the evaluators must reproduce the solver's objective
exactly, so every quantity has one integer definition used on both sides:

- **load** is kept in hundredths of a load-hour (``centi``);
- **weights** (scenario ``weight:`` fields, load weights) have at most 2 decimals and
  are scaled by 100;
- an **objective term** is ``scaled weight × amount in hundredths``, so the internal
  objective is in units of 1/10 000 of a point; the reported objective divides by
  :data:`OBJECTIVE_SCALE`.

A point: one unit of violation of a soft rule of weight 1, or one hour (one weekend,
one holiday) of fairness spread per FTE at weight 1.
"""

from __future__ import annotations

from typing import Any

OBJECTIVE_SCALE = 10_000


def scaled(weight: float) -> int:
    """A weight (2 decimals) as an integer × 100."""
    return round(weight * 100)


def load_centi(kind_seconds: dict[str, int], role_weight: float, weights: Any) -> int:
    """Load in hundredths: Σ_kind hours × kind weight × role weight, rounded half up.

    ``weekday`` hours have weight 1; ``night``, ``weekend`` and ``holiday`` take the
    scenario's ``weights``.
    """
    wr = scaled(role_weight)
    num = (
        kind_seconds["weekday"] * 100
        + kind_seconds["night"] * scaled(weights.night)
        + kind_seconds["weekend"] * scaled(weights.weekend)
        + kind_seconds["holiday"] * scaled(weights.holiday)
    ) * wr
    den = 3600 * 100
    return (num + den // 2) // den


def ceil_div(a: int, b: int) -> int:
    return -((-a) // b)


def normalized(value_centi: int, fte_pct: int) -> tuple[int, int]:
    """(ceil, floor) of value / fte, in hundredths: the spread's integer definition."""
    return ceil_div(100 * value_centi, fte_pct), (100 * value_centi) // fte_pct


def points(internal: int) -> float:
    """Internal objective units to points."""
    return internal / OBJECTIVE_SCALE
