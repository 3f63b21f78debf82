"""``rota report SCENARIO ASSIGNMENTS --out DIR``: the HTML report and charts of a schedule.

The schedule may come from ``rota solve`` (``assignments.csv``) or from anywhere else
(a hand-made CSV with ``shift``, ``start`` and ``person_id`` columns), so a team can put
its own rotation and the optimizer's side by side.
"""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import EXIT_OK
from ..files import check_writable_dir, refuse_overwrite_in
from ..loading import load_scenario_files
from ..problem import Problem
from ..report import write_report
from ..verify import evaluate
from .base import ASSIGNMENTS, SCENARIO, main, read_schedule_file


@main.command("report")
@SCENARIO
@ASSIGNMENTS
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("report"),
    show_default=True,
    help="Directory for report.html and the chart images.",
)
@click.option("--svg", is_flag=True, help="Also write every chart as SVG.")
@click.option("--title", help="Page title (default: '<team>: on-call report').")
def report_cmd(scenario: Path, assignments: Path, out_dir: Path, svg: bool, title: str | None) -> None:
    """Write a self-contained HTML report (with PNG charts) for the schedule ASSIGNMENTS."""
    sc, inputs = load_scenario_files(scenario)
    refuse_overwrite_in(
        out_dir, [*inputs, assignments], names=("report.html", "handbook.html"), suffixes=(".png", ".svg")
    )
    check_writable_dir(out_dir)
    prob = Problem(sc)
    schedule = read_schedule_file(prob, assignments)  # rows matching no shift: exit 2
    ev = evaluate(schedule)
    files = write_report(schedule, out_dir, svg=svg, evaluation=ev, title=title)
    state = "all hard rules satisfied" if ev.feasible else f"{len(ev.violations)} hard rule violation(s)"
    click.echo(f"{len(schedule.assignments)} assignments: {state}, soft penalty {ev.objective:,.2f} points")
    click.echo(f"wrote {files.html}")
    if files.handbook:
        click.echo(f"      {files.handbook}")
    for path in [*files.png.values(), *files.svg.values()]:
        click.echo(f"      {path}")
    click.get_current_context().exit(EXIT_OK)
