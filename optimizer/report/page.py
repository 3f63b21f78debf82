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
    """What :func:`write_report` wrote (``handbook``: only when the scenario has an
    escalation policy, severities or runbooks)."""

    html: Path
    png: dict[str, Path] = field(default_factory=dict)
    svg: dict[str, Path] = field(default_factory=dict)
    handbook: Path | None = None

    @property
    def all(self) -> list[Path]:
        return [self.html, *([self.handbook] if self.handbook else []), *self.png.values(), *self.svg.values()]


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
    handbook: str | None = None,
) -> str:
    """The report page as a string: summary, fairness, charts (PNG bytes by chart name),
    people, violations and penalties; ``handbook``: relative link to the on-call
    handbook page, shown under the title."""
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
    if handbook:
        add(
            f'<p class="handbook-link">On-call handbook (escalation policy, incident taxonomy, who to '
            f'call each week, contacts, runbooks): <a href="{_esc(handbook)}">{_esc(handbook)}</a></p>'
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
    if has_handbook(schedule.problem.scenario):
        files.handbook = out / "handbook.html"
        atomic_write_text(files.handbook, handbook_html(schedule))
    page = report_html(
        schedule,
        {k: v["png"] for k, v in charts.items()},
        evaluation,
        result,
        title,
        handbook=files.handbook.name if files.handbook else None,
    )
    atomic_write_text(files.html, page)
    return files


# --------------------------------------------------------------------------- handbook


def has_handbook(scenario: Any) -> bool:
    """The scenario says enough for an on-call handbook (escalation, severities or runbooks)."""
    return bool(scenario.escalation or scenario.severities or scenario.runbooks)


HANDBOOK_CSS = """
.lead{font-size:1.02em;max-width:60em}
.steps{margin:6px 0 0 0;padding-left:1.3em}.steps li{margin:2px 0}
.sev{display:inline-block;font-weight:700;border-radius:4px;padding:1px 8px;color:#fff;
 background:#555;white-space:nowrap}
.sev0{background:#b3261e}.sev1{background:#c75b00}.sev2{background:#1f5fa8}.sev3{background:#5b5b5b}
.lvl{display:inline-block;min-width:1.6em;text-align:center;font-weight:700;border-radius:50%;
 background:#e8eef7;color:#1f3f6e;padding:1px 4px}
td.when{white-space:nowrap;font-variant-numeric:tabular-nums}
td.now{font-weight:600}
.nobody{color:#b3261e;font-weight:700}
.muted{color:#666}
.chain td{min-width:8em}
a{color:#1f5fa8}
.toc{margin:8px 0 0;padding:0;list-style:none;display:flex;flex-wrap:wrap;gap:6px 16px}
.warn{background:#fff6e5;border:1px solid #f0c36d;border-radius:6px;padding:6px 12px}
@media print{.toc{display:none}a{color:#000}}
"""


def _when(inst: Any) -> str:
    a = dt.datetime.fromtimestamp(inst.start, inst.tz)
    b = dt.datetime.fromtimestamp(inst.end, inst.tz)
    same_year = a.year == b.year
    return f"{a:%a %d %b %H:%M} – {b:%a %d %b %H:%M}" + ("" if same_year else f" {b:%Y}")


def _link(url: str) -> str:
    return f'<a href="{_esc(url)}" rel="noopener">{_esc(url)}</a>'


def _mail(address: str | None) -> str:
    return f'<a href="mailto:{_esc(address)}">{_esc(address)}</a>' if address else ""


def handbook_html(schedule: Schedule, title: str | None = None) -> str:
    """The on-call handbook as a self-contained page: the incident taxonomy (severities and
    who each pages, in order), the escalation levels, runbook links, who is on each level
    for every shift of the schedule, everyone's contacts, the escalation load chart (with
    ``weights.escalation_level``) and the policy's warnings. No scripts, no network
    resources: one page a team can hand to an auditor or a new joiner."""
    from .escalation import (
        Resolver,
        contacts_of,
        describe_level,
        escalation_warnings,
        levels_of,
        severities_of_level,
        severity_steps,
    )
    from .fields import format_duration

    prob = schedule.problem
    sc = prob.scenario
    title = title or f"{sc.team}: on-call handbook"
    levels = levels_of(sc)
    by_num = {lv.level: lv for lv in levels}
    sev_names = list(sc.severities)
    sev_class = {n: f"sev{min(k, 3)}" for k, n in enumerate(sev_names)}
    parts: list[str] = []
    add = parts.append

    def lvl(v: int) -> str:
        lv = by_num[v]
        name = lv.name or describe_level(sc, lv)
        return f'<span class="lvl">{v}</span> {_esc(name)}'

    def sev_badge(n: str) -> str:
        return f'<span class="sev {sev_class[n]}">{_esc(n)}</span>'

    add(f"<h1>{_esc(title)}</h1>")
    zones = {pat.timezone or sc.timezone for pat in sc.shifts}
    zone_text = (f"times in {_esc(sc.timezone)}" if zones == {sc.timezone}
                 else f"times in each shift's own zone (team zone {_esc(sc.timezone)})")
    source = f" · schedule from {_esc(schedule.source)}" if schedule.source else ""
    add(
        f'<p class="sub">{sc.start:%a %d %b %Y} – {sc.end:%a %d %b %Y} · {zone_text}{source} · '
        '<a href="report.html">full report</a></p>'
    )
    toc = [("taxonomy", "Incident severities"), ("levels", "Escalation levels"),
           ("runbooks", "Runbooks"), ("rota", "Who is on call, shift by shift"), ("contacts", "Contacts")]
    add('<ul class="toc">' + "".join(f'<li><a href="#{k}">{_esc(v)}</a></li>' for k, v in toc) + "</ul>")
    if levels:
        first = levels[0]
        add(
            '<p class="lead">When you are paged, <b>acknowledge</b> within your level\'s time '
            f"(level {first.level}: {format_duration(first.ack_timeout)}); otherwise the page moves on to "
            "the next level. The severity of an incident decides who is paged at once and who follows. "
            "Open the runbook for the affected area before you change anything.</p>"
        )

    # taxonomy
    add('<section id="taxonomy"><h2>Incident severities</h2>')
    if sc.severities:
        rows = []
        for n, sev in sc.severities.items():
            steps = severity_steps(sc, n)
            first = ", ".join(lvl(v) for v in steps[0].levels)
            later = "".join(
                f"<li>{format_duration(st.after)} after the page, if still unacknowledged: "
                + ", ".join(lvl(v) for v in st.levels) + "</li>"
                for st in steps[1:]
            )
            rows.append(
                f"<tr><td>{sev_badge(n)}</td><td>{_esc(sev.description or '')}</td>"
                f"<td>{first}</td><td>{f'<ol class=steps>{later}</ol>' if later else '<span class=muted>nobody else</span>'}"
                "</td></tr>"
            )
        add(
            '<div class="scroll"><table class="taxonomy"><thead><tr><th>severity</th><th>what it is</th>'
            "<th>paged at once</th><th>if nobody acknowledges</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table></div>"
        )
    else:
        add("<p>No severities are defined: every page follows the escalation levels in order.</p>")
    add("</section>")

    # levels
    add('<section id="levels"><h2>Escalation levels</h2>')
    if levels:
        rows = []
        for lv in levels:
            books = {k: u for k, u in sc.runbooks.items() if k in lv.roles or k in lv.skills}
            sevs = severities_of_level(sc, lv.level)
            rows.append(
                f'<tr><td><span class="lvl">{lv.level}</span></td><td>{_esc(lv.name or "")}</td>'
                f"<td>{_esc(describe_level(sc, lv))}</td><td class=n>{format_duration(lv.ack_timeout)}</td>"
                f"<td>{' '.join(sev_badge(n) for n in sevs) or '<span class=muted>none</span>'}</td>"
                f"<td>{'<br>'.join(_link(u) for u in books.values())}</td></tr>"
            )
        add(
            '<div class="scroll"><table class="levels"><thead><tr><th>level</th><th>name</th>'
            "<th>who is paged</th><th>acknowledge within</th><th>paged for</th><th>runbooks</th>"
            "</tr></thead><tbody>" + "".join(rows) + "</tbody></table></div>"
        )
    else:
        add("<p>No escalation policy is defined.</p>")
    add("</section>")

    # runbooks
    add('<section id="runbooks"><h2>Runbooks</h2>')
    if sc.runbooks:
        role_names = {r.name for pat in sc.shifts for r in pat.roles}
        rows = []
        for key, url in sc.runbooks.items():
            if key in role_names:
                kind, who = "role", "whoever holds the role"
            else:
                kind = "skill"
                who = ", ".join(p.display_name for p in sc.people if key in p.skills)
            rows.append(f"<tr><td><b>{_esc(key)}</b></td><td>{kind}</td><td>{_link(url)}</td>"
                        f"<td>{_esc(who)}</td></tr>")
        add(
            '<div class="scroll"><table class="runbooks"><thead><tr><th>area</th><th>kind</th>'
            "<th>runbook</th><th>people who know it</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table></div>"
        )
    else:
        add("<p>No runbooks are listed (add <code>runbooks:</code> to the scenario).</p>")
    add("</section>")

    # chain per shift
    add('<section id="rota"><h2>Who is on call, shift by shift</h2>')
    if levels and prob.instances:
        res = Resolver(schedule)
        many = len(sc.shifts) > 1
        head = ("<th>shift</th>" if many else "") + "<th>when</th>" + "".join(
            f"<th>{lvl(lv.level)}<br><span class=muted>ack {format_duration(lv.ack_timeout)}</span></th>"
            for lv in levels
        )
        rows = []
        gaps = 0
        for inst in prob.instances:
            cells = []
            for lv, people in res.chain(inst.index):
                if people:
                    names = []
                    for r in people:
                        held = [k for k in lv.skills if r.person is not None and k in prob.people[r.person].skills]
                        names.append(_esc(r.name) + (f' <span class="muted">({_esc(", ".join(held))})</span>'
                                                     if held else ""))
                    cells.append("<td>" + "<br>".join(names) + "</td>")
                else:
                    gaps += 1
                    cells.append('<td class="nobody">nobody</td>')
            rows.append(
                "<tr>" + (f"<td>{_esc(inst.shift)}</td>" if many else "")
                + f'<td class="when">{_esc(_when(inst))}</td>' + "".join(cells) + "</tr>"
            )
        add(
            '<p class="note">Every shift of the schedule with the people each level reaches. The same '
            "person may appear on several levels; they are paged once, at the first.</p>"
        )
        add(
            f'<div class="scroll"><table class="chain"><thead><tr>{head}</tr></thead><tbody>'
            + "".join(rows) + "</tbody></table></div>"
        )
        if gaps:
            add(f'<p class="bad">{gaps} level{"s" if gaps != 1 else ""} reach nobody on some shift '
                "(marked <b>nobody</b>).</p>")
    elif not levels:
        add("<p>No escalation policy is defined.</p>")
    else:
        add("<p>The schedule has no shifts.</p>")
    add("</section>")

    # contacts
    add('<section id="contacts"><h2>Contacts</h2>')
    on_call = {a.person for a in schedule.assignments}
    level_of: dict[str, list[int]] = {}
    for lv in levels:
        for pid in lv.person_ids:
            level_of.setdefault(pid, []).append(lv.level)
    roles_held: dict[int, dict[str, int]] = {}
    for a in schedule.assignments:
        role = prob.instances[a.instance].roles[a.role].name
        roles_held.setdefault(a.person, {}).setdefault(role, 0)
        roles_held[a.person][role] += 1
    rows = []
    for k, person in enumerate(sc.people):
        if k not in on_call and person.id not in level_of:
            continue
        extra = ", ".join([f"{r} ×{n}" for r, n in roles_held.get(k, {}).items()]
                          + [f"level {v}" for v in level_of.get(person.id, [])])
        rows.append(
            f"<tr><td class=who>{_esc(person.display_name)} <span class=id>{_esc(person.id)}</span></td>"
            f"<td>{_mail(person.email)}</td>"
            f"<td></td><td>{_esc(', '.join(person.skills))}</td>"
            f"<td>{_esc(person.timezone or sc.timezone)}</td><td>{_esc(extra)}</td></tr>"
        )
    for c in contacts_of(sc).values():
        extra = ", ".join(f"level {v}" for v in level_of.get(c.id, []))
        rows.append(
            f"<tr><td class=who>{_esc(c.display_name)} <span class=id>{_esc(c.id)}</span></td>"
            f"<td>{_mail(c.email)}</td>"
            f"<td class=who>{_esc(c.phone or '')}</td><td></td><td></td><td>{_esc(extra)} (not on the rota)</td></tr>"
        )
    add(
        '<div class="scroll"><table class="contacts"><thead><tr><th>person</th><th>e-mail</th>'
        "<th>phone</th><th>skills</th><th>time zone</th><th>on call as (shifts)</th></tr></thead><tbody>"
        + "".join(rows) + "</tbody></table></div></section>"
    )

    # escalation load
    if sc.weights.escalation_level and levels:
        with plots.chart_style():
            ax = plots.plot_load(schedule, escalation=True)
            buf = io.BytesIO()
            ax.figure.savefig(buf, format="png", dpi=PNG_DPI, metadata={"Software": None})
        data = base64.b64encode(buf.getvalue()).decode("ascii")
        weights = ", ".join(f"level {v} × {w:g}" for v, w in sorted(sc.weights.escalation_level.items()))
        add(
            '<section id="load"><h2>Escalation load</h2><figure id="escalation_load">'
            f'<img alt="Escalation load per person" src="data:image/png;base64,{data}">'
            "<figcaption><b>Escalation load per person.</b> What the escalation policy asks of each "
            f"person: hours on a level × kind weight × level weight ({_esc(weights)}), counting only "
            "the heaviest level a person holds on a shift. Being a late level for the worst incidents "
            "only is lighter than being paged first for everything. Levels missing from the legend add "
            "nothing: their people hold a heavier level on the same shift, or are not on the rota. "
            "The tick is the fair share by FTE."
            "</figcaption></figure></section>"
        )

    # warnings
    warnings = escalation_warnings(prob)
    if warnings:
        add('<section id="warnings"><h2>Notes on the policy</h2><div class="warn"><ul>'
            + "".join(f"<li>{_esc(w)}</li>" for w in warnings) + "</ul></div></section>")

    csp = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_esc(title)}</title><style>{CSS}{HANDBOOK_CSS}</style></head>\n<body><main>\n"
        + "\n".join(parts)
        + '\n<p class="note">Generated by rota from the scenario and the schedule.</p>\n</main></body></html>\n'
    )
