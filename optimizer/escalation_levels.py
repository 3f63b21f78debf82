"""Escalation levels and severities in words and steps (no schedule needed): paging
order, who a level pages, which severities page a level, a severity's paging steps."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from .escalation_spec import EscalationContact, EscalationLevel, Severity
from .scenario import Scenario


def levels_of(scenario: Scenario) -> list[EscalationLevel]:
    """The escalation levels in paging order (by level number)."""
    return sorted(scenario.escalation, key=lambda lv: lv.level)


def level_by_number(scenario: Scenario) -> dict[int, EscalationLevel]:
    return {lv.level: lv for lv in scenario.escalation}


def contacts_of(scenario: Scenario) -> dict[str, EscalationContact]:
    """Contacts not on the rota, by id (from every level's ``people``)."""
    out: dict[str, EscalationContact] = {}
    for lv in scenario.escalation:
        for who in lv.people:
            if isinstance(who, EscalationContact):
                out.setdefault(who.id, who)
    return out


def describe_level(scenario: Scenario, level: EscalationLevel) -> str:
    """Who a level pages, in words: ``role primary``, ``crew members holding security or
    data``, ``Maria Rossi``."""
    if level.roles:
        return ("roles " if len(level.roles) > 1 else "role ") + ", ".join(level.roles)
    if level.skills:
        where = "the crew" if level.from_ == "crew" else f"the {level.from_} crew on call"
        return f"members of {where} holding {' or '.join(level.skills)}"
    contacts = contacts_of(scenario)
    names = []
    for pid in level.person_ids:
        if pid in contacts:
            names.append(contacts[pid].display_name)
        else:
            names.append(scenario.person(pid).display_name)
    return ", ".join(names)


def level_label(scenario: Scenario, level: EscalationLevel) -> str:
    """``Level 3: Security and data experts`` (the name, or what the level pages)."""
    return f"level {level.level}: {level.name or describe_level(scenario, level)}"


def severities_of_level(scenario: Scenario, level: int) -> list[str]:
    """Names of the severities that page ``level`` (at once or by timeout)."""
    return [name for name, sev in scenario.severities.items() if level in sev.levels]


@dataclass(frozen=True)
class Step:
    """One paging step of a severity: these levels at once; if nobody acknowledges within
    ``timeout``, the next step follows. ``after`` is when the step starts (from the page)."""

    levels: tuple[int, ...]
    timeout: dt.timedelta
    after: dt.timedelta


def severity_steps(scenario: Scenario, severity: str | Severity) -> list[Step]:
    """The paging steps of a severity.

    Step 1 pages the ``page`` levels at once and waits the shortest ``ack_timeout`` among
    them; each ``then`` level is one further step waiting its own ``ack_timeout``.
    """
    sev = scenario.severities[severity] if isinstance(severity, str) else severity
    by_num = level_by_number(scenario)
    groups = [tuple(sev.page), *((v,) for v in sev.then)]
    out: list[Step] = []
    after = dt.timedelta(0)
    for levels in groups:
        timeout = min(by_num[v].ack_timeout for v in levels)
        out.append(Step(levels, timeout, after))
        after += timeout
    return out


def repeated_responders(scenario: Scenario, chain: pd.DataFrame) -> list[str]:
    """Levels that resolve to someone an earlier level already pages, one sentence each.

    A third level that pages the primary again adds no one to call. ``chain`` is
    :func:`optimizer.escalation.escalation_chain` (or ``who_is_on_call``).

    Returns
    -------
    list of str
        ``level 3 (Security experts) pages only people of levels 1, 2 on 9 of 13 shifts
        (e.g. alice on week 2027-01-04T10:00:00+01:00)``, one per such level; empty when
        every level adds someone new.
    """
    if chain.empty:
        return []
    named = chain[chain.person != ""]
    by_num = level_by_number(scenario)
    out = []
    order = sorted(by_num)
    for k, num in enumerate(order[1:], start=1):
        earlier = order[:k]
        same, total, example = 0, 0, ""
        for inst, rows in named.groupby("instance", sort=False):
            mine = set(rows[rows.level == num].person)
            if not mine:
                continue
            total += 1
            before = set(rows[rows.level.isin(earlier)].person)
            if mine <= before:
                same += 1
                example = example or f"{sorted(mine)[0]} on {inst}"
        if same:
            lv = by_num[num]
            levels = ("level " if len(earlier) == 1 else "levels ") + ", ".join(str(v) for v in earlier)
            out.append(
                f"level {num} ({lv.name or describe_level(scenario, lv)}) pages only people of {levels} "
                f"on {same} of {total} shift(s) (e.g. {example}): nobody new is called"
            )
    return out
