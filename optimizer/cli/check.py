"""``rota check`` and ``rota schema``: validate a scenario without solving."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..escalation import escalation_warnings
from ..explain import capacity
from ..files import atomic_write_text
from ..loading import load_scenario
from ..problem import Problem
from ..scenario import Scenario
from .base import SCENARIO, main


@main.command("check")
@SCENARIO
def check_cmd(scenario: Path) -> None:
    """Validate SCENARIO and show what it expands to, without solving."""
    sc = load_scenario(scenario)
    prob = Problem(sc)
    click.echo(f"{scenario}: valid")
    click.echo(f"team {sc.team}, zone {sc.timezone}, {sc.start} .. {sc.end}")
    click.echo(f"{len(sc.people)} people, {len(sc.time_off)} time-off entries, {len(prob.pool)} can be on call")
    for pat in sc.shifts:
        insts = [i for i in prob.instances if i.shift == pat.name]
        roles = ", ".join(f"{r.count}x {r.name}" + (f" [{'+'.join(r.skills)}]" if r.skills else "") for r in pat.roles)
        hours = sum(i.hours for i in insts)
        click.echo(
            f"  shift {pat.name}: {len(insts)} instances ({hours:g}h), roles {roles}"
            + (f", crew covers {', '.join(pat.crew_skills)}" if pat.crew_skills else "")
        )
    slots = sum(r.count for inst in prob.instances for r in inst.roles)
    click.echo(f"{len(prob.instances)} shift instances, {slots} slots to fill")
    click.echo("capacity (slots against the most the eligible people can give under time off, rest, windows and caps):")
    for line in capacity(prob):
        click.echo(f"  {'SHORT ' if line.short else ''}{line}")
    for w in capacity_warnings(prob):
        click.echo(f"warning: {w}")
    # escalation policy and incident taxonomy (optimizer/escalation.py)
    if sc.escalation:
        click.echo(
            f"escalation: {len(sc.escalation)} levels, severities "
            f"{', '.join(sc.severities) or 'none'}, {len(sc.runbooks)} runbooks"
        )
        for w in escalation_warnings(prob):
            click.echo(f"warning: {w}")


def capacity_warnings(prob: Problem) -> list[str]:
    """Warnings about pool size (Google SRE guidance: at least 8 people for a single-site
    24/7 rotation) and the max_share rule."""
    out = []
    sc = prob.scenario
    pool = len(prob.pool)
    if prob.instances:
        h0, h1 = prob.horizon
        on_call = sum(i.seconds * sum(r.count for r in i.roles) for i in prob.instances)
        load_share = on_call / max(1, pool) / (h1 - h0)
        if sc.rules.max_share is not None and load_share > sc.rules.max_share.share:
            out.append(
                f"the pool of {pool} must each be on call {load_share:.0%} of the time on average, "
                f"above max_share {sc.rules.max_share.share:g}"
            )
        if load_share > 0.25:
            out.append(f"each person is on call {load_share:.0%} of the time on average (SRE guidance: at most 25%)")
    if 0 < pool < 8:
        out.append(f"only {pool} people can be on call; SRE guidance is at least 8 for a single-site rotation")
    return out


@main.command("schema")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
def schema_cmd(out: Path | None) -> None:
    """Print the scenario JSON Schema (for editor validation and completion)."""
    text = json.dumps(Scenario.model_json_schema(by_alias=True), indent=2, sort_keys=True) + "\n"
    if out:
        atomic_write_text(out, text)
        click.echo(f"wrote {out}")
    else:
        click.echo(text, nl=False)
