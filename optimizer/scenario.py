"""The scenario: what a team asks rota to plan.

A :class:`Scenario` is immutable (frozen pydantic model). Load one with
:func:`load_scenario` (YAML, with CSV side files for people and time off) or build
it in code; derive variants with :meth:`Scenario.replace` and the ``with_*`` helpers,
which return new, re-validated scenarios.
"""

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
    field_validator,
    model_validator,
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
        raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Europe/Berlin)")
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


# --------------------------------------------------------------------------- shifts


class RoleSpec(Frozen):
    """A role to fill on every instance of a shift pattern."""

    name: str = Field(min_length=1, description="Role name, e.g. primary")
    count: int = Field(1, ge=1, le=100, description="People needed in this role")
    skills: Names = Field((), description="A person must hold ALL of these skills")
    counts: dict[dt.date, Annotated[int, Field(ge=0, le=1000)]] = Field(
        default_factory=dict,
        description="Per-date overrides of `count`, keyed by the local start date of the "
        "instance (0 = nobody needed that day); default: `count` on every date",
    )
    under_weight: Weight | None = Field(
        None,
        description="Soft cover: points per person missing below the count. Setting this or "
        "`over_weight` makes the count a soft target (hard minimum 0); default: exact, hard",
    )
    over_weight: Weight | None = Field(
        None, description="Soft cover: points per person above the count (see `under_weight`)"
    )

    @property
    def soft(self) -> bool:
        """True when the count is a soft target (``under_weight`` or ``over_weight`` set)."""
        return self.under_weight is not None or self.over_weight is not None

    def count_on(self, day: dt.date) -> int:
        """People needed on the instance starting on local date ``day``."""
        return self.counts.get(day, self.count)


class ShiftPattern(Frozen):
    """A repeating shift; it expands to one instance per occurrence in the horizon."""

    name: str = Field(min_length=1)
    repeat: Literal["weekly", "daily"]
    starts: str = Field(description='weekly: "mon 10:00"; daily: "09:00"')
    length: Duration = Field(description="Wall-clock length: 7d, 12h, 1d12h, 90m")
    roles: tuple[RoleSpec, ...] = Field(min_length=1)
    crew_skills: Names = Field((), description="Skills the whole crew must cover together")
    days: tuple[Weekday, ...] | None = Field(None, description="daily only; default every day")
    timezone: TimeZone | None = Field(None, description="Zone of `starts`; default team zone")
    not_followed_by: Names = Field(
        (),
        description="Shift patterns a person may not work on the day after working this one "
        "(local start dates); hard. Default: no restriction",
    )

    @field_validator("starts")
    @classmethod
    def _starts_format(cls, v: str) -> str:
        if not re.match(r"^((mon|tue|wed|thu|fri|sat|sun)\s+)?([01]?\d|2[0-3]):[0-5]\d$", v.strip()):
            raise ValueError(f'expected "mon 10:00" (weekly) or "09:00" (daily), got {v!r}')
        return " ".join(v.split())

    @model_validator(mode="after")
    def _consistent(self) -> ShiftPattern:
        has_day = " " in self.starts
        if self.repeat == "weekly" and not has_day:
            raise ValueError(f'weekly shift "{self.name}": starts needs a weekday, e.g. "mon 10:00"')
        if self.repeat == "daily" and has_day:
            raise ValueError(f'daily shift "{self.name}": starts is a time of day like "09:00"')
        if self.days is not None and self.repeat != "daily":
            raise ValueError(f'shift "{self.name}": days applies to daily shifts only')
        if self.length <= dt.timedelta(0):
            raise ValueError(f'shift "{self.name}": length must be positive')
        names = [r.name for r in self.roles]
        if len(set(names)) != len(names):
            raise ValueError(f'shift "{self.name}": role names must be distinct')
        return self

    @property
    def start_weekday(self) -> int | None:
        return WEEKDAYS.index(self.starts.split()[0]) if " " in self.starts else None

    @property
    def start_time(self) -> dt.time:
        hh, mm = self.starts.split()[-1].split(":")
        return dt.time(int(hh), int(mm))


# --------------------------------------------------------------------------- people


class ShiftRequest(Frozen):
    """A soft wish of one person about one shift instance.

    ``on``: costs ``weight`` points unless the person works the instance of pattern
    ``shift`` that starts on local date ``date``; ``off``: costs ``weight`` if they do.
    """

    date: dt.date
    shift: str = Field(min_length=1, description="Shift pattern name")
    want: Literal["on", "off"] = Field(description="on: wants this shift; off: wants not to work it")
    weight: Weight = 1.0


class Person(Frozen):
    """Someone who can be on call."""

    id: str = Field(min_length=1)
    name: str | None = None
    email: str | None = None
    skills: Names = ()
    timezone: TimeZone | None = Field(None, description="Default: the team zone")
    roles: Names | None = Field(None, description="Roles this person may take; default any")
    fte: float = Field(1.0, gt=0, le=1.0, multiple_of=0.01, description="Share of a full-time load")
    history: float = Field(0.0, ge=0, description="Load carried over from earlier periods")
    country: str | None = Field(None, description="ISO country code for public holidays")
    subdivision: str | None = Field(None, description="State/province for public holidays")
    max_shifts: int | None = Field(None, ge=0, description="Cap on shifts over the horizon")
    max_hours: float | None = Field(None, ge=0, description="Cap on hours over the horizon")
    min_hours: float | None = Field(
        None, ge=0, description="At least this many hours over the horizon (hard or soft via "
        "rules.person_caps; soft costs weight per started hour short)"
    )
    max_shifts_by_type: dict[str, Annotated[int, Field(ge=0)]] = Field(
        default_factory=dict,
        description="Cap on shifts of each named pattern over the horizon (0 = never that "
        "pattern); hard or soft via rules.person_caps",
    )
    max_consecutive_days: int | None = Field(
        None, ge=1, description="At most this many calendar days on call in a row (own zone; "
        "days outside the horizon count as off); hard or soft via rules.person_caps"
    )
    min_consecutive_days: int | None = Field(
        None, ge=1, description="Every run of days on call is at least this long, except a run "
        "touching the first or last day of the horizon; always hard"
    )
    min_consecutive_days_off: int | None = Field(
        None, ge=1, description="Every run of days off is at least this long, except a run "
        "touching the first or last day of the horizon; always hard"
    )
    max_weekends: int | None = Field(
        None, ge=0, description="Own cap on weekends on call (a weekend counts if any shift "
        "touches its Saturday or Sunday, team zone); hard or soft via rules.person_caps"
    )
    shift_requests: tuple[ShiftRequest, ...] = Field(
        (), description="Soft wishes to work (on) or not work (off) a given shift on a given day"
    )

    @model_validator(mode="after")
    def _known_country(self) -> Person:
        if self.country is None:
            if self.subdivision is not None:
                raise LocatedError(("subdivision",), "subdivision needs a country")
            return self
        import holidays

        supported = holidays.list_supported_countries()
        if self.country not in supported:
            raise LocatedError(
                ("country",), f"unknown country {self.country!r} (ISO 3166 alpha-2 code, e.g. DE, US, SG)"
            )
        if self.subdivision is not None and self.subdivision not in supported[self.country]:
            raise LocatedError(
                ("subdivision",),
                f"unknown subdivision {self.subdivision!r} of {self.country} "
                f"(known: {', '.join(supported[self.country][:30])})",
            )
        return self

    @property
    def display_name(self) -> str:
        return self.name or self.id


def _blank_to_none(v: Any) -> Any:
    return None if v == "" else v


class TimeOff(Frozen):
    """Time off: hard (default), soft (``soft: true``) or a wish to be on call (``prefer``)."""

    person: str
    from_: dt.date = Field(alias="from")
    to: dt.date
    soft: bool = False
    prefer: bool = False
    weight: Weight = 1.0
    type: str | None = Field(None, description="Type from an HR export (vacation, sick, ...)")

    @model_validator(mode="after")
    def _order(self) -> TimeOff:
        if self.to < self.from_:
            raise ValueError(f"time off for {self.person}: 'to' ({self.to}) is before 'from' ({self.from_})")
        if self.soft and self.prefer:
            raise ValueError("time off entry cannot be both soft and prefer")
        return self

    @property
    def hard(self) -> bool:
        return not self.soft and not self.prefer


class Holiday(Frozen):
    date: dt.date
    name: str = "holiday"


def _holiday_item(v: Any) -> Any:
    if isinstance(v, (dt.date, str)):
        return {"date": v}
    return v


# --------------------------------------------------------------------------- rules


class Limit(Frozen):
    """Common to every rule: hard (default) or soft with a weight per unit of violation."""

    soft: bool = False
    weight: Weight = 1.0


def _shorthand(key: str):
    def f(v: Any) -> Any:
        if isinstance(v, (int, float, str)) and not isinstance(v, bool):
            return {key: v}
        return v

    return BeforeValidator(f)


class RestLimit(Limit):
    duration: Duration


class CountLimit(Limit):
    count: int = Field(ge=0)


class ShareLimit(Limit):
    share: float = Field(gt=0, le=1)


class Window(Limit):
    within: Duration

    @field_validator("within")
    @classmethod
    def _positive(cls, v: dt.timedelta) -> dt.timedelta:
        if v <= dt.timedelta(0):
            raise ValueError("within must be a positive duration, e.g. 7d")
        return v


class WindowShifts(Window):
    count: int = Field(ge=0)


class WindowHours(Window):
    hours: float = Field(ge=0)

class HolidayPolicy(Limit):
    mode: Literal["avoid", "weight"] = "weight"


class Rules(Frozen):
    """Burnout and time-off rules. Each is hard unless ``soft: true``."""

    min_rest: Annotated[RestLimit | None, _shorthand("duration")] = Field(
        None, description="Minimum gap between the end of a shift and the start of the next"
    )
    max_shifts: tuple[WindowShifts, ...] = Field((), description="Shift starts per sliding window")
    max_hours: tuple[WindowHours, ...] = Field((), description="Hours of shifts starting per window")
    max_consecutive_days: Annotated[CountLimit | None, _shorthand("count")] = None
    max_weekends: Annotated[CountLimit | None, _shorthand("count")] = None
    max_holidays: Annotated[CountLimit | None, _shorthand("count")] = None
    max_share: Annotated[ShareLimit | None, _shorthand("share")] = None
    holidays: Annotated[HolidayPolicy | None, _shorthand("mode")] = None
    person_caps: Limit = Field(
        Limit(),
        description="Hard/soft for per-person max_shifts/max_hours (and min_hours, "
        "max_shifts_by_type, max_consecutive_days, max_weekends)",
    )

    @field_validator("max_shifts", "max_hours", mode="before")
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        return [v] if isinstance(v, dict) else v


class LoadWeights(Frozen):
    """Load = Σ hours × role weight × kind weight; each hour is of exactly one kind."""

    roles: dict[str, Weight] = Field(default_factory=dict, description="Role weight, default 1")
    weekend: Weight = 1.0
    holiday: Weight = 1.0
    night: Weight = 1.0
    escalation_level: dict[int, Weight] = Field(
        default_factory=dict,
        description="Escalation load (charts only, never the optimizer): weight of being "
        "on escalation level N, e.g. {1: 1, 2: 0.5, 3: 0.2}; unlisted levels count 0. "
        "Default: not used",
    )


class Fairness(Frozen):
    """Objective weights of the balance terms (points per unit of spread)."""

    load: Weight = Field(1.0, description="Per hour of spread in (load + history) / fte")
    weekends: Weight = Field(10.0, description="Per weekend of spread in weekends / fte")
    holidays: Weight = Field(10.0, description="Per day of spread in holidays / fte")


class SolverSettings(Frozen):
    time_limit: float = Field(30.0, gt=0, description="Seconds (deterministic seconds by default)")
    seed: int = Field(0, ge=0)
    workers: int = Field(1, ge=1, le=64, description="Search workers; >1 with deterministic interleaves (slower per second)")
    deterministic: bool = Field(True, description="Byte-identical output for the same inputs")
    params: dict[str, bool | int | float | str] = Field(
        default_factory=dict,
        description="Extra CP-SAT parameters (advanced), e.g. {linearization_level: 2}",
    )
    lns: bool = Field(
        False,
        description="After a first schedule, improve it by re-optimising windows of days and "
        "groups of people (large rosters; no optimality proof)",
    )


# --------------------------------------------------------------------------- escalation


class EscalationContact(Frozen):
    """Someone an escalation level reaches who is not on the rota (a manager, an incident
    commander); written inline in the level's ``people``."""

    id: str = Field(min_length=1)
    name: str | None = None
    email: str | None = None
    phone: str | None = None

    @property
    def display_name(self) -> str:
        return self.name or self.id


class EscalationLevel(Frozen):
    """One level of the escalation policy: who it pages and how long they have to acknowledge.

    Exactly one of ``roles`` (whoever holds these roles of the shift on call),
    ``skills`` (the crew members holding any of these skills; ``from``: ``crew``, the
    shift's own crew, or the name of another shift pattern whose crew is on call at the
    same time) or ``people`` (person ids, or inline contacts not on the rota).
    """

    level: int = Field(ge=1, le=99, description="Position in the chain: 1 is paged first")
    name: str | None = Field(
        None, description="Label in tables and the handbook, e.g. Engineering manager"
    )
    roles: Names = Field((), description="Roles of the shift patterns")
    skills: Names = Field((), description="Crew members holding any of these skills")
    from_: str = Field(
        "crew", alias="from", description="With skills: crew, or a shift pattern name"
    )
    people: tuple[str | EscalationContact, ...] = Field(
        (), description="Person ids, or contacts not on the rota: {id, name, email, phone}"
    )
    ack_timeout: Duration = Field(
        dt.timedelta(minutes=15),
        description="Time to acknowledge before the page moves on (default 15m)",
    )

    @model_validator(mode="after")
    def _one_kind(self) -> EscalationLevel:
        kinds = [k for k in ("roles", "skills", "people") if getattr(self, k)]
        if len(kinds) != 1:
            raise LocatedError(
                (), f"level {self.level}: give exactly one of roles, skills or people"
                + (f" (got {', '.join(kinds)})" if kinds else "")
            )
        if self.from_ != "crew" and not self.skills:
            raise LocatedError(("from",), f"level {self.level}: 'from' applies to skills only")
        if self.ack_timeout < dt.timedelta(minutes=1):
            raise LocatedError(
                ("ack_timeout",), f"level {self.level}: ack_timeout must be at least 1m"
            )
        return self

    @property
    def person_ids(self) -> tuple[str, ...]:
        """Ids of the people and contacts this level names."""
        return tuple(p if isinstance(p, str) else p.id for p in self.people)


class Severity(Frozen):
    """An incident severity: the levels paged at once, then the levels that follow, one by
    one, each when the previous step was not acknowledged within its ``ack_timeout``."""

    description: str | None = Field(None, description="What incidents of this severity are")
    page: tuple[int, ...] = Field(min_length=1, description="Levels paged at once")
    then: tuple[int, ...] = Field((), description="Levels paged in turn when nobody acknowledges")

    @property
    def levels(self) -> tuple[int, ...]:
        return (*self.page, *self.then)


# --------------------------------------------------------------------------- scenario


class Scenario(Frozen):
    """Everything rota needs to plan a rotation. Immutable; use ``replace`` for variants."""

    team: str = "team"
    timezone: TimeZone = "UTC"
    start: dt.date
    end: dt.date
    shifts: tuple[ShiftPattern, ...] = Field(min_length=1)
    people: tuple[Person, ...] = Field(min_length=1)
    time_off: tuple[TimeOff, ...] = ()
    extra_holidays: tuple[Annotated[Holiday, BeforeValidator(_holiday_item)], ...] = ()
    time_off_types: dict[str, Literal["hard", "soft", "prefer"]] = Field(
        default_factory=lambda: {
            "vacation": "hard", "leave": "hard", "sick": "hard", "holiday": "hard",
            "parental": "hard", "training": "hard",
            "preference": "soft", "soft": "soft", "prefer": "prefer", "wish": "prefer",
        },
        description="How time-off types from an HR export map to hard, soft or prefer",
    )
    rules: Rules = Rules()
    weights: LoadWeights = LoadWeights()
    fairness: Fairness = Fairness()
    solver: SolverSettings = SolverSettings()
    escalation: tuple[EscalationLevel, ...] = Field(
        (), description="Escalation policy: ordered levels (who is paged first, next, ...)"
    )
    severities: dict[str, Severity] = Field(
        default_factory=dict, description="Incident taxonomy: which levels each severity pages"
    )
    runbooks: dict[str, str] = Field(
        default_factory=dict, description="Runbook URL per skill or role name"
    )

    @model_validator(mode="before")
    @classmethod
    def _apply_time_off_types(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not data.get("time_off"):
            return data
        types = dict(cls.model_fields["time_off_types"].default_factory())  # type: ignore[misc]
        types.update(data.get("time_off_types") or {})
        out = []
        for i, entry in enumerate(data["time_off"]):
            if isinstance(entry, dict) and entry.get("type") and "soft" not in entry and "prefer" not in entry:
                kind = types.get(str(entry["type"]).strip().lower())
                if kind is None:
                    raise LocatedError(
                        ("time_off", i, "type"),
                        f"time off type {entry['type']!r} is not in time_off_types "
                        f"(known: {', '.join(sorted(types))})"
                    )
                entry = {**entry, "soft": kind == "soft", "prefer": kind == "prefer"}
            out.append(entry)
        return {**data, "time_off": out}

    @model_validator(mode="after")
    def _cross_checks(self) -> Scenario:
        if self.end < self.start:
            raise LocatedError(("end",), f"end ({self.end}) is before start ({self.start})")
        if (self.end - self.start).days > 3 * 366:
            raise LocatedError(("end",), "horizon longer than three years")
        _unique([s.name for s in self.shifts], "shift name", ("shifts", "name"))
        _unique([p.id for p in self.people], "person id", ("people", "id"))
        ids = {p.id for p in self.people}
        for i, t in enumerate(self.time_off):
            if t.person not in ids:
                raise LocatedError(("time_off", i, "person"), f"unknown person {t.person!r}")
        role_names = {r.name for s in self.shifts for r in s.roles}
        known = ", ".join(sorted(role_names))
        for i, p in enumerate(self.people):
            for r in p.roles or ():
                if r not in role_names:
                    raise LocatedError(
                        ("people", i, "roles"), f"person {p.id!r} lists unknown role {r!r} (known: {known})"
                    )
        for r in self.weights.roles:
            if r not in role_names:
                raise LocatedError(("weights", "roles", r), f"unknown role {r!r} (known: {known})")
        self._check_shift_names()
        self._check_escalation()
        return self

    def _check_shift_names(self) -> None:
        """Fields that name shift patterns must name existing ones."""
        names = {s.name for s in self.shifts}
        known = ", ".join(sorted(names))
        for k, pat in enumerate(self.shifts):
            for other in pat.not_followed_by:
                if other not in names:
                    raise LocatedError(("shifts", k, "not_followed_by"),
                                       f"unknown shift {other!r} (known: {known})")
        for i, p in enumerate(self.people):
            for name in p.max_shifts_by_type:
                if name not in names:
                    raise LocatedError(("people", i, "max_shifts_by_type", name),
                                       f"unknown shift {name!r} (known: {known})")
            for j, req in enumerate(p.shift_requests):
                if req.shift not in names:
                    raise LocatedError(("people", i, "shift_requests", j, "shift"),
                                       f"unknown shift {req.shift!r} (known: {known})")

    def _check_escalation(self) -> None:
        """Escalation levels, severities, runbooks and escalation weights name what exists."""
        roles = sorted({r.name for s in self.shifts for r in s.roles})
        skills = sorted({k for p in self.people for k in p.skills})
        shifts = {s.name for s in self.shifts}
        ids = {p.id for p in self.people}
        seen: dict[int, int] = {}
        contacts: dict[str, EscalationContact] = {}
        for i, lv in enumerate(self.escalation):
            if lv.level in seen:
                raise LocatedError(
                    ("escalation", i, "level"),
                    f"level {lv.level} is defined twice (also escalation[{seen[lv.level]}])",
                )
            seen[lv.level] = i
            for r in lv.roles:
                if r not in roles:
                    raise LocatedError(
                        ("escalation", i, "roles"),
                        f"level {lv.level}: unknown role {r!r} (known: {', '.join(roles)})",
                    )
            for k in lv.skills:
                if k not in skills:
                    raise LocatedError(
                        ("escalation", i, "skills"),
                        f"level {lv.level}: nobody holds skill {k!r} (known: {', '.join(skills)})",
                    )
            if lv.from_ != "crew" and lv.from_ not in shifts:
                raise LocatedError(
                    ("escalation", i, "from"),
                    f"level {lv.level}: from {lv.from_!r} is neither crew nor a shift "
                    f"(known: {', '.join(sorted(shifts))})",
                )
            for j, who in enumerate(lv.people):
                if isinstance(who, str):
                    if who not in ids and who not in contacts:
                        raise LocatedError(
                            ("escalation", i, "people", j),
                            f"level {lv.level}: unknown person {who!r} (a person id, or a contact "
                            "{id, name, email, phone} for someone not on the rota)",
                        )
                elif who.id in ids:
                    raise LocatedError(
                        ("escalation", i, "people", j, "id"),
                        f"level {lv.level}: {who.id!r} is a person of the rota; name them by id only",
                    )
                elif who.id in contacts and contacts[who.id] != who:
                    raise LocatedError(
                        ("escalation", i, "people", j, "id"),
                        f"level {lv.level}: contact {who.id!r} is defined twice, differently",
                    )
                else:
                    contacts[who.id] = who
        levels = ", ".join(str(v) for v in sorted(seen)) or "none defined"
        for name, sev in self.severities.items():
            for field in ("page", "then"):
                for j, v in enumerate(getattr(sev, field)):
                    if v not in seen:
                        raise LocatedError(
                            ("severities", name, field, j),
                            f"severity {name}: no escalation level {v} (levels: {levels})",
                        )
            twice = sorted(set(sev.page) & set(sev.then)) or sorted(
                v for v in set(sev.levels) if sev.levels.count(v) > 1)
            if twice:
                raise LocatedError(
                    ("severities", name), f"severity {name}: level {twice[0]} is listed twice"
                )
        for key, url in self.runbooks.items():
            if key not in roles and key not in skills:
                raise LocatedError(
                    ("runbooks", key),
                    f"runbook for {key!r}: not a skill or role (skills: {', '.join(skills)}; "
                    f"roles: {', '.join(roles)})",
                )
            if not re.match(r"^https?://\S+$", str(url).strip()):
                raise LocatedError(
                    ("runbooks", key), f"runbook for {key!r}: expected an http(s) URL, got {url!r}"
                )
        for v in self.weights.escalation_level:
            if v not in seen:
                raise LocatedError(
                    ("weights", "escalation_level", v), f"no escalation level {v} (levels: {levels})"
                )

    # ---------------------------------------------------------------- helpers

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def person(self, person_id: str) -> Person:
        for p in self.people:
            if p.id == person_id:
                return p
        raise KeyError(person_id)

    def replace(self, **changes: Any) -> Scenario:
        """A new scenario with ``changes`` applied (validated again)."""
        data = self.model_dump(by_alias=True)
        data.update(changes)
        return Scenario.model_validate(data)

    def with_person(self, person: Person | dict) -> Scenario:
        p = person if isinstance(person, Person) else Person.model_validate(person)
        return self.replace(people=(*self.people, p))

    def without_person(self, person_id: str) -> Scenario:
        self.person(person_id)
        return self.replace(
            people=tuple(p for p in self.people if p.id != person_id),
            time_off=tuple(t for t in self.time_off if t.person != person_id),
        )

    def with_time_off(self, person: str, from_: dt.date | str, to: dt.date | str, **kw: Any) -> Scenario:
        entry = TimeOff.model_validate({"person": person, "from": from_, "to": to, **kw})
        return self.replace(time_off=(*self.time_off, entry))

    def with_rules(self, **changes: Any) -> Scenario:
        """A new scenario with some rules changed, e.g. ``with_rules(max_weekends=3)``;
        ``None`` removes a rule."""
        rules = self.rules.model_dump(by_alias=True)
        rules.update(changes)
        return self.replace(rules=rules)

    def with_weights(self, **changes: Any) -> Scenario:
        """Change load weights, e.g. ``with_weights(weekend=2.0)``."""
        return self.replace(weights={**self.weights.model_dump(), **changes})

    def with_fairness(self, **changes: Any) -> Scenario:
        """Change objective weights of the balance terms, e.g. ``with_fairness(weekends=0)``."""
        return self.replace(fairness={**self.fairness.model_dump(), **changes})

    def with_person_changes(self, person_id: str, **changes: Any) -> Scenario:
        """Change one person's fields, e.g. ``with_person_changes("bob", roles=["secondary"])``."""
        self.person(person_id)
        people = [
            {**p.model_dump(by_alias=True), **changes} if p.id == person_id else p.model_dump(by_alias=True)
            for p in self.people
        ]
        return self.replace(people=people)

    def extend(self, end: dt.date | str) -> Scenario:
        """The same scenario over a longer (or shorter) horizon ending on ``end``."""
        return self.replace(end=end)


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
