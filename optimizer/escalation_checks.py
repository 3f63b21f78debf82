"""Cross-checks of a scenario's escalation policy: levels, severities, runbooks and
escalation weights must name roles, skills, shifts, people and levels that exist.

Called by the :class:`~optimizer.scenario.Scenario` validator; raises
:class:`~optimizer.fields.LocatedError` (the loader turns it into file, line and field).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .escalation_spec import EscalationContact
from .fields import LocatedError
from .suggest import did_you_mean

if TYPE_CHECKING:
    from .scenario import Scenario


def check_escalation(sc: Scenario) -> None:
    """Escalation levels, severities, runbooks and escalation weights name what exists.

    Raises
    ------
    LocatedError
        The first reference to something that does not exist (or is defined twice).
    """
    roles = sorted({r.name for s in sc.shifts for r in s.roles})
    skills = sorted({k for p in sc.people for k in p.skills})
    shifts = {s.name for s in sc.shifts}
    ids = {p.id for p in sc.people}
    seen: dict[int, int] = {}
    contacts: dict[str, EscalationContact] = {}
    for i, lv in enumerate(sc.escalation):
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
                    f"level {lv.level}: unknown role {r!r} ({did_you_mean(r, roles)}known: {', '.join(roles)})",
                )
        for k in lv.skills:
            if k not in skills:
                raise LocatedError(
                    ("escalation", i, "skills"),
                    f"level {lv.level}: nobody holds skill {k!r} ({did_you_mean(k, skills)}known: {', '.join(skills)})",
                )
        if lv.from_ != "crew" and lv.from_ not in shifts:
            raise LocatedError(
                ("escalation", i, "from"),
                f"level {lv.level}: from {lv.from_!r} is neither crew nor a shift (known: {', '.join(sorted(shifts))})",
            )
        for j, who in enumerate(lv.people):
            if isinstance(who, str):
                if who not in ids and who not in contacts:
                    raise LocatedError(
                        ("escalation", i, "people", j),
                        f"level {lv.level}: unknown person {who!r} ({did_you_mean(who, ids)}"
                        "a person id, or a contact "
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
    for name, sev in sc.severities.items():
        for field in ("page", "then"):
            for j, v in enumerate(getattr(sev, field)):
                if v not in seen:
                    raise LocatedError(
                        ("severities", name, field, j),
                        f"severity {name}: no escalation level {v} (levels: {levels})",
                    )
        twice = sorted(set(sev.page) & set(sev.then)) or sorted(v for v in set(sev.levels) if sev.levels.count(v) > 1)
        if twice:
            raise LocatedError(("severities", name), f"severity {name}: level {twice[0]} is listed twice")
    for key, url in sc.runbooks.items():
        if key not in roles and key not in skills:
            raise LocatedError(
                ("runbooks", key),
                f"runbook for {key!r}: not a skill or role (skills: {', '.join(skills)}; roles: {', '.join(roles)})",
            )
        if not re.match(r"^https?://\S+$", str(url).strip()):
            raise LocatedError(("runbooks", key), f"runbook for {key!r}: expected an http(s) URL, got {url!r}")
    for v in sc.weights.escalation_level:
        if v not in seen:
            raise LocatedError(("weights", "escalation_level", v), f"no escalation level {v} (levels: {levels})")
