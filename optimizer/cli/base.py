"""The root command group, shared arguments and option parsers of the ``rota`` CLI."""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import signal
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

import click

from ..errors import EXIT_INPUT, EXIT_INTERRUPTED, InputError
from ..inputs import ALLOWED_DIRS
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


class RotaGroup(click.Group):
    """Turns :class:`InputError` into a clear message and exit code 2 (never a traceback);
    an interruption before any schedule exists exits 130; SIGTERM behaves like Ctrl-C;
    rota's warnings are one-line messages (:func:`rota_warnings`)."""

    def invoke(self, ctx: click.Context) -> Any:
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
