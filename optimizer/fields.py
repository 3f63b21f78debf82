"""Field types shared by the scenario models: durations, zones, names, weights, the frozen base."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

_DURATION_RE = re.compile(r"^\s*(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m)?\s*$")


def parse_duration(value: Any) -> dt.timedelta:
    """Parse ``7d``, ``12h``, ``1d12h``, ``90m`` (or a timedelta) into a timedelta."""
    if isinstance(value, dt.timedelta):
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected a duration like 7d, 12h, 1d12h or 90m, got {value!r}")
    m = _DURATION_RE.match(value)
    if not m or not any(m.groups()):
        raise ValueError(f"expected a duration like 7d, 12h, 1d12h or 90m, got {value!r}")
    d, h, mins = (int(g) if g else 0 for g in m.groups())
    return dt.timedelta(days=d, hours=h, minutes=mins)


def format_duration(td: dt.timedelta) -> str:
    """Inverse of :func:`parse_duration` (``1d12h``)."""
    total = int(td.total_seconds()) // 60
    d, rest = divmod(total, 24 * 60)
    h, m = divmod(rest, 60)
    out = (f"{d}d" if d else "") + (f"{h}h" if h else "") + (f"{m}m" if m else "")
    return out or "0m"


Duration = Annotated[
    dt.timedelta,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^(\d+d)?(\d+h)?(\d+m)?$", "examples": ["7d", "12h"]}),
]


def _check_zone(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected an IANA time zone name such as Europe/Berlin, got {value!r}")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Europe/Berlin)") from None
    return value


TimeZone = Annotated[
    str,
    BeforeValidator(_check_zone),
    WithJsonSchema({"type": "string", "description": "IANA time zone, e.g. Europe/Berlin"}),
]


def _split_list(value: Any) -> Any:
    """Accept ``a;b`` (CSV cells) as well as lists."""
    if isinstance(value, str):
        return tuple(s.strip() for s in value.split(";") if s.strip())
    return value


Names = Annotated[tuple[str, ...], BeforeValidator(_split_list)]

# Weights (objective and load weights) are kept to 2 decimals so that every term is an
# exact integer inside the solver (see optimizer/units.py).
Weight = Annotated[float, Field(ge=0, le=1_000_000, multiple_of=0.01)]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)




class LocatedError(ValueError):
    """A ValueError that knows which field (path below the model) it is about."""

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc


def _unique(values: list[str], what: str, loc: tuple[str | int, ...]) -> None:
    seen: set[str] = set()
    for i, v in enumerate(values):
        if v in seen:
            raise LocatedError((*loc[:1], i, *loc[1:]), f"duplicate {what} {v!r}")
        seen.add(v)
