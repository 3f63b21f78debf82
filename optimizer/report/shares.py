"""Fair shares for the report: each person's eligibility-aware fair share of the load
(:func:`optimizer.fairshare.fair_shares`), their load against it, and why loads differ."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..fairness_metrics import person_fairness
from ..fairshare import fair_shares
from ..schedule import Schedule


@dataclass(frozen=True)
class FairShareRow:
    """One person in the fair-share table (load-hours, the units of ``people.csv`` ``load``)."""

    person_id: str
    name: str
    fte: float
    history: float
    fair_share: float | None  # None: cannot be on call this period
    load: float
    diff: float | None  # load - fair_share
    notes: tuple[str, ...]  # what makes this person's share differ from a full-timer's


@dataclass(frozen=True)
class FairShareView:
    rows: tuple[FairShareRow, ...]
    reasons: tuple[str, ...]  # one or two sentences on why the shares differ
    most_over: tuple[str, ...]  # everyone tied at the largest load above the fair share
    most_under: tuple[str, ...]  # everyone tied at the largest shortfall


def _notes(schedule: Schedule, p: int, in_pool: bool) -> tuple[str, ...]:
    prob = schedule.problem
    person = prob.people[p]
    out = []
    if not in_pool:
        out.append("cannot be on call this period")
    if person.fte < 1:
        out.append(f"works {person.fte:.0%} (FTE {person.fte:g})")
    if person.history > 0:
        out.append(f"carries {person.history:g} load-hours from earlier periods")
    if person.roles is not None and in_pool:
        out.append("only " + ", ".join(person.roles))
    days = sum((iv.end - iv.start) for iv in prob.hard_off[p]) / 86400
    if days >= 1:
        out.append(f"{days:.0f} days of time off")
    return tuple(out)


def _tied(values: dict[str, float], largest: bool) -> tuple[str, ...]:
    if not values:
        return ()
    best = max(values.values()) if largest else min(values.values())
    if (largest and best <= 0.005) or (not largest and best >= -0.005):
        return ()
    return tuple(sorted(k for k, v in values.items() if math.isclose(v, best, abs_tol=0.005)))


def fair_share_rows(schedule: Schedule) -> FairShareView:
    """The fair-share table of ``schedule``: one row per person, the reasons, and the people
    most over and most under their share (all of them when tied)."""
    shares = fair_shares(schedule.problem)
    people = person_fairness(schedule)
    rows = []
    diffs: dict[str, float] = {}
    for p, rec in enumerate(people.itertuples(index=False)):
        share = shares.by_person.get(rec.person_id)
        diff = None if share is None else round(float(rec.load) - share, 2)
        if diff is not None:
            diffs[str(rec.person_name)] = diff
        rows.append(
            FairShareRow(
                str(rec.person_id),
                str(rec.person_name),
                float(rec.fte),
                float(rec.history),
                share,
                float(rec.load),
                diff,
                _notes(schedule, p, share is not None),
            )
        )
    return FairShareView(tuple(rows), tuple(shares.reasons), _tied(diffs, True), _tied(diffs, False))
