"""Opsgenie request bodies: schedule overrides and escalations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from ..schedule import Schedule
from .common import event_uid, iso
from .paging import (
    ChainStep,
    UserMapping,
    check_overlaps,
    escalation_bodies,
    policy_description,
    policy_name,
    users_for,
)


def _user(user: str) -> dict[str, str]:
    """An Opsgenie user reference: ``username`` for an e-mail, else ``id``."""
    return {"type": "user", ("username" if "@" in user else "id"): user}


def opsgenie_bodies(
    schedule: Schedule, mapping: UserMapping | dict[str, str], utc: bool = False, rotations: bool = False
) -> list[dict]:
    """The JSON bodies of Opsgenie's ``POST /v2/schedules/{id}/overrides`` (one
    override per request), one per assignment::

        {"alias": "rota-…", "user": {"type": "user", "username": "a@x.com"},
         "startDate": "2027-01-04T10:00:00+01:00", "endDate": "…"}

    ``user`` carries ``username`` when the mapping gives an e-mail, else ``id``.
    ``alias`` is stable (derived from the event UID), so a re-export can update an
    override (``PUT …/overrides/{alias}``) instead of adding another. With
    ``rotations=True`` each override targets the rotation named like its role.

    Raises
    ------
    InputError
        A person without an Opsgenie user in ``mapping``, or overlapping overrides.
    """
    users = users_for(schedule, mapping, "Opsgenie")
    check_overlaps(schedule, "Opsgenie", by_role=rotations)
    prob = schedule.problem
    out = []
    for a in schedule.assignments:
        inst = prob.instances[a.instance]
        role = inst.roles[a.role].name
        uid = event_uid(prob.scenario.team, inst.shift, inst.start, role, prob.people[a.person].id)
        body: dict[str, Any] = {
            "alias": "rota-" + uid.split("@")[0][:24],
            "user": _user(users[a.person]),
            "startDate": iso(inst.start, inst.tz, utc),
            "endDate": iso(inst.end, inst.tz, utc),
        }
        if rotations:
            body["rotations"] = [{"name": role}]
        out.append(body)
    return out


def opsgenie_escalation_bodies(
    schedule: Schedule,
    mapping: UserMapping | dict[str, str],
    severities: Iterable[str] = (),
    at: dt.datetime | None = None,
    utc: bool = False,
    shifts: Iterable[str] = (),
) -> list[dict]:
    """The escalation chain as bodies of Opsgenie's ``POST /v2/escalations`` (or ``PUT
    /v2/escalations/{name}?identifierType=name`` at each handover): one per shift instance
    and severity, each ``{"severity", "shift", "start", "end", "body"}`` where ``body`` is::

        {"name": "ai-platform sev2", "description": "…",
         "rules": [{"condition": "if-not-acked", "notifyType": "default",
                    "delay": {"timeAmount": 0, "timeUnit": "minutes"},
                    "recipient": {"type": "user", "username": "ivan@example.com"}}, …]}

    Opsgenie rules have one recipient each and their delay counts from the alert's
    creation, so every person of a paging step gets a rule with the step's start time
    (0 for the levels paged at once, then the sum of the earlier steps' ack timeouts).
    ``recipient`` carries ``username`` for an e-mail in the mapping, else ``id``.

    Raises
    ------
    InputError
        As :func:`~optimizer.exports.pagerduty_escalation_bodies` (without the 10-target limit).
    """
    sc = schedule.problem.scenario

    def body(inst: Any, sev: str, steps: list[ChainStep], users: dict[str, str]) -> dict:
        rules = [
            {
                "condition": "if-not-acked",
                "notifyType": "default",
                "delay": {"timeAmount": st.after_minutes, "timeUnit": "minutes"},
                "recipient": _user(users[pid]),
            }
            for st in steps
            for pid, _ in st.people
        ]
        return {
            "name": policy_name(sc, inst, sev)[:100],
            "description": policy_description(sc, inst, sev),
            "rules": rules,
        }

    return escalation_bodies(schedule, mapping, "Opsgenie", body, severities, at, utc, shifts)
