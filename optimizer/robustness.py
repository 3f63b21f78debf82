"""How robust is a rotation to unplanned absences (Monte Carlo over a published schedule).

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

Candidates are judged by :class:`optimizer.localcheck.LocalCheck`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .localcheck import LocalCheck
from .schedule import Schedule


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
            f"{self.absence_rate:g}" + (f" (seed {self.seed})" if self.seed is not None else ""),
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
                lines.append(f"  {h.person_id:12s} {h.uncovered_share:6.1%}  ({h.uncovered_per_run:.3f} per run)")
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
