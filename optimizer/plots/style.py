"""The look shared by every chart: colours, rcParams (only inside ``chart_style``), axes and
time-axis helpers, display names."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast
from zoneinfo import ZoneInfo

import matplotlib as mpl
import matplotlib.dates as mdates
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from ..schedule import Schedule

KIND_COLORS = {
    "weekday": "#4e79a7",  # blue
    "night": "#6b4c9a",  # purple
    "weekend": "#f28e2b",  # orange
    "holiday": "#d62728",  # red
}
ROLE_PALETTE = (
    "#2c6fbb",
    "#f0a202",
    "#2a9d8f",
    "#c44e52",
    "#8172b3",
    "#937860",
    "#da8bc3",
    "#8c8c8c",
    "#ccb974",
    "#64b5cd",
)
PEOPLE_PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#0b2e6f",
    "#b8860b",
)
HISTORY_COLOR = "#c9c9c9"
WEEKEND_SHADE = "#ececec"
HOLIDAY_SHADE = "#f9c9c9"
GAP_COLOR = "#d62728"

_RC: dict[str, Any] = {
    "font.size": 9,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "svg.hashsalt": "rota",
    "hatch.linewidth": 0.8,
}


@contextmanager
def chart_style() -> Iterator[None]:
    """rcParams for rota's charts, for the duration of a ``with`` block only."""
    with mpl.rc_context(cast(Any, _RC)):
        yield


def _new_axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    fig = Figure(figsize=size, layout="constrained")
    return fig.add_subplot()


def _lighter(color: str, amount: float = 0.5) -> tuple[float, float, float]:
    r, g, b = to_rgb(color)
    return (r + (1 - r) * amount, g + (1 - g) * amount, b + (1 - b) * amount)


def _names(schedule: Schedule) -> list[str]:
    """Display names, made unique with the id where two people share one."""
    people = schedule.problem.people
    names = [p.display_name for p in people]
    dup = {n for n in names if names.count(n) > 1}
    return [f"{n} ({p.id})" if n in dup else n for n, p in zip(names, people, strict=True)]


def _team_x(schedule: Schedule):
    """A function: epoch seconds -> matplotlib date number in the team's wall-clock time."""
    tz: ZoneInfo = schedule.problem.team_tz

    def x(ts: float) -> float:
        local = dt.datetime.fromtimestamp(ts, tz).replace(tzinfo=None)
        return float(mdates.date2num(local))

    return x


def _time_axis(ax: Axes, schedule: Schedule) -> None:
    """Date ticks suited to the horizon: Mondays for weeks to months, else automatic."""
    s, e = schedule.problem.horizon
    days = (e - s) / 86400
    if 14 <= days <= 200:
        ax.xaxis.set_major_locator(mdates.WeekdayLocator(byweekday=mdates.MO))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%a\n%d %b"))
        ax.xaxis.set_minor_locator(mdates.DayLocator())
    else:
        loc = mdates.AutoDateLocator(minticks=4, maxticks=12)
        ax.xaxis.set_major_locator(loc)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))
    zone = schedule.problem.scenario.timezone
    ax.set_xlabel(f"time ({zone})")


def _role_classes(schedule: Schedule) -> tuple[str, str]:
    """Legend labels for the first role of each pattern and for the others, naming the roles
    (``"primary"``, ``"primary / triage"``; "first role" only beyond three names)."""
    pats = schedule.problem.scenario.shifts
    first = list(dict.fromkeys(p.roles[0].name for p in pats))
    others = list(dict.fromkeys(r.name for p in pats for r in p.roles[1:]))

    def label(names: list[str], fallback: str) -> str:
        return " / ".join(names) if 0 < len(names) <= 3 else fallback

    return label(first, "first role"), label(others, "other roles")
