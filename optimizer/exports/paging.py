"""What the PagerDuty and Opsgenie exports share: the person -> user mapping file, the
one-person-at-a-time check, and the escalation plan (who each paging step reaches)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, InputProblem
from ..schedule import Schedule
from .common import iso


@dataclass
class UserMapping:
    """Person id -> the paging tool's user id or e-mail, read from a CSV or YAML file."""

    users: dict[str, str]
    file: str | None = None
    lines: dict[str, int] = field(default_factory=dict)


PERSON_COLUMNS = ("person_id", "person", "id")
USER_COLUMNS = ("user_id", "user", "pagerduty_id", "opsgenie_id", "username", "opsgenie_username", "email")


def _read_yaml_mapping(path: Path) -> UserMapping:
    from ..inputs import LIMITS, decode_text, excerpt, read_input_bytes, yaml_with_lines

    file = str(path)
    text = decode_text(read_input_bytes(path, "mapping", LIMITS.yaml_bytes), file, "mapping")

    class _NoLines:
        def add(self, path: object, where: object) -> None:
            pass

    data = yaml_with_lines(text, file, _NoLines())  # the same budgets as a scenario (aliases, nesting, keys)
    if not isinstance(data, dict) or not data:
        raise InputError.single("expected a mapping of person id to user id or e-mail", file, 1)
    users = {}
    for k, v in data.items():
        if not isinstance(v, (str, int)) or isinstance(v, bool):
            raise InputError.single(
                f"expected a user id or e-mail for {excerpt(k)}, got {excerpt(v)}", file, field=excerpt(k, 60)[1:-1]
            )
        users[str(k)] = str(v).strip()
    return UserMapping(users, file)


def read_mapping(path: str | Path) -> UserMapping:
    """Read a mapping file: YAML (``alice: PABC123``) or CSV with a person column
    (``person_id``, ``person`` or ``id``) and a user column (``user_id``, ``user``,
    ``pagerduty_id``, ``opsgenie_id``, ``username`` or ``email``).

    Raises
    ------
    InputError
        Unreadable file, missing columns, a person listed twice.
    """
    path = Path(path)
    file = str(path)
    if path.suffix.lower() in (".yaml", ".yml"):
        return _read_yaml_mapping(path)
    from ..tables import read_csv_table

    table = read_csv_table(path, "mapping")
    pcol = next((c for c in PERSON_COLUMNS if c in table.header), None)
    ucol = next((c for c in USER_COLUMNS if c in table.header), None)
    if pcol is None or ucol is None:
        need = [] if pcol else [" or ".join(PERSON_COLUMNS)]
        need += [] if ucol else [" or ".join(USER_COLUMNS)]
        raise InputError.single(
            f"missing column(s): {'; '.join(need)} (the file has: {', '.join(table.header)})", file, 1
        )
    users: dict[str, str] = {}
    lines: dict[str, int] = {}
    for row, line in zip(table.rows, table.lines, strict=True):
        pid = row.get(pcol, "")
        if not pid:
            raise InputError.single("no person id", file, line, f"column {pcol}")
        if pid in users:
            raise InputError.single(
                f"person {pid!r} is listed twice (first on line {lines[pid]})", file, line, f"column {pcol}"
            )
        users[pid], lines[pid] = row.get(ucol, ""), line
    return UserMapping(users, file, lines)


def users_for(schedule: Schedule, mapping: UserMapping | dict[str, str], tool: str) -> dict[int, str]:
    """Person index -> the tool's user, for everyone with an assignment."""
    prob = schedule.problem
    people = sorted({a.person for a in schedule.assignments})
    by_id = users_by_id([(prob.people[p].id, prob.people[p].display_name) for p in people], mapping, tool)
    return {p: by_id[prob.people[p].id] for p in people}


def users_by_id(who: list[tuple[str, str]], mapping: UserMapping | dict[str, str], tool: str) -> dict[str, str]:
    """(id, name) pairs -> the tool's user for each id; every missing or malformed user is
    named in one :class:`InputError`."""
    m = mapping if isinstance(mapping, UserMapping) else UserMapping(dict(mapping))
    out: dict[str, str] = {}
    problems = []
    for pid, name in who:
        user = m.users.get(pid, "").strip()
        if not user:
            problems.append(
                InputProblem(
                    f"no {tool} user for person {pid!r} ({name}); "
                    f"add a row '{pid},<{tool} user {'ID' if tool == 'PagerDuty' else 'id or e-mail'}>'",
                    m.file,
                    m.lines.get(pid),
                    "mapping",
                )
            )
            continue
        if tool == "PagerDuty" and ("@" in user or any(ch.isspace() for ch in user)):
            problems.append(
                InputProblem(
                    f"PagerDuty needs a user ID (like PABC123) for person {pid!r}, not {user!r}",
                    m.file,
                    m.lines.get(pid),
                    "mapping",
                )
            )
            continue
        out[pid] = user
    if problems:
        raise InputError(problems)
    return out


def check_overlaps(schedule: Schedule, tool: str, by_role: bool = False) -> None:
    """A schedule in a paging tool has one person on call at a time: overrides must not overlap.

    Raises
    ------
    InputError
        Two assignments (of one role, with ``by_role``) overlap in time.
    """
    prob = schedule.problem
    groups: dict[str, list[tuple[int, int, Any]]] = {}
    for a in schedule.assignments:
        inst = prob.instances[a.instance]
        key = inst.roles[a.role].name if by_role else ""
        groups.setdefault(key, []).append((inst.start, inst.end, a))

    def label(a: Any) -> str:
        inst = prob.instances[a.instance]
        return f"{prob.people[a.person].id} as {inst.roles[a.role].name} ({inst.shift} {inst.start_iso})"

    for items in groups.values():
        items.sort(key=lambda t: (t[0], t[1]))
        for (_s0, e0, a0), (s1, _e1, a1) in zip(items, items[1:], strict=False):
            if s1 < e0:
                roles = sorted({r.name for s in prob.scenario.shifts for r in s.roles})
                raise InputError.single(
                    f"{label(a0)} and {label(a1)} overlap, but {'an' if tool[:1] in 'AEIOU' else 'a'} {tool} schedule "
                    "has one person on call "
                    f"at a time: export one role per schedule with --role (roles: {', '.join(roles)})"
                    + (", or target one rotation per role with --rotations" if tool == "Opsgenie" else ""),
                    field="overrides",
                )


# --------------------------------------------------------------------------- escalation


@dataclass(frozen=True)
class ChainStep:
    """One paging step of one severity on one shift instance: who, and after how long."""

    levels: tuple[int, ...]
    people: tuple[tuple[str, str], ...]  # (id, name), no one twice
    timeout_minutes: int
    after_minutes: int


def escalation_plan(
    schedule: Schedule, severities: Iterable[str] = (), at: dt.datetime | None = None, shifts: Iterable[str] = ()
) -> Iterator[tuple[Any, str, list[ChainStep]]]:
    """(instance, severity, [ChainStep]) for every instance (or those running ``at``, or of
    ``shifts``) and every severity (or those named).

    Raises
    ------
    InputError
        No escalation policy or severities, or an unknown severity.
    """
    from ..escalation import Resolver, active_instances, severity_steps

    prob = schedule.problem
    sc = prob.scenario
    if not sc.escalation or not sc.severities:
        raise InputError.single(
            "the scenario needs an escalation policy and severities for escalation exports "
            "(`escalation:` levels and `severities:`)",
            field="escalation",
        )
    names = list(severities) or list(sc.severities)
    for n in names:
        if n not in sc.severities:
            raise InputError.single(
                f"the scenario has no severity {n!r} (known: {', '.join(sc.severities)})", field="--severity"
            )
    shifts = tuple(shifts)
    insts = active_instances(prob, at) if at is not None else range(len(prob.instances))
    insts = [i for i in insts if not shifts or prob.instances[i].shift in shifts]
    res = Resolver(schedule)
    for i in insts:
        by_level = {lv.level: people for lv, people in res.chain(i)}
        for n in names:
            steps = []
            for st in severity_steps(sc, n):
                seen: dict[str, str] = {}
                for v in st.levels:
                    for r in by_level[v]:
                        seen.setdefault(r.id, r.name)
                steps.append(
                    ChainStep(
                        st.levels,
                        tuple(seen.items()),
                        int(st.timeout.total_seconds() // 60),
                        int(st.after.total_seconds() // 60),
                    )
                )
            yield prob.instances[i], n, steps


def policy_name(scenario: Any, inst: Any, severity: str) -> str:
    """``<team> <severity>``, plus ``(<shift>)`` when the scenario has several patterns."""
    many = len(scenario.shifts) > 1
    return f"{scenario.team} {severity}" + (f" ({inst.shift})" if many else "")


def policy_description(scenario: Any, inst: Any, severity: str) -> str:
    """What the severity is, and which shift instance the policy is for."""
    sev = scenario.severities[severity]
    what = f"{severity}: {sev.description}. " if sev.description else f"{severity}. "
    when = f"On call {inst.start_iso} to {inst.end_iso} ({inst.shift}); "
    return what + when + "generated by rota, update at each handover."


PolicyBody = Callable[[Any, str, list[ChainStep], dict[str, str]], dict]


def escalation_bodies(
    schedule: Schedule,
    mapping: UserMapping | dict[str, str],
    tool: str,
    body: PolicyBody,
    severities: Iterable[str] = (),
    at: dt.datetime | None = None,
    utc: bool = False,
    shifts: Iterable[str] = (),
) -> list[dict]:
    """The block both escalation exports share: plan the chains, map every person reached
    to the tool's user (all missing ones named at once), and wrap each tool-specific
    ``body(inst, severity, steps, users)`` as ``{"severity", "shift", "start", "end", "body"}``."""
    plan = list(escalation_plan(schedule, severities, at, shifts))
    ids = {pid: name for _i, _n, steps in plan for st in steps for pid, name in st.people}
    users = users_by_id(sorted(ids.items()), mapping, tool)
    return [
        {
            "severity": sev,
            "shift": inst.shift,
            "start": iso(inst.start, inst.tz, utc),
            "end": iso(inst.end, inst.tz, utc),
            "body": body(inst, sev, steps, users),
        }
        for inst, sev, steps in plan
    ]
