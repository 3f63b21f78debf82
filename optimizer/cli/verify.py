"""``rota verify`` and ``rota diff``: judge schedules against the rules, no solver."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import EXIT_OK, EXIT_VIOLATIONS
from ..files import refuse_overwrite, write_frame
from ..loading import load_scenario, load_scenario_files
from ..problem import Problem
from ..replan import compare
from ..verify import Evaluation, evaluate
from .base import ASSIGNMENTS, SCENARIO, main, read_schedule_file


@main.command("verify")
@SCENARIO
@ASSIGNMENTS
def verify_cmd(scenario: Path, assignments: Path) -> None:
    """Check the schedule ASSIGNMENTS against every rule of SCENARIO (no solver).

    Exits 1 when a hard rule is broken. A row that names a shift pattern, a start or a role
    the scenario does not have (or repeats an earlier row) is not judged: it is malformed
    input, and verify exits 2 listing each such row by file, line and column.
    """
    sc = load_scenario(scenario)
    prob = Problem(sc)
    schedule = read_schedule_file(prob, assignments)
    ev = evaluate(schedule)
    print_evaluation(ev)
    click.get_current_context().exit(EXIT_OK if ev.feasible else EXIT_VIOLATIONS)


def print_evaluation(ev: Evaluation) -> None:
    if ev.feasible:
        click.echo("hard rules: all satisfied")
    else:
        click.echo(f"hard rules: {len(ev.violations)} violation(s)")
        for v in ev.violations.itertuples(index=False):
            where = " ".join(x for x in (v.person, v.shift, v.start) if isinstance(x, str))
            click.echo(f"  [{v.rule}] {where}: {v.message}")
    click.echo(f"soft penalty: {ev.objective:,.2f} points")
    by_rule = ev.by_rule()
    for rule, pts in by_rule.items():
        click.echo(f"  {rule:22s} {pts:12,.2f}")
    per_person = ev.by_person()
    people_rows = per_person[per_person["person"] != "(team)"]
    if not people_rows.empty:
        click.echo("per person (most points first):")
        sums = people_rows.groupby(["person", "rule"], sort=True)["points"].sum()
        totals = sums.groupby(level="person").sum().sort_values(ascending=False, kind="stable")
        width = max(len(str(p)) for p in totals.index)
        for person, total in totals.items():
            parts = ", ".join(f"{rule} {pts:,.2f}" for rule, pts in sums[person].items() if pts)
            click.echo(f"  {person:{width}s} {total:10,.2f}  ({parts})")


@main.command("diff")
@SCENARIO
@click.argument("a", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("b", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--csv",
    "csv_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write who to notify: one row per affected person (status, shifts gained and lost).",
)
@click.option(
    "--changes-csv",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write every changed assignment: one row per assignment added or removed.",
)
def diff_cmd(scenario: Path, a: Path, b: Path, csv_out: Path | None, changes_csv: Path | None) -> None:
    """What changed from schedule A to schedule B (both CSVs of SCENARIO): every changed
    assignment and every person affected (added, removed, moved)."""
    sc, inputs = load_scenario_files(scenario)
    refuse_overwrite([p for p in (csv_out, changes_csv) if p], [*inputs, a, b])
    prob = Problem(sc)
    cmp = compare(read_schedule_file(prob, a), read_schedule_file(prob, b))
    click.echo(cmp.text())
    if csv_out:
        write_frame(csv_out, cmp.affected)
        click.echo(f"wrote {csv_out} ({len(cmp.affected)} people to notify)")
    if changes_csv:
        write_frame(changes_csv, cmp.assignments)
        click.echo(f"wrote {changes_csv} ({len(cmp.assignments)} changed assignments)")
    pen = cmp.penalty[cmp.penalty.delta.abs() > 1e-9]
    if not pen.empty:
        click.echo("penalty per rule (points):")
        for r in pen.itertuples(index=False):
            click.echo(f"  {r.rule:22s} {r.before:10,.2f} -> {r.after:10,.2f} ({r.delta:+,.2f})")
