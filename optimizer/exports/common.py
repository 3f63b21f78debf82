"""What every export needs: selecting part of a schedule, times as text, stable ids, JSON."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from typing import Any

from ..errors import InputError
from ..schedule import Schedule
from ..timecalc import UTC, iso_local


def select(schedule: Schedule, roles: Iterable[str] = (), shifts: Iterable[str] = ()) -> Schedule:
    """The same schedule restricted to some roles and/or shift patterns (empty = all).

    Parameters
    ----------
    schedule
        The whole schedule.
    roles, shifts
        Role names and shift pattern names to keep; empty keeps every one.

    Raises
    ------
    InputError
        A role or shift name the scenario does not have.
    """
    roles, shifts = tuple(roles), tuple(shifts)
    prob = schedule.problem
    known_roles = {r.name for s in prob.scenario.shifts for r in s.roles}
    known_shifts = {s.name for s in prob.scenario.shifts}
    for what, asked, known in (("role", roles, known_roles), ("shift", shifts, known_shifts)):
        for name in asked:
            if name not in known:
                raise InputError.single(
                    f"the scenario has no {what} {name!r} (known: {', '.join(sorted(known))})",
                    field=f"--{what}",
                )
    if not roles and not shifts:
        return schedule
    keep = [
        a
        for a in schedule.assignments
        if (not roles or prob.instances[a.instance].roles[a.role].name in roles)
        and (not shifts or prob.instances[a.instance].shift in shifts)
    ]
    return Schedule(prob, keep, list(schedule.unmatched), source=schedule.source)


def iso(ts: int, tz: dt.tzinfo | None, utc: bool) -> str:
    """Epoch seconds as ISO 8601 with the offset of ``tz`` (or UTC with ``utc=True``)."""
    return iso_local(ts, UTC if utc or tz is None else tz)  # type: ignore[arg-type]


def event_uid(team: str, shift: str, start: int, role: str, person_id: str) -> str:
    """A stable UID for one assignment: the same team, shift, instance start (epoch
    seconds), role and person give the same UID in every export."""
    key = "\x1f".join((team, shift, str(start), role, person_id))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + "@rota"


def json_text(data: Any) -> str:
    """Pretty JSON, UTF-8 names kept as they are."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
