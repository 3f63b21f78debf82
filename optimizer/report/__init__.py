"""Self-contained HTML pages of a schedule: the report a team lead hands out and the on-call
handbook, rendered from Jinja2 templates (``templates/``), with the charts as PNG (and SVG).

``report.html`` has no network resources: the charts are embedded as base64 PNG, the CSS is
inline, there is no JavaScript, and a Content-Security-Policy forbids loading anything else,
so the file can be mailed, attached to a ticket or opened offline. It works for any
:class:`~optimizer.schedule.Schedule`: one from ``solve`` or one read from a CSV made by hand
or by another tool (``read_schedule``), so a team can compare rotations.
"""

from .charts import CAPTIONS, render_charts
from .handbook import handbook_html, has_handbook
from .page import ReportFiles, report_html, write_report
from .roster import DayGrid, Roster, day_grid, holiday_table, rosters
from .shares import FairShareRow, fair_share_rows

__all__ = [
    "CAPTIONS",
    "DayGrid",
    "FairShareRow",
    "ReportFiles",
    "Roster",
    "day_grid",
    "fair_share_rows",
    "handbook_html",
    "has_handbook",
    "holiday_table",
    "render_charts",
    "report_html",
    "rosters",
    "write_report",
]
