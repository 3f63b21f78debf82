"""Seeded, reproducible generator of realistic on-call scenarios.

Three families, each a function returning a validated :class:`~optimizer.Scenario`
(built through the normal pydantic model, so the generator cannot produce anything a
user could not write in YAML):

- :func:`weekly` — one team, a weekly primary/secondary rotation (size ``S``);
- :func:`follow_the_sun` — three regions, each staffing its own daily 8-hour window with
  a primary and a secondary (size ``M``);
- :func:`pooled` — several daily 24-hour service rotations drawing on one shared pool of
  people, some cross-trained on two services (size ``L``).

All of them give people skills, countries (so public holidays differ by person), time
zones, a few part-timers and carried-over history, about 8 % of days of time off (mostly
hard vacations and sick days, some soft "rather not" days and a few wishes to be on
call), and turn the burnout rules on. The same ``seed`` always gives the same scenario.

Named sizes (:data:`SIZES`): ``T`` (tiny, for the smoke test), ``S``, ``M``, ``L``,
plus ``TM``/``TL`` (tiny versions of the M and L families).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from optimizer.scenario import Scenario

# (country, subdivision, time zone) per region
REGIONS: dict[str, list[tuple[str, str | None, str]]] = {
    "apac": [("SG", None, "Asia/Singapore"), ("IN", None, "Asia/Kolkata"),
             ("AU", "NSW", "Australia/Sydney"), ("JP", None, "Asia/Tokyo")],
    "emea": [("GB", None, "Europe/London"), ("DE", "BE", "Europe/Berlin"),
             ("IE", None, "Europe/Dublin"), ("PL", None, "Europe/Warsaw"),
             ("ES", None, "Europe/Madrid")],
    "amer": [("US", "NY", "America/New_York"), ("US", "IL", "America/Chicago"),
             ("CA", "ON", "America/Toronto"), ("BR", None, "America/Sao_Paulo")],
}
# Follow-the-sun windows: local start in a zone that tiles the UTC day in winter
# (00-08 UTC, 08-16 UTC, 16-24 UTC); DST shifts them against each other in spring.
WINDOWS = {"apac": ("Asia/Singapore", "08:00"), "emea": ("Europe/London", "08:00"),
           "amer": ("America/New_York", "11:00")}
SERVICES = ("payments", "search", "identity", "storage", "network", "mobile", "data",
            "billing", "messaging", "ml")
TEAM_SKILLS = ("infra", "data", "security", "product")

TIME_OFF_SHARE = 0.08


# --------------------------------------------------------------------------- helpers


def _person(rng: random.Random, k: int, region: str, skills: list[str]) -> dict[str, Any]:
    country, subdiv, tz = rng.choice(REGIONS[region])
    out: dict[str, Any] = {
        "id": f"p{k:03d}",
        "name": f"Person {k:03d}",
        "email": f"p{k:03d}@example.com",
        "skills": sorted(set(skills)),
        "timezone": tz,
        "country": country,
    }
    if subdiv:
        out["subdivision"] = subdiv
    u = rng.random()
    if u < 0.08:
        out["fte"] = 0.5
    elif u < 0.15:
        out["fte"] = 0.8
    if rng.random() < 0.3:
        out["history"] = float(rng.randrange(8, 120, 4))
    return out


def time_off(
    rng: random.Random, people: list[dict[str, Any]], start: dt.date, end: dt.date,
    share: float = TIME_OFF_SHARE,
) -> list[dict[str, Any]]:
    """About ``share`` of each person's days off, as non-overlapping blocks.

    Blocks are vacations (3-10 days, hard), sick days (1-3 days, hard) and "rather not"
    days (1-2 days, soft, weight 5-30); some people also get a 2-4 day wish to be on call
    (``prefer``, not counted as time off).
    """
    days = (end - start).days + 1
    out: list[dict[str, Any]] = []
    for person in people:
        budget = round(days * share * rng.uniform(0.5, 1.5))
        taken: set[int] = set()
        tries = 0
        while budget > 0 and tries < 50:
            tries += 1
            u = rng.random()
            if u < 0.55:
                length, kind = rng.randint(3, 10), "vacation"
            elif u < 0.85:
                length, kind = rng.randint(1, 3), "sick"
            else:
                length, kind = rng.randint(1, 2), "soft"
            length = min(length, budget)
            first = rng.randrange(0, max(1, days - length + 1))
            span = set(range(first - 1, first + length + 1))  # keep a day between blocks
            if span & taken:
                continue
            taken |= set(range(first, first + length))
            budget -= length
            entry: dict[str, Any] = {
                "person": person["id"],
                "from": start + dt.timedelta(days=first),
                "to": start + dt.timedelta(days=first + length - 1),
            }
            if kind == "soft":
                entry.update(soft=True, weight=float(rng.choice((5, 10, 20, 30))))
            else:
                entry["type"] = kind
            out.append(entry)
        if rng.random() < 0.1:
            first = rng.randrange(0, max(1, days - 4))
            span = set(range(first, first + 4))
            if not span & taken:
                out.append({"person": person["id"], "prefer": True, "weight": 10.0,
                            "from": start + dt.timedelta(days=first),
                            "to": start + dt.timedelta(days=first + rng.randint(1, 3))})
    out.sort(key=lambda e: (e["from"], e["person"]))
    return out


def _common(team: str, tz: str, start: dt.date, end: dt.date) -> dict[str, Any]:
    return {
        "team": team,
        "timezone": tz,
        "start": start,
        "end": end,
        "weights": {"roles": {"secondary": 0.5}, "weekend": 1.5, "holiday": 2.0, "night": 1.25},
        "fairness": {"load": 1, "weekends": 10, "holidays": 10},
        "solver": {"time_limit": 60, "seed": 0},
    }


# --------------------------------------------------------------------------- families


def weekly(people: int = 12, weeks: int = 13, seed: int = 0,
           start: dt.date = dt.date(2027, 1, 4)) -> Scenario:
    """One team, weekly primary/secondary handing over on Monday 10:00 (Europe/Berlin).

    Primary needs ``infra``; every crew of two must cover infra, data and security
    together. Rules: two weeks' rest after a week on, at most 2 weeks on in any 6, at
    most 5 weekends, holidays avoided (soft), nobody more than half the horizon on call.
    """
    rng = random.Random(f"weekly-{people}-{weeks}-{seed}")
    end = start + dt.timedelta(days=7 * weeks - 1)
    folks = []
    for k in range(people):
        # every other person holds infra; everyone has two or three skills
        first = "infra" if k % 2 == 0 else rng.choice(TEAM_SKILLS[1:])
        extra = rng.sample([s for s in TEAM_SKILLS if s != first], rng.randint(1, 2))
        folks.append(_person(rng, k, "emea", [first, *extra]))
    if people >= 6:
        folks[-1]["roles"] = ["secondary"]
    data = _common(f"weekly-{people}", "Europe/Berlin", start, end)
    data.update(
        shifts=[{
            "name": "week", "repeat": "weekly", "starts": "mon 10:00", "length": "7d",
            "roles": [{"name": "primary", "skills": ["infra"]}, {"name": "secondary"}],
            "crew_skills": ["infra", "data", "security"],
        }],
        people=folks,
        time_off=time_off(rng, folks, start, end),
        extra_holidays=[{"date": start + dt.timedelta(days=7 * (weeks // 2) + 4), "name": "Offsite"}],
        rules={
            "min_rest": "14d",
            "max_shifts": [{"count": 2, "within": "42d"}],
            "max_weekends": {"count": max(2, weeks * 5 // 13)},
            "max_share": {"share": 0.5},
            "holidays": {"mode": "avoid", "soft": True, "weight": 20},
        },
    )
    return Scenario.model_validate(data)


def follow_the_sun(people: int = 60, days: int = 91, seed: int = 0,
                   start: dt.date = dt.date(2027, 3, 1)) -> Scenario:
    """Three regions (APAC, EMEA, AMER), each staffing a daily 8-hour window in its own
    zone with a primary (region skill + ``lead``) and a secondary (region skill).

    The default horizon (March to May 2027) contains both spring DST changes, Easter and
    the May holidays. Rules: 12 h rest, at most 5 shifts and 40 h in any 7 days, at most
    4 days in a row, at most 6 weekends per quarter (pro rata), holidays avoided (soft).
    """
    rng = random.Random(f"fts-{people}-{days}-{seed}")
    end = start + dt.timedelta(days=days - 1)
    regions = list(WINDOWS)
    folks = []
    for k in range(people):
        region = regions[k % 3]
        skills = [region] + (["lead"] if rng.random() < 0.6 else [])
        folks.append(_person(rng, k, region, skills))
    data = _common(f"follow-the-sun-{people}", "UTC", start, end)
    data.update(
        shifts=[{
            "name": region, "repeat": "daily", "starts": WINDOWS[region][1], "length": "8h",
            "timezone": WINDOWS[region][0],
            "roles": [{"name": "primary", "skills": [region, "lead"]},
                      {"name": "secondary", "skills": [region]}],
        } for region in regions],
        people=folks,
        time_off=time_off(rng, folks, start, end),
        rules={
            "min_rest": "12h",
            "max_shifts": [{"count": 5, "within": "7d"}],
            "max_hours": [{"hours": 40, "within": "7d"}],
            "max_consecutive_days": 4,
            "max_weekends": {"count": max(2, round(6 * days / 91))},
            "holidays": {"mode": "avoid", "soft": True, "weight": 20},
        },
    )
    return Scenario.model_validate(data)


def pooled(people: int = 300, rotations: int = 10, days: int = 365, seed: int = 0,
           start: dt.date = dt.date(2027, 1, 1)) -> Scenario:
    """``rotations`` daily 24-hour service rotations (09:00 Europe/Berlin handover), each
    with a primary (service skill + ``lead``) and a secondary (service skill), staffed from
    one pool: everyone has a home service, 40 % are cross-trained on a second one.

    Rules: 24 h rest, at most 2 shifts in any 7 days, at most 4 days in a row, at most 12
    weekends a year (pro rata), holidays avoided (soft).
    """
    rng = random.Random(f"pooled-{people}-{rotations}-{days}-{seed}")
    end = start + dt.timedelta(days=days - 1)
    services = list(SERVICES[:rotations]) if rotations <= len(SERVICES) else [
        f"svc{k}" for k in range(rotations)]
    regions = list(REGIONS)
    folks = []
    for k in range(people):
        home = services[k % rotations]
        skills = [home]
        if rng.random() < 0.4 and rotations > 1:
            skills.append(rng.choice([s for s in services if s != home]))
        if rng.random() < 0.6:
            skills.append("lead")
        folks.append(_person(rng, k, regions[k % len(regions)], skills))
    data = _common(f"pooled-{people}x{rotations}", "Europe/Berlin", start, end)
    data.update(
        shifts=[{
            "name": svc, "repeat": "daily", "starts": "09:00", "length": "1d",
            "roles": [{"name": "primary", "skills": [svc, "lead"]},
                      {"name": "secondary", "skills": [svc]}],
        } for svc in services],
        people=folks,
        time_off=time_off(rng, folks, start, end),
        rules={
            "min_rest": "24h",
            "max_shifts": [{"count": 2, "within": "7d"}],
            "max_consecutive_days": 4,
            "max_weekends": {"count": max(2, round(12 * days / 365))},
            "holidays": {"mode": "avoid", "soft": True, "weight": 20},
        },
    )
    return Scenario.model_validate(data)


# --------------------------------------------------------------------------- sizes


@dataclass(frozen=True)
class Size:
    name: str
    family: str
    make: Callable[..., Scenario]
    params: dict[str, int]
    description: str


SIZES: dict[str, Size] = {
    "T": Size("T", "weekly", weekly, {"people": 8, "weeks": 4},
              "tiny: 8 people, weekly primary/secondary, 4 weeks"),
    "TM": Size("TM", "follow_the_sun", follow_the_sun, {"people": 12, "days": 7},
               "tiny follow-the-sun: 12 people, 3 windows x 2 roles, 1 week"),
    "TL": Size("TL", "pooled", pooled, {"people": 20, "rotations": 2, "days": 14},
               "tiny pooled: 20 people, 2 daily rotations, 2 weeks"),
    "S": Size("S", "weekly", weekly, {"people": 12, "weeks": 13},
              "12 people, weekly primary/secondary, a quarter"),
    "M": Size("M", "follow_the_sun", follow_the_sun, {"people": 60, "days": 91},
              "60 people, follow-the-sun 3 daily 8h windows x 2 roles, a quarter"),
    "L": Size("L", "pooled", pooled, {"people": 300, "rotations": 10, "days": 365},
              "300 people, 10 daily rotations sharing a pool, a year"),
}

FAMILIES: dict[str, Callable[..., Scenario]] = {
    "weekly": weekly, "follow_the_sun": follow_the_sun, "pooled": pooled,
}


def generate(size: str, seed: int = 0, **overrides: int) -> Scenario:
    """The scenario of a named size (``T``, ``TM``, ``TL``, ``S``, ``M``, ``L``).

    Parameters
    ----------
    size
        A key of :data:`SIZES`.
    seed
        Same seed, same scenario.
    overrides
        Family parameters to change (``people``, ``days``, ``weeks``, ``rotations``).
    """
    try:
        spec = SIZES[size]
    except KeyError:
        raise ValueError(f"unknown size {size!r} (known: {', '.join(SIZES)})") from None
    return spec.make(seed=seed, **{**spec.params, **overrides})
