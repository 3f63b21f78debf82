"""The Jinja2 environment of the report pages: templates from the package, autoescaping on,
and the number formats the pages share."""

from __future__ import annotations

import math
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def num(value: Any, digits: int = 2) -> str:
    """``1,234`` for whole numbers, ``1,234.50`` otherwise; empty for missing values."""
    if _missing(value):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) or (isinstance(value, float) and value == int(value) and abs(value) < 1e12):
        return f"{int(value):,}"
    return f"{value:,.{digits}f}"


def signed(value: Any) -> Markup:
    """``+12.5`` / ``-3`` coloured over (red) or under (blue); empty for missing values."""
    if _missing(value):
        return Markup("")
    text = f"{value:+,.2f}".rstrip("0").rstrip(".")
    cls = "over" if value > 0.005 else "under" if value < -0.005 else ""
    return Markup(f'<span class="{cls}">{escape(text)}</span>')


def text(value: Any) -> str:
    """The value as text; empty for missing values (None, NaN)."""
    return "" if _missing(value) else str(value)


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("optimizer.report", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["num"] = num
    env.filters["signed"] = signed
    env.filters["t"] = text
    env.globals["csp"] = CSP
    return env


def render(template: str, **context: Any) -> str:
    """Render ``templates/<template>`` with ``context``."""
    return environment().get_template(template).render(**context)
