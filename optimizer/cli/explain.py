"""``rota explain``: why a scenario is infeasible, or why a person holds a slot."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import EXIT_INFEASIBLE, EXIT_NO_SOLUTION, EXIT_OK, InputError
from ..explain import alternatives, explain_infeasible
from ..loading import load_scenario
from ..problem import Problem
from ..whatif import find_instance
from .base import SCENARIO, FiniteFloat, main, read_schedule_file


@main.command("explain")
@SCENARIO
@click.argument("assignments", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--shift", help="Shift pattern name of the slot to explain.")
@click.option("--start", "start", help="Start of the instance: a date (local) or an ISO timestamp.")
@click.option("--role", help="Role of the slot (default: the first role the person holds).")
@click.option("--person", help="The person holding the slot (default: everyone in it).")
@click.option(
    "--time-limit",
    type=FiniteFloat(0, min_open=True),
    default=25.0,
    show_default=True,
    help="Budget of the conflict analysis (deterministic seconds).",
)
def explain_cmd(scenario: Path, assignments: Path | None, shift, start, role, person, time_limit) -> None:
    """Why is SCENARIO infeasible? Or, with ASSIGNMENTS --shift --start: why this person?

    Without ASSIGNMENTS: names the rules that conflict (exit 3) or says there is no
    conflict (exit 0). With ASSIGNMENTS: for the slot, lists everyone else and why they
    were not chosen (a hard rule they would break, or the extra penalty points).
    """
    sc = load_scenario(scenario)
    prob = Problem(sc)
    ctx = click.get_current_context()
    if assignments is None:
        conflict = explain_infeasible(prob, time_limit=time_limit)
        click.echo(conflict.text())
        codes = {"infeasible": EXIT_INFEASIBLE, "feasible": EXIT_OK, "unknown": EXIT_NO_SOLUTION}
        ctx.exit(codes[conflict.status])
    if not shift or not start:
        raise InputError.single("--shift and --start are required with ASSIGNMENTS", field="--shift/--start")
    schedule = read_schedule_file(prob, assignments)
    inst = prob.instances[find_instance(prob, shift, start)]
    held = [a for a in schedule.assignments if a.instance == inst.index]
    if person:
        if person not in prob.person_index:
            raise InputError.single(f"unknown person {person!r}", field="--person")
        held = [a for a in held if a.person == prob.person_index[person]]
    if role:
        held = [a for a in held if inst.roles[a.role].name == role]
    if not held:
        raise InputError.single("nobody in the schedule holds that slot", str(assignments), field="--person")
    for a in held:
        pid = prob.people[a.person].id
        click.echo(f"{inst.label} {inst.roles[a.role].name}: {pid}")
        table = alternatives(schedule, inst.index, a.role, a.person)
        for row in table.itertuples(index=False):
            if row.feasible:
                d = ", ".join(f"{k} {v:+g}" for k, v in row.delta_by_rule.items()) or "no change"
                click.echo(f"  {row.person:12s} could take it: would cost {row.delta_points:+g} points ({d})")
            else:
                click.echo(f"  {row.person:12s} no: {row.reasons}")
