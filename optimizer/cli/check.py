"""``rota check``: validate a scenario without solving (``rota schema`` is in schema.py)."""

from __future__ import annotations

import warnings
from pathlib import Path

import click

from ..errors import EXIT_INFEASIBLE
from ..escalation import escalation_warnings
from ..explain import capacity
from ..loading import load_scenario
from ..problem import Problem
from ..scenario import Scenario
from ..suggest import did_you_mean
from .base import SCENARIO, main


@main.command("check")
@SCENARIO
def check_cmd(scenario: Path) -> None:
    """Validate SCENARIO and show what it expands to, without solving.

    Exits 0 when the scenario is valid and the capacity arithmetic finds no shortage,
    3 when it proves a role (or crew skill) short, so the scenario cannot be solved,
    and 2 when the input is invalid.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sc = load_scenario(scenario)
    prob = Problem(sc)
    click.echo(f"{scenario}:")
    for found in caught:
        if issubclass(found.category, UserWarning):
            click.echo(f"warning: {found.message}", err=True)
        else:
            warnings.warn_explicit(found.message, found.category, found.filename, found.lineno)
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
    lines = capacity(prob)
    for line in lines:
        click.echo(f"  {'SHORT ' if line.short else ''}{line}")
    for w in skill_warnings(sc):
        click.echo(f"warning: {w}", err=True)
    for w in capacity_warnings(prob):
        click.echo(f"warning: {w}", err=True)
    # escalation policy and incident taxonomy (optimizer/escalation.py)
    if sc.escalation:
        click.echo(
            f"escalation: {len(sc.escalation)} levels, severities "
            f"{', '.join(sc.severities) or 'none'}, {len(sc.runbooks)} runbooks"
        )
        for w in escalation_warnings(prob):
            click.echo(f"warning: {w}", err=True)
    short = [line for line in lines if line.short]
    if short:
        click.echo(
            f"{scenario}: cannot be solved: {', '.join(f'{s.what} short by {s.short}' for s in short)} "
            f"(exit {EXIT_INFEASIBLE}; rota explain shows what to change)"
        )
        click.get_current_context().exit(EXIT_INFEASIBLE)
    click.echo(f"{scenario}: valid (no shortage found; rota solve decides the rest)")


def skill_warnings(sc: Scenario) -> list[str]:
    """Skills that roles or crews need and nobody holds, with the nearest skill people do hold."""
    held = sorted({k for p in sc.people for k in p.skills})
    out = []
    for pat in sc.shifts:
        needs = [(f"{pat.name} {r.name}", k) for r in pat.roles for k in r.skills]
        needs += [(f"{pat.name} crew", k) for k in pat.crew_skills]
        for who, skill in needs:
            if skill not in held:
                out.append(
                    f"nobody holds skill {skill!r}, which {who} needs "
                    f"({did_you_mean(skill, held)}skills held: {', '.join(held) or 'none'})"
                )
    return out


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
