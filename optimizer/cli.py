"""The ``rota`` command line: a thin layer over the Python API.

Exit codes: 0 ok, 1 verify found violations, 2 invalid input, 3 proven infeasible,
4 no schedule within the time limit.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from .errors import EXIT_INFEASIBLE, EXIT_INPUT, EXIT_NO_SOLUTION, EXIT_OK, EXIT_VIOLATIONS, InputError
from .explain import alternatives, capacity, explain_infeasible
from .files import atomic_write_text, refuse_overwrite, write_frame
from .loading import load_scenario, load_scenario_files
from .problem import Problem
from .replan import Baseline, compare
from .scenario import Scenario
from .schedule import read_schedule
from .solve import Progress, Result, Status, solve
from .verify import Evaluation, evaluate


class RotaGroup(click.Group):
    """Turns :class:`InputError` into a clear message and exit code 2 (never a traceback)."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except InputError as e:
            click.echo("error: invalid input", err=True)
            for p in e.problems:
                click.echo(f"  {p}", err=True)
            ctx.exit(EXIT_INPUT)


@click.group(cls=RotaGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="rota")
def main() -> None:
    """rota: on-call rotations that are correct by construction and fair."""


SCENARIO = click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
ASSIGNMENTS = click.argument("assignments", type=click.Path(dir_okay=False, path_type=Path))


# --------------------------------------------------------------------------- solve


class _Ticker:
    """Live progress on stderr: best objective, bound and elapsed time."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.last = 0.0

    def __call__(self, ev: Progress) -> None:
        if self.quiet:
            return
        gap = ""
        if ev.objective and ev.bound is not None:
            gap = f"  gap {max(0.0, (ev.objective - ev.bound) / abs(ev.objective)):6.1%}"
        bound = f"{ev.bound:12,.2f}" if ev.bound is not None else f"{'-':>12s}"
        which = f"schedule #{ev.solutions:<3d}" if ev.solutions else "constructed  "
        line = f"  {ev.elapsed:7.1f}s  {which} objective {ev.objective:12,.2f}  bound {bound}{gap}"
        if self.tty:
            click.echo("\r" + line, err=True, nl=False)
        else:
            click.echo(line, err=True)

    def done(self) -> None:
        if self.tty and not self.quiet:
            click.echo("", err=True)


@main.command("solve")
@SCENARIO
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
              show_default=True, help="Directory for assignments.csv and people.csv.")
@click.option("--time-limit", type=click.FloatRange(0, min_open=True),
              help="Seconds (deterministic seconds unless --fast).")
@click.option("--seed", type=click.IntRange(0), help="Random seed of the search.")
@click.option("--workers", type=click.IntRange(1, 64), help="Search workers (threads).")
@click.option("--fast", is_flag=True, help="Wall-clock limit and parallel portfolio: faster, not reproducible.")
@click.option("--lns", is_flag=True, default=None,
              help="Improve the first schedule by re-optimising windows of days and groups of people "
                   "(large rosters; no optimality proof). Default: solver.lns of the scenario.")
@click.option("--quiet", "-q", is_flag=True, help="No live progress.")
@click.option("--log", is_flag=True, help="Print CP-SAT's own search log.")
@click.option("--baseline", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Re-plan from this published assignments CSV, moving as little as possible.")
@click.option("--freeze-until", type=click.DateTime(["%Y-%m-%d"]),
              help="With --baseline: shifts starting before this date stay as they are.")
@click.option("--change-weight", type=click.FloatRange(0), default=50.0, show_default=True,
              help="With --baseline: points per moved assignment (doubled for the next weeks).")
@click.option("--report", "report", is_flag=True, help="Also write report.html and the charts into --out.")
@click.option("--svg", is_flag=True, help="With --report: also write the charts as SVG.")
def solve_cmd(scenario: Path, out_dir: Path, time_limit, seed, workers, fast, lns, quiet, log,
              baseline, freeze_until, change_weight, report, svg) -> None:
    """Plan the rotation for SCENARIO and write the schedule CSVs."""
    sc, inputs = load_scenario_files(scenario)
    refuse_overwrite([out_dir / "assignments.csv", out_dir / "people.csv"],
                     [*inputs, *([baseline] if baseline else [])])
    base_schedule = None
    if baseline is not None:
        base_schedule = read_schedule(Problem(sc), baseline)
    if freeze_until is not None and baseline is None:
        raise InputError.single("--freeze-until needs --baseline", field="--freeze-until")
    ticker = _Ticker(quiet)
    if not quiet:
        prob = Problem(sc)
        slots = sum(r.count for inst in prob.instances for r in inst.roles)
        click.echo(f"{sc.team}: {len(sc.people)} people, {len(prob.instances)} shifts, {slots} slots "
                   f"({sc.start} .. {sc.end}); Ctrl-C stops and keeps the best schedule", err=True)
    if fast and workers is None:
        workers = os.cpu_count() or 1  # the parallel portfolio on every core
    result = solve(sc, time_limit=time_limit, seed=seed, workers=workers,
                   deterministic=False if fast else None, progress=ticker, log=log,
                   baseline=base_schedule, freeze_until=freeze_until.date() if freeze_until else None,
                   change_weight=change_weight, lns=lns)
    ticker.done()
    ctx = click.get_current_context()
    if result.status == Status.INFEASIBLE:
        click.echo("INFEASIBLE: no schedule satisfies every hard rule (proven).")
        if not quiet:
            click.echo("Looking for the rules that conflict ...", err=True)
        problem = Problem(sc) if base_schedule is None else Problem(sc, baseline=Baseline.from_schedule(
            base_schedule, freeze_until.date() if freeze_until else None, change_weight))
        click.echo(explain_infeasible(problem, time_limit=min(25.0, max(5.0, time_limit or 25.0))).text())
        ctx.exit(EXIT_INFEASIBLE)
    if result.status == Status.MODEL_INVALID:
        raise InputError.single("CP-SAT rejected the model or the solver parameters (solver.params)",
                                str(scenario), field="solver")
    if not result.status.has_schedule:
        click.echo(f"No schedule found ({result.status.value}) within the time limit "
                   f"({result.wall_time:.1f}s). Try a longer --time-limit.")
        ctx.exit(EXIT_NO_SOLUTION)
    write_frame(out_dir / "assignments.csv", result.assignments)
    write_frame(out_dir / "people.csv", result.people)
    _summary(result, out_dir)
    if report:
        from .report import write_report

        files = write_report(result.schedule, out_dir, svg=svg, evaluation=result.evaluation, result=result)
        click.echo(f"wrote {files.html} and {len(files.png)} charts"
                   + (f", and {files.handbook}" if files.handbook else ""))
    if base_schedule is not None:
        click.echo("")
        click.echo(f"re-plan against {baseline}: {compare(base_schedule, result.schedule).text()}")
    ctx.exit(EXIT_OK)


def _summary(result: Result, out_dir: Path) -> None:
    status = result.status.value
    if result.interrupted:
        status += " (stopped early: not proven optimal)"
    click.echo(f"status     {status}")
    click.echo(f"objective  {result.objective:,.2f}    bound {result.bound:,.2f}    gap {result.gap:.2%}")
    click.echo(f"time       {result.wall_time:.1f}s (model built in {result.build_time:.2f}s)")
    if result.terms:
        click.echo("terms      " + ", ".join(f"{k} {v:,.2f}" for k, v in result.terms.items()))
    ev = result.evaluation
    if ev is not None and not ev.feasible:  # never expected: the evaluators disagree with the model
        click.echo(f"WARNING: verify finds {len(ev.violations)} hard violation(s) in this schedule", err=True)
    if ev is not None and result.solver_objective_internal != ev.cost:  # never expected either
        click.echo(f"WARNING: the solver's objective {result.objective} differs from the evaluators' "
                   f"{ev.objective}; please report this scenario", err=True)
    people = result.people
    cols = ["person_id", "shifts", "hours", "weekends", "holidays", "load", "target_load"]
    if ev is not None:
        pen = ev.by_person()
        pen = pen[pen.person != "(team)"].groupby("person")["points"].sum()
        people = people.assign(penalty=people.person_id.map(pen).fillna(0.0))
        cols.append("penalty")
    click.echo("")
    click.echo(people[cols].to_string(index=False))
    click.echo("")
    click.echo(f"wrote {out_dir / 'assignments.csv'} and {out_dir / 'people.csv'}")


# --------------------------------------------------------------------------- check


@main.command("check")
@SCENARIO
def check_cmd(scenario: Path) -> None:
    """Validate SCENARIO and show what it expands to, without solving."""
    sc = load_scenario(scenario)
    prob = Problem(sc)
    click.echo(f"{scenario}: valid")
    click.echo(f"team {sc.team}, zone {sc.timezone}, {sc.start} .. {sc.end}")
    click.echo(f"{len(sc.people)} people, {len(sc.time_off)} time-off entries, "
               f"{len(prob.pool)} can be on call")
    for pat in sc.shifts:
        insts = [i for i in prob.instances if i.shift == pat.name]
        roles = ", ".join(f"{r.count}x {r.name}" + (f" [{'+'.join(r.skills)}]" if r.skills else "")
                          for r in pat.roles)
        hours = sum(i.hours for i in insts)
        click.echo(f"  shift {pat.name}: {len(insts)} instances ({hours:g}h), roles {roles}"
                   + (f", crew covers {', '.join(pat.crew_skills)}" if pat.crew_skills else ""))
    slots = sum(r.count for inst in prob.instances for r in inst.roles)
    click.echo(f"{len(prob.instances)} shift instances, {slots} slots to fill")
    click.echo("capacity (slots against the most the eligible people can give under time off, rest, "
               "windows and caps):")
    for line in capacity(prob):
        click.echo(f"  {'SHORT ' if line.short else ''}{line}")
    for w in capacity_warnings(prob):
        click.echo(f"warning: {w}")
    # escalation policy and incident taxonomy (optimizer/escalation.py)
    if sc.escalation:
        from .escalation import escalation_warnings

        click.echo(f"escalation: {len(sc.escalation)} levels, severities "
                   f"{', '.join(sc.severities) or 'none'}, {len(sc.runbooks)} runbooks")
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
            out.append(f"the pool of {pool} must each be on call {load_share:.0%} of the time on average, "
                       f"above max_share {sc.rules.max_share.share:g}")
        if load_share > 0.25:
            out.append(f"each person is on call {load_share:.0%} of the time on average (SRE guidance: at most 25%)")
    if 0 < pool < 8:
        out.append(f"only {pool} people can be on call; SRE guidance is at least 8 for a single-site rotation")
    return out


# --------------------------------------------------------------------------- verify


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
        table = people_rows.pivot_table(index="person", columns="rule", values="points", aggfunc="sum",
                                        fill_value=0.0)
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


# --------------------------------------------------------------------------- explain


@main.command("explain")
@SCENARIO
@click.argument("assignments", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--shift", help="Shift pattern name of the slot to explain.")
@click.option("--start", "start", help="Start of the instance: a date (local) or an ISO timestamp.")
@click.option("--role", help="Role of the slot (default: the first role the person holds).")
@click.option("--person", help="The person holding the slot (default: everyone in it).")
@click.option("--time-limit", type=float, default=25.0, show_default=True,
              help="Budget of the conflict analysis (deterministic seconds).")
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
    schedule = read_schedule(prob, assignments)
    from .whatif import find_instance

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


# --------------------------------------------------------------------------- schema


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


if __name__ == "__main__":
    main()
# Commands contributed by feature modules register themselves on `main` when imported.
from . import escalation_cli, export_cli, report_cli, whatif_cli  # noqa: E402,F401
