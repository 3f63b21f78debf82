"""The scenario: what a team asks rota to plan.

A :class:`Scenario` is immutable (frozen pydantic model). Load one with
:func:`load_scenario` (YAML, with CSV side files for people and time off) or build
it in code; derive variants with :meth:`Scenario.replace` and the ``with_*`` helpers,
which return new, re-validated scenarios.
"""

from __future__ import annotations

import datetime as dt
import re
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin
from zoneinfo import ZoneInfo

from pydantic import BaseModel, BeforeValidator, Field, ValidationError, field_validator, model_validator

from .errors import InputError, InputProblem
from .escalation_checks import check_escalation
from .escalation_spec import EscalationLevel, Severity
from .fields import (
    MAX_COUNT,
    MAX_HOURS,
    POSITIVE_DURATION_PATTERN,
    WEEKDAYS,
    Date,
    Duration,
    Email,
    Frozen,
    Label,
    LocatedError,
    Names,
    TimeZone,
    Weekday,
    Weight,
    _unique,
)
from .inputs import dotted, excerpt
from .settings import Fairness, LoadWeights, Rules, SolverSettings
from .suggest import closest, did_you_mean

# --------------------------------------------------------------------------- shifts


class RoleSpec(Frozen):
    """A role to fill on every instance of a shift pattern."""

    name: Label = Field(min_length=1, description="Role name, e.g. primary")
    count: int = Field(1, ge=1, le=100, description="People needed in this role")
    skills: Names = Field((), description="A person must hold ALL of these skills")
    counts: dict[Date, Annotated[int, Field(ge=0, le=1000)]] = Field(
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


# "mon 10:00" or "09:00" (around spaces allowed); also the JSON Schema pattern of `starts`
STARTS_PATTERN = r"^\s*(?:(?:mon|tue|wed|thu|fri|sat|sun)\s+)?(?:[01]?[0-9]|2[0-3]):[0-5][0-9]\s*$"


class ShiftPattern(Frozen):
    """A repeating shift; it expands to one instance per occurrence in the horizon."""

    name: Label = Field(min_length=1)
    repeat: Literal["weekly", "daily"]
    starts: str = Field(
        description='weekly: "mon 10:00"; daily: "09:00"', json_schema_extra={"pattern": STARTS_PATTERN}
    )
    length: Duration = Field(
        description="Wall-clock length: 7d, 12h, 1d12h, 90m", json_schema_extra={"pattern": POSITIVE_DURATION_PATTERN}
    )
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
        if not re.match(STARTS_PATTERN, v):
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
        if self.length > dt.timedelta(days=366):
            raise ValueError(f'shift "{self.name}": length must be at most 366d')
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

    date: Date
    shift: str = Field(min_length=1, description="Shift pattern name")
    want: Literal["on", "off"] = Field(description="on: wants this shift; off: wants not to work it")
    weight: Weight = 1.0


class Person(Frozen):
    """Someone who can be on call."""

    id: Label = Field(min_length=1)
    name: Label | None = None
    email: Email | None = None
    skills: Names = ()
    timezone: TimeZone | None = Field(None, description="Default: the team zone")
    roles: Names | None = Field(None, description="Roles this person may take; default any")
    fte: float = Field(1.0, gt=0, le=1.0, multiple_of=0.01, description="Share of a full-time load")
    history: float = Field(0.0, ge=0, le=MAX_HOURS, description="Load carried over from earlier periods")
    country: str | None = Field(None, description="ISO country code for public holidays")
    subdivision: str | None = Field(None, description="State/province for public holidays")
    max_shifts: int | None = Field(None, ge=0, le=MAX_COUNT, description="Cap on shifts over the horizon")
    max_hours: float | None = Field(None, ge=0, le=MAX_HOURS, description="Cap on hours over the horizon")
    min_hours: float | None = Field(
        None, ge=0, le=MAX_HOURS, description="At least this many hours over the horizon (hard or soft via "
        "rules.person_caps; soft costs weight per started hour short)"
    )
    max_shifts_by_type: dict[str, Annotated[int, Field(ge=0, le=MAX_COUNT)]] = Field(
        default_factory=dict,
        description="Cap on shifts of each named pattern over the horizon (0 = never that "
        "pattern); hard or soft via rules.person_caps",
    )
    max_consecutive_days: int | None = Field(
        None, ge=1, le=MAX_COUNT, description="At most this many calendar days on call in a row (own zone; "
        "days outside the horizon count as off); hard or soft via rules.person_caps"
    )
    min_consecutive_days: int | None = Field(
        None, ge=1, le=MAX_COUNT, description="Every run of days on call is at least this long, except a run "
        "touching the first or last day of the horizon; always hard"
    )
    min_consecutive_days_off: int | None = Field(
        None, ge=1, le=MAX_COUNT, description="Every run of days off is at least this long, except a run "
        "touching the first or last day of the horizon; always hard"
    )
    max_weekends: int | None = Field(
        None, ge=0, le=MAX_COUNT, description="Own cap on weekends on call (a weekend counts if any shift "
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


class TimeOff(Frozen):
    """Time off: hard (default), soft (``soft: true``) or a wish to be on call (``prefer``)."""

    person: str
    from_: Date = Field(alias="from")
    to: Date
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
    date: Date
    name: str = "holiday"


def _holiday_item(v: Any) -> Any:
    if isinstance(v, (dt.date, str)):
        return {"date": v}
    return v


class Scenario(Frozen):
    """Everything rota needs to plan a rotation. Immutable; use ``replace`` for variants."""

    team: str = "team"
    timezone: TimeZone = "UTC"
    start: Date
    end: Date
    shifts: tuple[ShiftPattern, ...] = Field(min_length=1)
    people: tuple[Person, ...] = Field(min_length=1)
    time_off: tuple[TimeOff, ...] = ()
    extra_holidays: tuple[
        Annotated[Holiday, BeforeValidator(_holiday_item, json_schema_input_type=Holiday | dt.date)], ...
    ] = ()
    time_off_types: dict[str, Literal["hard", "soft", "prefer"]] = Field(
        default_factory=lambda: {  # type: ignore[arg-type]
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
    def _known_names(cls, data: Any) -> Any:
        """Unknown top-level fields and rule names, with "did you mean" (pydantic only says "extra")."""
        if not isinstance(data, dict):
            return data
        for section, model in ((None, cls), ("rules", Rules)):
            given = data if section is None else data.get(section)
            if not isinstance(given, dict):
                continue
            known = {n for name, f in model.model_fields.items() for n in (name, f.alias) if n}
            for key in given:
                if isinstance(key, str) and key not in known:
                    what = "rule" if section else "field"
                    names = sorted(n for n in known if not n.endswith("_"))
                    raise LocatedError((section, key) if section else (key,),
                                       f"unknown {what} {key!r} ({did_you_mean(key, names)}known: {', '.join(names)})")
        return data

    @model_validator(mode="before")
    @classmethod
    def _apply_time_off_types(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not data.get("time_off"):
            return data
        types = dict(cls.model_fields["time_off_types"].default_factory())  # type: ignore[call-arg,misc]
        given = data.get("time_off_types") or {}
        types.update({str(k).strip().lower(): v for k, v in given.items()} if isinstance(given, dict) else {})
        out = []
        for i, entry in enumerate(data["time_off"]):
            if isinstance(entry, dict) and entry.get("type") and "soft" not in entry and "prefer" not in entry:
                kind = types.get(str(entry["type"]).strip().lower())
                if kind is None:
                    raise LocatedError(
                        ("time_off", i, "type"),
                        f"time off type {entry['type']!r} is not in time_off_types "
                        f"({did_you_mean(str(entry['type']), types)}known: {', '.join(sorted(types))}); map it, "
                        f"e.g. time_off_types: {{{str(entry['type']).strip().lower()}: hard}}"
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
                raise LocatedError(("time_off", i, "person"),
                                   f"unknown person {t.person!r} ({did_you_mean(t.person, ids)}not an id in people)")
        role_names = {r.name for s in self.shifts for r in s.roles}
        known = ", ".join(sorted(role_names))
        for i, p in enumerate(self.people):
            for r in p.roles or ():
                if r not in role_names:
                    raise LocatedError(
                        ("people", i, "roles"),
                        f"person {p.id!r} lists unknown role {r!r} ({did_you_mean(r, role_names)}known: {known})"
                    )
        for r in self.weights.roles:
            if r not in role_names:
                raise LocatedError(("weights", "roles", r),
                                   f"unknown role {r!r} ({did_you_mean(r, role_names)}known: {known})")
        self._check_shift_names()
        check_escalation(self)
        return self

    def _check_shift_names(self) -> None:
        """Fields that name shift patterns must name existing ones."""
        names = {s.name for s in self.shifts}
        known = ", ".join(sorted(names))
        for k, pat in enumerate(self.shifts):
            for other in pat.not_followed_by:
                if other not in names:
                    raise LocatedError(("shifts", k, "not_followed_by"),
                                       f"unknown shift {other!r} ({did_you_mean(other, names)}known: {known})")
        for i, p in enumerate(self.people):
            for name in p.max_shifts_by_type:
                if name not in names:
                    raise LocatedError(("people", i, "max_shifts_by_type", name),
                                       f"unknown shift {name!r} ({did_you_mean(name, names)}known: {known})")
            for j, req in enumerate(p.shift_requests):
                if req.shift not in names:
                    raise LocatedError(("people", i, "shift_requests", j, "shift"),
                                       f"unknown shift {req.shift!r} ({did_you_mean(req.shift, names)}known: {known})")

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
        """A new scenario with ``changes`` applied (validated again). This and the ``with_*``
        helpers raise :class:`ChangeError` (an InputError with "did you mean") for invalid changes."""
        data = self.model_dump(by_alias=True)
        data.update(changes)
        return _validated(Scenario, data)

    def with_person(self, person: Person | dict) -> Scenario:
        p = person if isinstance(person, Person) else _validated(Person, person, ("people", len(self.people)))
        return self.replace(people=(*self.people, p))

    def without_person(self, person_id: str) -> Scenario:
        self.person(person_id)
        return self.replace(
            people=tuple(p for p in self.people if p.id != person_id),
            time_off=tuple(t for t in self.time_off if t.person != person_id),
        )

    def with_time_off(self, person: str, from_: dt.date | str, to: dt.date | str, **kw: Any) -> Scenario:
        entry = _validated(TimeOff, {"person": person, "from": from_, "to": to, **kw}, ("time_off", len(self.time_off)))
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


# --------------------------------------------------------------------------- errors


class ChangeError(InputError, ValueError):
    """An invalid :meth:`Scenario.replace` or ``with_*`` change (a ValueError, as pydantic's error was)."""


def _validated(model: type[BaseModel], data: Any, at: tuple[str | int, ...] = ()) -> Any:
    """``model.model_validate(data)``, or :class:`ChangeError` naming the fields (below ``at``)."""
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise ChangeError([InputProblem(m, field=dotted((*at, *loc)) or None)
                           for loc, m in validation_problems(e, model)]) from None


def _model_at(tp: Any, loc: tuple[str | int, ...]) -> Any:
    """The model class that validates the value at data path ``loc`` below type ``tp``, or None."""
    origin, args = get_origin(tp), [a for a in get_args(tp) if a is not type(None)]
    if origin is Annotated or (origin in (Union, UnionType) and len(args) == 1):
        return _model_at(args[0], loc)
    if origin in (Union, UnionType):  # pydantic's path names the member (EscalationContact)
        return next((_model_at(a, loc[1:]) for a in args if loc and getattr(a, "__name__", None) == loc[0]), None)
    if origin in (tuple, list, dict):
        return _model_at(args[-1] if origin is dict else args[0], loc[1:]) if loc else None
    if not (isinstance(tp, type) and issubclass(tp, BaseModel)):
        return None
    fields = {k: f.annotation for n, f in tp.model_fields.items() for k in (n, f.alias) if k}
    return (_model_at(fields[loc[0]], loc[1:]) if loc[0] in fields else None) if loc else tp


def validation_problems(err: ValidationError, model: Any) -> list[tuple[tuple[str | int, ...], str]]:
    """(data path, message) of each error of ``err`` from validating ``model``: pydantic's tags dropped,
    a :class:`LocatedError` at its field, "did you mean" for an unknown field (and no "missing" as well)."""
    errors, out, typos = err.errors(), [], set()
    for e in errors:
        loc = tuple(e["loc"])
        if e["type"] == "too_short" and any(len(o["loc"]) > len(loc) and tuple(o["loc"][: len(loc)]) == loc
                                            for o in errors):
            continue  # "Tuple should have at least 1 item after validation": only because an item was invalid
        cause = (e.get("ctx") or {}).get("error")
        if isinstance(cause, LocatedError):
            loc, msg = (*loc, *cause.loc), str(cause)
        else:
            msg = e["msg"].removeprefix("Value error, ")
        # pydantic adds union/function tags to loc; drop those that are not data keys
        loc = tuple(p for p in loc if not (isinstance(p, str) and ("[" in p or p.startswith("function-"))))
        if e["type"] == "extra_forbidden" and loc and (owner := _model_at(model, loc[:-1])) is not None:
            known = sorted(f.alias or n for n, f in owner.model_fields.items())  # a misspelt field: which one?
            typos.add((*loc[:-1], hit := closest(str(loc[-1]), known)))
            why = f"did you mean {hit!r}?" if hit else f"known: {', '.join(known)}"
            msg = f"unknown field {excerpt(loc[-1])} ({why})"
        out.append((loc, msg, e["type"]))
    return [(loc, msg) for loc, msg, kind in out if not (kind == "missing" and loc in typos)]
