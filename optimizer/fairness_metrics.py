"""Fairness of a finished schedule in numbers a team lead can compare across tools.

All measures are computed from the schedule alone (no solver) over the *pool*: the people
who could take at least one slot (see :attr:`optimizer.problem.Problem.pool`). Load is
measured as the optimizer's ``fair_load`` rule measures it: this period's load plus the
history carried in, divided by FTE.

- **spread**: max − min of (load + history) / FTE (what ``fairness.load`` charges);
- **max/min ratio** of the same quantity (``inf`` when someone has none);
- **Gini coefficient** of the same quantity: 0 = perfectly even, 1 = one person does all;
- **balance score** as Grafana OnCall computes its schedule quality: the mean over all
  pairs of people with on-call time of ``min(hours) / max(hours)`` (1 = everyone has the
  same hours). Like Grafana it uses raw hours (no FTE, no weights, no history) and leaves
  out people without on-call time; unlike Grafana it is not rounded up to 1 above 0.95;
- weekends and public holidays on call per person, and their spread per FTE.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from .schedule import Schedule


# --------------------------------------------------------------------------- pure measures


def spread(values: Sequence[float]) -> float:
    """max − min of ``values``; 0 for fewer than two values."""
    vals = list(values)
    return float(max(vals) - min(vals)) if len(vals) >= 2 else 0.0


def max_min_ratio(values: Sequence[float]) -> float:
    """max / min of ``values``: 1 when all equal (or fewer than two), ``inf`` when the
    smallest is 0 and the largest is not."""
    vals = list(values)
    if len(vals) < 2:
        return 1.0
    hi, lo = max(vals), min(vals)
    if hi == lo:
        return 1.0
    return math.inf if lo == 0 else float(hi / lo)


def gini(values: Sequence[float]) -> float:
    """Gini coefficient ``Σ_i Σ_j |x_i − x_j| / (2 n² mean)`` of non-negative values.

    0 when all values are equal (or all zero, or fewer than two); approaches 1 when one
    value holds everything. Example: ``gini([0, 0, 0, 1]) == 0.75``.
    """
    vals = sorted(float(v) for v in values)
    n = len(vals)
    total = sum(vals)
    if n < 2 or total == 0:
        return 0.0
    # Σ_i Σ_j |x_i - x_j| = 2 Σ_k (2k - n + 1) x_(k) over the sorted values (k from 0)
    pair_sum = 2 * sum((2 * k - n + 1) * x for k, x in enumerate(vals))
    return pair_sum / (2 * n * total)


def balance_score(hours: Sequence[float]) -> float:
    """Grafana OnCall's balance score: mean over pairs of ``min / max`` on-call hours.

    People with zero hours are left out (Grafana only sees people with shifts); with fewer
    than two people left the score is 1. Example: ``balance_score([10, 20, 40])`` is
    ``(0.5 + 0.25 + 0.5) / 3``.
    """
    vals = [float(h) for h in hours if h > 0]
    if len(vals) < 2:
        return 1.0
    pairs = list(itertools.combinations(vals, 2))
    return sum(min(a, b) / max(a, b) for a, b in pairs) / len(pairs)


# --------------------------------------------------------------------------- schedules


def person_fairness(schedule: Schedule) -> pd.DataFrame:
    """Per person: the columns of :func:`~optimizer.schedule.people_frame` plus
    ``in_pool``, ``total_load`` (load + history), ``load_per_fte`` ((load + history) /
    fte), ``over_target`` (load − fair_share), ``weekends_per_fte`` and
    ``holidays_per_fte``."""
    from .schedule import people_frame

    df = people_frame(schedule)
    pool = set(schedule.problem.pool)
    df.insert(2, "in_pool", [p in pool for p in range(len(df))])
    df["total_load"] = (df["load"] + df["history"]).round(2)
    df["load_per_fte"] = (df["total_load"] / df["fte"]).round(2)
    df["over_target"] = (df["load"] - df["fair_share"]).round(2)
    df["weekends_per_fte"] = (df["weekends"] / df["fte"]).round(2)
    df["holidays_per_fte"] = (df["holidays"] / df["fte"]).round(2)
    return df


def fairness_summary(schedule: Schedule) -> dict[str, float]:
    """The fairness measures of ``schedule`` (see the module docstring).

    Returns
    -------
    dict
        ``pool_size``, ``load_spread``, ``load_max``, ``load_min`` (per FTE, with
        history), ``load_ratio``, ``load_gini``, ``balance_score``, ``weekend_spread``,
        ``weekends_max``, ``weekends_min``, ``holiday_spread``, ``holidays_max``,
        ``holidays_min`` (weekends and holidays per FTE). Over an empty pool every
        measure is 0 (ratio and balance 1).
    """
    df = person_fairness(schedule)
    pool = df[df["in_pool"]]
    per_fte = pool["load_per_fte"].tolist()
    wk = pool["weekends_per_fte"].tolist()
    hol = pool["holidays_per_fte"].tolist()
    return {
        "pool_size": float(len(pool)),
        "load_spread": round(spread(per_fte), 2),
        "load_max": float(max(per_fte, default=0.0)),
        "load_min": float(min(per_fte, default=0.0)),
        "load_ratio": max_min_ratio(per_fte),
        "load_gini": gini(per_fte),
        "balance_score": balance_score(df["hours"].tolist()),
        "weekend_spread": round(spread(wk), 2),
        "weekends_max": float(max(wk, default=0.0)),
        "weekends_min": float(min(wk, default=0.0)),
        "holiday_spread": round(spread(hol), 2),
        "holidays_max": float(max(hol, default=0.0)),
        "holidays_min": float(min(hol, default=0.0)),
    }


def fairness_table(schedule: Schedule) -> pd.DataFrame:
    """:func:`fairness_summary` as a table for people: columns ``measure``, ``value``
    (formatted text) and ``meaning``."""
    s = fairness_summary(schedule)
    ratio = "∞ (someone has none)" if math.isinf(s["load_ratio"]) else f"{s['load_ratio']:.2f}"
    rows = [
        (
            "people in the pool",
            f"{s['pool_size']:.0f}",
            "could take at least one slot; measures below are over them",
        ),
        (
            "load spread per FTE",
            f"{s['load_spread']:g}",
            f"max − min of (load + history) / FTE: {s['load_max']:g} − {s['load_min']:g}",
        ),
        ("load max/min ratio", ratio, "largest over smallest (load + history) / FTE; 1 = even"),
        (
            "load Gini coefficient",
            f"{s['load_gini']:.3f}",
            "0 = perfectly even, 1 = one person does everything",
        ),
        (
            "balance score (Grafana OnCall)",
            f"{s['balance_score']:.1%}",
            "mean over pairs of people on call of min/max hours; 100% = equal hours",
        ),
        (
            "weekend spread per FTE",
            f"{s['weekend_spread']:g}",
            f"max − min weekends on call / FTE: {s['weekends_max']:g} − {s['weekends_min']:g}",
        ),
        (
            "holiday spread per FTE",
            f"{s['holiday_spread']:g}",
            "max − min own public holidays on call / FTE: "
            f"{s['holidays_max']:g} − {s['holidays_min']:g}",
        ),
    ]
    return pd.DataFrame(rows, columns=["measure", "value", "meaning"])
