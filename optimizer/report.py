"""A self-contained HTML report of a schedule, with its charts as PNG (and SVG) files.

``report.html`` has no network resources: the charts are embedded as base64 PNG, the CSS
is inline, there is no JavaScript, and a Content-Security-Policy forbids loading anything
else, so the file can be mailed, attached to a ticket or opened offline. It works for any
:class:`~optimizer.schedule.Schedule`: one from ``solve`` or one read from a CSV made by
hand or by another tool (``read_schedule``), so a team can compare rotations.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from . import plots
from .fairness_metrics import fairness_table, person_fairness
from .files import atomic_write_bytes, atomic_write_text
from .schedule import Schedule
from .verify import Evaluation, evaluate

if TYPE_CHECKING:
    from .solve import Result

PNG_DPI = 100
MAX_ROWS = 200  # violations / penalty details shown in the HTML (all are counted)

CAPTIONS = {
    "load": (
        "Load per person",
        "Each bar is one person's load this period, split by kind of hour (weekday, night, "
        "weekend, public holiday) and by role (the first role of a shift in full colour, later "
        "roles such as secondary lighter); load carried in from earlier periods is the grey "
        "hatched start of the bar. The black tick is the person's fair share: the pool's load "
        "shared by FTE. A bar ending at its tick is exactly fair; people are sorted by load "
        "including history.",
    ),
    "calendar": (
        "Rotation calendar",
        "One row per person, one bar per assignment, coloured by role. Weekends are grey columns, "
        "each person's own public holidays are red in their row, time off is hatched.",
    ),
    "coverage": (
        "Skill coverage",
        "For every shift and each skill it requires, how many people on the crew hold the skill. "
        "1 means a single person carries that skill for the shift (no backup); a red cell would be "
        "a required skill that nobody on the crew holds.",
    ),
    "fairness_over_time": (
        "Fairness over time",
        "Cumulative load of each person through the period (history not included); the dashed "
        "line is the pool's average per FTE. Steep steps are shifts; a person far above the line "
        "carries more than their share so far.",
    ),
}


@dataclass
class ReportFiles:
    """What :func:`write_report` wrote."""

    html: Path
    png: dict[str, Path] = field(default_factory=dict)
    svg: dict[str, Path] = field(default_factory=dict)

    @property
    def all(self) -> list[Path]:
        return [self.html, *self.png.values(), *self.svg.values()]


# --------------------------------------------------------------------------- charts


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
            fig = ax.figure
            files: dict[str, bytes] = {}
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=PNG_DPI, metadata={"Software": None})
            files["png"] = buf.getvalue()
            if svg:
                buf = io.BytesIO()
                fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
                files["svg"] = buf.getvalue()
        out[name] = files
    return out


# --------------------------------------------------------------------------- html helpers


def _esc(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value))


def _num(value: Any, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int,)) or (
        isinstance(value, float) and value == int(value) and abs(value) < 1e12
    ):
        return f"{int(value):,}"
    return f"{value:,.{digits}f}"


def _table(
    frame: pd.DataFrame,
    columns: Sequence[tuple[str, str, Callable[[Any], str] | str | None]],
    cls: str = "",
) -> str:
    """An HTML table: ``columns`` = (frame column, header, how): ``how`` is None for
    text (escaped here), ``"html"`` for markup the caller escaped, or a formatter for
    numbers (right-aligned)."""
    head = "".join(f"<th>{_esc(h)}</th>" for _, h, _f in columns)
    body = []
    for row in frame.itertuples(index=False):
        rec = row._asdict()
        cells = []
        for col, _h, fmt in columns:
            v = rec.get(col)
            if fmt is None:
                cells.append(f"<td>{_esc(v)}</td>")
            elif fmt == "html":  # already escaped by the caller
                cells.append(f'<td class="who">{v}</td>')
            else:
                cells.append(f'<td class="n">{fmt(v)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<div class="scroll"><table class="{cls}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _signed(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    text = f"{v:+,.2f}".rstrip("0").rstrip(".")
    cls = "over" if v > 0.005 else "under" if v < -0.005 else ""
    return f'<span class="{cls}">{html.escape(text)}</span>'


CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;
 color:#1d1d1f;background:#fafafa;line-height:1.45}
main{max-width:1240px;margin:0 auto;padding:24px 28px 48px}
h1{font-size:1.6em;margin:0 0 4px}h2{font-size:1.2em;margin:32px 0 8px;border-bottom:1px solid #ddd;
 padding-bottom:4px}
.sub{color:#555;margin:0 0 16px}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}
.card{background:#fff;border:1px solid #e2e2e2;border-radius:8px;padding:8px 14px;min-width:120px}
.card b{display:block;font-size:1.25em}.card span{color:#666;font-size:.85em}
.ok{color:#1b7f3b}.bad{color:#b3261e}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;background:#fff;margin:8px 0;font-size:.85em}
th,td{border:1px solid #e2e2e2;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f0f0f0}td.n{white-space:nowrap;text-align:right;font-variant-numeric:tabular-nums}
tbody tr:nth-child(even){background:#fbfbfb}
.id{color:#777;font-size:.9em}td.who{white-space:nowrap}
.over{color:#b3261e}.under{color:#1f5fa8}
figure{margin:12px 0 24px;background:#fff;border:1px solid #e2e2e2;border-radius:8px;padding:10px}
figure img{max-width:100%;height:auto;display:block}
figcaption{color:#444;font-size:.9em;margin-top:6px}
.note{color:#666;font-size:.85em}
@media print{body{background:#fff}figure,table{break-inside:avoid}}
"""


# --------------------------------------------------------------------------- report


def _slots(schedule: Schedule) -> tuple[int, int]:
    """(slots to fill, slots left unfilled) over the horizon."""
    prob = schedule.problem
    filled: dict[tuple[int, int], int] = {}
    for a in schedule.assignments:
        filled[(a.instance, a.role)] = filled.get((a.instance, a.role), 0) + 1
    total = short = 0
    for i, inst in enumerate(prob.instances):
        day = dt.datetime.fromtimestamp(inst.start, inst.tz).date()
        for r, role in enumerate(inst.roles):
            need = role.count_on(day) if hasattr(role, "count_on") else role.count
            total += need
            short += max(0, need - filled.get((i, r), 0))
    return total, short


def report_html(
    schedule: Schedule,
    charts: dict[str, bytes],
    evaluation: Evaluation,
    result: Result | None = None,
    title: str | None = None,
) -> str:
    """The report page as a string: summary, fairness, charts (PNG bytes by chart name),
    people, violations and penalties."""
    prob = schedule.problem
    sc = prob.scenario
    title = title or f"{sc.team}: on-call report"
    parts: list[str] = []
    add = parts.append
    source = schedule.source or ("optimizer (rota solve)" if result is not None else "schedule")
    add(f"<h1>{_esc(title)}</h1>")
    add(
        f'<p class="sub">{sc.start:%a %d %b %Y} – {sc.end:%a %d %b %Y} · '
        f"time zone {_esc(sc.timezone)} · schedule from {_esc(source)}</p>"
    )

    # summary cards
    slots, short = _slots(schedule)
    cards: list[tuple[str, str, str]] = []
    if result is not None:
        cards.append((result.status.value, "solver status", ""))
        if result.objective is not None:
            cards.append((f"{result.objective:,.2f}", "objective (points)", ""))
        if result.bound is not None:
            cards.append((f"{result.bound:,.2f}", "lower bound", ""))
        if result.gap is not None and not math.isinf(result.gap):
            cards.append((f"{result.gap:.1%}", "gap", ""))
        cards.append((f"{result.wall_time:.1f} s", "solve time", ""))
    n_vio = len(evaluation.violations)
    cards.append(
        (
            "all satisfied" if n_vio == 0 else f"{n_vio} violation{'s' if n_vio != 1 else ''}",
            "hard rules",
            "ok" if n_vio == 0 else "bad",
        )
    )
    cards.append((f"{evaluation.objective:,.2f}", "soft penalty (points)", ""))
    cards.append((f"{len(sc.people)}", f"people ({len(prob.pool)} can be on call)", ""))
    cards.append((f"{len(prob.instances)}", "shifts", ""))
    cards.append(
        (f"{len(schedule.assignments)} / {slots}", "assignments / slots", "bad" if short else "")
    )
    if schedule.unmatched:
        cards.append((f"{len(schedule.unmatched)}", "rows matching no shift", "bad"))
    add(
        '<section><div class="cards">'
        + "".join(
            f'<div class="card"><b class="{c}">{_esc(v)}</b><span>{_esc(lbl)}</span></div>'
            for v, lbl, c in cards
        )
        + "</div></section>"
    )

    # fairness
    add("<section><h2>Fairness</h2>")
    add(
        _table(
            fairness_table(schedule),
            [("measure", "measure", None), ("value", "value", None), ("meaning", "meaning", None)],
            "fair",
        )
    )
    add(
        '<p class="note">Load = hours × kind weight (night, weekend, holiday) × role weight. '
        "The optimizer's fairness term balances (load + history) / FTE over the pool.</p></section>"
    )

    # charts
    add("<section><h2>Charts</h2>")
    for name, png in charts.items():
        head, text = CAPTIONS.get(name, (name, ""))
        data = base64.b64encode(png).decode("ascii")
        add(
            f'<figure id="{_esc(name)}"><img alt="{_esc(head)}" src="data:image/png;base64,{data}">'
            f"<figcaption><b>{_esc(head)}.</b> {_esc(text)}</figcaption></figure>"
        )
    add("</section>")

    # people
    people = person_fairness(schedule)
    pen = evaluation.by_person()
    pts = pen.groupby("person")["points"].sum().to_dict() if not pen.empty else {}
    people["penalty"] = [pts.get(pid, 0.0) for pid in people["person_id"]]
    people["who"] = [
        f'{_esc(n)} <span class="id">{_esc(i)}</span>' if n != i else _esc(i)
        for n, i in zip(people["person_name"], people["person_id"], strict=True)
    ]
    h = _num
    add("<section><h2>People</h2>")
    add(
        _table(
            people,
            [
                ("who", "person", "html"),
                ("fte", "FTE", lambda v: f"{v:g}"),
                ("shifts", "shifts", h),
                ("hours", "hours", h),
                ("night_hours", "night h", h),
                ("weekend_hours", "weekend h", h),
                ("holiday_hours", "holiday h", h),
                ("weekends", "weekends", h),
                ("holidays", "holidays", h),
                ("history", "history", h),
                ("load", "load", h),
                ("target_load", "fair target", h),
                ("over_target", "vs target", _signed),
                ("load_per_fte", "(load + hist.) / FTE", h),
                ("penalty", "penalty", h),
            ],
            "people",
        )
    )
    add(
        '<p class="note">hours: all on-call hours, of which night (22:00–06:00), weekend and '
        "public holiday hours in the person's own zone; weekends and holidays: how many they "
        "touch. fair target: the pool's total (load + history) shared by FTE, less the person's "
        "history (empty for people who cannot be on call); vs target: load − fair target; "
        "penalty: soft-rule points charged to the person.</p></section>"
    )

    # rules
    add("<section><h2>Rules</h2>")
    vio = evaluation.violations
    if vio.empty:
        add('<p class="ok">Every hard rule is satisfied.</p>')
    else:
        add(f'<p class="bad">{len(vio)} hard rule violation{"s" if len(vio) != 1 else ""}:</p>')
        add(
            _table(
                vio.head(MAX_ROWS),
                [
                    ("rule", "rule", None),
                    ("person", "person", None),
                    ("shift", "shift", None),
                    ("start", "start", None),
                    ("message", "problem", None),
                ],
                "vio",
            )
        )
        if len(vio) > MAX_ROWS:
            more = len(vio) - MAX_ROWS
            add(f'<p class="note">… and {more} more (run <code>rota verify</code>).</p>')
    by_rule = evaluation.by_rule()
    if by_rule.empty:
        add("<p>No soft penalties.</p>")
    else:
        add("<h3>Soft penalties by rule</h3>")
        add(
            _table(
                by_rule.reset_index(), [("rule", "rule", None), ("points", "points", h)], "rules"
            )
        )
        details = evaluation.penalties.sort_values(
            ["points", "rule"], ascending=[False, True], kind="stable"
        )
        add("<h3>Soft penalties</h3>")
        add(
            _table(
                details.head(MAX_ROWS),
                [
                    ("rule", "rule", None),
                    ("person", "person", None),
                    ("amount", "amount", h),
                    ("weight", "weight", h),
                    ("points", "points", h),
                    ("detail", "detail", None),
                ],
                "pen",
            )
        )
        if len(details) > MAX_ROWS:
            add(f'<p class="note">… and {len(details) - MAX_ROWS} more.</p>')
    if schedule.unmatched:
        add("<h3>Rows of the schedule file that match no shift</h3>")
        um = pd.DataFrame([u.__dict__ for u in schedule.unmatched])
        add(
            _table(
                um,
                [
                    ("line", "line", h),
                    ("shift", "shift", None),
                    ("start", "start", None),
                    ("person", "person", None),
                    ("message", "problem", None),
                ],
                "um",
            )
        )
    add("</section>")

    csp = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_esc(title)}</title><style>{CSS}</style></head>\n<body><main>\n"
        + "\n".join(parts)
        + '\n<p class="note">Generated by rota.</p>\n</main></body></html>\n'
    )


def write_report(
    schedule: Schedule,
    out_dir: str | Path,
    svg: bool = False,
    evaluation: Evaluation | None = None,
    result: Result | None = None,
    title: str | None = None,
) -> ReportFiles:
    """Write ``report.html`` and every chart as ``<chart>.png`` (and ``.svg``) into ``out_dir``.

    Parameters
    ----------
    schedule
        Any schedule: ``Result.schedule`` or ``read_schedule(problem, path)``.
    out_dir
        Directory to write into (created if missing). Files are written atomically.
    svg
        Also write each chart as SVG.
    evaluation
        The schedule's :class:`~optimizer.verify.Evaluation`; computed when omitted.
    result
        The solve's :class:`~optimizer.solve.Result`, to show status, objective, bound,
        gap and time.
    title
        Page title; default "<team>: on-call report".

    Returns
    -------
    ReportFiles
        The paths written.
    """
    out = Path(out_dir)
    if evaluation is None:
        evaluation = (
            result.evaluation
            if result is not None and result.evaluation is not None
            else evaluate(schedule)
        )
    charts = render_charts(schedule, svg=svg)
    files = ReportFiles(html=out / "report.html")
    for name, data in charts.items():
        files.png[name] = out / f"{name}.png"
        atomic_write_bytes(files.png[name], data["png"])
        if svg:
            files.svg[name] = out / f"{name}.svg"
            atomic_write_bytes(files.svg[name], data["svg"])
    page = report_html(
        schedule, {k: v["png"] for k, v in charts.items()}, evaluation, result, title
    )
    atomic_write_text(files.html, page)
    return files
