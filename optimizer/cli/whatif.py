"""``rota swap`` (who can take my shift?) and ``rota simulate`` (how robust is the
rotation to unplanned absences?). See :mod:`optimizer.swap` and :mod:`optimizer.robustness`."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import EXIT_OK, InputError
from ..files import check_writable_dir, check_writable_file, refuse_overwrite, write_frame, write_frames
from ..loading import load_scenario_files
from ..problem import Problem
from ..robustness import simulate
from ..schedule import assignments_frame
from ..swap import apply_swap, find_instance, person_of, swap_candidates
from ..timecalc import human_iso
from .base import ASSIGNMENTS, SCENARIO, main, read_schedule_file


@main.command("swap")
@SCENARIO
@ASSIGNMENTS
@click.option("--person", required=True, help="The person giving the shift away: id, e-mail or name.")
@click.option("--shift", required=True, help="Shift pattern name.")
@click.option(
    "--start",
    required=True,
    help="Any moment of the shift: a local date (a mid-week date picks the week covering it) or an ISO timestamp.",
)
@click.option("--role", help="Role given away (default: the role the person holds on that shift).")
@click.option("--two-way", is_flag=True, help="Also list two-way swaps (the taker gives one of theirs back).")
@click.option("--apply", "taker", help="Hand the shift to this person (id, e-mail or name) and write --out.")
@click.option("--back-start", help="With --apply: a moment of the taker's shift given back (a two-way swap).")
@click.option("--back-shift", help="With --back-start: its shift pattern (default: --shift).")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --apply: the new schedule CSV (never one of the inputs).",
)
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="Show at most this many of each kind.",
)
def swap_cmd(
    scenario: Path,
    assignments: Path,
    person: str,
    shift: str,
    start: str,
    role: str | None,
    two_way: bool,
    top: int,
    taker: str | None,
    back_start: str | None,
    back_shift: str | None,
    out: Path | None,
) -> None:
    """Who can take PERSON's shift in ASSIGNMENTS without breaking a hard rule of SCENARIO.

    Candidates are ranked by the change in soft penalty (fairness first among equals);
    every one listed was checked by the full evaluator. With --apply TAKER --out FILE the
    hand-over (or, with --back-start, the two-way swap) is written as a new schedule that
    rota verify accepts.
    """
    if taker is None and (out or back_start or back_shift):
        raise InputError.single("--out, --back-start and --back-shift need --apply PERSON", field="--apply")
    if taker is not None and out is None:
        raise InputError.single("--apply needs --out FILE for the new schedule", field="--out")
    sc, inputs = load_scenario_files(scenario)
    prob = Problem(sc)
    schedule = read_schedule_file(prob, assignments)
    i = find_instance(prob, shift, start)
    p = person_of(prob, person)
    if taker is not None:
        assert out is not None
        refuse_overwrite([out], [*inputs, assignments])
        check_writable_file(out)
        back = find_instance(prob, back_shift or shift, back_start) if back_start else None
        new = apply_swap(schedule, p, i, taker, role, back=back)
        q = person_of(prob, taker)
        write_frame(out, assignments_frame(new))
        what = f"{prob.people[q].id} takes {prob.instances[i].said} from {prob.people[p].id}"
        if back is not None:
            what += f" and gives back {prob.instances[back].said}"
        click.echo(f"{what}; no hard rule broken")
        click.echo(f"wrote {out} (check it with: rota verify {scenario} {out})")
        click.get_current_context().exit(EXIT_OK)
    table = swap_candidates(schedule, p, i, role, two_way=two_way)
    inst = prob.instances[i]
    held = [a for a in schedule.assignments if a.instance == i and a.person == p]
    role_name = role or (inst.roles[held[0].role].name if held else "?")
    click.echo(f"{prob.people[p].id} gives away {inst.said} ({role_name}):")
    takes = table[table.kind == "take"]
    if takes.empty:
        click.echo("  nobody can take it over without breaking a hard rule")
    for row in takes.head(top).itertuples(index=False):
        click.echo(f"  {row.person:12s} can take it: {_cost(row)}")
    if two_way:
        swaps = table[table.kind == "swap"]
        click.echo("two-way swaps (the other person gives one of their shifts back):")
        if swaps.empty:
            click.echo("  none")
        for row in swaps.head(top).itertuples(index=False):
            given = f"{row.back_shift} {human_iso(row.back_start)} ({row.back_role})"
            click.echo(f"  {row.person:12s} gives back {given}: {_cost(row)}")
    click.get_current_context().exit(EXIT_OK)


def _cost(row) -> str:
    detail = ", ".join(f"{k} {v:+g}" for k, v in row.delta_by_rule.items()) or "no change"
    load = f"their load {row.load_before:g} -> {row.load_after:g}"
    return f"{row.delta_points:+,.2f} points ({detail}); {load}"


@main.command("simulate")
@SCENARIO
@ASSIGNMENTS
@click.option(
    "--absence-rate",
    type=float,
    default=0.05,
    show_default=True,
    help="Probability that a person cannot work a given shift (independent draws).",
)
@click.option("--runs", type=click.IntRange(min=1), default=500, show_default=True, help="Simulated horizons.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the random draws.")
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Show this many shifts and people.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write risk_shifts.csv and risk_people.csv here.",
)
def simulate_cmd(
    scenario: Path,
    assignments: Path,
    absence_rate: float,
    runs: int,
    seed: int,
    top: int,
    out_dir: Path | None,
) -> None:
    """Monte Carlo of unplanned absences in ASSIGNMENTS: per-shift risk of a gap nobody
    can fill within the hard rules of SCENARIO, and the people the rotation leans on."""
    if not 0.0 <= absence_rate <= 1.0:
        raise InputError.single(f"--absence-rate must be within [0, 1], not {absence_rate:g}", field="--absence-rate")
    sc, inputs = load_scenario_files(scenario)
    if out_dir is not None:
        refuse_overwrite([out_dir / "risk_shifts.csv", out_dir / "risk_people.csv"], [*inputs, assignments])
        check_writable_dir(out_dir)
    prob = Problem(sc)
    schedule = read_schedule_file(prob, assignments)
    result = simulate(schedule, absence_rate, runs=runs, seed=seed)
    click.echo(result.text(top=top))
    if out_dir is not None:
        write_frames({out_dir / "risk_shifts.csv": result.shifts, out_dir / "risk_people.csv": result.people})
        click.echo(f"wrote {out_dir / 'risk_shifts.csv'} and {out_dir / 'risk_people.csv'}")
    click.get_current_context().exit(EXIT_OK)
