"""``rota export``: write a schedule as CSV, an Excel workbook, iCalendar, paging-tool override
bodies, or the escalation chain as paging-tool escalation-policy bodies."""

from __future__ import annotations

from pathlib import Path

import click

from ..exports import (
    CSV_FORMATS,
    ESCALATION_FORMATS,
    FORMATS,
    json_text,
    opsgenie_bodies,
    opsgenie_escalation_bodies,
    pagerduty_body,
    pagerduty_escalation_bodies,
    person_calendar_names,
    read_mapping,
    select,
    write_csv,
    write_ics,
    write_xlsx,
)
from ..files import atomic_write_text, check_writable_dir, check_writable_file, refuse_overwrite
from ..loading import load_scenario_files
from ..problem import Problem
from ..tables import DATE_FORMATS
from .base import ASSIGNMENTS, SCENARIO, main, parse_moment, read_schedule_file


def _date_format(_ctx, _param, value: str | None) -> str | None:
    from ..tables import check_date_format

    if value is None:
        return None
    try:
        return check_date_format(value)
    except ValueError as e:
        raise click.BadParameter(str(e)) from None


@main.command("export")
@SCENARIO
@ASSIGNMENTS
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    required=True,
    help="csv (one row per person and shift), csv-wide (one row per shift), csv-summary "
    "(per person, for payroll), xlsx (a workbook: roster, assignments, summary; typed cells), "
    "ics (iCalendar), pagerduty or opsgenie (override bodies), "
    "pagerduty-escalation or opsgenie-escalation (escalation-policy bodies per shift and "
    "severity).",
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Output file (for ics: the team calendar)."
)
@click.option("--utc", is_flag=True, help="Times in UTC instead of each shift's own zone.")
@click.option("--excel", is_flag=True, help="CSV: add a UTF-8 byte-order mark so Excel shows every script.")
@click.option(
    "--per-person",
    type=click.Path(file_okay=False, path_type=Path),
    help="ics: also write one calendar per person (<person id>.ics) into this directory.",
)
@click.option(
    "--mapping",
    type=click.Path(dir_okay=False, path_type=Path),
    help="pagerduty/opsgenie: CSV or YAML file from person id to the tool's user id or e-mail.",
)
@click.option(
    "--role", "roles", multiple=True, help="Only this role (repeatable); e.g. one PagerDuty schedule per role."
)
@click.option("--shift", "shifts", multiple=True, help="Only this shift pattern (repeatable).")
@click.option(
    "--rotations", is_flag=True, help="opsgenie: target the rotation named like each role (so roles may overlap)."
)
@click.option(
    "--severity", "severities", multiple=True, help="*-escalation: only this severity (repeatable; default all)."
)
@click.option(
    "--at",
    "at",
    metavar="DATETIME",
    help="*-escalation: only the shifts running at this moment (2027-02-03T12:00 in the team "
    "zone, with an offset, or 'now'): the policy to PUT at a handover.",
)
@click.option(
    "--date-format",
    callback=_date_format,
    metavar="|".join(DATE_FORMATS),
    help="How to read DD/MM vs MM/DD dates in the CSV inputs (default: auto, refuses ambiguous dates).",
)
def export_cmd(
    scenario: Path,
    assignments: Path,
    fmt: str,
    out: Path | None,
    utc: bool,
    excel: bool,
    per_person: Path | None,
    mapping: Path | None,
    roles: tuple[str, ...],
    shifts: tuple[str, ...],
    rotations: bool,
    severities: tuple[str, ...],
    at: str | None,
    date_format: str | None,
) -> None:
    """Export the schedule ASSIGNMENTS of SCENARIO for HR, calendars or paging tools.

    ASSIGNMENTS is a schedule CSV (rota's assignments.csv, a csv-wide export or a
    hand-made shift/start/person file). Inputs are never overwritten; every file is
    written atomically and every CSV cell is safe from spreadsheet formula injection.
    """
    if excel and fmt not in CSV_FORMATS:
        raise click.UsageError("--excel applies to the CSV formats only")
    if per_person is not None and fmt != "ics":
        raise click.UsageError("--per-person applies to --format ics only")
    if rotations and fmt != "opsgenie":
        raise click.UsageError("--rotations applies to --format opsgenie only")
    paging = ("pagerduty", "opsgenie", *ESCALATION_FORMATS)
    if mapping is not None and fmt not in paging:
        raise click.UsageError("--mapping applies to the pagerduty and opsgenie formats only")
    if (severities or at) and fmt not in ESCALATION_FORMATS:
        raise click.UsageError("--severity and --at apply to the *-escalation formats only")
    moment = None
    if at is not None:
        try:
            moment = parse_moment(at)
        except ValueError as e:
            raise click.BadParameter(str(e), param_hint="'--at'") from None
    if fmt in paging and mapping is None:
        raise click.UsageError(f"--format {fmt} needs --mapping FILE (person id -> {fmt} user)")
    if out is None and not (fmt == "ics" and per_person is not None):
        raise click.UsageError("--out PATH is required" + (" (or --per-person DIR)" if fmt == "ics" else ""))

    sc, inputs = load_scenario_files(scenario, date_format)
    inputs = [*inputs, assignments] + ([mapping] if mapping else [])
    prob = Problem(sc)
    # rows matching no shift stop the export (exit 2) rather than being dropped
    schedule = read_schedule_file(prob, assignments, date_format=date_format)
    whole = schedule
    schedule = select(schedule, roles, shifts)
    outputs = [out] if out else []
    if per_person is not None:
        outputs += [per_person / name for name in person_calendar_names(schedule)]
    refuse_overwrite(outputs, inputs)
    if out is not None:
        check_writable_file(out)
    if per_person is not None:
        check_writable_dir(per_person, "--per-person")

    n = len(schedule.assignments)
    if fmt in CSV_FORMATS:
        assert out is not None  # --out is required for every format but ics (checked above)
        write_csv(schedule, out, fmt, utc=utc, excel=excel)
        click.echo(f"wrote {out} ({fmt}, {n} assignments)")
    elif fmt == "xlsx":
        assert out is not None
        write_xlsx(schedule, out, utc=utc)
        click.echo(f"wrote {out} (xlsx: sheets Roster, Assignments, Summary; {n} assignments)")
    elif fmt == "ics":
        written = write_ics(schedule, out, per_person, utc=utc, chain_from=whole)
        parts = [str(out)] if out else []
        if per_person is not None:
            parts.append(f"{len(written) - len(parts)} personal calendars in {per_person}")
        click.echo(f"wrote {' and '.join(parts)} ({n} events)")
    elif fmt in ESCALATION_FORMATS:
        assert out is not None and mapping is not None  # both required for paging formats (checked above)
        users = read_mapping(mapping)
        make = pagerduty_escalation_bodies if fmt == "pagerduty-escalation" else opsgenie_escalation_bodies
        bodies = make(whole, users, severities=severities, at=moment, utc=utc, shifts=shifts)
        atomic_write_text(out, json_text(bodies))
        endpoint = (
            "POST https://api.pagerduty.com/escalation_policies"
            if fmt == "pagerduty-escalation"
            else "POST https://api.opsgenie.com/v2/escalations"
        )
        click.echo(
            f"wrote {out}: {len(bodies)} escalation {'body' if len(bodies) == 1 else 'bodies'} "
            f"(one per shift and severity; each 'body' for {endpoint})"
        )
    else:
        assert out is not None and mapping is not None
        users = read_mapping(mapping)
        if fmt == "pagerduty":
            body = pagerduty_body(schedule, users, utc=utc)
            atomic_write_text(out, json_text(body))
            click.echo(
                f"wrote {out}: {len(body['overrides'])} override{'' if len(body['overrides']) == 1 else 's'} for "
                "POST https://api.pagerduty.com/schedules/{id}/overrides"
            )
        else:
            bodies = opsgenie_bodies(schedule, users, utc=utc, rotations=rotations)
            atomic_write_text(out, json_text(bodies))
            click.echo(
                f"wrote {out}: {len(bodies)} override {'body' if len(bodies) == 1 else 'bodies'}, one per "
                "POST https://api.opsgenie.com/v2/schedules/{id}/overrides"
            )
    click.get_current_context().exit(0)
