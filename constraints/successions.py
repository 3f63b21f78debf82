"""Forbidden next-day successions: ``shifts[].not_followed_by: [B, ...]`` on pattern A means
nobody works an instance of B starting on the local day after the start of an instance
of A they work. Always hard.
"""

from __future__ import annotations

import datetime as dt

from optimizer.facts import instance_on, start_dates

from .base import (
    Facts,
    Grouping,
    Outcome,
    Placed,
    Relaxation,
    Violation,
    WarmCheck,
    no_capacity,
    no_prune,
    no_warm_cost,
    per_person,
    person_id,
)

NAME = "succession"
ONE_DAY = dt.timedelta(days=1)


NAMES = (NAME,)
OBJECTIVE_ONLY = False
RELAX: Grouping = "person"
RANK = 35
prune = no_prune


def _forbids(prob) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(pattern, the patterns it forbids the next local day) of every pattern that forbids some."""
    return tuple((pat.name, tuple(pat.not_followed_by)) for pat in prob.scenario.shifts if pat.not_followed_by)


def _followers(prob):
    """Instance index -> the instances of its forbidden followers that start the local day
    after it (only instances that have some); once per calendar (``calendar_memo``)."""
    forbids = _forbids(prob)
    return prob.calendar_memo(("successions.followers", forbids), lambda: _follower_table(prob, dict(forbids)))


def _follower_table(prob, rules: dict[str, tuple[str, ...]]) -> dict[int, list[int]]:
    dates = start_dates(prob)
    out: dict[int, list[int]] = {}
    if not rules:
        return out
    for i, inst in enumerate(prob.instances):
        for other in rules.get(inst.shift, ()):
            j = instance_on(prob, other, dates[i] + ONE_DAY)
            if j is not None:
                out.setdefault(i, []).append(j)
    return out


def _pairs(prob):
    """(i, j): instance j of a forbidden follower starts the local day after instance i."""
    return [(i, j) for i, js in _followers(prob).items() for j in js]


def _blocks(prob):
    """The forbidden successions as blocks ``(A, B)``: the instances ``A`` of one start date
    that forbid the same followers ``B`` (every pair of ``A × B`` forbidden), with whether
    both sides are cliques in time (``A``'s instances share an instant, so do ``B``'s);
    once per calendar."""
    return prob.calendar_memo(("successions.blocks", _forbids(prob)), lambda: _block_table(prob))


def _block_table(prob):
    dates = start_dates(prob)
    groups: dict[tuple, list[int]] = {}
    for i, js in _followers(prob).items():
        groups.setdefault((dates[i], tuple(sorted(js))), []).append(i)
    insts = prob.instances

    def clique(ks) -> bool:
        return max(insts[k].start for k in ks) < min(insts[k].end for k in ks)

    return [(a, list(b), clique(a) and clique(b)) for (_, b), a in groups.items()]


def encode(m) -> None:
    """Per person, ``A × B`` of each block as one at-most-one when both sides are cliques in
    time (nobody takes two of ``A`` or two of ``B`` anyway, since they overlap), else one
    clause per pair. Curtois Instance24 (150 people, 32 types with up to 28 forbidden
    followers each): 10.3 M constraints in all with pair clauses, 0.86 M with the blocks;
    build 89.4 s -> 43.5 s (docs/benchmarks.md)."""
    v = m.vars
    blocks = _blocks(m.problem)
    if not blocks:
        return
    for p in v.people():
        mine = set(v.instances_of[p])
        works = v.person_works(p)
        for a, b, clique in blocks:
            first = [i for i in a if i in mine]
            if not first:
                continue
            then = [j for j in b if j in mine]
            if not then:
                continue
            if clique:
                m.model.add_at_most_one([works[i] for i in first + then])
            else:
                for i in first:
                    for j in then:
                        m.model.add_bool_or([works[i].Not(), works[j].Not()])


def evaluate(prob, schedule, stats) -> Outcome:
    out = Outcome()
    after = _followers(prob)
    if not after:
        return out
    for p, assigned in schedule.by_person().items():
        mine = {a.instance for a in assigned}
        for i in sorted(mine):
            for j in after.get(i, ()):
                if j in mine:
                    a, b = prob.instances[i], prob.instances[j]
                    out.violations.append(
                        Violation(
                            NAME,
                            f"{b.label} follows {a.label} ({a.shift} may not be followed by {b.shift})",
                            prob.people[p].id,
                            b.shift,
                            b.start_iso,
                        )
                    )
    return out


def _rules(prob: Facts) -> str:
    return "; ".join(
        f"no {'/'.join(pat.not_followed_by)} the day after {pat.name}"
        for pat in prob.scenario.shifts
        if pat.not_followed_by
    )


def describe(prob: Facts, person: int | None, instance: int | None) -> str:
    pid = person_id(prob, person)
    return f"{pid + ': ' if pid else ''}{_rules(prob)} (not_followed_by)"


def relaxations(prob: Facts, person: int | None, instance: int | None) -> list[Relaxation]:
    pid = person_id(prob, person) or "everyone"
    return [Relaxation(f"allow {pid} the forbidden next-day successions ({_rules(prob)})", RANK)]


capacity = no_capacity  # pairs of shifts, no cap on a person's share


def warm_start(prob: Facts) -> WarmCheck | None:
    clash: dict[int, set[int]] = {}
    for i, j in _pairs(prob):
        clash.setdefault(i, set()).add(j)
        clash.setdefault(j, set()).add(i)
    if not clash:
        return None

    def check(placed: Placed, p: int, i: int) -> bool:
        other = clash.get(i)
        return not other or other.isdisjoint(placed.insts)

    return check


warm_cost = no_warm_cost  # no soft penalty the greedy weighs
couples = per_person  # binds each person alone
