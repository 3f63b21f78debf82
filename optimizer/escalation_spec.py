"""The escalation policy and incident taxonomy of a scenario (who is paged, in which order)."""

from __future__ import annotations

import datetime as dt

from pydantic import (
    Field,
    model_validator,
)

from .fields import POSITIVE_DURATION_PATTERN, Duration, Email, Frozen, Label, LocatedError, Names


class EscalationContact(Frozen):
    """Someone an escalation level reaches who is not on the rota (a manager, an incident
    commander); written inline in the level's ``people``."""

    id: Label = Field(min_length=1)
    name: Label | None = None
    email: Email | None = None
    phone: Label | None = None

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
        json_schema_extra={"pattern": POSITIVE_DURATION_PATTERN, "default": "15m"},
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
