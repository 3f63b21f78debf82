"""The report's charts as image bytes, and their captions."""

from __future__ import annotations

import base64
import io
from typing import cast

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .. import plots
from ..schedule import Schedule

PNG_DPI = 100

CAPTIONS: dict[str, tuple[str, str]] = {
    "load": (
        "Load per person",
        "Each bar is one person's load this period, split by kind of hour (weekday, night, "
        "weekend, public holiday) and by pattern and role (the legend names each); load carried "
        "in from earlier periods is the grey hatched start of the bar. The black tick is the "
        "person's fair share. A bar ending at its tick is exactly fair; people are sorted by load "
        "including history.",
    ),
    "calendar": (
        "Rotation calendar",
        "One row per person, one bar per assignment, coloured by pattern and role. Weekends are "
        "grey columns, each person's own public holidays are red in their row, time off is hatched.",
    ),
    "coverage": (
        "Skill coverage",
        "For every shift and each skill it requires, how many people on the crew hold the skill; "
        "skills a pattern does not require are left out. 1 means a single person carries that skill "
        "for the shift (no backup); a red cell would be a required skill nobody on the crew holds. "
        "For small crews the chart shows instead who is the single point of failure for each skill.",
    ),
    "fairness_over_time": (
        "Fairness over time",
        "Cumulative load of each person through the period (history not included); the dashed "
        "line is the pool's average per FTE. Steep steps are shifts; a person far above the line "
        "carries more than their share so far. People tied with a named one are named too.",
    ),
}


def figure_bytes(ax: Axes, fmt: str = "png") -> bytes:
    """The figure of ``ax`` as PNG or SVG bytes (no timestamps, so reruns are identical)."""
    buf = io.BytesIO()
    meta = {"Software": None} if fmt == "png" else {"Date": None, "Creator": None}
    cast(Figure, ax.figure).savefig(buf, format=fmt, dpi=PNG_DPI, metadata=meta)
    return buf.getvalue()


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def render_charts(schedule: Schedule, svg: bool = False) -> dict[str, dict[str, bytes]]:
    """Draw every chart of :data:`optimizer.plots.CHARTS`.

    Returns
    -------
    dict
        chart name -> {"png": bytes, "svg": bytes (only when ``svg``)}.
    """
    out: dict[str, dict[str, bytes]] = {}
    for name, draw in plots.CHARTS.items():
        with plots.chart_style():
            ax = draw(schedule)
            files = {"png": figure_bytes(ax, "png")}
            if svg:
                files["svg"] = figure_bytes(ax, "svg")
        out[name] = files
    return out
