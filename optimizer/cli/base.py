"""The root command group, shared arguments and option parsers of the ``rota`` CLI."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import math
import os
import signal
import sys
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

import click

from ..errors import EXIT_BROKEN_PIPE, EXIT_INPUT, EXIT_INTERRUPTED, InputError, InputProblem
from ..inputs import ALLOWED_DIRS, excerpt
from ..problem import Problem
from ..schedule import Schedule, Unmatched, read_schedule
from ..timeoff_import import TimeOffWarning


def _terminate(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt  # SIGTERM takes the Ctrl-C path: a running solve keeps its best schedule


@contextlib.contextmanager
def sigterm_as_ctrl_c() -> Iterator[None]:
    """Within the block, SIGTERM (``kill``, CI runners) raises KeyboardInterrupt like Ctrl-C."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def rota_warnings() -> Iterator[None]:
    """Within the block, rota's own warnings (time off skipped from an HR export) are one
    line on stderr, ``warning: ...`` as ``rota check`` prints them, every time; any other
    warning is shown as before."""
    with warnings.catch_warnings():
        previous = warnings.showwarning

        def show(
            message: Warning | str,
            category: type[Warning],
            filename: str,
            lineno: int,
            file: TextIO | None = None,
            line: str | None = None,
        ) -> None:
            if issubclass(category, TimeOffWarning):
                click.echo(f"warning: {message}", err=True)
            else:
                previous(message, category, filename, lineno, file, line)

        warnings.simplefilter("always", TimeOffWarning)
        warnings.showwarning = show
        yield


def is_broken_pipe(e: BaseException) -> bool:
    """The reader of our stdout or stderr went away (``| head``): EPIPE, not a problem of an input."""
    return isinstance(e, BrokenPipeError) or (isinstance(e, OSError) and e.errno == errno.EPIPE)


def silence_stdout() -> None:
    """Point stdout's file descriptor at ``os.devnull`` so that Python's flush at exit does not
    fail a second time on the closed pipe (the Python docs' recipe, signal module, "Note on
    SIGPIPE"). A stdout without a descriptor (click's CliRunner) is left alone."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # no stdout, no descriptor, or already closed
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


class RotaGroup(click.Group):
    """Turns :class:`InputError` into a clear message and exit code 2 (never a traceback);
    an interruption before any schedule exists exits 130; SIGTERM behaves like Ctrl-C;
    rota's warnings are one-line messages (:func:`rota_warnings`); a closed stdout
    (``| head``) exits 141 silently (:data:`EXIT_BROKEN_PIPE`)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            try:
                return self._invoke_reporting(ctx)
            finally:
                # buffered output meets a closed pipe here, not in Python's flush at exit
                if sys.stdout is not None:
                    sys.stdout.flush()
        except OSError as e:
            if not is_broken_pipe(e):
                raise
            silence_stdout()
            ctx.exit(EXIT_BROKEN_PIPE)

    def _invoke_reporting(self, ctx: click.Context) -> Any:
        try:
            with sigterm_as_ctrl_c(), rota_warnings():
                return super().invoke(ctx)
        except InputError as e:
            click.echo("error: invalid input", err=True)
            for p in e.problems:
                click.echo(f"  {p}", err=True)
            ctx.exit(EXIT_INPUT)
        except KeyboardInterrupt:
            click.echo("\ninterrupted: nothing written", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except OSError as e:  # writing an output failed after the checks (disk full, removed folder)
            if is_broken_pipe(e):
                raise  # the reader of stdout left: not an input error (see invoke)
            where = f" {e.filename}" if e.filename else ""
            click.echo(f"error: cannot write{where}: {e.strerror or e}", err=True)
            ctx.exit(EXIT_INPUT)


@click.group(cls=RotaGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="rota")
@click.option(
    "--allow-dir",
    "allow_dirs",
    multiple=True,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Let scenarios name side files (people, time off) in this folder too; by default they must "
    "lie inside the scenario's own folder. Repeatable.",
)
def main(allow_dirs: tuple[Path, ...] = ()) -> None:
    """rota: on-call rotations that are correct by construction and fair."""
    ALLOWED_DIRS.set(tuple(d.resolve() for d in allow_dirs))


class FiniteFloat(click.FloatRange):
    """A float option that must be finite (``nan`` and ``inf`` are refused) and within a range."""

    name = "finite float"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        rv = super().convert(value, param, ctx)
        if not math.isfinite(rv):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return rv


SCENARIO = click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
ASSIGNMENTS = click.argument("assignments", type=click.Path(dir_okay=False, path_type=Path))


SHOWN_UNMATCHED = 10  # rows listed one by one when a schedule has rows that fit no shift (the rest counted)


def read_schedule_file(problem: Problem, path: Path, date_format: str | None = None) -> Schedule:
    """:func:`~optimizer.schedule.read_schedule` for a command: a row that names no shift
    pattern, a start where no instance of its shift starts, a role its shift does not have,
    or an assignment already on an earlier line is malformed input, so it raises
    :class:`InputError` (exit 2) naming the file, the line and the column, like an unknown
    person or an unreadable start. ``verify``, ``report``, ``export``, ``diff``, ``explain``,
    ``swap`` and ``simulate`` read their schedules through here, so they refuse the same
    files with the same words. (The Python API keeps such rows in
    ``Schedule.unmatched`` and its evaluation reports them as coverage violations.)"""
    schedule = read_schedule(problem, path, date_format=date_format)
    if schedule.unmatched:
        raise InputError(unmatched_problems(schedule, schedule.source or str(path)))
    return schedule


def unmatched_problems(schedule: Schedule, file: str) -> list[InputProblem]:
    """One problem per row of ``schedule.unmatched`` (the first :data:`SHOWN_UNMATCHED`), after
    a first one that counts them."""
    rows = schedule.unmatched
    n = len(rows)
    one = n == 1
    out = [InputProblem(
        f"{n} row{'' if one else 's'} of the schedule name{'s' if one else ''} a shift pattern, a start or a "
        f"role the scenario does not have, or repeat{'s' if one else ''} an earlier row; fix or remove "
        f"{'it' if one else 'them'}", file)]
    out += [_unmatched_problem(schedule.problem, u, file) for u in rows[:SHOWN_UNMATCHED]]
    if n > SHOWN_UNMATCHED:
        out.append(InputProblem(f"... and {n - SHOWN_UNMATCHED} more such row(s)", file))
    return out


def _unmatched_problem(problem: Problem, u: Unmatched, file: str) -> InputProblem:
    who = f"person {u.person}"
    if u.column == "shift":
        names = [s.name for s in problem.scenario.shifts]
        known = ", ".join(excerpt(n) for n in names[:10]) + (", ..." if len(names) > 10 else "")
        return InputProblem(
            f"no shift pattern named {excerpt(u.shift)} ({who}; the scenario has {known})", file, u.line,
            "column shift",
        )
    if u.column == "start":
        sc = problem.scenario
        return InputProblem(
            f"no instance of this shift starts then (shift {excerpt(u.shift)}, start {excerpt(u.start)}, {who}; "
            f"the scenario runs {sc.start} .. {sc.end}; a date names the instance starting that local day, "
            "a timestamp its exact start)",
            file, u.line, "column start",
        )
    if u.column == "role":
        return InputProblem(
            f"shift {excerpt(u.shift)} has no role {excerpt(u.value)} ({who}, start {excerpt(u.start)})",
            file, u.line, "role",
        )
    return InputProblem(f"{u.message} ({who}, shift {excerpt(u.shift)}, start {excerpt(u.start)})", file, u.line)


def parse_moment(text: str) -> dt.datetime:
    """``2027-02-03T12:00``, ``2027-02-03 12:00+01:00``, ``2027-02-03`` (midnight) or ``now``.

    Raises
    ------
    ValueError
        Anything else.
    """
    t = text.strip()
    if t.lower() == "now":
        return dt.datetime.now(dt.UTC)
    try:
        return dt.datetime.fromisoformat(t.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"expected a date and time like 2027-02-03T12:00 (team zone) or "
            f"2027-02-03T12:00+01:00, or 'now'; got {text!r}"
        ) from None


def moment_option(_ctx, _param, value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        return parse_moment(value)
    except ValueError as e:
        raise click.BadParameter(str(e)) from None
