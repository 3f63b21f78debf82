"""Who can take my shift (swaps), and applying a chosen swap to a published schedule.

Every candidate is screened by :class:`optimizer.localcheck.LocalCheck` and then judged
in full by :func:`optimizer.verify.evaluate`.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable

import numpy as np
import pandas as pd

from .errors import InputError
from .localcheck import LocalCheck, violation_keys
from .problem import Problem
from .schedule import Assignment, Schedule
from .timecalc import iso_local
from .verify import evaluate

# --------------------------------------------------------------------------- finding things


def person_of(problem: Problem, person: int | str) -> int:
    """Index of a person given by index, id, e-mail, full name or a first name no one else has.

    Ids match exactly first; the rest ignore case.

    Raises
    ------
    InputError
        Nobody matches, or a name matches several people (both name the candidates).
    """
    if isinstance(person, int | np.integer):
        if not 0 <= int(person) < len(problem.people):
            raise ValueError(f"no person number {person}")
        return int(person)
    text = str(person).strip()
    if text in problem.person_index:
        return problem.person_index[text]
    key = text.casefold()
    for match in (
        lambda p: p.id.casefold() == key,
        lambda p: (p.email or "").casefold() == key,
        lambda p: p.display_name.casefold() == key,
        lambda p: p.display_name.split()[0].casefold() == key if p.display_name.split() else False,
    ):
        found = [k for k, p in enumerate(problem.people) if match(p)]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            who = ", ".join(f"{problem.people[k].id} ({problem.people[k].display_name})" for k in found)
            raise InputError.single(f"{text!r} names several people: {who}; give an id", field="--person")
    names = [p.id for p in problem.people] + [p.display_name for p in problem.people]
    close = difflib.get_close_matches(text, names, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise InputError.single(f"unknown person {text!r} ({hint}ids: {', '.join(problem.person_index)})", field="--person")


def find_instance(problem: Problem, shift: str, start: str | dt.date | dt.datetime) -> int:
    """Index of the instance of pattern ``shift`` at ``start``.

    ``start`` is any moment inside the instance: a local date (the instance starting that
    day, else the one covering most of that day, so a mid-week date picks the week
    covering it), an ISO timestamp (with or without offset: without, it is read in the
    shift's zone; the instance starting then, else the one running then) or a datetime.

    Raises
    ------
    InputError
        No such pattern, unreadable start, or no instance then (names the nearest).
    """
    from .facts import instance_on
    from .timecalc import local_to_utc

    insts = [inst for inst in problem.instances if inst.shift == shift]
    if not insts:
        names = sorted({inst.shift for inst in problem.instances})
        close = difflib.get_close_matches(shift, names, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise InputError.single(f"no shift named {shift!r} ({hint}shifts: {', '.join(names)})", field="--shift")
    day: dt.date | None = None
    ts: int | None = None
    if isinstance(start, dt.datetime):
        ts = int(start.timestamp()) if start.tzinfo else local_to_utc(start, insts[0].tz)
    elif isinstance(start, dt.date):
        day = start
    else:
        try:
            day = dt.date.fromisoformat(start.strip())
        except ValueError:
            try:
                when = dt.datetime.fromisoformat(start.strip().replace("Z", "+00:00"))
            except ValueError:
                raise InputError.single(
                    f"cannot read start {start!r} (a date such as 2027-01-04 or an ISO timestamp)",
                    field="--start",
                ) from None
            ts = int(when.timestamp()) if when.tzinfo else local_to_utc(when, insts[0].tz)
    i: int | None
    if day is not None:
        i = instance_on(problem, shift, day)
        if i is None:
            lo = local_to_utc(dt.datetime.combine(day, dt.time()), insts[0].tz)
            hi = local_to_utc(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()), insts[0].tz)
            best = max(insts, key=lambda inst: (min(inst.end, hi) - max(inst.start, lo), -inst.start))
            i = best.index if min(best.end, hi) > max(best.start, lo) else None
        ts = local_to_utc(dt.datetime.combine(day, dt.time(12)), insts[0].tz)
    else:
        i = next((inst.index for inst in insts if inst.start == ts), None)
        if i is None:
            i = next((inst.index for inst in insts if inst.start <= ts < inst.end), None)  # type: ignore[operator]
    if i is None:
        assert ts is not None
        near = sorted(insts, key=lambda inst: min(abs(inst.start - ts), abs(inst.end - ts)))[:2]
        nearest = " or ".join(
            f"{inst.start_iso} .. {iso_local(inst.end, inst.tz)}" for inst in sorted(near, key=lambda inst: inst.start)
        )
        raise InputError.single(
            f"no instance of {shift!r} runs at {start} (nearest: {nearest})",
            field="--start",
        )
    return i


def _slot_of(schedule: Schedule, p: int, i: int, role: int | str | None) -> Assignment:
    prob = schedule.problem
    inst = prob.instances[i]
    held = [a for a in schedule.assignments if a.instance == i and a.person == p]
    if isinstance(role, str):
        r = prob.role_index(i, role)
        if r is None:
            raise InputError.single(f"{inst.shift} has no role {role!r}", field="--role")
        role = r
    if role is not None:
        held = [a for a in held if a.role == role]
    if not held:
        others = (
            ", ".join(
                f"{prob.people[a.person].id} ({inst.roles[a.role].name})"
                for a in schedule.assignments
                if a.instance == i
            )
            or "nobody"
        )
        raise InputError.single(
            f"{prob.people[p].id} holds no{' such' if role is not None else ''} role on "
            f"{inst.said} (held by {others})",
            field="--person",
        )
    return held[0]


# --------------------------------------------------------------------------- swaps


SWAP_COLUMNS = [
    "person",
    "name",
    "kind",
    "back_shift",
    "back_start",
    "back_role",
    "delta_points",
    "delta_fairness",
    "load_before",
    "load_after",
    "delta_by_rule",
]


def swap_candidates(
    schedule: Schedule,
    person: int | str,
    instance: int,
    role: int | str | None = None,
    *,
    two_way: bool = False,
) -> pd.DataFrame:
    """Who can take ``person``'s slot on ``instance`` without breaking a hard rule.

    Every candidate is first screened by :class:`LocalCheck`, then the changed schedule
    is judged in full by :func:`optimizer.verify.evaluate`; only changes that add no
    hard violation are returned.

    Parameters
    ----------
    schedule
        The published schedule.
    person
        The person giving the shift away (index or id).
    instance
        Index of the shift instance (see :func:`find_instance`).
    role
        The role given away (index or name); default the role ``person`` holds there.
    two_way
        Also list two-way swaps: the candidate takes the slot and gives one of their own
        later or earlier slots to ``person``.

    Returns
    -------
    DataFrame
        Columns ``person`` (id), ``name``, ``kind`` (``take``: a plain hand-over,
        ``swap``: two-way), ``back_shift``/``back_start``/``back_role`` (the slot given
        back, empty for ``take``), ``delta_points`` (change of the total soft penalty),
        ``delta_fairness`` (the part of it from the ``fair_*`` rules), ``load_before``,
        ``load_after`` (the candidate's load) and ``delta_by_rule`` (dict). Hand-overs
        first, then swaps; each cheapest first.
    """
    prob = schedule.problem
    p = person_of(prob, person)
    slot = _slot_of(schedule, p, instance, role)
    i, r = slot.instance, slot.role
    check = LocalCheck(schedule)
    base = evaluate(schedule)
    base_keys = violation_keys(base)
    base_rules = base.by_rule().to_dict()
    rows = []

    def load(q: int, assignments: Iterable[Assignment]) -> float:
        return sum(prob.load(q, a.instance, a.role) for a in assignments if a.person == q) / 100

    def verified(q: int, remove: list[Assignment], add: list[Assignment], back: Assignment | None) -> None:
        if check.new_violations(remove, add):
            return
        changed = [a for a in schedule.assignments if a not in remove] + add
        ev = evaluate(Schedule(prob, changed))
        if violation_keys(ev) - base_keys:
            return  # the local check is exact (tested); the full judgement has the last word
        now = ev.by_rule().to_dict()
        delta = {k: round(now.get(k, 0.0) - base_rules.get(k, 0.0), 4) for k in sorted(set(now) | set(base_rules))}
        delta = {k: d for k, d in delta.items() if abs(d) > 1e-9}
        binst = prob.instances[back.instance] if back else None
        rows.append(
            {
                "person": prob.people[q].id,
                "name": prob.people[q].display_name,
                "kind": "swap" if back else "take",
                "back_shift": binst.shift if binst else "",
                "back_start": binst.start_iso if binst else "",
                "back_role": binst.roles[back.role].name if binst and back else "",
                "delta_points": round(ev.objective - base.objective, 4),
                "delta_fairness": round(sum(d for k, d in delta.items() if k.startswith("fair_")), 4),
                "load_before": load(q, schedule.assignments),
                "load_after": load(q, changed),
                "delta_by_rule": delta,
            }
        )

    for q in range(len(prob.people)):
        if q == p or not check.could_take(q, i, r):
            continue
        take = Assignment(i, r, q)
        verified(q, [slot], [take], None)
        if not two_way:
            continue
        for back in check.mine[q]:
            if back.instance == i or not check.could_take(p, back.instance, back.role):
                continue
            verified(q, [slot, back], [take, Assignment(back.instance, back.role, p)], back)
    df = pd.DataFrame(rows, columns=SWAP_COLUMNS)
    return df.sort_values(
        ["kind", "delta_points", "delta_fairness", "person", "back_start"],
        ascending=[False, True, True, True, True],
        kind="stable",
    ).reset_index(drop=True)


# --------------------------------------------------------------------------- applying a swap


def apply_swap(
    schedule: Schedule,
    person: int | str,
    instance: int,
    taker: int | str,
    role: int | str | None = None,
    *,
    back: int | None = None,
    back_role: int | str | None = None,
) -> Schedule:
    """The schedule after ``taker`` takes ``person``'s slot on ``instance``.

    With ``back`` (an instance index), a two-way swap: ``taker`` also gives their slot on
    ``back`` to ``person``. The change is judged by the full evaluator and refused when it
    adds a hard-rule violation, so the result passes ``rota verify`` whenever the input did.

    Parameters
    ----------
    schedule
        The published schedule (not modified).
    person, taker
        The person giving the shift away and the one taking it (index, id, e-mail or name,
        see :func:`person_of`).
    instance
        Index of the shift instance (see :func:`find_instance`).
    role
        The role given away (index or name); default the role ``person`` holds there.
    back, back_role
        For a two-way swap: the instance (and role) ``taker`` gives back.

    Returns
    -------
    Schedule
        A new schedule of the same problem.

    Raises
    ------
    InputError
        ``person`` holds no such slot, ``taker`` is the same person or already on the
        instance, or the change breaks a hard rule (the message names the first ones).
    """
    prob = schedule.problem
    p, q = person_of(prob, person), person_of(prob, taker)
    if p == q:
        raise InputError.single(f"{prob.people[p].id} cannot swap with themselves", field="--apply")
    slot = _slot_of(schedule, p, instance, role)
    remove = [slot]
    add = [Assignment(slot.instance, slot.role, q)]
    if back is not None:
        give = _slot_of(schedule, q, back, back_role)
        remove.append(give)
        add.append(Assignment(give.instance, give.role, p))
    changed = Schedule(prob, [a for a in schedule.assignments if a not in remove] + add)
    new = sorted(
        violation_keys(evaluate(changed)) - violation_keys(evaluate(schedule)),
        key=lambda k: tuple("" if x is None else x for x in k),
    )
    if new:
        first = "; ".join(f"[{k[0]}] {k[4]}" for k in new[:3])
        raise InputError.single(
            f"{prob.people[q].id} cannot take {prob.instances[instance].said}: it would break "
            f"{len(new)} hard rule(s): {first}{' ...' if len(new) > 3 else ''}",
            field="--apply",
        )
    return changed
