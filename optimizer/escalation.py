"""Escalation policy and incident taxonomy: who is paged, in what order, for which severity.

The scenario's ``escalation`` levels say who each level pages (the holders of some
roles, the crew members holding some skills, or named people); its ``severities`` say
which levels a severity pages at once and which follow, one by one, when nobody
acknowledges within the ``ack_timeout``. Given a schedule, every shift instance has a
concrete chain of people:

* :func:`escalation_chain` — the chain of every instance (one row per level and person),
* :func:`who_is_on_call` — the chain at one moment ("who do I call now?"),
* :func:`severity_steps` — the paging steps of a severity (levels at once, then in turn),
* :func:`escalation_warnings` — what ``rota check`` warns about (a severity that reaches
  one person only, a level some shift cannot fill, a level no severity uses),
* :func:`escalation_load` — the load a taxonomy implies, weighted per level
  (``weights.escalation_level``), for the load chart.

Resolution of a level for instance ``i``:

* ``roles``: the people holding these roles on ``i``; for a role the pattern of ``i``
  does not have, the holders of that role on the instances of other patterns that
  overlap ``i``.
* ``skills`` (``from: crew``): the crew members of ``i`` (everyone assigned to it)
  holding any of the skills; ``from: <pattern>``: the crew of that pattern's instances
  overlapping ``i`` (or ``i`` itself when it is of that pattern).
* ``people``: always the same people (rota members or contacts not on the rota).

A person appears at every level they belong to (paging is per level); a level nobody
fills on an instance is a row with an empty ``person``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from .escalation_levels import (
    Step,
    contacts_of,
    describe_level,
    level_by_number,
    level_label,
    levels_of,
    repeated_responders,
    severities_of_level,
    severity_steps,
)
from .escalation_spec import EscalationLevel
from .fields import format_duration
from .problem import Problem
from .scenario import Scenario
from .schedule import Assignment, Schedule
from .timecalc import local_moment, split_kinds
from .units import load_centi

CHAIN_COLUMNS = [
    "instance",
    "shift",
    "start",
    "end",
    "level",
    "person",
    "person_name",
    "contact",
    "ack_timeout",
    "severities",
]
"""Columns of :func:`escalation_chain` and :func:`who_is_on_call`."""

CSV_COLUMNS = ["instance", "level", "person", "contact", "ack_timeout"]
"""Columns of ``rota escalation --out``."""

__all__ = [
    "CHAIN_COLUMNS",
    "CSV_COLUMNS",
    "Resolver",
    "Responder",
    "Step",
    "active_instances",
    "chain_table",
    "contacts_of",
    "describe_level",
    "escalation_chain",
    "escalation_load",
    "escalation_warnings",
    "level_by_number",
    "level_label",
    "levels_of",
    "repeated_responders",
    "severities_of_level",
    "severity_steps",
    "who_is_on_call",
]


@dataclass(frozen=True)
class Responder:
    """Someone an escalation level reaches on one instance.

    ``person`` is the index in ``problem.people`` for rota members, ``None`` for
    contacts not on the rota.
    """

    id: str
    name: str
    contact: str
    person: int | None = None


# --------------------------------------------------------------------------- resolving


class Resolver:
    """Resolves escalation levels to people for the instances of one schedule."""

    def __init__(self, schedule: Schedule) -> None:
        self.schedule = schedule
        self.problem: Problem = schedule.problem
        self.scenario = self.problem.scenario
        self.by_instance: dict[int, list[Assignment]] = schedule.by_instance()
        self.contacts = contacts_of(self.scenario)

    def person(self, p: int) -> Responder:
        who = self.problem.people[p]
        return Responder(who.id, who.display_name, who.email or "", p)

    def named(self, pid: str) -> Responder:
        if pid in self.problem.person_index:
            return self.person(self.problem.person_index[pid])
        c = self.contacts[pid]
        return Responder(c.id, c.display_name, c.email or c.phone or "", None)

    def _sources(self, i: int, pattern: str) -> list[int]:
        """Instance ``i`` if it is of ``pattern``, else that pattern's instances overlapping it."""
        inst = self.problem.instances[i]
        if inst.shift == pattern:
            return [i]
        return [
            j
            for j in self.problem.overlapping(inst.start, inst.end)
            if self.problem.instances[j].shift == pattern
        ]

    def _role_sources(self, i: int, role: str) -> list[int]:
        inst = self.problem.instances[i]
        if any(r.name == role for r in inst.roles):
            return [i]
        return [
            j
            for j in self.problem.overlapping(inst.start, inst.end)
            if j != i and any(r.name == role for r in self.problem.instances[j].roles)
        ]

    def segments(self, i: int, level: EscalationLevel) -> list[tuple[Responder, int, int]]:
        """Who ``level`` reaches on instance ``i`` and when: (responder, start, end) in epoch
        seconds. Someone reached through another pattern's instance is reached only while
        both run; named people for the whole of ``i``. In role order, possibly repeated."""
        inst = self.problem.instances[i]
        out: list[tuple[Responder, int, int]] = []

        def span(j: int) -> tuple[int, int]:
            other = self.problem.instances[j]
            return max(inst.start, other.start), min(inst.end, other.end)

        if level.roles:
            for role in level.roles:
                for j in self._role_sources(i, role):
                    jinst = self.problem.instances[j]
                    for a in self._crew(j):
                        if jinst.roles[a.role].name == role:
                            out.append((self.person(a.person), *span(j)))
        elif level.skills:
            pattern = inst.shift if level.from_ == "crew" else level.from_
            wanted = set(level.skills)
            for j in self._sources(i, pattern):
                for a in self._crew(j):
                    if wanted & set(self.problem.people[a.person].skills):
                        out.append((self.person(a.person), *span(j)))
        else:
            for pid in level.person_ids:
                out.append((self.named(pid), inst.start, inst.end))
        return out

    def level(self, i: int, level: EscalationLevel, at: int | None = None) -> list[Responder]:
        """The people ``level`` reaches on instance ``i`` (at epoch second ``at`` if given),
        no one twice, in role order."""
        out: list[Responder] = []
        seen: set[str] = set()
        for r, start, end in self.segments(i, level):
            if r.id not in seen and (at is None or start <= at < end):
                seen.add(r.id)
                out.append(r)
        return out

    def _crew(self, i: int) -> list[Assignment]:
        """Assignments of instance ``i`` in role order (then person id)."""
        return sorted(
            self.by_instance.get(i, []), key=lambda a: (a.role, self.problem.people[a.person].id)
        )

    def chain(self, i: int, at: int | None = None) -> list[tuple[EscalationLevel, list[Responder]]]:
        """Every level (in order) with the people it reaches on instance ``i`` (at epoch
        second ``at`` if given)."""
        return [(lv, self.level(i, lv, at)) for lv in levels_of(self.scenario)]


def _rows(resolver: Resolver, instances: Iterable[int], at: int | None = None) -> pd.DataFrame:
    sc = resolver.scenario
    sev_of = {lv.level: ";".join(severities_of_level(sc, lv.level)) for lv in sc.escalation}
    rows = []
    for i in instances:
        inst = resolver.problem.instances[i]
        base = {
            "instance": inst.label,
            "shift": inst.shift,
            "start": inst.start_iso,
            "end": inst.end_iso,
        }
        for lv, people in resolver.chain(i, at):
            extra = {
                "level": lv.level,
                "ack_timeout": format_duration(lv.ack_timeout),
                "severities": sev_of[lv.level],
            }
            if not people:
                rows.append({**base, "person": "", "person_name": "", "contact": "", **extra})
            for r in people:
                rows.append(
                    {**base, "person": r.id, "person_name": r.name, "contact": r.contact, **extra}
                )
    return pd.DataFrame(rows, columns=CHAIN_COLUMNS)


def escalation_chain(schedule: Schedule) -> pd.DataFrame:
    """The resolved escalation chain of every shift instance.

    Returns
    -------
    DataFrame
        One row per instance, level and person reached, instances by start, levels in
        order: ``instance`` (``week 2027-01-04T10:00:00+01:00``), ``shift``, ``start``,
        ``end`` (local ISO), ``level``, ``person`` (id; empty when nobody fills the level
        on that instance), ``person_name``, ``contact`` (e-mail, or a contact's phone),
        ``ack_timeout`` (``15m``), ``severities`` (``sev1;sev2``: those that page the
        level). Empty when the scenario has no escalation levels.
    """
    return _rows(Resolver(schedule), range(len(schedule.problem.instances)))


def _epoch(at: dt.datetime, scenario: Scenario) -> int:
    return int(local_moment(at, scenario.tz, scenario.timezone).timestamp())


def active_instances(problem: Problem, at: dt.datetime) -> list[int]:
    """Instances running at ``at`` (start <= at < end); a naive ``at`` is team-zone time."""
    t = _epoch(at, problem.scenario)
    return [i for i in problem.overlapping(t, t + 1)]


def who_is_on_call(schedule: Schedule, at: dt.datetime) -> pd.DataFrame:
    """The escalation chain at one moment: the rows of :func:`escalation_chain` for every
    instance running at ``at`` (a naive datetime is read in the team's zone), with only
    the people reached at that moment (someone reached through another pattern's shift
    only while that shift runs).

    Empty when no shift runs at ``at``.
    """
    t = _epoch(at, schedule.problem.scenario)
    return _rows(Resolver(schedule), active_instances(schedule.problem, at), t)


# --------------------------------------------------------------------------- warnings


def _label(problem: Problem, i: int) -> str:
    return problem.instances[i].label


def _day(problem: Problem, i: int) -> dt.date:
    inst = problem.instances[i]
    return dt.datetime.fromtimestamp(inst.start, inst.tz).date()


def _slots(problem: Problem, i: int) -> list[tuple[int, int, int]]:
    """Slots (instance, role, k) of instance ``i`` needed on its day."""
    inst = problem.instances[i]
    day = _day(problem, i)
    return [(i, r, k) for r, role in enumerate(inst.roles) for k in range(role.count_on(day))]


def _level_reach(problem: Problem, i: int, level: EscalationLevel) -> tuple[set, bool, bool]:
    """(upper bound of who the level can reach on instance ``i`` as slots or person ids,
    can it be filled at all, is it certain to be filled)."""
    if level.people:
        ids = set(level.person_ids)
        return ids, True, True
    inst = problem.instances[i]
    reach: set = set()
    if level.roles:
        for role in level.roles:
            if any(r.name == role for r in inst.roles):
                sources = [i]
            else:
                sources = [
                    j
                    for j in problem.overlapping(inst.start, inst.end)
                    if j != i and any(r.name == role for r in problem.instances[j].roles)
                ]
            for j in sources:
                reach |= {
                    s for s in _slots(problem, j) if problem.instances[j].roles[s[1]].name == role
                }
        return reach, bool(reach), bool(reach)
    pattern = inst.shift if level.from_ == "crew" else level.from_
    sources = (
        [i]
        if inst.shift == pattern
        else [
            j
            for j in problem.overlapping(inst.start, inst.end)
            if problem.instances[j].shift == pattern
        ]
    )
    wanted = set(level.skills)
    possible = certain = False
    for j in sources:
        jinst = problem.instances[j]
        slots = _slots(problem, j)
        for s in slots:
            holders = problem.qualified_people.get((jinst.shift, s[1]), frozenset())
            if any(wanted & set(problem.people[p].skills) for p in holders):
                reach.add(s)
                possible = True
        required = set(jinst.pattern.crew_skills) | {
            k for s in slots for k in jinst.roles[s[1]].skills
        }
        certain = certain or bool(wanted & required)
    return reach, possible, certain


def escalation_warnings(problem: Problem | Scenario) -> list[str]:
    """What ``rota check`` warns about in the escalation policy (no schedule needed).

    * a severity that can only ever reach one person (or does so on some shifts);
    * a level that some shift instances cannot fill (a role not needed that day, or not
      on call at that time; skills nobody who can work the shift holds), or may leave
      empty (skills the shift does not require, so a crew may hold none of them);
    * a level that no severity pages.

    Returns
    -------
    list of str
        One message per problem, empty when there is nothing to say.
    """
    prob = problem if isinstance(problem, Problem) else Problem(problem)
    sc = prob.scenario
    if not sc.escalation:
        return []
    out: list[str] = []
    n = len(prob.instances)
    reach: dict[tuple[int, int], set] = {}
    for lv in levels_of(sc):
        empty: list[int] = []
        unsure: list[int] = []
        for i in range(n):
            r, possible, certain = _level_reach(prob, i, lv)
            reach[(i, lv.level)] = r
            if not possible:
                empty.append(i)
            elif not certain:
                unsure.append(i)
        name = level_label(sc, lv)
        if empty:
            why = (
                "nobody is needed in that role then"
                if lv.roles
                else "nobody who can work the shift holds those skills"
            )
            out.append(
                f"{name} cannot be filled on {len(empty)} of {n} shifts ({why}; "
                f"first: {_label(prob, empty[0])})"
            )
        if unsure:
            shifts = sorted({prob.instances[i].shift for i in unsure})
            out.append(
                f"{name} may reach nobody on {len(unsure)} of {n} shifts: "
                f"{', '.join(shifts)} does not require {' or '.join(lv.skills)} "
                "(add it to crew_skills to be sure a crew member holds it)"
            )
        if sc.severities and not severities_of_level(sc, lv.level):
            out.append(f"{name} is not paged by any severity")
    for name, sev in sc.severities.items():
        single = [
            i for i in range(n) if len(set().union(*(reach[(i, v)] for v in sev.levels))) <= 1
        ]
        if n and len(single) == n:
            out.append(
                f"severity {name} can only ever reach one person (levels "
                f"{', '.join(map(str, sev.levels))}): nobody backs them up if they miss the page"
            )
        elif single:
            out.append(
                f"severity {name} reaches only one person on {len(single)} of {n} shifts "
                f"(first: {_label(prob, single[0])})"
            )
    return out


# --------------------------------------------------------------------------- load


def escalation_load(schedule: Schedule) -> pd.DataFrame:
    """The load the escalation policy implies, per person and level.

    At every moment a person is on one or more levels (of any shift running then), they
    carry that time × kind weight × ``weights.escalation_level`` of the heaviest of those
    levels (paged once per incident, at their first level); levels missing from the
    mapping weigh 0. Overlapping shifts are not counted twice. Role weights do not apply:
    the level weights replace them.

    Returns
    -------
    DataFrame
        Index: person ids (every person of the scenario); one column per level listed in
        ``weights.escalation_level`` (in level order), loads in hours-equivalents (to
        0.01). All zeros when the mapping is empty.
    """
    prob = schedule.problem
    sc = prob.scenario
    weights = sc.weights.escalation_level
    levels = sorted(weights)
    data = {v: [0.0] * len(prob.people) for v in levels}
    if weights:
        res = Resolver(schedule)
        spans: dict[int, list[tuple[int, int, float, int]]] = {}
        for i in range(len(prob.instances)):
            for lv in levels_of(sc):
                w = weights.get(lv.level, 0.0)
                if w <= 0:
                    continue
                for r, start, end in res.segments(i, lv):
                    if r.person is not None and start < end:
                        spans.setdefault(r.person, []).append((start, end, w, lv.level))
        for p, items in spans.items():
            cuts = sorted({t for s0, e0, _w, _v in items for t in (s0, e0)})
            for a, b in zip(cuts, cuts[1:], strict=False):
                on = [(w, -v) for s0, e0, w, v in items if s0 <= a and b <= e0]
                if not on:
                    continue
                w, neg = max(on)
                kinds = split_kinds(a, b, prob.tz[p], prob.holidays[p])
                data[-neg][p] += load_centi(kinds, w, sc.weights) / 100
    frame = pd.DataFrame(data, index=[p.id for p in prob.people], columns=levels)
    return frame.round(2)


def chain_table(frame: pd.DataFrame, columns: Sequence[str] = CSV_COLUMNS) -> str:
    """A plain-text table of chain rows (for the terminal)."""
    if frame.empty:
        return ""
    view = frame.assign(
        person=[
            f"{n} ({p})" if n and n != p else p or "(nobody)"
            for p, n in zip(frame["person"], frame["person_name"], strict=True)
        ]
    )
    return view[list(columns)].to_string(index=False)


__all__ = [
    "CHAIN_COLUMNS",
    "CSV_COLUMNS",
    "Responder",
    "Resolver",
    "Step",
    "active_instances",
    "chain_table",
    "contacts_of",
    "describe_level",
    "escalation_chain",
    "escalation_load",
    "escalation_warnings",
    "level_label",
    "levels_of",
    "severities_of_level",
    "severity_steps",
    "who_is_on_call",
]

