"""``rota init [PEOPLE.csv]``: write a commented starter scenario that ``rota check`` accepts."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from pathlib import Path

import click

from ..errors import InputError
from ..files import atomic_write_text, refuse_overwrite
from ..loading import load_scenario
from ..tables import read_csv_table
from .base import main


def _next_monday(today: dt.date) -> dt.date:
    return today + dt.timedelta(days=(7 - today.weekday()) % 7 or 7)


def _min_rest(people: int) -> str | None:
    """A week on, then enough weeks off for a weekly primary/secondary pair to rotate."""
    if people >= 6:
        return "14d"
    if people >= 4:
        return "7d"
    return None


def _yaml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def starter_scenario(
    *,
    team: str,
    timezone: str,
    start: dt.date,
    weeks: int,
    people_ref: str | None,
    people_ids: list[str],
    skills: list[str],
    roles: list[str],
    source: str,
) -> str:
    """The YAML text of a starter scenario: a weekly primary/secondary rotation.

    Parameters
    ----------
    team, timezone, start, weeks
        Team name, IANA zone, first day (a Monday) and length in weeks.
    people_ref
        Path of the people CSV relative to the scenario file, or ``None`` to list
        ``people_ids`` inline.
    people_ids
        The people's ids (for the inline list and the rest rule).
    skills, roles
        Skills and role names found in the people file (roles beyond primary and
        secondary become roles of the shift).
    source
        Where the people came from (for the header comment).
    """
    end = start + dt.timedelta(days=7 * weeks - 1)
    extra_roles = [r for r in roles if r not in ("primary", "secondary")]
    rest = _min_rest(len(people_ids))
    lines = [
        f"# Starter scenario written by `rota init` from {source}. Next:",
        "#   rota check THIS_FILE            # validate; exit 3 when a role cannot be filled",
        "#   rota solve THIS_FILE --out out  # plan; out/assignments.csv",
        "# Every field: the scenario reference in the docs (or `rota schema`).",
        f"team: {_yaml_str(team)}",
        f"timezone: {timezone}                  # IANA zone the shift times are read in",
        f"start: {start.isoformat()}",
        f"end: {end.isoformat()}                    # {weeks} weeks",
        "",
        "shifts:",
        "  - name: week",
        '    repeat: weekly                   # or daily (then starts: "09:00")',
        '    starts: "mon 10:00"',
        "    length: 7d",
        "    roles:",
        "      - {name: primary, count: 1}    # add skills: [infra] to require a skill",
        "      - {name: secondary, count: 1}",
    ]
    lines += [f"      - {{name: {r}, count: 1}}" for r in extra_roles]
    if skills:
        lines.append(f"    # crew_skills: [{', '.join(skills)}]   # skills each crew must cover between them")
    lines.append("")
    if people_ref is not None:
        lines.append(
            f"people: {people_ref}   # columns: id, name, email, skills (a;b), country, subdivision, fte, roles"
        )
    else:
        lines.append("people:                             # add name, email, skills, country, fte, roles")
        lines += [f"  - {{id: {_yaml_str(pid)}}}" for pid in people_ids]
    lines += [
        "",
        "# time_off:                          # inline entries, or an HR export:",
        "#   file: absences.csv",
        "#   columns: {person: Employee, from: Start, to: End, type: Absence Type}",
        "#   unknown_people: warn             # skip rows of people outside the team",
        "#   entries:",
        f"#     - {{person: {people_ids[0] if people_ids else 'someone'}, from: {start.isoformat()}, "
        f"to: {(start + dt.timedelta(days=4)).isoformat()}}}",
        "",
        "rules:",
    ]
    if rest:
        lines.append(f"  min_rest: {rest}                     # after a shift, at least this long off")
    lines += [
        "  # max_weekends: 4",
        "  # max_shifts: [{count: 2, within: 42d}]",
        "  holidays: {mode: avoid, soft: true, weight: 20}   # people's country holidays (country: DE)",
        "",
        "fairness: {load: 1, weekends: 10, holidays: 10}",
        "solver: {time_limit: 30, seed: 0}",
        "",
    ]
    return "\n".join(lines)


@main.command("init")
@click.argument("people", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("scenario.yaml"),
    show_default=True,
    help="The scenario file to write (never overwritten).",
)
@click.option("--team", help="Team name (default: the folder's name, or asked).")
@click.option("--timezone", "tz", help="IANA time zone of the shift times (default Europe/Berlin, or asked).")
@click.option("--start", type=click.DateTime(["%Y-%m-%d"]), help="First day (default: next Monday).")
@click.option("--weeks", type=click.IntRange(1, 156), default=13, show_default=True, help="Length of the plan.")
def init_cmd(
    people: Path | None, out: Path, team: str | None, tz: str | None, start: dt.datetime | None, weeks: int
) -> None:
    """Write a commented starter scenario for the people in PEOPLE (a CSV with an id
    column), or ask for team, zone and people when no file is given. The result passes
    rota check; edit shifts, skills and rules from there."""
    if out.exists():
        raise InputError.single("exists already; rota init never overwrites (choose --out)", str(out))
    interactive = people is None
    if people is not None:
        refuse_overwrite([out], [people])
        table = read_csv_table(people, "people", ["id"])
        if "id" not in table.header:
            raise InputError.single(
                f"missing column id (the file has: {', '.join(table.header)})", table.file, 1, "header row"
            )
        ids = [row.get("id", "") for row in table.rows if row.get("id")]
        skills = sorted({k.strip() for row in table.rows for k in row.get("skills", "").split(";") if k.strip()})
        roles = sorted({k.strip() for row in table.rows for k in row.get("roles", "").split(";") if k.strip()})
        ref: str | None = Path(os.path.relpath(people.resolve(), out.resolve().parent)).as_posix()
        source = people.name
    else:
        text = click.prompt("People on the rotation (ids, comma-separated)")
        ids = [t.strip() for t in text.split(",") if t.strip()]
        skills, roles, ref, source = [], [], None, "answers to rota init"
    if not ids:
        raise InputError.single("no people given (a people CSV needs an id column with one row per person)")
    if team is None:
        default = out.resolve().parent.name or "team"
        team = click.prompt("Team name", default=default) if interactive else default
    if tz is None:
        tz = click.prompt("Time zone (IANA)", default="Europe/Berlin") if interactive else "Europe/Berlin"
    first = start.date() if start else _next_monday(dt.date.today())
    text = starter_scenario(
        team=team,
        timezone=tz,
        start=first,
        weeks=weeks,
        people_ref=ref,
        people_ids=ids,
        skills=skills,
        roles=roles,
        source=source,
    ).replace("THIS_FILE", out.name)
    trial = out.resolve().parent / f".{out.name}.init-check.yaml"
    atomic_write_text(trial, text)
    try:
        load_scenario(trial)
    except InputError as e:  # a bug of the template, or a people file check refuses: name the file we write
        fixed = [dataclasses.replace(p, file=str(out)) if p.file == str(trial) else p for p in e.problems]
        raise InputError(fixed) from None
    finally:
        trial.unlink(missing_ok=True)
    atomic_write_text(out, text)
    click.echo(
        f"wrote {out}: {len(ids)} people, weekly primary/secondary, {first} .. "
        f"{first + dt.timedelta(days=7 * weeks - 1)}"
    )
    click.echo(f"next: rota check {out}")
