"""Benchmark runner: the optimizer and both baselines on generated scenarios.

Usage (from the repository root)::

    python -m benchmarks.run --sizes S,M --table          # run, then write the tables
    python -m benchmarks.run --size L --time-limit 600
    python -m benchmarks.run --scaling --time-limit 60    # people and horizon doubling
    python -m benchmarks.run --size L --build-only --profile   # model size, build profile
    python -m benchmarks.run --table --readme             # tables from saved results

Each size runs in its own subprocess, so that its peak memory
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``, which includes the C++ solver) is that
run's alone. Per size it records time to first schedule, objective and bound over time,
time to 1 % and 3 % gap, final objective, bound and gap, peak memory, model size, build
time share and, for the optimizer and both baselines, the quality metrics judged by
``optimizer.verify.evaluate``: hard violations (per rule), soft penalty points, load
spread and weekend spread per FTE.

Results go to ``benchmarks/results/<size>.json`` (and ``scaling.json``); ``--table``
renders them all into ``benchmarks/results/results.md``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_LIMITS = {"T": 5.0, "TM": 5.0, "TL": 5.0, "S": 60.0, "M": 60.0, "L": 600.0}
GAPS = (0.01, 0.03)
# follow-the-sun family: people doubling at 4 weeks, horizon doubling at 30 people
SCALING = [(15, 28), (30, 28), (60, 28), (120, 28), (30, 14), (30, 56), (30, 112)]


# --------------------------------------------------------------------------- metrics


def quality(schedule) -> dict[str, Any]:
    """Quality of a schedule judged by the evaluators alone.

    ``load_spread``: max - min over the pool of (load + history) / FTE, in load-hours (the
    quantity the fairness rule balances); ``weekend_spread``: the same for weekends on
    call; ``hard_violations``: rows of ``evaluate(...).violations`` (one per broken rule
    instance), also ``by_rule``; ``penalty``: soft penalty points (the optimizer's
    objective, recomputed).
    """
    from optimizer.stats import person_stats
    from optimizer.verify import evaluate

    prob = schedule.problem
    ev = evaluate(schedule)
    stats = person_stats(schedule)
    pool = prob.pool

    def spread(values: dict[int, float]) -> float:
        return round(max(values.values()) - min(values.values()), 2) if values else 0.0

    load = {p: (stats[p].load_centi + prob.history_centi(p)) / prob.fte_pct(p) for p in pool}
    weekends = {p: len(stats[p].weekends) * 100 / prob.fte_pct(p) for p in pool}
    load_now = {p: stats[p].load_centi / prob.fte_pct(p) for p in pool}
    by_rule = ev.violations["rule"].value_counts().sort_index()
    filled = len(schedule.assignments)
    return {
        "hard_violations": int(len(ev.violations)),
        "violations_by_rule": {str(k): int(v) for k, v in by_rule.items()},
        "penalty": round(ev.objective, 4),
        "penalty_by_rule": {str(k): round(float(v), 4) for k, v in ev.by_rule().items()},
        "load_spread": spread(load),
        "load_spread_without_history": spread(load_now),
        "weekend_spread": spread(weekends),
        "assignments": filled,
    }


def time_to_gap(events: list[tuple[float, float | None, float | None]], gap: float) -> float | None:
    """First time at which (best objective - best bound) / |best objective| <= ``gap``."""
    best_obj: float | None = None
    best_bound: float | None = None
    for t, obj, bound in events:
        if obj is not None:
            best_obj = obj if best_obj is None else min(best_obj, obj)
        if bound is not None:
            best_bound = bound if best_bound is None else max(best_bound, bound)
        if best_obj is None or best_bound is None:
            continue
        if abs(best_obj) < 1e-9:
            if best_bound >= -1e-9:
                return t
            continue
        if (best_obj - best_bound) / abs(best_obj) <= gap + 1e-12:
            return t
    return None


def machine() -> dict[str, Any]:
    """The machine and versions a run happened on."""
    import ortools

    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
        head = [ln for ln in lscpu.splitlines()[:12] if ln.strip()]
        model = next((ln.split(":", 1)[1].strip() for ln in lscpu.splitlines()
                      if ln.startswith("Model name")), platform.processor())
    except (OSError, subprocess.SubprocessError):
        head, model = [], platform.processor()
    mem_gb = None
    try:
        with open("/proc/meminfo") as f:
            kb = int(next(ln for ln in f if ln.startswith("MemTotal")).split()[1])
            mem_gb = round(kb / 2**20, 1)
    except (OSError, StopIteration, ValueError):
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "memory_gb": mem_gb,
        "lscpu_head": head,
        "python": platform.python_version(),
        "ortools": ortools.__version__,
        "platform": platform.platform(),
    }


def _scenario_facts(scenario, prob) -> dict[str, Any]:
    days = (scenario.end - scenario.start).days + 1
    off_days = sum((t.to - t.from_).days + 1 for t in scenario.time_off if not t.prefer)
    return {
        "people": len(scenario.people),
        "days": days,
        "shift_patterns": len(scenario.shifts),
        "instances": len(prob.instances),
        "slots": sum(r.count for inst in prob.instances for r in inst.roles),
        "time_off_entries": len(scenario.time_off),
        "time_off_share": round(off_days / (days * len(scenario.people)), 4),
        "holiday_countries": len({(p.country, p.subdivision) for p in scenario.people}),
    }


# --------------------------------------------------------------------------- one run


def _install_bound_recorder(events: list, t_ref: list[float]) -> None:
    """Record every improvement of CP-SAT's bound (``best_bound_callback``).

    ``optimizer.solve`` reports progress only on new schedules, so the bound it saw last
    may be stale. This run happens in a throw-away subprocess, so we swap in a CpSolver
    subclass that registers a bound callback; the solve itself is unchanged.
    """
    from ortools.sat.python import cp_model

    from optimizer.units import points

    base = cp_model.CpSolver
    if getattr(base, "_rota_bench", False):
        return

    class RecordingSolver(base):  # type: ignore[misc,valid-type]
        _rota_bench = True

        def __init__(self) -> None:
            super().__init__()
            self.best_bound_callback = self._on_bound

        def _on_bound(self, bound: float) -> None:
            events.append((time.perf_counter() - t_ref[0], None, points(round(bound))))

    cp_model.CpSolver = RecordingSolver  # type: ignore[misc]


def _solve_record(scenario, *, time_limit: float, workers: int | None, deterministic: bool, seed: int,
                  plain: bool, spread_hours: float | None) -> tuple[dict[str, Any], Any]:
    """One solve (rota's defaults, or the plain CP-SAT model) and its record."""
    from optimizer.solve import solve

    bound_events: list[tuple[float, float | None, float | None]] = []
    t_ref = [0.0]
    _install_bound_recorder(bound_events, t_ref)
    t_ref[0] = time.perf_counter()
    res = solve(scenario, time_limit=time_limit, seed=seed, workers=workers, deterministic=deterministic,
                plain=plain)
    main = [h for h in res.history if h.phase in ("main", "descent")]  # both in points
    sol_events = [(h.elapsed, h.objective, h.bound) for h in main]
    main_end = res.build_time + res.phase_times.get("main", 0.0) + res.phase_times.get("lns", 0.0)
    # bounds of the main search only: not the counting model (during the build), the warm
    # start's completion of its fixed model, or the balance phase (in hours)
    final = res.bound if res.bound is not None else float("inf")
    bound_events = [e for e in bound_events if res.build_time <= e[0] <= main_end + 1e-3
                    and (e[2] is None or e[2] <= final + 1e-9)]
    sol_events = [e for e in sol_events if e[2] is None or e[2] <= final + 1e-9 or res.status.value == "optimal"]
    events = sorted(sol_events + bound_events, key=lambda e: e[0])
    if res.status.value == "optimal" and res.objective is not None:
        events.append((main_end, res.objective, res.objective))
    to_spread = None
    if spread_hours is not None:
        hits = [h.elapsed for h in main if h.terms is not None
                and h.terms.get("fair_load", 0.0) <= spread_hours * scenario.fairness.load + 1e-6]
        to_spread = hits[0] if hits else None
    rec: dict[str, Any] = {
        "status": res.status.value,
        "first_solution_time": _r(res.first_solution_time),
        "time_to_min_spread": _r(to_spread),
        "proof_time": _r(main_end) if res.status.value == "optimal" else None,
        **{f"time_to_{round(g * 100)}pct_gap": _r(time_to_gap(events, g)) for g in GAPS},
        "objective": res.objective,
        "bound": res.bound,
        "gap": _r(res.gap, 5),
        "balance": res.balance,
        "wall_time": _r(res.wall_time),
        "over_limit": _r(res.wall_time - res.build_time - time_limit),
        "build_time": _r(res.build_time),
        "build_share": _r(res.build_time / res.wall_time if res.wall_time else None, 4),
        "model_size": res.model_size,
        "terms": res.terms,
        "solutions": [[_r(t), o] for t, o, _ in sol_events],
        "bounds": [[_r(t), b] for t, _, b in bound_events],
    }
    if res.schedule is not None:
        rec["quality"] = quality(res.schedule)
        rec["objective_matches_evaluation"] = res.solver_objective_internal == res.evaluation.cost
    return rec, res


def run_scenario(
    scenario,
    *,
    time_limit: float,
    workers: int | None = None,
    deterministic: bool = False,
    seed: int = 0,
    baselines: bool = True,
) -> dict[str, Any]:
    """Solve ``scenario`` with rota's defaults, then with the plain CP-SAT model (same rules,
    same objective; no derived bounds, symmetry breaking or phases; 2 workers), and run the
    heuristic baselines on it, all in this process.

    Returns the record (see the module docstring); ``optimizer.peak_rss_mb`` is this
    process's peak resident memory after rota's solve, so call it in a fresh process.
    """
    from benchmarks.baselines import BASELINES
    from optimizer.bounds import spread_bound
    from optimizer.problem import Problem

    prob = Problem(scenario)
    t0 = time.perf_counter()
    lb = spread_bound(prob) if scenario.fairness.load else None
    spread_hours = None if lb is None else lb / 100
    opt, res = _solve_record(scenario, time_limit=time_limit, workers=workers, deterministic=deterministic,
                             seed=seed, plain=False, spread_hours=spread_hours)
    opt["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    record: dict[str, Any] = {"scenario": _scenario_facts(scenario, prob), "optimizer": opt,
                              "min_spread": spread_hours, "min_spread_time": _r(time.perf_counter() - t0)}
    if baselines:
        record["plain_cpsat"], _ = _solve_record(scenario, time_limit=time_limit, workers=2, deterministic=False,
                                                 seed=seed, plain=True, spread_hours=spread_hours)
        record["baselines"] = {}
        for name, fn in BASELINES.items():
            t1 = time.perf_counter()
            sched = fn(prob)
            elapsed = time.perf_counter() - t1
            record["baselines"][name] = {"time": _r(elapsed), "quality": quality(sched)}
    return record


def _r(x: float | None, nd: int = 3) -> float | None:
    return None if x is None else round(x, nd)


def _child(spec: dict[str, Any]) -> dict[str, Any]:
    from benchmarks.generate import FAMILIES, generate

    t0 = time.perf_counter()
    if "family" in spec:
        scenario = FAMILIES[spec["family"]](seed=spec["seed"], **spec["params"])
    else:
        scenario = generate(spec["size"], seed=spec["seed"])
    gen_time = time.perf_counter() - t0
    rec = run_scenario(scenario, time_limit=spec["time_limit"], workers=spec["workers"],
                       deterministic=spec["deterministic"], seed=spec["seed"],
                       baselines=spec.get("baselines", True))
    rec["generate_time"] = _r(gen_time)
    return rec


def run_in_subprocess(spec: dict[str, Any], timeout: float | None = None) -> dict[str, Any]:
    """Run one benchmark spec in a fresh Python process; returns its record.

    ``spec``: ``size`` (or ``family`` + ``params``), ``seed``, ``time_limit``,
    ``workers``, ``deterministic`` and optionally ``baselines``.
    """
    import tempfile

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "record.json"
        cmd = [sys.executable, "-m", "benchmarks.run", "--child", json.dumps(spec), "--child-out", str(out)]
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0 or not out.exists():
            raise RuntimeError(f"benchmark run failed ({proc.returncode}): {proc.stderr[-3000:]}")
        return json.loads(out.read_text())


def run_size(
    size: str,
    *,
    time_limit: float | None = None,
    seed: int = 0,
    workers: int = 2,
    deterministic: bool = False,
    out: Path | None = RESULTS,
) -> dict[str, Any]:
    """Benchmark one named size in a subprocess; write ``<out>/<size>.json``.

    Parameters
    ----------
    size
        A key of :data:`benchmarks.generate.SIZES`.
    time_limit
        Seconds of search (wall clock unless ``deterministic``); default per size.
    seed, workers, deterministic
        Generator and solver seed, CP-SAT workers, reproducible mode.
    out
        Directory for the JSON record (``None``: do not write).

    Returns
    -------
    dict
        The record.
    """
    from benchmarks.generate import SIZES

    limit = DEFAULT_LIMITS.get(size, 60.0) if time_limit is None else time_limit
    spec = {"size": size, "seed": seed, "time_limit": limit, "workers": workers,
            "deterministic": deterministic}
    rec = run_in_subprocess(spec)
    rec = {"size": size, "description": SIZES[size].description, "seed": seed,
           "settings": {"time_limit": limit, "workers": workers, "deterministic": deterministic},
           **rec, "machine": machine(), "date": time.strftime("%Y-%m-%d %H:%M")}
    if out is not None:
        _write_json(Path(out) / f"{size}.json", rec)
    return rec


def run_scaling(
    *, time_limit: float = 60.0, seed: int = 0, workers: int = 2, deterministic: bool = False,
    out: Path | None = RESULTS, points: list[tuple[int, int]] = SCALING,
) -> dict[str, Any]:
    """Follow-the-sun family with people and horizon doubling; writes ``scaling.json``."""
    rows = []
    for people, days in points:
        spec = {"family": "follow_the_sun", "params": {"people": people, "days": days},
                "seed": seed, "time_limit": time_limit, "workers": workers,
                "deterministic": deterministic, "baselines": False}
        rec = run_in_subprocess(spec)
        o = rec["optimizer"]
        row = {"people": people, "days": days, **{k: rec["scenario"][k] for k in ("instances", "slots")},
               **o["model_size"], **{k: o[k] for k in (
                   "status", "build_time", "first_solution_time", "time_to_1pct_gap",
                   "time_to_3pct_gap", "objective", "bound", "gap", "wall_time", "peak_rss_mb")}}
        print(_fmt_scaling_row(row), flush=True)
        rows.append(row)
    result = {"family": "follow_the_sun", "seed": seed,
              "settings": {"time_limit": time_limit, "workers": workers, "deterministic": deterministic},
              "rows": rows, "machine": machine(), "date": time.strftime("%Y-%m-%d %H:%M")}
    if out is not None:
        _write_json(Path(out) / "scaling.json", result)
    return result


def build_only(size: str, seed: int = 0, profile: bool = False, top: int = 25) -> dict[str, Any]:
    """Generate and build the model of ``size`` without solving: sizes and times.

    With ``profile``, the Python build runs under cProfile and the ``top`` functions by
    cumulative and by own time are returned as text.
    """
    from benchmarks.generate import generate
    from optimizer.problem import Problem, build

    scenario = generate(size, seed=seed)
    prof = cProfile.Profile() if profile else None
    t0 = time.perf_counter()
    if prof:
        prof.enable()
    prob = Problem(scenario)
    t1 = time.perf_counter()
    builder = build(prob)
    t2 = time.perf_counter()
    if prof:
        prof.disable()
    proto = builder.model.proto
    rec: dict[str, Any] = {
        "size": size, "scenario": _scenario_facts(scenario, prob),
        "problem_time": _r(t1 - t0), "build_time": _r(t2 - t0),
        "model_size": {"variables": len(proto.variables), "constraints": len(proto.constraints),
                       "decision_variables": len(builder.vars.x)},
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    if prof:
        for key in ("cumulative", "tottime"):
            s = io.StringIO()
            pstats.Stats(prof, stream=s).sort_stats(key).print_stats(top)
            rec[f"profile_{key}"] = s.getvalue()
    return rec


# --------------------------------------------------------------------------- tables


def _f(x: Any, nd: int = 1, unit: str = "") -> str:
    if x is None:
        return "—"
    if isinstance(x, float):
        return f"{x:.{nd}f}{unit}"
    return f"{x}{unit}"


def _t(x: float | None) -> str:
    """Seconds: 2 decimals below 10 s, 1 above."""
    if x is None:
        return "—"
    return f"{x:.2f} s" if x < 10 else f"{x:.1f} s"


def _vio(q: dict[str, Any]) -> str:
    if not q["hard_violations"]:
        return "0"
    rules = sorted(q["violations_by_rule"].items(), key=lambda kv: -kv[1])
    return f"{q['hard_violations']} (" + ", ".join(f"{k} {v}" for k, v in rules[:3]) + \
        (", …" if len(rules) > 3 else "") + ")"


SIZE_ORDER = ["T", "TM", "TL", "S", "M", "L"]


def results_table(records: list[dict[str, Any]]) -> str:
    """Markdown: one block of three rows (optimizer, round robin, least recent) per size."""
    head = ("| size | scheduler | status | first schedule | 1 % gap | objective (bound, gap) "
            "| hard violations | load spread h/FTE | weekend spread /FTE | peak mem | model vars / cons "
            "| build share |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for rec in records:
        o = rec["optimizer"]
        sc = rec["scenario"]
        label = f"**{rec['size']}** ({sc['people']} people, {sc['days']} d, {sc['slots']} slots)"
        q = o.get("quality")
        ms = o["model_size"]
        obj = "—" if o["objective"] is None else (
            f"{o['objective']:.1f} ({o['bound']:.1f}, {100 * o['gap']:.1f} %)")
        lines.append(
            f"| {label} | optimizer | {o['status']} | {_t(o['first_solution_time'])} "
            f"| {_t(o['time_to_1pct_gap'])} | {obj} | {_vio(q) if q else '—'} "
            f"| {_f(q['load_spread'] if q else None)} | {_f(q['weekend_spread'] if q else None, 2)} "
            f"| {o['peak_rss_mb']:.0f} MB | {ms['variables']:,} / {ms['constraints']:,} "
            f"| {100 * o['build_share']:.1f} % |"
        )
        for name, title in (("round_robin", "round robin"), ("least_recent", "least recently on call")):
            b = rec.get("baselines", {}).get(name)
            if not b:
                continue
            bq = b["quality"]
            lines.append(
                f"| | {title} | — | {_t(b['time'])} | — | {bq['penalty']:.1f} | {_vio(bq)} "
                f"| {_f(bq['load_spread'])} | {_f(bq['weekend_spread'], 2)} | | | |"
            )
    return "\n".join(lines)


def progress_table(records: list[dict[str, Any]], marks=(0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600)) -> str:
    """Markdown: best objective (and bound) known at fixed times, per size."""
    lines = ["| size | " + " | ".join(f"{m:g} s" for m in marks) + " |",
             "|---|" + "---|" * len(marks)]
    for rec in records:
        o = rec["optimizer"]
        cells = []
        for m in marks:
            if m > rec["settings"]["time_limit"] + 1 and m > (o["wall_time"] or 0):
                cells.append("")
                continue
            objs = [v for t, v in o["solutions"] if t <= m and v is not None]
            # a bound below 0 (a per-term solve's, or CP-SAT's before presolve) says nothing
            bnds = [v for t, v in o["bounds"] if t <= m and v is not None and v > 0]
            if o["status"] == "optimal" and o["wall_time"] <= m:
                cells.append(f"{o['objective']:.1f} ✓")
                continue
            cell = f"{min(objs):.1f}" if objs else "—"
            if bnds:
                cell += f" (≥ {max(bnds):.1f})"
            cells.append(cell)
        lines.append(f"| {rec['size']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _fmt_scaling_row(r: dict[str, Any]) -> str:
    return (f"| {r['people']} | {r['days']} | {r['slots']:,} | {r['decision_variables']:,} "
            f"| {r['variables']:,} / {r['constraints']:,} | {_t(r['build_time'])} "
            f"| {_t(r['first_solution_time'])} | {_t(r['time_to_3pct_gap'])} "
            f"| {_t(r['time_to_1pct_gap'])} | {_f(None if r['gap'] is None else 100 * r['gap'], 1, ' %')} "
            f"| {r['peak_rss_mb']:.0f} MB |")


def scaling_table(result: dict[str, Any]) -> str:
    lines = ["| people | days | slots | x vars | model vars / cons | build | first schedule "
             "| 3 % gap | 1 % gap | final gap | peak mem |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    lines += [_fmt_scaling_row(r) for r in result["rows"]]
    return "\n".join(lines)


def machine_text(m: dict[str, Any]) -> str:
    return (f"{m['nproc']} cores ({m['cpu']}), {m['memory_gb']} GB RAM; Python {m['python']}, "
            f"OR-Tools {m['ortools']}; {m['platform']}")


def _yes(ok: bool | None) -> str:
    return "—" if ok is None else ("met" if ok else "**not met**")


def targets_table(recs: dict[str, dict[str, Any]]) -> str:
    """The issue's targets (2 cores) against the saved results."""
    rows = ["| target | measured | status |", "|---|---|---|"]

    def o(size: str) -> dict[str, Any] | None:
        return recs[size]["optimizer"] if size in recs else None

    def add(target: str, measured: str, ok: bool | None) -> None:
        rows.append(f"| {target} | {measured} | {_yes(ok)} |")

    s, m, big = o("S"), o("M"), o("L")
    if s:
        t = s["wall_time"] if s["status"] == "optimal" else None
        add("S: proven optimal in < 2 s",
            f"optimal in {_t(t)}" if t is not None else
            f"{s['status']}, gap {100 * s['gap']:.1f} % after {_t(s['wall_time'])}",
            t is not None and t < 2)
    if m:
        add("M: first schedule < 5 s", _t(m["first_solution_time"]),
            m["first_solution_time"] is not None and m["first_solution_time"] < 5)
        g = m["time_to_1pct_gap"]
        add("M: within 1 % of the bound in 60 s",
            _t(g) if g is not None else f"gap {100 * m['gap']:.1f} % at {_t(m['wall_time'])}",
            g is not None and g <= 60)
    if big:
        f = big["first_solution_time"]
        add("L: first schedule < 60 s", _t(f) if f is not None else f"none in {_t(big['wall_time'])}",
            f is not None and f < 60)
        g = big["time_to_3pct_gap"]
        add("L: within 3 % in 10 min",
            _t(g) if g is not None else
            ("no schedule" if big["gap"] is None else f"gap {100 * big['gap']:.1f} % at {_t(big['wall_time'])}"),
            g is not None and g <= 600)
        add("L: peak memory < 4 GB", f"{big['peak_rss_mb'] / 1024:.2f} GB", big["peak_rss_mb"] < 4096)
    shares = {k: v["optimizer"]["build_share"] for k, v in recs.items() if k in ("S", "M", "L")}
    if shares:
        worst = max(shares.values())
        add("model building < 10 % of total time",
            ", ".join(f"{k} {100 * v:.1f} %" for k, v in shares.items()), worst < 0.10)
    return "\n".join(rows)


def engine_table(records: list[dict[str, Any]]) -> str:
    """Markdown: rota's defaults against the plain CP-SAT model of the same rules and objective,
    run one after the other in the same process (issue: fairness engine)."""
    head = ("| size | engine | first schedule | min spread (h/FTE) reached | proven optimal | "
            "objective (bound) | gap at the limit | wall time (limit) |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for rec in records:
        limit = rec["settings"]["time_limit"]
        ms = rec.get("min_spread")
        for key, title in (("optimizer", "rota (defaults)"), ("plain_cpsat", "plain CP-SAT")):
            o = rec.get(key)
            if not o:
                continue
            obj = "—" if o["objective"] is None else f"{o['objective']:,.1f} ({o['bound']:,.1f})"
            spread = "—" if ms is None else (f"{ms:g}: " + _t(o.get("time_to_min_spread")))
            gap = "—" if o["gap"] is None else f"{100 * o['gap']:.1f} %"
            lines.append(f"| {rec['size'] if key == 'optimizer' else ''} | {title} | {_t(o['first_solution_time'])} "
                         f"| {spread} | {_t(o.get('proof_time'))} | {obj} | {gap} "
                         f"| {_t(o['wall_time'])} ({limit:g} s) |")
    return "\n".join(lines)


def render(out: Path = RESULTS, sizes: list[str] | None = None) -> str:
    """All saved results in ``out`` as one markdown document (also written to results.md)."""
    recs = []
    for s in sizes or SIZE_ORDER:
        path = Path(out) / f"{s}.json"
        if path.exists():
            recs.append(json.loads(path.read_text()))
    parts = ["Produced by `python -m benchmarks.run --sizes S,M --table --readme` (the size "
             "table; `--size L` (600 s) and `--scaling --time-limit 30` add L and the "
             "scaling series; `--table --readme` alone re-renders saved results from "
             "`benchmarks/results/*.json`).\n"]
    if recs:
        settings = {(r["settings"]["workers"], r["settings"]["deterministic"]) for r in recs}
        mode = "; ".join(f"{w} workers, {'deterministic' if d else 'fast mode (deterministic=False)'}"
                         for w, d in sorted(settings))
        limits = ", ".join(f"{r['size']} {r['settings']['time_limit']:g} s" for r in recs)
        machines = {machine_text(r["machine"]) for r in recs}
        if len(machines) == 1 and len({r["date"] for r in recs}) == 1:
            where = f"Machine: {machines.pop()}. Run {recs[-1]['date']}."
        else:  # sizes rerun at different times: say which is which
            where = "Runs: " + "; ".join(f"{r['size']} {r['date']} on {machine_text(r['machine'])}" for r in recs) + "."
        parts.append(f"Solver: {mode}; time limits {limits}. Seed 0. {where}\n")
        parts.append("\nrota against the plain CP-SAT model (same rules and objective; no derived bounds, "
                     "symmetry breaking or phases), one after the other in the same run. *min spread* is "
                     "the counting model's bound on the load spread (`optimizer/bounds.py`): the arithmetic "
                     "minimum; the column gives when an incumbent reached it.\n")
        parts.append(engine_table(recs))
        parts.append("")
        parts.append(results_table(recs))
        parts.append("\nBest objective found by time (≥ best bound; ✓ proven optimal):\n")
        parts.append(progress_table(recs))
    by_size = {r["size"]: r for r in recs}
    if any(k in by_size for k in ("S", "M", "L")):
        parts.append("\nTargets (2 cores):\n")
        parts.append(targets_table(by_size))
    sc_path = Path(out) / "scaling.json"
    if sc_path.exists():
        sc = json.loads(sc_path.read_text())
        parts.append(f"\nScaling (follow-the-sun family, {sc['settings']['time_limit']:g} s per run, "
                     f"{sc['settings']['workers']} workers, "
                     f"{'deterministic' if sc['settings']['deterministic'] else 'fast mode'}):\n")
        parts.append(scaling_table(sc))
    prof = Path(out) / "L_build.json"
    if prof.exists():
        b = json.loads(prof.read_text())
        ms = b["model_size"]
        parts.append(f"\nL model alone: {ms['decision_variables']:,} assignment variables, "
                     f"{ms['variables']:,} variables, {ms['constraints']:,} constraints, built in "
                     f"{b['build_time']:.1f} s, {b['peak_rss_mb']:.0f} MB peak.")
    notes = Path(out) / "notes.md"
    if notes.exists():
        parts.append("\n" + notes.read_text().strip())
    text = "\n".join(parts) + "\n"
    from optimizer.files import atomic_write_text

    atomic_write_text(Path(out) / "results.md", text)
    return text


def _write_json(path: Path, data: Any) -> None:
    from optimizer.files import atomic_write_text

    atomic_write_text(path, json.dumps(data, indent=1, default=str) + "\n")


# --------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", help="one size: T, TM, TL, S, M, L")
    ap.add_argument("--sizes", help="comma-separated sizes, e.g. S,M")
    ap.add_argument("--time-limit", type=float, help="seconds per solve (default per size)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--deterministic", action="store_true", help="reproducible solver mode")
    ap.add_argument("--out", type=Path, default=RESULTS, help="results directory")
    ap.add_argument("--scaling", action="store_true", help="run the people/horizon doubling series")
    ap.add_argument("--build-only", action="store_true", help="build the model(s), do not solve")
    ap.add_argument("--profile", action="store_true", help="with --build-only: cProfile the build")
    ap.add_argument("--table", action="store_true", help="print (and write results.md) the tables")
    ap.add_argument("--readme", action="store_true", help="with --table: rebuild docs/benchmarks.md from them")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--child-out", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)

    if a.child:
        rec = _child(json.loads(a.child))
        Path(a.child_out).write_text(json.dumps(rec, default=str))
        return 0
    sizes = [s.strip() for s in (a.sizes or a.size or "").split(",") if s.strip()]
    from benchmarks.generate import SIZES

    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        ap.error(f"unknown size(s) {', '.join(unknown)} (known: {', '.join(SIZES)})")
    for s in sizes:
        if a.build_only:
            rec = build_only(s, seed=a.seed, profile=a.profile)
            _write_json(a.out / f"{s}_{'profile' if a.profile else 'build'}.json", rec)
            print(json.dumps({k: v for k, v in rec.items() if not k.startswith("profile")}, indent=1))
            for k in ("profile_cumulative", "profile_tottime"):
                if k in rec:
                    print(rec[k])
            continue
        print(f"running {s} ({SIZES[s].description}) ...", file=sys.stderr, flush=True)
        rec = run_size(s, time_limit=a.time_limit, seed=a.seed, workers=a.workers,
                       deterministic=a.deterministic, out=a.out)
        o = rec["optimizer"]
        print(f"{s}: {o['status']} objective {o['objective']} bound {o['bound']} gap {o['gap']} "
              f"first {o['first_solution_time']} s, 1% gap {o['time_to_1pct_gap']} s, "
              f"peak {o['peak_rss_mb']} MB", file=sys.stderr, flush=True)
    if a.scaling:
        run_scaling(time_limit=a.time_limit or 60.0, seed=a.seed, workers=a.workers,
                    deterministic=a.deterministic, out=a.out)
    if a.table:
        text = render(a.out)
        print(text)
        if a.readme:
            from benchmarks.docs_page import main as docs_page

            docs_page([])
    elif not sizes and not a.scaling:
        ap.print_help()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
