"""``rota solve``: plan the rotation and write the schedule CSVs."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import EXIT_INFEASIBLE, EXIT_NO_SOLUTION, EXIT_OK, InputError
from ..explain import explain_infeasible
from ..fairshare import fair_shares
from ..files import check_writable_dir, refuse_overwrite, refuse_overwrite_in, write_frames
from ..loading import load_scenario_files
from ..problem import Problem
from ..replan import Baseline, compare
from ..report import write_report
from ..schedule import read_schedule
from ..solve import Progress, Result, Status, solve
from .base import SCENARIO, FiniteFloat, main


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
        if ev.phase == "balance":
            line = f"  {ev.elapsed:7.1f}s  balancing     off fair shares {ev.objective:9,.1f} h  bound {bound}"
        elif ev.phase == "canonical":
            return
        else:
            which = ("bound raised " if ev.phase == "bound" else f"schedule #{ev.solutions:<3d}" if ev.solutions
                     else "descent      " if ev.phase == "descent" else "constructed  ")
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
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out"),
    show_default=True,
    help="Directory for assignments.csv and people.csv.",
)
@click.option(
    "--time-limit",
    type=FiniteFloat(0, min_open=True),
    help="Seconds of wall time after the model is built, shared by every phase (default: solver.time_limit).",
)
@click.option("--seed", type=click.IntRange(0), help="Random seed of the search.")
@click.option("--workers", type=click.IntRange(1, 64), help="Search workers (threads; default: every core).")
@click.option(
    "--reproducible",
    is_flag=True,
    default=None,
    help="Byte-identical output for the same input and seed: phases limited by deterministic time "
    "(the wall limit still holds, with 5 s of grace). Default: solver.deterministic.",
)
@click.option("--fast", is_flag=True, hidden=True, help="Kept for old scripts: the default mode is the fast one.")
@click.option(
    "--lns/--no-lns",
    default=None,
    help="Improve the first schedule by re-optimising windows of days and groups of people "
    "(no optimality proof). Default: solver.lns of the scenario; unset, on above 60 000 "
    "candidate assignments.",
)
@click.option(
    "--quiet", "-q", is_flag=True, help="No live progress and no per-person table: the summary lines and the files."
)
@click.option("--log", is_flag=True, help="Print CP-SAT's own search log.")
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Re-plan from this published assignments CSV, moving as little as possible.",
)
@click.option(
    "--freeze-until",
    type=click.DateTime(["%Y-%m-%d"]),
    help="With --baseline: shifts starting before this date stay as they are.",
)
@click.option(
    "--change-weight",
    type=FiniteFloat(0),
    default=50.0,
    show_default=True,
    help="With --baseline: points per moved assignment (doubled for the next weeks).",
)
@click.option("--report", "report", is_flag=True, help="Also write report.html and the charts into --out.")
@click.option("--svg", is_flag=True, help="With --report: also write the charts as SVG.")
def solve_cmd(
    scenario: Path,
    out_dir: Path,
    time_limit,
    seed,
    workers,
    reproducible,
    fast,
    lns,
    quiet,
    log,
    baseline,
    freeze_until,
    change_weight,
    report,
    svg,
) -> None:
    """Plan the rotation for SCENARIO and write the schedule CSVs."""
    sc, inputs = load_scenario_files(scenario)
    all_inputs = [*inputs, *([baseline] if baseline else [])]
    refuse_overwrite([out_dir / "assignments.csv", out_dir / "people.csv"], all_inputs)
    if report:  # report.html, handbook.html and the charts land in --out too
        refuse_overwrite_in(out_dir, all_inputs, names=("report.html", "handbook.html"), suffixes=(".png", ".svg"))
    check_writable_dir(out_dir)  # before the solve, not after it: the schedule is never lost to a bad --out
    base_schedule = None
    if baseline is not None:
        base_schedule = read_schedule(Problem(sc), baseline)
    if freeze_until is not None and baseline is None:
        raise InputError.single("--freeze-until needs --baseline", field="--freeze-until")
    ticker = _Ticker(quiet)
    if not quiet:
        prob = Problem(sc)
        slots = sum(r.count for inst in prob.instances for r in inst.roles)
        click.echo(
            f"{sc.team}: {len(sc.people)} people, {len(prob.instances)} shifts, {slots} slots "
            f"({sc.start} .. {sc.end}); Ctrl-C stops and keeps the best schedule",
            err=True,
        )
    result = solve(
        sc,
        time_limit=time_limit,
        seed=seed,
        workers=workers,
        deterministic=False if fast else reproducible,
        progress=ticker,
        log=log,
        baseline=base_schedule,
        freeze_until=freeze_until.date() if freeze_until else None,
        change_weight=change_weight,
        lns=lns,
    )
    ticker.done()
    ctx = click.get_current_context()
    if result.status == Status.INFEASIBLE:
        click.echo("INFEASIBLE: no schedule satisfies every hard rule (proven).")
        if not quiet:
            click.echo("Looking for the rules that conflict ...", err=True)
        problem = (
            Problem(sc)
            if base_schedule is None
            else Problem(
                sc,
                baseline=Baseline.from_schedule(
                    base_schedule, freeze_until.date() if freeze_until else None, change_weight
                ),
            )
        )
        click.echo(explain_infeasible(problem, time_limit=min(25.0, max(5.0, time_limit or 25.0))).text())
        ctx.exit(EXIT_INFEASIBLE)
    if result.status == Status.MODEL_INVALID:
        raise InputError.single(
            "CP-SAT rejected the model or the solver parameters (solver.params)", str(scenario), field="solver"
        )
    if not result.status.has_schedule:
        click.echo(
            f"No schedule found ({result.status.value}) within the time limit "
            f"({result.wall_time:.1f}s). Try a longer --time-limit."
        )
        ctx.exit(EXIT_NO_SOLUTION)
    # the pair as one unit: a reader never sees a new assignments.csv beside an old or missing people.csv
    write_frames({out_dir / "assignments.csv": result.assignments, out_dir / "people.csv": result.people})
    _summary(result, out_dir, asked_reproducible=reproducible and not fast, quiet=quiet)
    if report:
        files = write_report(result.schedule, out_dir, svg=svg, evaluation=result.evaluation, result=result)  # type: ignore[arg-type]
        click.echo(
            f"wrote {files.html} and {len(files.png)} charts" + (f", and {files.handbook}" if files.handbook else "")
        )
    if base_schedule is not None:
        click.echo("")
        click.echo(f"re-plan against {baseline}: {compare(base_schedule, result.schedule).text()}")  # type: ignore[arg-type]
    ctx.exit(EXIT_OK)


def _summary(result: Result, out_dir: Path, asked_reproducible: bool = False, quiet: bool = False) -> None:
    status = result.status.value
    if result.interrupted:
        status += " (stopped early: not proven optimal)"
    click.echo(f"status     {status}")
    if result.bound is None:  # the search proved nothing (e.g. it ran out of time before its first step)
        click.echo(f"objective  {result.objective:,.2f}    bound unknown")
    else:
        click.echo(f"objective  {result.objective:,.2f}    bound {result.bound:,.2f}    gap {result.gap:.2%}")
    if result.model_size:
        click.echo(f"time       {result.wall_time:.1f}s (model built in {result.build_time:.2f}s)")
    else:  # the time left could not pay for the whole model: the schedule found before it
        click.echo(f"time       {result.wall_time:.1f}s (no time left to build the whole model: "
                   "the schedule found before it)")
    if result.balance is not None:
        proven = "proven minimal" if result.balance_optimal else "not proven minimal"
        click.echo(f"balance    {result.balance:,.1f} load-hours off the fair shares in total ({proven})")
    if result.reproducible:
        click.echo("           reproducible: the same input and seed give these files byte for byte")
    elif asked_reproducible:
        click.echo(
            "           not reproducible: the wall clock cut a phase before its deterministic budget "
            "(a loaded or slow machine, or Ctrl-C); a larger --time-limit leaves room"
        )
    elif result.status == Status.OPTIMAL and not result.interrupted:
        click.echo(
            "           not reproducible: balance or tie-break not proven in time (another run may "
            "pick another optimal schedule); a larger --time-limit or --reproducible repeats exactly"
        )
    if result.terms:
        click.echo("terms      " + ", ".join(f"{k} {v:,.2f}" for k, v in result.terms.items()))
    ev = result.evaluation
    if ev is not None and not ev.feasible:  # never expected: the evaluators disagree with the model
        click.echo(f"WARNING: verify finds {len(ev.violations)} hard violation(s) in this schedule", err=True)
    if ev is not None and result.solver_objective_internal != ev.cost:  # never expected either
        click.echo(
            f"WARNING: the solver's objective {result.objective} differs from the evaluators' "
            f"{ev.objective}; please report this scenario",
            err=True,
        )
    if not quiet:
        _people_table(result)
    click.echo(f"wrote {out_dir / 'assignments.csv'} and {out_dir / 'people.csv'}")


def _people_table(result: Result) -> None:
    ev = result.evaluation
    people = result.people
    cols = ["person_id", "shifts", "hours", "weekends", "holidays", "load", "fair_share"]
    if ev is not None:
        pen = ev.by_person()
        pen = pen[pen.person != "(team)"].groupby("person")["points"].sum()
        people = people.assign(penalty=people.person_id.map(pen).fillna(0.0))
        cols.append("penalty")
    click.echo("")
    click.echo(people[cols].to_string(index=False))
    if result.schedule is not None:
        for reason in fair_shares(result.schedule.problem).reasons:
            click.echo(f"why loads differ: {reason}")
    click.echo("")
