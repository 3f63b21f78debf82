"""``rota escalation SCENARIO ASSIGNMENTS [--at DATETIME] [--out FILE.csv]``: the resolved
escalation chain of every shift, or of one moment ("who do I call now?")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ..errors import EXIT_OK, InputError
from ..escalation import (
    CSV_COLUMNS,
    chain_table,
    escalation_chain,
    level_label,
    levels_of,
    repeated_responders,
    severity_steps,
    who_is_on_call,
)
from ..fields import format_duration
from ..files import check_writable_file, refuse_overwrite, write_frame
from ..loading import load_scenario_files
from ..problem import Problem
from ..scenario import Scenario
from ..timecalc import is_ambiguous, local_moment
from .base import ASSIGNMENTS, SCENARIO, main, moment_option, read_schedule_file


def steps_text(scenario: Scenario, severity: str) -> str:
    """``page levels 1, 2, 3 at once; after 5m level 4`` for one severity."""
    parts = []
    for k, step in enumerate(severity_steps(scenario, severity)):
        levels = ", ".join(str(v) for v in step.levels)
        word = "levels" if len(step.levels) > 1 else "level"
        if k == 0:
            parts.append(f"page {word} {levels}" + (" at once" if len(step.levels) > 1 else ""))
        else:
            parts.append(f"after {format_duration(step.after)} {word} {levels}")
    return "; ".join(parts)


@main.command("escalation")
@SCENARIO
@ASSIGNMENTS
@click.option(
    "--at",
    "at",
    callback=moment_option,
    metavar="DATETIME",
    help="Only the chain at this moment: 2027-02-03T12:00 (team zone), with an offset, or 'now'.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the chain as CSV (instance, level, person, contact, ack_timeout) instead of printing it.",
)
def escalation_cmd(scenario: Path, assignments: Path, at: dt.datetime | None, out: Path | None) -> None:
    """Who is paged, in what order, for the schedule ASSIGNMENTS of SCENARIO.

    Resolves the scenario's escalation levels (roles, skills of the crew, named people)
    to people for every shift, or, with --at, for the shifts running at one moment.
    With --out the chain is written to the file, not printed.
    """
    sc, inputs = load_scenario_files(scenario)
    if not sc.escalation:
        raise InputError.single(
            "the scenario has no escalation policy: add `escalation:` levels (see the README, "
            "'Escalation and incident taxonomy')",
            str(scenario),
            field="escalation",
        )
    if out is not None:
        refuse_overwrite([out], [*inputs, assignments])
        check_writable_file(out)
    prob = Problem(sc)
    schedule = read_schedule_file(prob, assignments)
    if at is None:
        frame = escalation_chain(schedule)
        if out is None:
            click.echo(chain_table(frame))
    else:
        local = local_moment(at, sc.tz, sc.timezone)
        if is_ambiguous(at, sc.tz):
            click.echo(
                f"warning: {at:%Y-%m-%d %H:%M} happens twice in {sc.timezone} (the clocks fall back); "
                f"taking the first (UTC{local:%z}); give an offset to choose",
                err=True,
            )
        frame = who_is_on_call(schedule, local)
        when = local.astimezone(sc.tz).strftime("%a %d %b %Y %H:%M %Z")
        if frame.empty:
            click.echo(f"No shift is running at {when} ({sc.timezone}).")
        else:
            click.echo(f"On call at {when} ({sc.timezone}):")
            for lv in levels_of(sc):
                rows = frame[frame["level"] == lv.level]
                who = [
                    f"{r.person_name} <{r.contact}>" if r.contact else r.person_name
                    for r in rows.itertuples(index=False)
                    if r.person
                ]
                click.echo(
                    f"  {level_label(sc, lv)} (ack within {format_duration(lv.ack_timeout)}): "
                    + (", ".join(dict.fromkeys(who)) or "NOBODY")
                )
            for name, sev in sc.severities.items():
                desc = f" ({sev.description})" if sev.description else ""
                click.echo(f"  {name}{desc}: {steps_text(sc, name)}")
    for note in repeated_responders(sc, frame):
        click.echo(f"note: {note}")
    if out is not None:
        write_frame(out, frame[CSV_COLUMNS])
        shifts = frame["instance"].nunique()
        click.echo(
            f"wrote {out}: {len(frame)} row{'' if len(frame) == 1 else 's'} for {shifts} "
            f"shift{'' if shifts == 1 else 's'} and {len(sc.escalation)} level{'' if len(sc.escalation) == 1 else 's'}"
        )
    click.get_current_context().exit(EXIT_OK)
