"""``rota schema``: print or write the scenario JSON Schema (for editors and CI)."""

from __future__ import annotations

from pathlib import Path

import click

from ..files import atomic_write_text
from ..schema import schema_text
from .base import main


@main.command("schema")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
def schema_cmd(out: Path | None) -> None:
    """Print the scenario JSON Schema (draft 2020-12), for editor validation and completion.

    It accepts what `rota check` accepts wherever JSON Schema can express it; references
    between sections (people, roles, shifts named elsewhere) are left to `rota check`.
    """
    text = schema_text()
    if out:
        atomic_write_text(out, text)
        click.echo(f"wrote {out}")
    else:
        click.echo(text, nl=False)
