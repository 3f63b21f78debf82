"""``handbook.html``: the on-call handbook (incident taxonomy, escalation levels, runbooks, who
is on each level for every shift, contacts, escalation load), from ``templates/handbook.html``.
Times are given in the shift's zone and, for everyone living elsewhere, in their own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from .. import plots
from ..schedule import Schedule
from .charts import data_uri, figure_bytes
from .render import render
from .roster import span


def has_handbook(scenario: Any) -> bool:
    """The scenario says enough for an on-call handbook (escalation, severities or runbooks)."""
    return bool(scenario.escalation or scenario.severities or scenario.runbooks)


@dataclass(frozen=True)
class ChainPerson:
    name: str
    skills: tuple[str, ...]  # the level's skills the person holds
    local: str | None  # the shift in the person's own zone, when it differs


def handbook_html(schedule: Schedule, title: str | None = None) -> str:
    """The on-call handbook as a self-contained page.

    The incident taxonomy (severities and who each pages, in order), the escalation levels,
    runbook links, who is on each level for every shift of the schedule (with each person's
    local time), everyone's contacts, the escalation load chart (with
    ``weights.escalation_level``) and the policy's warnings. No scripts, no network
    resources: one page a team can hand to an auditor or a new joiner.

    Parameters
    ----------
    schedule
        The schedule whose shifts the handbook lists.
    title
        Page title; default "<team>: on-call handbook".

    Returns
    -------
    str
        The HTML page.
    """
    from ..escalation import (
        Resolver,
        contacts_of,
        describe_level,
        escalation_warnings,
        levels_of,
        severities_of_level,
        severity_steps,
    )
    from ..fields import format_duration

    prob = schedule.problem
    sc = prob.scenario
    levels = levels_of(sc)
    by_num = {lv.level: lv for lv in levels}
    sev_class = {n: f"sev{min(k, 3)}" for k, n in enumerate(sc.severities)}

    def lvl(v: int) -> Markup:
        lv = by_num[v]
        return Markup('<span class="lvl">{}</span> {}').format(v, lv.name or describe_level(sc, lv))

    def badge(n: str) -> Markup:
        return Markup('<span class="sev {}">{}</span>').format(sev_class[n], n)

    severities = []
    for n, sev in sc.severities.items():
        steps = severity_steps(sc, n)
        later = [(format_duration(st.after), [lvl(v) for v in st.levels]) for st in steps[1:]]
        severities.append((badge(n), sev.description or "", [lvl(v) for v in steps[0].levels], later))

    level_rows = []
    for lv in levels:
        books = [u for k, u in sc.runbooks.items() if k in lv.roles or k in lv.skills]
        sevs = [badge(n) for n in severities_of_level(sc, lv.level)]
        level_rows.append((lv, describe_level(sc, lv), format_duration(lv.ack_timeout), sevs, books))

    role_names = {r.name for pat in sc.shifts for r in pat.roles}
    runbooks = []
    for key, url in sc.runbooks.items():
        if key in role_names:
            runbooks.append((key, "role", url, "whoever holds the role"))
        else:
            runbooks.append((key, "skill", url, ", ".join(p.display_name for p in sc.people if key in p.skills)))

    chain_rows: list[tuple[str, str, list[list[ChainPerson] | None]]] = []
    gaps = 0
    if levels and prob.instances:
        res = Resolver(schedule)
        for inst in prob.instances:
            cells: list[list[ChainPerson] | None] = []
            for lv, people in res.chain(inst.index):
                if not people:
                    gaps += 1
                    cells.append(None)
                    continue
                cell = []
                for r in people:
                    held: tuple[str, ...] = ()
                    local = None
                    if r.person is not None:
                        held = tuple(k for k in lv.skills if k in prob.people[r.person].skills)
                        tz = prob.tz[r.person]
                        if str(tz) != str(inst.tz):
                            local = f"{span(inst.start, inst.end, tz)} {tz}"
                    cell.append(ChainPerson(r.name, held, local))
                cells.append(cell)
            chain_rows.append((inst.shift, span(inst.start, inst.end, inst.tz), cells))

    on_call = {a.person for a in schedule.assignments}
    level_of: dict[str, list[int]] = {}
    for lv in levels:
        for pid in lv.person_ids:
            level_of.setdefault(pid, []).append(lv.level)
    roles_held: dict[int, dict[str, int]] = {}
    for a in schedule.assignments:
        role = prob.instances[a.instance].roles[a.role].name
        roles_held.setdefault(a.person, {}).setdefault(role, 0)
        roles_held[a.person][role] += 1
    contacts = []
    for k, person in enumerate(sc.people):
        if k not in on_call and person.id not in level_of:
            continue
        extra = ", ".join(
            [f"{r} ×{n}" for r, n in roles_held.get(k, {}).items()]
            + [f"level {v}" for v in level_of.get(person.id, [])]
        )
        contacts.append(
            (
                person.display_name,
                person.id,
                person.email,
                "",
                ", ".join(person.skills),
                person.timezone or sc.timezone,
                extra,
            )
        )
    for c in contacts_of(sc).values():
        extra = ", ".join(f"level {v}" for v in level_of.get(c.id, []))
        contacts.append((c.display_name, c.id, c.email, c.phone or "", "", "", f"{extra} (not on the rota)"))

    load = None
    if sc.weights.escalation_level and levels:
        with plots.chart_style():
            uri = data_uri(figure_bytes(plots.plot_load(schedule, escalation=True)))
        weights = ", ".join(f"level {v} × {w:g}" for v, w in sorted(sc.weights.escalation_level.items()))
        load = (uri, weights)

    shift_zones = {pat.timezone or sc.timezone for pat in sc.shifts}
    people_zones = {str(prob.tz[a.person]) for a in schedule.assignments}
    return render(
        "handbook.html",
        title=title or f"{sc.team}: on-call handbook",
        sc=sc,
        source=schedule.source,
        shift_zones=sorted(shift_zones),
        elsewhere=bool(people_zones - shift_zones),
        first=(levels[0].level, format_duration(levels[0].ack_timeout)) if levels else None,
        severities=severities,
        levels=level_rows,
        level_heads=[(lvl(lv.level), format_duration(lv.ack_timeout)) for lv in levels],
        runbooks=runbooks,
        many=len(sc.shifts) > 1,
        chain=chain_rows,
        gaps=gaps,
        has_instances=bool(prob.instances),
        contacts=contacts,
        load=load,
        warnings=escalation_warnings(prob),
    )
