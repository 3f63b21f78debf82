"""``rota verify`` and ``rota diff``: judge schedules against the rules, no solver."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import EXIT_OK, EXIT_VIOLATIONS
from ..loading import load_scenario
from ..problem import Problem
from ..replan import compare
from ..schedule import read_schedule
from ..verify import Evaluation, evaluate
from .base import ASSIGNMENTS, SCENARIO, main


@main.command("verify")
@SCENARIO
@ASSIGNMENTS
def verify_cmd(scenario: Path, assignments: Path) -> None:
    """Check the schedule ASSIGNMENTS against every rule of SCENARIO (no solver)."""
    sc = load_scenario(scenario)
    prob = Problem(sc)
    schedule = read_schedule(prob, assignments)
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
        click.echo("per person:")
        table = people_rows.pivot_table(index="person", columns="rule", values="points", aggfunc="sum", fill_value=0.0)
        click.echo(table.to_string())


@main.command("diff")
@SCENARIO
@click.argument("a", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("b", type=click.Path(dir_okay=False, path_type=Path))
def diff_cmd(scenario: Path, a: Path, b: Path) -> None:
    """What changed from schedule A to schedule B (both CSVs of SCENARIO)."""
    sc = load_scenario(scenario)
    prob = Problem(sc)
    cmp = compare(read_schedule(prob, a), read_schedule(prob, b))
    click.echo(cmp.text())
    pen = cmp.penalty[cmp.penalty.delta.abs() > 1e-9]
    if not pen.empty:
        click.echo("penalty per rule (points):")
        for r in pen.itertuples(index=False):
            click.echo(f"  {r.rule:22s} {r.before:10,.2f} -> {r.after:10,.2f} ({r.delta:+,.2f})")
