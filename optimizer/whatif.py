"""What-if questions about a published schedule: who can take my shift (swaps), and how
robust is the rotation to unplanned absences (Monte Carlo).

Local checks
------------
Both questions judge many small changes to one schedule. :class:`LocalCheck` judges a
change by running the rule evaluators (the ground truth, ``constraints/``) on the part
of the schedule the change can affect: every assignment of the people it touches and
every assignment of the shift instances it touches. This is exact because of a property
of the evaluators, checked against the full :func:`optimizer.verify.evaluate` on random
cases in ``tests/test_whatif.py``:

- a violation that names a person depends only on that person's assignments;
- a violation that names no person names the shift instance whose assignments it
  depends on (coverage counts, crew skills).

A change's *new* violations are those of the part after the change that the part did
not have before (violations are compared by rule, person, shift, start and message, as
``rota explain`` does).

Robustness model
----------------
``absence_rate`` is the probability that a given person unexpectedly cannot work a given
shift instance (sickness, emergency), independently for every (person, instance) pair.
When the person holding a slot is absent, the slot needs a replacement: someone else who
is not absent for that instance and who could take the slot without a new hard-rule
violation, given the rest of the published schedule. Each gap is judged on its own
against the published schedule: replacements are not chained and two gaps filled by the
same person are not checked together, so the estimate is optimistic when gaps cluster.
Under this model a slot with ``c`` eligible replacements is left uncovered with
probability ``rate ** (1 + c)``; the Monte Carlo also gives what has no such closed form:
how many gaps a quarter leaves uncovered, the chance of at least one, and who the
covering leans on.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import InputError
from .problem import Problem
from .schedule import Assignment, Schedule
from .stats import person_stats
from .verify import Evaluation, evaluate

ViolationKey = tuple[str, str | None, str | None, str | None, str]


def _none(x):
    return None if isinstance(x, float) and math.isnan(x) else x


def _key(v) -> ViolationKey:
    """A violation (object or DataFrame row, where a missing field reads as NaN) as a key."""
    return (v.rule, _none(v.person), _none(v.shift), _none(v.start), v.message)


def sorted_keys(keys: Iterable[ViolationKey]) -> list[ViolationKey]:
    """Violation keys in a stable order (missing fields first)."""
    return sorted(keys, key=lambda k: tuple("" if x is None else x for x in k))


def violation_keys(ev: Evaluation) -> set[ViolationKey]:
    """The violations of an evaluation as comparable keys (rule, person, shift, start, message)."""
    return {_key(v) for v in ev.violations.itertuples(index=False)}


def _judging_rules() -> list:
    from constraints import RULES

    return [r for r in RULES if not getattr(r, "OBJECTIVE_ONLY", False)]


# --------------------------------------------------------------------------- local checks


@dataclass
class _Part(Schedule):
    """Part of a schedule: ``by_person``/``by_instance`` list only the given people and
    instances, so the evaluators do not judge (or pay for) the rest."""

    people: frozenset[int] = frozenset()
    insts: frozenset[int] = frozenset()

    def __post_init__(self) -> None:  # the evaluators do not need the display order
        pass

    def by_person(self) -> dict[int, list[Assignment]]:
        out: dict[int, list[Assignment]] = {p: [] for p in sorted(self.people)}
        for a in self.assignments:
            if a.person in out:
                out[a.person].append(a)
        return out

    def by_instance(self) -> dict[int, list[Assignment]]:
        out: dict[int, list[Assignment]] = {i: [] for i in sorted(self.insts)}
        for a in self.assignments:
            if a.instance in out:
                out[a.instance].append(a)
        return out


class LocalCheck:
    """Fast hard-rule check of small changes to ``schedule`` (see the module docstring).

    Parameters
    ----------
    schedule
        The schedule the changes apply to. It is not modified.
    """

    def __init__(self, schedule: Schedule) -> None:
        self.schedule = schedule
        self.problem: Problem = schedule.problem
        self.mine = schedule.by_person()
        self.crew = schedule.by_instance()
        self._held = {(a.instance, a.person) for a in schedule.assignments}
        self._rules = _judging_rules()
        self._before: dict[tuple[frozenset[int], frozenset[int]], set[ViolationKey]] = {}
        self.checks = 0  # number of part evaluations (for tests and tuning)

    def holds(self, person: int, instance: int) -> bool:
        """Does ``person`` hold any role of ``instance`` in the schedule?"""
        return (instance, person) in self._held

    def could_take(self, person: int, instance: int, role: int) -> bool:
        """Quick necessary condition: qualified for the role, not already on the instance,
        not on hard time off then. (Each failure is a new violation of the evaluators.)"""
        prob = self.problem
        return (
            prob.qualified(person, instance, role)
            and not self.holds(person, instance)
            and prob.hard_time_off(person, instance) is None
        )

    def _judge(
        self,
        people: frozenset[int],
        insts: frozenset[int],
        remove: set[Assignment],
        add: Sequence[Assignment],
    ) -> set[ViolationKey]:
        prob = self.problem
        part: set[Assignment] = set()
        for p in people:
            part.update(self.mine.get(p, ()))
        for i in insts:
            part.update(self.crew.get(i, ()))
        part -= remove
        part.update(add)
        sched = _Part(prob, list(part), people=people, insts=insts)
        stats = person_stats(sched)
        ids = {prob.people[p].id for p in people}
        where = {(prob.instances[i].shift, prob.instances[i].start_iso) for i in insts}
        out: set[ViolationKey] = set()
        for rule in self._rules:
            for v in rule.evaluate(prob, sched, stats).violations:
                if v.person in ids or (v.person is None and (v.shift, v.start) in where):
                    out.add(_key(v))
        self.checks += 1
        return out

    def new_violations(
        self, remove: Iterable[Assignment], add: Iterable[Assignment], excuse: Iterable[int] = ()
    ) -> list[ViolationKey]:
        """Hard-rule violations that removing ``remove`` and adding ``add`` would create.

        Parameters
        ----------
        remove, add
            Assignments taken out of and put into the schedule.
        excuse
            People whose own violations do not count (an absent person's broken
            minimum hours is not the replacement's fault).

        Returns
        -------
        list of (rule, person, shift, start, message), sorted; empty when the change
        breaks no hard rule that the schedule did not already break.
        """
        remove, add = set(remove), list(add)
        people = frozenset(a.person for a in (*remove, *add)) - frozenset(excuse)
        insts = frozenset(a.instance for a in (*remove, *add))
        key = (people, insts)
        before = self._before.get(key)
        if before is None:
            before = self._judge(people, insts, set(), [])
            self._before[key] = before
        after = self._judge(people, insts, remove, add)
        return sorted_keys(after - before)

    def replacements(self, slot: Assignment, excuse_holder: bool = True) -> list[int]:
        """People who could take ``slot`` from its holder without a new hard violation
        (the holder's own violations excused unless ``excuse_holder`` is false)."""
        i, r, p = slot.instance, slot.role, slot.person
        out = []
        for q in range(len(self.problem.people)):
            if q == p or not self.could_take(q, i, r):
                continue
            if not self.new_violations(
                [slot], [Assignment(i, r, q)], excuse=[p] if excuse_holder else []
            ):
                out.append(q)
        return out


# --------------------------------------------------------------------------- finding things


def person_of(problem: Problem, person: int | str) -> int:
    """Index of a person given by index or id."""
    if isinstance(person, int | np.integer):
        if not 0 <= int(person) < len(problem.people):
            raise ValueError(f"no person number {person}")
        return int(person)
    p = problem.person_index.get(person)
    if p is None:
        raise InputError.single(
            f"unknown person {person!r} (ids: {', '.join(problem.person_index)})", field="--person"
        )
    return p


def find_instance(problem: Problem, shift: str, start: str | dt.date | dt.datetime) -> int:
    """Index of the instance of pattern ``shift`` starting at ``start``: a local date (the
    instance starting that day), an ISO timestamp (with or without offset: without, it
    is read in the shift's zone) or a datetime.

    Raises
    ------
    InputError
        No such pattern, unreadable start, or no instance starting then (names a few).
    """
    from constraints.days import instance_on

    from .timecalc import local_to_utc

    insts = [inst for inst in problem.instances if inst.shift == shift]
    if not insts:
        names = sorted({inst.shift for inst in problem.instances})
        raise InputError.single(
            f"no shift named {shift!r} (shifts: {', '.join(names)})", field="--shift"
        )
    day: dt.date | None = None
    ts: int | None = None
    if isinstance(start, dt.datetime):
        ts = int(start.timestamp()) if start.tzinfo else local_to_utc(start, insts[0].tz)
    elif isinstance(start, dt.date):
        day = start
    else:
        try:
            day = dt.date.fromisoformat(start)
        except ValueError:
            try:
                when = dt.datetime.fromisoformat(start)
            except ValueError:
                raise InputError.single(
                    f"cannot read start {start!r} (a date such as 2027-01-04 or an ISO timestamp)",
                    field="--start",
                ) from None
            ts = int(when.timestamp()) if when.tzinfo else local_to_utc(when, insts[0].tz)
    if day is not None:
        i = instance_on(problem, shift, day)
    else:
        i = next((inst.index for inst in insts if inst.start == ts), None)
    if i is None:
        near = ", ".join(inst.start_iso for inst in insts[:4])
        raise InputError.single(
            f"no instance of {shift!r} starts at {start} (for example: {near}"
            f"{' ...' if len(insts) > 4 else ''})",
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
            f"{inst.label} (held by {others})",
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

    def verified(
        q: int, remove: list[Assignment], add: list[Assignment], back: Assignment | None
    ) -> None:
        if check.new_violations(remove, add):
            return
        changed = [a for a in schedule.assignments if a not in remove] + add
        ev = evaluate(Schedule(prob, changed))
        if violation_keys(ev) - base_keys:
            return  # the local check is exact (tested); the full judgement has the last word
        now = ev.by_rule().to_dict()
        delta = {
            k: round(now.get(k, 0.0) - base_rules.get(k, 0.0), 4)
            for k in sorted(set(now) | set(base_rules))
        }
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
                "delta_fairness": round(
                    sum(d for k, d in delta.items() if k.startswith("fair_")), 4
                ),
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


# --------------------------------------------------------------------------- robustness


@dataclass
class Robustness:
    """What :func:`simulate` found.

    ``shifts``: one row per assignment (slot held by a person): ``shift``, ``start``,
    ``role``, ``person_id`` (the holder), ``candidates`` (how many people could replace
    them), ``replacements`` (their ids, ``;``-separated), ``gap_rate`` (share of runs
    the holder was absent), ``risk`` (share of runs the slot was left uncovered: the
    per-shift risk) and ``risk_se`` (its standard error). Riskiest first.

    ``people``: one row per person: ``shifts`` held, ``can_cover`` (slots they could
    take over), ``only_cover`` (slots where they are the only possible replacement),
    ``uncovered_share`` (share of all uncovered gaps that were their own shifts),
    ``uncovered_per_run``, ``covers_per_run`` (replacements credited to them, split
    evenly when several were available), ``sole_saves_per_run`` (gaps they alone could
    fill) and ``sole_share`` (their share of all such saves). The people the rotation
    leans on most (sole cover first) come first.

    ``uncovered``: the number of uncovered gaps in each run.
    """

    absence_rate: float
    runs: int
    seed: int | None
    shifts: pd.DataFrame
    people: pd.DataFrame
    uncovered: np.ndarray = field(repr=False)

    @property
    def mean_uncovered(self) -> float:
        """Expected number of uncovered gaps over the horizon."""
        return float(self.uncovered.mean()) if self.runs else 0.0

    @property
    def p_any_uncovered(self) -> float:
        """Estimated probability that at least one gap is left uncovered."""
        return float((self.uncovered > 0).mean()) if self.runs else 0.0

    @property
    def no_replacement(self) -> pd.DataFrame:
        """Slots nobody could take over: every absence of their holder is uncovered."""
        return self.shifts[self.shifts.candidates == 0]

    @property
    def heroes(self) -> pd.DataFrame:
        """People the rotation leans on: sole possible replacement somewhere, or whose
        absences account for uncovered gaps."""
        p = self.people
        return p[(p.only_cover > 0) | (p.uncovered_share > 0)]

    def text(self, top: int = 10) -> str:
        """A summary for people: overall risk, the riskiest shifts, who it leans on."""
        lines = [
            f"{self.runs} runs, each person absent from each shift with probability "
            f"{self.absence_rate:g}"
            + (f" (seed {self.seed})" if self.seed is not None else ""),
            f"uncovered gaps per run: mean {self.mean_uncovered:.3f}; "
            f"P(at least one uncovered) = {self.p_any_uncovered:.1%}",
        ]
        none = self.no_replacement
        if not none.empty:
            lines.append(f"{len(none)} slot(s) have no possible replacement at all")
        risky = self.shifts[self.shifts.risk > 0].head(top)
        if not risky.empty:
            lines.append("riskiest shifts (share of runs left uncovered):")
            for s in risky.itertuples(index=False):
                who = s.replacements or "nobody"
                lines.append(
                    f"  {s.shift} {s.start} {s.role:10s} {s.person_id:10s} risk {s.risk:7.2%}"
                    f"  ({s.candidates} possible replacement(s): {who})"
                )
        else:
            lines.append("no shift was left uncovered in any run")
        sole = self.people[self.people.only_cover > 0].head(top)
        if not sole.empty:
            lines.append("single-person cover (the only one who could step in):")
            for h in sole.itertuples(index=False):
                lines.append(
                    f"  {h.person_id:12s} only possible replacement for {h.only_cover} slot(s); "
                    f"alone saved {h.sole_saves_per_run:.3f} gaps/run "
                    f"({h.sole_share:.0%} of such saves)"
                )
        fragile = (
            self.people[self.people.uncovered_share > 0]
            .sort_values(["uncovered_share", "person_id"], ascending=[False, True], kind="stable")
            .head(top)
        )
        if not fragile.empty:
            lines.append("whose absences leave gaps (share of all uncovered gaps):")
            for h in fragile.itertuples(index=False):
                lines.append(
                    f"  {h.person_id:12s} {h.uncovered_share:6.1%}  "
                    f"({h.uncovered_per_run:.3f} per run)"
                )
        return "\n".join(lines)


SHIFT_COLUMNS = [
    "shift",
    "start",
    "role",
    "person_id",
    "candidates",
    "replacements",
    "gap_rate",
    "risk",
    "risk_se",
]
PEOPLE_COLUMNS = [
    "person_id",
    "shifts",
    "can_cover",
    "only_cover",
    "uncovered_share",
    "uncovered_per_run",
    "covers_per_run",
    "sole_saves_per_run",
    "sole_share",
]
_DRAWS_PER_CHUNK = 4_000_000  # random numbers drawn at once (memory bound)


def replacement_sets(schedule: Schedule, check: LocalCheck | None = None) -> list[list[int]]:
    """For each assignment of ``schedule`` (in order), the people who could replace its
    holder within the hard rules, given the rest of the schedule (holder excused)."""
    check = check or LocalCheck(schedule)
    return [check.replacements(a) for a in schedule.assignments]


def simulate(
    schedule: Schedule,
    absence_rate: float,
    runs: int = 500,
    seed: int | None = 0,
    candidates: Sequence[Sequence[int]] | None = None,
) -> Robustness:
    """Monte Carlo of unplanned absences (model in the module docstring).

    Parameters
    ----------
    schedule
        The published schedule.
    absence_rate
        Probability that a person cannot work a given shift instance, in [0, 1].
    runs
        Number of simulated horizons.
    seed
        Seed of the random draws (``None``: fresh entropy, not reproducible).
    candidates
        Precomputed :func:`replacement_sets` (to simulate several rates quickly).

    Returns
    -------
    Robustness
        Per-shift risk, per-person reliance and the uncovered count of every run.
    """
    if not 0.0 <= absence_rate <= 1.0 or math.isnan(absence_rate):
        raise ValueError(f"absence_rate must be within [0, 1], not {absence_rate}")
    if runs < 1:
        raise ValueError(f"runs must be at least 1, not {runs}")
    prob = schedule.problem
    slots = list(schedule.assignments)
    n_people, n_insts, n_slots = len(prob.people), len(prob.instances), len(slots)
    if candidates is None:
        candidates = replacement_sets(schedule)
    if len(candidates) != n_slots:
        raise ValueError("candidates must give one list per assignment of the schedule")
    holder = np.array([a.person for a in slots], dtype=np.intp)
    inst = np.array([a.instance for a in slots], dtype=np.intp)
    eligible = np.zeros((n_slots, n_people), dtype=bool)
    for s, qs in enumerate(candidates):
        eligible[s, list(qs)] = True

    rng = np.random.default_rng(seed)
    chunk = max(1, _DRAWS_PER_CHUNK // max(1, n_people * max(n_insts, n_slots)))
    gaps = np.zeros(n_slots)
    unc = np.zeros(n_slots)
    covers = np.zeros(n_people)
    sole = np.zeros(n_people)
    per_run = np.zeros(runs, dtype=np.int64)
    cols = np.arange(n_slots)
    done = 0
    while done < runs:
        n = min(chunk, runs - done)
        absent = rng.random((n, n_people, n_insts)) < absence_rate
        at_slot = absent[:, :, inst]  # (n, people, slots)
        gap = at_slot[:, holder, cols]  # (n, slots): the holder is absent
        avail = ~at_slot.transpose(0, 2, 1) & eligible  # (n, slots, people)
        n_avail = avail.sum(axis=2)
        uncovered = gap & (n_avail == 0)
        covered = gap & (n_avail > 0)
        gaps += gap.sum(axis=0)
        unc += uncovered.sum(axis=0)
        share = np.where(covered, 1.0 / np.maximum(n_avail, 1), 0.0)
        covers += (avail * share[:, :, None]).sum(axis=(0, 1))
        sole += (avail & (gap & (n_avail == 1))[:, :, None]).sum(axis=(0, 1))
        per_run[done : done + n] = uncovered.sum(axis=1)
        done += n

    risk = unc / runs
    rows = []
    for s, a in enumerate(slots):
        ins = prob.instances[a.instance]
        rows.append(
            {
                "shift": ins.shift,
                "start": ins.start_iso,
                "role": ins.roles[a.role].name,
                "person_id": prob.people[a.person].id,
                "candidates": len(candidates[s]),
                "replacements": ";".join(prob.people[q].id for q in candidates[s]),
                "gap_rate": gaps[s] / runs,
                "risk": risk[s],
                "risk_se": math.sqrt(risk[s] * (1 - risk[s]) / runs),
            }
        )
    shifts = pd.DataFrame(rows, columns=SHIFT_COLUMNS)
    shifts = shifts.sort_values(
        ["risk", "candidates", "start", "shift", "role"],
        ascending=[False, True, True, True, True],
        kind="stable",
    ).reset_index(drop=True)
    total_unc, total_sole = unc.sum(), sole.sum()
    prow = []
    for q, person in enumerate(prob.people):
        mine = holder == q
        prow.append(
            {
                "person_id": person.id,
                "shifts": int(mine.sum()),
                "can_cover": int(eligible[:, q].sum()),
                "only_cover": int(sum(1 for qs in candidates if list(qs) == [q])),
                "uncovered_share": float(unc[mine].sum() / total_unc) if total_unc else 0.0,
                "uncovered_per_run": float(unc[mine].sum() / runs),
                "covers_per_run": float(covers[q] / runs),
                "sole_saves_per_run": float(sole[q] / runs),
                "sole_share": float(sole[q] / total_sole) if total_sole else 0.0,
            }
        )
    people = pd.DataFrame(prow, columns=PEOPLE_COLUMNS)
    people = people.sort_values(
        ["only_cover", "sole_saves_per_run", "uncovered_share", "person_id"],
        ascending=[False, False, False, True],
        kind="stable",
    ).reset_index(drop=True)
    return Robustness(absence_rate, runs, seed, shifts, people, per_run)
