"""``report.html``: the page a team lead hands out (summary, roster, fair shares, charts,
people, rules), rendered from ``templates/report.html``."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..fairness_metrics import fairness_table, person_fairness
from ..files import atomic_write_bytes, atomic_write_text
from ..schedule import Schedule
from ..verify import Evaluation, evaluate
from .charts import CAPTIONS, data_uri, render_charts
from .handbook import handbook_html, has_handbook
from .render import render
from .roster import day_grid, holiday_table, rosters
from .shares import fair_share_rows

if TYPE_CHECKING:
    from ..solve import Result

MAX_ROWS = 200  # violations / penalty details shown in the HTML (all are counted)


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


def _cards(schedule: Schedule, evaluation: Evaluation, result: Result | None) -> list[tuple[str, str, str]]:
    prob = schedule.problem
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
    cards.append((f"{len(prob.scenario.people)}", f"people ({len(prob.pool)} can be on call)", ""))
    cards.append((f"{len(prob.instances)}", "shifts", ""))
    slots, short = _slots(schedule)
    cards.append((f"{len(schedule.assignments)} / {slots}", "assignments / slots", "bad" if short else ""))
    if schedule.unmatched:
        cards.append((f"{len(schedule.unmatched)}", "rows matching no shift", "bad"))
    return cards


def _records(frame: Any, limit: int | None = None) -> list[dict[str, Any]]:
    if limit is not None:
        frame = frame.head(limit)
    return [dict(r._asdict()) for r in frame.itertuples(index=False)]


def report_html(
    schedule: Schedule,
    charts: dict[str, bytes],
    evaluation: Evaluation,
    result: Result | None = None,
    title: str | None = None,
    handbook: str | None = None,
) -> str:
    """The report page as a string.

    Parameters
    ----------
    schedule
        The schedule to report on.
    charts
        PNG bytes by chart name (see :func:`~optimizer.report.charts.render_charts`).
    evaluation
        The schedule's evaluation (violations and penalties).
    result
        The solve's result, to show status, objective, bound, gap and time.
    title
        Page title; default "<team>: on-call report".
    handbook
        Relative link to the on-call handbook page, shown under the title.

    Returns
    -------
    str
        The HTML page.
    """
    prob = schedule.problem
    sc = prob.scenario
    people = person_fairness(schedule)
    pen = evaluation.by_person()
    pts = pen.groupby("person")["points"].sum().to_dict() if not pen.empty else {}
    people["penalty"] = [pts.get(pid, 0.0) for pid in people["person_id"]]
    details = evaluation.penalties.sort_values(["points", "rule"], ascending=[False, True], kind="stable")
    shares = fair_share_rows(schedule)
    by_id = {r.person_id: r for r in shares.rows}
    people["fair_share"] = [by_id[pid].fair_share for pid in people["person_id"]]
    people["vs_share"] = [by_id[pid].diff for pid in people["person_id"]]
    grid = day_grid(schedule)
    zones = sorted({str(tz) for tz in prob.tz} | {p.timezone or sc.timezone for p in sc.shifts})
    return render(
        "report.html",
        title=title or f"{sc.team}: on-call report",
        sc=sc,
        source=schedule.source or ("optimizer (rota solve)" if result is not None else "schedule"),
        zones=zones,
        handbook=handbook,
        cards=_cards(schedule, evaluation, result),
        rosters=rosters(schedule),
        grid=grid if grid.rows and grid.columns else None,
        holidays=holiday_table(schedule),
        shares=shares,
        fairness=_records(fairness_table(schedule)),
        charts=[(name, *CAPTIONS.get(name, (name, "")), data_uri(png)) for name, png in charts.items()],
        people=_records(people),
        violations=_records(evaluation.violations, MAX_ROWS),
        n_violations=len(evaluation.violations),
        by_rule=_records(evaluation.by_rule().reset_index()),
        penalties=_records(details, MAX_ROWS),
        n_penalties=len(details),
        unmatched=[u.__dict__ for u in schedule.unmatched],
        max_rows=MAX_ROWS,
    )


def write_report(
    schedule: Schedule,
    out_dir: str | Path,
    svg: bool = False,
    evaluation: Evaluation | None = None,
    result: Result | None = None,
    title: str | None = None,
) -> ReportFiles:
    """Write ``report.html`` and every chart as PNG (and SVG) into ``out_dir``.

    Parameters
    ----------
    schedule
        Any :class:`~optimizer.schedule.Schedule` (``Result.schedule`` or one read from a CSV).
    out_dir
        Folder to write into (created if missing).
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
        The paths written (``handbook.html`` too when the scenario has an escalation policy,
        severities or runbooks).
    """
    out = Path(out_dir)
    if evaluation is None:
        evaluation = result.evaluation if result is not None and result.evaluation is not None else evaluate(schedule)
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
