"""Charts of a schedule: load balance, rotation calendar, skill coverage, fairness over time.

Every chart is a function ``plot_x(schedule, ..., ax=None) -> Axes``: pass an ``Axes`` to
compose charts in a notebook, or leave ``ax`` out to get a new figure sized for the data
(``ax.figure`` saves or displays it). New figures are plain :class:`matplotlib.figure.Figure`
objects drawn with the Agg renderer: they are not registered with ``pyplot`` and no
global matplotlib state (backend, rcParams) is changed, so reports can draw many charts
without leaking memory or disturbing a user's own plots.

One module per chart (``load``, ``calendar``, ``coverage``, ``fairness``) plus the shared
``style``. The numbers each chart draws come from functions (``load_breakdown``,
``coverage_depth``, ``cumulative_load``, ``single_points``) that tests and notebooks can
use directly.
"""

from __future__ import annotations

from collections.abc import Callable

from matplotlib.axes import Axes

from ..schedule import Schedule
from .calendar import plot_calendar
from .coverage import coverage_depth, coverage_rows, plot_coverage, single_points
from .fairness import cumulative_load, highlighted, plot_fairness_over_time
from .load import load_breakdown, plot_escalation_load, plot_load
from .style import (
    GAP_COLOR,
    HISTORY_COLOR,
    HOLIDAY_SHADE,
    KIND_COLORS,
    PEOPLE_PALETTE,
    ROLE_PALETTE,
    WEEKEND_SHADE,
    _team_x,
    chart_style,
)

CHARTS: dict[str, Callable[[Schedule], Axes]] = {
    "load": plot_load,
    "calendar": plot_calendar,
    "coverage": plot_coverage,
    "fairness_over_time": plot_fairness_over_time,
}
"""Every chart of the report, by file stem, in report order."""

__all__ = [
    "CHARTS",
    "GAP_COLOR",
    "HISTORY_COLOR",
    "HOLIDAY_SHADE",
    "KIND_COLORS",
    "PEOPLE_PALETTE",
    "ROLE_PALETTE",
    "WEEKEND_SHADE",
    "_team_x",
    "chart_style",
    "coverage_depth",
    "coverage_rows",
    "cumulative_load",
    "highlighted",
    "load_breakdown",
    "plot_calendar",
    "plot_coverage",
    "plot_escalation_load",
    "plot_fairness_over_time",
    "plot_load",
    "single_points",
]
