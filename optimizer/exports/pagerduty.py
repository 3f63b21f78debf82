"""PagerDuty request bodies: schedule overrides and escalation policies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from ..errors import InputError
from ..schedule import Schedule
from .common import iso
from .paging import (
    ChainStep,
    UserMapping,
    check_overlaps,
    escalation_bodies,
    policy_description,
    policy_name,
    users_for,
)

MAX_TARGETS = 10  # PagerDuty's limit of targets per escalation rule


def pagerduty_body(schedule: Schedule, mapping: UserMapping | dict[str, str], utc: bool = False) -> dict:
    """The JSON body of PagerDuty's ``POST /schedules/{id}/overrides``: one override per
    assignment, ``{"overrides": [{"start", "end", "user": {"id", "type": "user_reference"}}]}``.

    ``start``/``end`` are ISO 8601 with the offset (the shift's zone, or UTC).

    Raises
    ------
    InputError
        A person without a PagerDuty user id in ``mapping`` (every one is named), or
        overrides that overlap (export one role at a time with :func:`select`).
    """
    users = users_for(schedule, mapping, "PagerDuty")
    check_overlaps(schedule, "PagerDuty")
    prob = schedule.problem
    overrides = []
    for a in schedule.assignments:
        inst = prob.instances[a.instance]
        overrides.append(
            {
                "start": iso(inst.start, inst.tz, utc),
                "end": iso(inst.end, inst.tz, utc),
                "user": {"id": users[a.person], "type": "user_reference"},
            }
        )
    return {"overrides": overrides}


def pagerduty_escalation_bodies(
    schedule: Schedule,
    mapping: UserMapping | dict[str, str],
    severities: Iterable[str] = (),
    at: dt.datetime | None = None,
    utc: bool = False,
    shifts: Iterable[str] = (),
) -> list[dict]:
    """The escalation chain as bodies of PagerDuty's ``POST /escalation_policies`` (or
    ``PUT /escalation_policies/{id}`` at each handover): one per shift instance and
    severity, each ``{"severity", "shift", "start", "end", "body"}`` where ``body`` is::

        {"escalation_policy": {"type": "escalation_policy", "name": "ai-platform sev1",
         "description": "…", "num_loops": 0,
         "escalation_rules": [{"escalation_delay_in_minutes": 5,
                               "targets": [{"id": "PABC123", "type": "user_reference"}]}]}}

    One rule per paging step of the severity (:func:`~optimizer.escalation.severity_steps`):
    the first targets every person of the levels paged at once, each later one the
    people of one level; the delay is the step's ack timeout. A step that reaches nobody
    on that shift is left out. Only the instances running ``at`` (if given) and only
    the named ``severities`` (default all).

    Raises
    ------
    InputError
        No escalation policy or severities; an unknown severity; a person or contact
        without a PagerDuty user id in ``mapping``; a step with more than 10 targets
        (PagerDuty's limit).
    """
    sc = schedule.problem.scenario

    def body(inst: Any, sev: str, steps: list[ChainStep], users: dict[str, str]) -> dict:
        rules = []
        for st in steps:
            if not st.people:
                continue
            if len(st.people) > MAX_TARGETS:
                raise InputError.single(
                    f"{inst.label} {sev}: levels {', '.join(map(str, st.levels))} page {len(st.people)} "
                    f"people at once; a PagerDuty escalation rule takes at most {MAX_TARGETS} targets",
                    field="escalation",
                )
            rules.append(
                {
                    "escalation_delay_in_minutes": st.timeout_minutes,
                    "targets": [{"id": users[pid], "type": "user_reference"} for pid, _ in st.people],
                }
            )
        return {
            "escalation_policy": {
                "type": "escalation_policy",
                "name": policy_name(sc, inst, sev),
                "description": policy_description(sc, inst, sev),
                "num_loops": 0,
                "on_call_handoff_notifications": "if_has_services",
                "escalation_rules": rules,
            }
        }

    return escalation_bodies(schedule, mapping, "PagerDuty", body, severities, at, utc, shifts)
