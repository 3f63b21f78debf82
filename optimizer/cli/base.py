"""The root command group, shared arguments and option parsers of the ``rota`` CLI."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ..errors import EXIT_INPUT, InputError


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
