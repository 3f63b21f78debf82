"""Per-person statistics computed from a finished schedule alone (no solver).

These are the quantities the evaluators judge and the reports show: hours by kind,
weekends and public holidays touched, calendar days on call, and load.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .timecalc import KINDS, days_touched, weekends_touched

if TYPE_CHECKING:
    from .schedule import Schedule


@dataclass
class PersonStats:
    shifts: int = 0
    seconds: int = 0
    kind_seconds: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    weekends: set[dt.date] = field(default_factory=set)   # Saturdays, team zone
    holidays: set[dt.date] = field(default_factory=set)   # own public holidays, own zone
    days: set[dt.date] = field(default_factory=set)       # calendar days on call, own zone
    load_centi: int = 0


def person_stats(schedule: Schedule) -> list[PersonStats]:
    prob = schedule.problem
    out = [PersonStats() for _ in prob.people]
    for a in schedule.assignments:
        inst = prob.instances[a.instance]
        s = out[a.person]
        s.shifts += 1
        s.seconds += inst.seconds
        for k, v in prob.kinds(a.person, a.instance).items():
            s.kind_seconds[k] += v
        s.weekends.update(weekends_touched(inst.start, inst.end, prob.team_tz))
        own_days = days_touched(inst.start, inst.end, prob.tz[a.person])
        s.days.update(own_days)
        s.holidays.update(d for d in own_days if d in prob.holidays[a.person])
        s.load_centi += prob.load(a.person, a.instance, a.role)
    return out
