"""Field types shared by the scenario models: durations, zones, names, weights, the frozen base."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import (
    AfterValidator,
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


# The longest duration a scenario may state (rest, windows, shift lengths, ack timeouts):
# ten years, far beyond the three-year horizon, and exact in the model's integer seconds.
MAX_DURATION = dt.timedelta(days=3660)


def _short(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


def parse_duration(value: Any) -> dt.timedelta:
    """Parse ``7d``, ``12h``, ``1d12h``, ``90m`` (or a timedelta) into a timedelta.

    Raises
    ------
    ValueError
        Not a duration, or longer than :data:`MAX_DURATION` (3660 days).
    """
    if isinstance(value, dt.timedelta):
        td = value
    else:
        if not isinstance(value, str) or len(value) > 40:
            raise ValueError(f"expected a duration like 7d, 12h, 1d12h or 90m, got {_short(value)}")
        m = _DURATION_RE.match(value)
        if not m or not any(m.groups()):
            raise ValueError(f"expected a duration like 7d, 12h, 1d12h or 90m, got {_short(value)}")
        d, h, mins = (int(g) if g else 0 for g in m.groups())
        if (d * 24 + h) * 60 + mins > MAX_DURATION // dt.timedelta(minutes=1):
            raise ValueError(f"duration {_short(value)} is longer than the limit of {MAX_DURATION.days}d")
        td = dt.timedelta(days=d, hours=h, minutes=mins)
    if abs(td) > MAX_DURATION:
        raise ValueError(f"duration {format_duration(td)} is longer than the limit of {MAX_DURATION.days}d")
    return td


def format_duration(td: dt.timedelta) -> str:
    """Inverse of :func:`parse_duration` (``1d12h``)."""
    total = int(td.total_seconds()) // 60
    d, rest = divmod(total, 24 * 60)
    h, m = divmod(rest, 60)
    out = (f"{d}d" if d else "") + (f"{h}h" if h else "") + (f"{m}m" if m else "")
    return out or "0m"


# JSON Schema patterns for durations (optimizer/schema.py): what parse_duration accepts
# (at least one number), and the positive ones (at least one non-zero digit).
DURATION_PATTERN = r"^\s*(?=[^0-9]*[0-9])(?:[0-9]+\s*d)?\s*(?:[0-9]+\s*h)?\s*(?:[0-9]+\s*m)?\s*$"
POSITIVE_DURATION_PATTERN = "^(?=[^1-9]*[1-9])" + DURATION_PATTERN[1:]

Duration = Annotated[
    dt.timedelta,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema(
        {"type": "string", "pattern": DURATION_PATTERN, "maxLength": 40, "examples": ["7d", "12h", "1d12h", "90m"]}
    ),
]


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones()) | {"UTC"}


_ZONE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+){0,3}$")


def _check_zone(value: Any) -> str:
    """An IANA zone name, checked against the list of zones (never by opening a path made from the name)."""
    if not isinstance(value, str):
        raise ValueError(f"expected an IANA time zone name such as Europe/Berlin, got {_short(value)}")
    if len(value) > 64 or not _ZONE_NAME.match(value) or value not in _zone_names():
        raise ValueError(f"unknown time zone {_short(value)} (use an IANA name such as Europe/Berlin)")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"unknown time zone {_short(value)} (use an IANA name such as Europe/Berlin)") from None
    return value


TimeZone = Annotated[
    str,
    BeforeValidator(_check_zone),
    # optimizer/schema.py turns the format into the enum of zoneinfo's zone names
    WithJsonSchema({"type": "string", "format": "iana-time-zone", "description": "IANA time zone, e.g. Europe/Berlin"}),
]


def _split_list(value: Any) -> Any:
    """Accept ``a;b`` (CSV cells) as well as lists."""
    if isinstance(value, str):
        return tuple(s.strip() for s in value.split(";") if s.strip())
    return value


Names = Annotated[tuple[str, ...], BeforeValidator(_split_list, json_schema_input_type=tuple[str, ...] | str)]

# Weights (objective and load weights) are kept to 2 decimals so that every term is an
# exact integer inside the solver (see optimizer/units.py).
Weight = Annotated[float, Field(ge=0, le=1_000_000, multiple_of=0.01)]


# Upper bounds of counts (shifts, days, weekends) and of hours/load figures: far above any
# rotation, and small enough that every sum the model forms stays exact in 64-bit integers.
MAX_COUNT = 100_000
MAX_HOURS = 1_000_000.0

# Dates a scenario may use (horizon, time off, holidays, requests): every instant of them,
# plus a day on either side, is an exact epoch second in every zone.
MIN_DATE = dt.date(1971, 1, 1)
MAX_DATE = dt.date(2199, 12, 31)


def _check_date(value: dt.date) -> dt.date:
    if not MIN_DATE <= value <= MAX_DATE:
        raise ValueError(f"date {value} is outside the supported range {MIN_DATE} .. {MAX_DATE}")
    return value


Date = Annotated[dt.date, AfterValidator(_check_date)]

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _check_label(value: Any) -> Any:
    if isinstance(value, str):
        if len(value) > 200:
            raise ValueError(f"{_short(value)} is longer than 200 characters")
        if _CONTROL.search(value):
            raise ValueError(f"{_short(value)} contains a control character (line break, tab, escape ...)")
    return value


# Ids and names that end up in CSV cells, calendar lines and file names: one line, <= 200 characters.
Label = Annotated[
    str,
    AfterValidator(_check_label),
    Field(json_schema_extra={"maxLength": 200, "not": {"pattern": _CONTROL.pattern}}),
]

_ADDR_PART = r"[^\s@<>()\[\],;:\"\\\x00-\x1f\x7f]+"
_EMAIL = re.compile(rf"^{_ADDR_PART}@{_ADDR_PART}$")


def _check_email(value: Any) -> Any:
    if isinstance(value, str) and (len(value) > 254 or not _EMAIL.fullmatch(value)):
        raise ValueError(f"not an e-mail address: {_short(value)} (expected name@example.com, one line)")
    return value


Email = Annotated[
    str,
    AfterValidator(_check_email),
    # (?![\s\S]) ends the pattern like \Z in Python and in ECMA-262 alike
    WithJsonSchema(
        {"type": "string", "format": "email", "maxLength": 254, "pattern": _EMAIL.pattern[:-1] + r"(?![\s\S])"}
    ),
]


class Frozen(BaseModel):
    # allow_inf_nan=False: no .inf or .nan anywhere (every number must be exact in the model)
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, allow_inf_nan=False)




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
