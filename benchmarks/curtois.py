"""Curtois & Qu shift-scheduling benchmark (24 instances) solved with rota's own engine.

An instance becomes an ordinary rota :class:`~optimizer.scenario.Scenario` (UTC, day 0 =
Monday 2024-01-01):

- each shift type is a daily pattern starting 00:00 with the type's length and one role
  of the same name whose per-date ``counts`` are the cover requirements, made soft with
  ``under_weight``/``over_weight`` (100 and 1 in every instance);
- ``not_followed_by`` holds the types that cannot follow it the next day;
- each employee is a :class:`~optimizer.scenario.Person` with ``max_shifts_by_type``,
  ``max_hours``/``min_hours`` (the benchmark's minutes / 60), ``max_consecutive_days``,
  ``min_consecutive_days``, ``min_consecutive_days_off``, ``max_weekends`` and the
  shift-on/off requests as ``shift_requests``; fixed days off are hard ``time_off``;
- fairness is off, so the objective in points is exactly the benchmark's objective.

It is then solved by :func:`optimizer.solve.solve` like any scenario (no separate
solver). At most one shift per day follows from the overlap rule (all shifts of a day
overlap at 00:00 and none reaches the next day).

Usage::

    python -m benchmarks.curtois --out out/curtois            # all 24, the targets' limits
    python -m benchmarks.curtois --instances 1-12 --time-limit 60 --out out/curtois
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import platform
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from optimizer.files import atomic_write_text
from optimizer.scenario import Scenario
from optimizer.searching import PROOF_UNTIL
from optimizer.solve import Result, solve

from .curtois_eval import Instance, Roster, evaluate, parse_instance, roster_csv

DAY0 = dt.date(2024, 1, 1)  # a Monday
DATA = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "curtois"


def _merge_days(days: list[int]) -> list[tuple[int, int]]:
    """Consecutive day indexes as inclusive ranges."""
    out: list[tuple[int, int]] = []
    for d in sorted(set(days)):
        if out and out[-1][1] == d - 1:
            out[-1] = (out[-1][0], d)
        else:
            out.append((d, d))
    return out


def to_scenario(inst: Instance) -> Scenario:
    """The instance as a rota scenario (see the module docstring).

    Raises
    ------
    ValueError
        If a shift type's cover weights differ between days (one weight pair per role).
    """
    day = [DAY0 + dt.timedelta(days=d) for d in range(inst.horizon)]
    cover: dict[str, dict[int, int]] = {s: {} for s in inst.shifts}
    weights: dict[str, set[tuple[int, int]]] = {s: set() for s in inst.shifts}
    for c in inst.cover:
        if 0 <= c.day < inst.horizon:
            cover[c.shift][c.day] = c.requirement
            weights[c.shift].add((c.under, c.over))
    shifts = []
    for sid, s in inst.shifts.items():
        if len(weights[sid]) > 1:
            raise ValueError(
                f"{inst.name}: shift {sid} has several cover weight pairs {weights[sid]}"
            )
        under, over = next(iter(weights[sid]), (0, 0))
        req = [cover[sid].get(d, 0) for d in range(inst.horizon)]
        base = max(1, Counter(req).most_common(1)[0][0])
        shifts.append(
            {
                "name": sid,
                "repeat": "daily",
                "starts": "00:00",
                "length": f"{s.minutes}m",
                "not_followed_by": list(s.cannot_follow),
                "roles": [
                    {
                        "name": sid,
                        "count": base,
                        "counts": {day[d]: n for d, n in enumerate(req) if n != base},
                        "under_weight": under,
                        "over_weight": over,
                    }
                ],
            }
        )
    requests: dict[str, list[dict]] = {st.id: [] for st in inst.staff}
    for want, reqs in (("on", inst.on_requests), ("off", inst.off_requests)):
        for r in reqs:
            if 0 <= r.day < inst.horizon:
                requests[r.employee].append(
                    {"date": day[r.day], "shift": r.shift, "want": want, "weight": r.weight}
                )
    people = [
        {
            "id": st.id,
            "max_shifts_by_type": {sid: n for sid, n in st.max_shifts.items() if n < inst.horizon},
            "max_hours": st.max_minutes / 60,
            "min_hours": st.min_minutes / 60,
            "max_consecutive_days": st.max_consecutive,
            "min_consecutive_days": st.min_consecutive,
            "min_consecutive_days_off": st.min_days_off,
            "max_weekends": st.max_weekends,
            "shift_requests": requests[st.id],
        }
        for st in inst.staff
    ]
    time_off = [
        {"person": e, "from": day[a], "to": day[b]}
        for e, days in inst.days_off.items()
        for a, b in _merge_days([d for d in days if 0 <= d < inst.horizon])
    ]
    return Scenario.model_validate(
        {
            "team": inst.name,
            "timezone": "UTC",
            "start": DAY0,
            "end": day[-1],
            "shifts": shifts,
            "people": people,
            "time_off": time_off,
            "fairness": {"load": 0, "weekends": 0, "holidays": 0},
        }
    )


def roster_of(result: Result) -> Roster:
    """The solved schedule as benchmark rows (employee, 0-based day, shift type)."""
    if result.schedule is None:
        return []
    prob = result.schedule.problem
    out = []
    for a in result.schedule.assignments:
        inst = prob.instances[a.instance]
        d = dt.datetime.fromtimestamp(inst.start, inst.tz).date()
        out.append((prob.people[a.person].id, (d - DAY0).days, inst.shift))
    return sorted(out)


def schedule_of(problem, roster: Roster):
    """A benchmark roster as a rota :class:`~optimizer.schedule.Schedule` of ``problem``
    (built by :func:`to_scenario`), so rota's own evaluators can judge it too.

    Raises
    ------
    KeyError
        If a row names an unknown employee or a (shift, day) with no instance.
    """
    from optimizer.facts import instance_on
    from optimizer.schedule import Assignment, Schedule

    out = []
    for e, d, sid in roster:
        i = instance_on(problem, sid, DAY0 + dt.timedelta(days=d))
        if i is None:
            raise KeyError(f"no shift {sid} on day {d}")
        out.append(Assignment(i, 0, problem.person_index[e]))
    return Schedule(problem, out)


def write_roster(roster: Roster, path: str | Path) -> None:
    """Write ``employee,day,shift`` rows (atomic)."""
    atomic_write_text(path, roster_csv(roster))


@dataclass
class Row:
    """One line of the results table."""

    instance: str
    size: str
    status: str
    objective: int | None
    check: int | None
    feasible: bool | None
    best_known: int | None
    time_limit: float
    first: float | None
    best: float | None
    build: float
    bound: float | None = None  # CP-SAT's proven lower bound of the objective (None: none)

    @property
    def proven_gap(self) -> float | None:
        """(objective - bound) / objective: how far from optimal the roster is proven to be."""
        if self.objective is None or self.bound is None or not self.objective:
            return None
        return max(0.0, (self.objective - self.bound) / self.objective)

    @property
    def gap(self) -> float | None:
        if self.objective is None or not self.best_known:
            return None
        return (self.objective - self.best_known) / self.best_known


def best_known(data: Path) -> dict[str, int]:
    """Best-known upper bounds from ``best_known.csv`` (empty if missing)."""
    import csv

    path = data / "best_known.csv"
    if not path.exists():
        return {}
    with path.open(newline="", encoding="utf-8") as f:
        return {r["instance"]: int(r["best_known_ub"]) for r in csv.DictReader(f)}


def target_limit(number: int) -> float:
    """The issue's time limit for instance ``number``: 10 minutes for 15-21, else 60 s."""
    return 600.0 if 15 <= number <= 21 else 60.0


def best_found(history, convert: float = 0.0) -> float | None:
    """When the final roster was found: the last improving schedule of the search in points
    (the main phase, its LNS or the descent), not of the phases with other objectives
    (the canonical tie-break among optimal rosters once proven), plus ``convert``."""
    found = [h.elapsed for h in history if h.phase in ("main", "descent")]
    return found[-1] + convert if found else None


def run_one(
    path: Path, time_limit: float, workers: int, seed: int, out: Path | None, known: dict[str, int],
    lns: bool = True,
) -> Row:
    """Solve one instance, write its roster, and check it with the independent evaluator."""
    inst = parse_instance(path)
    t0 = time.perf_counter()
    scenario = to_scenario(inst)
    convert = time.perf_counter() - t0
    # the LP relaxation at level 2 covers the clause-encoded rules (runs, successions,
    # weekend links): measured on Instance 5 and 8 (30 s), 1357 vs 1453 and 2351 vs 2477
    # LNS (optimizer/lns.py) after the first schedule: measured at 60 s on instances 9, 10,
    # 12, 14: 571 -> 450, 5800 -> 4677, 7678 -> 5338, 2265 -> 1450 (benchmarks/README.md)
    # below PROOF_UNTIL candidate assignments (Instances 1-7) the engine's own default, no
    # LNS: the proof portfolio, then max-LP with LNS if it stalls far from the bound
    # (optimizer/searching.py); measured at 60 s (2026-12-07): 4, 5 and 6 proven optimal
    # (1716, 1143, 1950), 7 1064 against 1221-1278 with LNS; 8 and 9 (2 158 and 2 912
    # assignment variables) lost with it (2345 and 751 against 1554-2356 and 459)
    small = len(inst.staff) * inst.horizon * len(inst.shifts) < PROOF_UNTIL
    res = solve(scenario, time_limit=time_limit, workers=workers, seed=seed, deterministic=False,
                params={"linearization_level": 2}, lns=None if lns and small else lns)
    objective = check = feasible = None
    if res.status.has_schedule:
        roster = roster_of(res)
        rep = evaluate(inst, roster)
        objective, check, feasible = round(res.objective), rep.objective, rep.feasible
        if out is not None:
            write_roster(roster, out / f"{inst.name}.roster.csv")
    best_t = best_found(res.history, convert)
    first = res.first_solution_time + convert if res.first_solution_time is not None else None
    return Row(
        inst.name,
        inst.size,
        res.status.value,
        objective,
        check,
        feasible,
        known.get(inst.name),
        time_limit,
        first,
        best_t,
        res.build_time + convert,
        None if res.bound is None else math.ceil(res.bound - 1e-6),  # integer objective
    )


def parse_ranges(text: str) -> list[int]:
    """``1-12``, ``3``, ``1,5-7`` -> instance numbers."""
    out: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        a, _, b = part.partition("-")
        lo, hi = int(a), int(b or a)
        if lo > hi:
            raise ValueError(f"empty range {part!r}")
        out.extend(range(lo, hi + 1))
    return out


def _fmt(v: float | None, spec: str) -> str:
    return "-" if v is None else format(v, spec)


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{100 * v:.2f}%"


HEADER = (
    "| instance | size (emp×days×types) | status | objective | evaluator | best known | gap "
    "| bound | proven gap | limit (s) | build (s) | first feasible (s) | best found (s) |"
)


def table_row(r: Row) -> str:
    check = "-" if r.check is None else (f"{r.check}" + ("" if r.feasible else " (INFEASIBLE)"))
    return (
        f"| {r.instance} | {r.size} | {r.status} | {_fmt(r.objective, 'd')} | {check} "
        f"| {_fmt(r.best_known, 'd')} | {_pct(r.gap)} | {_fmt(r.bound, '.0f')} | {_pct(r.proven_gap)} "
        f"| {r.time_limit:g} | {r.build:.1f} | {_fmt(r.first, '.1f')} | {_fmt(r.best, '.1f')} |"
    )


def machine() -> str:
    """A one-line description of the machine (CPU model, cores, Python, OR-Tools)."""
    import ortools

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"OR-Tools {ortools.__version__}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks.curtois", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--instances", default="1-24", help="e.g. 1-12 or 1,3,5-7 (default 1-24)")
    ap.add_argument(
        "--time-limit", type=float, default=None,
        help="wall-clock seconds per instance (default: the targets' 600 for 15-21, else 60)",
    )
    ap.add_argument("--no-lns", action="store_true", help="plain CP-SAT search, no LNS phase")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=Path("out/curtois"), help="roster directory")
    ap.add_argument("--data", type=Path, default=DATA, help="folder with InstanceN.txt")
    args = ap.parse_args(argv)
    try:
        numbers = parse_ranges(args.instances)
    except ValueError:
        print(
            f"error: --instances {args.instances!r}: expected e.g. 1-12 or 1,3,5-7", file=sys.stderr
        )
        return 2
    missing = [n for n in numbers if not (args.data / f"Instance{n}.txt").exists()]
    if missing:
        print(f"error: no Instance{missing[0]}.txt in {args.data} (use --data)", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    known = best_known(args.data)
    search = "CP-SAT" if args.no_lns else f"CP-SAT + LNS from {PROOF_UNTIL} candidate assignments"
    print(f"Machine: {machine()}; fast mode, {args.workers} workers, seed {args.seed}, {search}")
    print()
    print(HEADER)
    print("|" + "---|" * (HEADER.count("|") - 1))
    rows = []
    for n in numbers:
        row = run_one(
            args.data / f"Instance{n}.txt",
            target_limit(n) if args.time_limit is None else args.time_limit,
            args.workers,
            args.seed,
            args.out,
            known,
            lns=not args.no_lns,
        )
        rows.append(row)
        print(table_row(row), flush=True)
    bad = [
        r for r in rows if r.objective is not None and (r.check != r.objective or not r.feasible)
    ]
    for r in bad:
        print(
            f"MISMATCH {r.instance}: model {r.objective}, evaluator {r.check}, feasible {r.feasible}"
        )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
