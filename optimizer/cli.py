"""The ``rota`` command line: a thin layer over the Python API.

Exit codes: 0 ok, 1 verify found violations, 2 invalid input, 3 proven infeasible,
4 no schedule within the time limit.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .errors import EXIT_INFEASIBLE, EXIT_INPUT, EXIT_NO_SOLUTION, EXIT_OK, EXIT_VIOLATIONS, InputError
from .files import atomic_write_text, write_frame
from .loading import load_scenario
from .problem import Problem
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
        line = (f"  {ev.elapsed:7.1f}s  schedule #{ev.solutions:<3d} objective {ev.objective:12,.2f}"
                f"  bound {ev.bound:12,.2f}{gap}")
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
@click.option("--time-limit", type=float, help="Seconds (deterministic seconds unless --fast).")
@click.option("--seed", type=int, help="Random seed of the search.")
@click.option("--workers", type=int, help="Search workers (threads).")
@click.option("--fast", is_flag=True, help="Wall-clock limit and parallel portfolio: faster, not reproducible.")
@click.option("--quiet", "-q", is_flag=True, help="No live progress.")
@click.option("--log", is_flag=True, help="Print CP-SAT's own search log.")
def solve_cmd(scenario: Path, out_dir: Path, time_limit, seed, workers, fast, quiet, log) -> None:
    """Plan the rotation for SCENARIO and write the schedule CSVs."""
    sc = load_scenario(scenario)
    ticker = _Ticker(quiet)
    if not quiet:
        prob = Problem(sc)
        slots = sum(r.count for inst in prob.instances for r in inst.roles)
        click.echo(f"{sc.team}: {len(sc.people)} people, {len(prob.instances)} shifts, {slots} slots "
                   f"({sc.start} .. {sc.end}); Ctrl-C stops and keeps the best schedule", err=True)
    result = solve(sc, time_limit=time_limit, seed=seed, workers=workers,
                   deterministic=False if fast else None, progress=ticker, log=log)
    ticker.done()
    ctx = click.get_current_context()
    if result.status == Status.INFEASIBLE:
        click.echo("INFEASIBLE: no schedule satisfies every hard rule (proven).")
        click.echo("Run `rota check` for the capacity per role and skill; relax a rule or add people.")
        ctx.exit(EXIT_INFEASIBLE)
    if not result.status.has_schedule:
        click.echo(f"No schedule found ({result.status.value}) within the time limit "
                   f"({result.wall_time:.1f}s). Try a longer --time-limit.")
        ctx.exit(EXIT_NO_SOLUTION)
    write_frame(out_dir / "assignments.csv", result.assignments)
    write_frame(out_dir / "people.csv", result.people)
    _summary(result, out_dir)
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
    people = result.people
    cols = ["person_id", "shifts", "hours", "weekends", "holidays", "load", "target_load"]
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
    for w in capacity_warnings(prob):
        click.echo(f"warning: {w}")


def capacity_warnings(prob: Problem) -> list[str]:
    """Cheap arithmetic: is the pool big enough for the slots under the caps?"""
    out = []
    sc = prob.scenario
    for pat in sc.shifts:
        insts = [i for i in prob.instances if i.shift == pat.name]
        for r, role in enumerate(pat.roles):
            able = [p for p in range(len(prob.people))
                    if any(prob.qualified(p, i.index, r) for i in insts)]
            need = role.count
            if len(able) < need:
                out.append(f"shift {pat.name} role {role.name}: needs {need} people, "
                           f"only {len(able)} qualify")
    rest = sc.rules.min_rest
    if rest is not None and not rest.soft and prob.instances:
        # a person can take at most one shift per (length + rest) for each pattern
        for pat in sc.shifts:
            insts = [i for i in prob.instances if i.shift == pat.name]
            per_person = 0
            last_end = None
            for i in insts:
                if last_end is None or i.start >= last_end:
                    per_person += 1
                    last_end = i.end + int(rest.duration.total_seconds())
            slots = sum(r.count for r in pat.roles) * len(insts)
            able = len(prob.pool)
            if able * per_person < slots:
                out.append(f"shift {pat.name}: {slots} slots, {able} people, min_rest lets each take at "
                           f"most {per_person} -> short by {slots - able * per_person}")
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
