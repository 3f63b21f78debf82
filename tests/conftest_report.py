"""Helpers for the report and plot tests: generated scenarios and a quick greedy schedule.

Not a conftest (pytest does not load it by itself): ``from conftest_report import ...``.
"""

from __future__ import annotations

import datetime as dt

from optimizer.problem import Problem
from optimizer.scenario import Scenario
from optimizer.schedule import Assignment, Schedule

COUNTRIES = [("DE", "BE"), ("GB", None), ("US", "NY"), ("IN", None), ("FR", None), ("ES", None)]
FIRST = ["Ada", "Ben", "Chloé", "Dmitri", "Elif", "Femi", "Gita", "Hugo", "Iris", "Jonas", "Kai", "Lea",
         "Mateo", "Noor", "Olu", "Priya", "Quinn", "Rosa", "Sven", "Tariq"]
LAST = ["Andersen", "Bianchi", "Castillo", "Dubois", "Eriksen", "Fischer", "Gupta", "Hansen", "Ito",
        "Jovanović", "Kowalski", "Larsen", "Moreau", "Nakamura", "O'Brien", "Papadopoulos"]


def team_scenario(n_people: int = 60, days: int = 91, start: dt.date = dt.date(2027, 1, 4),
                  time_off: bool = True) -> Scenario:
    """A daily day/night rotation (day: primary + secondary, night: primary) for ``n_people``
    over ``days`` days, with countries, skills, history, part-timers and time off."""
    people = []
    for k in range(n_people):
        country, sub = COUNTRIES[k % len(COUNTRIES)]
        skills = ["infra"] if k % 3 else ["infra", "data"]
        if k % 4 == 1:
            skills = ["data"]
        people.append({
            "id": f"p{k:02d}",
            "name": f"{FIRST[k % len(FIRST)]} {LAST[(k * 7) % len(LAST)]}",
            "skills": skills,
            "country": country,
            **({"subdivision": sub} if sub else {}),
            **({"fte": 0.5} if k % 10 == 7 else {}),
            **({"history": float(20 * (k % 5))} if k % 6 == 0 else {}),
        })
    end = start + dt.timedelta(days=days - 1)
    offs = []
    if time_off:
        for k in range(0, n_people, 5):
            a = start + dt.timedelta(days=(k * 3) % max(days, 1))
            b = min(end, a + dt.timedelta(days=4))
            entry = {"person": f"p{k:02d}", "from": a.isoformat(), "to": b.isoformat()}
            if k % 10 == 5:
                entry.update(soft=True, weight=10)
            offs.append(entry)
    return Scenario.model_validate({
        "team": f"generated-{n_people}",
        "timezone": "Europe/Berlin",
        "start": start.isoformat(),
        "end": end.isoformat(),
        "shifts": [
            {"name": "day", "repeat": "daily", "starts": "09:00", "length": "12h",
             "roles": [{"name": "primary", "count": 1, "skills": ["infra"]},
                       {"name": "secondary", "count": 1}],
             "crew_skills": ["infra", "data"]},
            {"name": "night", "repeat": "daily", "starts": "21:00", "length": "12h",
             "roles": [{"name": "primary", "count": 1, "skills": ["infra"]}]},
        ],
        "people": people,
        "time_off": offs,
        "rules": {"min_rest": "12h", "max_shifts": [{"count": 3, "within": "7d"}]},
        "weights": {"roles": {"secondary": 0.5}, "weekend": 1.5, "holiday": 2.0, "night": 1.25},
    })


def greedy_schedule(scenario: Scenario) -> Schedule:
    """Fill every slot with the least-loaded qualified person not on hard time off and not
    already on the crew (no solver; may break soft and rest rules)."""
    prob = Problem(scenario)
    load = [0] * len(prob.people)
    out = []
    for i, inst in enumerate(prob.instances):
        crew: set[int] = set()
        for r, role in enumerate(inst.roles):
            for _ in range(role.count):
                cands = [p for p in range(len(prob.people))
                         if p not in crew and prob.qualified(p, i, r) and prob.hard_time_off(p, i) is None]
                if not cands:
                    continue
                p = min(cands, key=lambda q: (load[q] / prob.people[q].fte, q))
                crew.add(p)
                load[p] += prob.load(p, i, r)
                out.append(Assignment(i, r, p))
    return Schedule(prob, out)
