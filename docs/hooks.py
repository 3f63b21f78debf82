"""MkDocs hooks: render the scenario reference from the schema at build time."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

_spec = importlib.util.spec_from_file_location("gen_reference", Path(__file__).with_name("gen_reference.py"))
assert _spec is not None and _spec.loader is not None
gen_reference = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen_reference)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """The reference page is always the schema's current text, whatever was committed."""
    if page.file.src_uri == "reference.md":
        return str(gen_reference.render())
    return markdown
