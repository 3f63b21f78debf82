"""The shipped examples (``data/examples/*.yaml``) solved with rota's defaults and with the
plain CP-SAT model, side by side in one run: how soon each has a first schedule and a
proof of optimality, against its wall-clock limit.

Usage (from the repository root)::

    python -m benchmarks.examples                  # 30 s limit each, writes results/examples.md
    python -m benchmarks.examples --time-limit 60

Each file is solved as a scenario of its own (``team14_replan.yaml`` without its published
baseline); ``team14_short.yaml`` (a typo on purpose) and files that are not scenarios are
skipped. "proof" is when the main phase (hard rules, soft
rules, fairness spreads) was proven optimal, model building included; "wall" includes
the balance phase and the canonical tie-break.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from benchmarks.run import RESULTS, machine, machine_text

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "data" / "examples"
SKIP = {"opsgenie_mapping.yaml", "team14_short.yaml"}  # not a scenario; refused by check on purpose


def _one(path: Path, time_limit: float, plain: bool) -> dict[str, Any]:
    from optimizer import load_scenario
    from optimizer.solve import solve

    res = solve(load_scenario(path), time_limit=time_limit, plain=plain)
    main_end = res.build_time + res.phase_times.get("main", 0.0) + res.phase_times.get("lns", 0.0)
    return {
        "status": res.status.value,
        "objective": res.objective,
        "bound": res.bound,
        "first": None if res.first_solution_time is None else round(res.first_solution_time, 2),
        "proof": round(main_end, 2) if res.status.value == "optimal" else None,
        "balance_optimal": res.balance_optimal,
        "reproducible": res.reproducible,
        "wall": round(res.wall_time, 2),
        "build": round(res.build_time, 2),
    }


def run(time_limit: float) -> dict[str, Any]:
    rows = []
    for path in sorted(EXAMPLES.glob("*.yaml")):
        if path.name in SKIP:
            continue
        row = {"example": path.name, "rota": _one(path, time_limit, False), "plain": _one(path, time_limit, True)}
        print(json.dumps(row), flush=True)
        rows.append(row)
    return {"time_limit": time_limit, "rows": rows, "machine": machine(), "date": time.strftime("%Y-%m-%d %H:%M")}


def table(rec: dict[str, Any]) -> str:
    def s(v) -> str:
        return "—" if v is None else f"{v:g} s"

    out = [f"Examples, {rec['time_limit']:g} s limit each, rota's defaults against the plain CP-SAT model "
           f"(same rules and objective; no derived bounds, symmetry breaking, warm start or phases). "
           f"Machine: {machine_text(rec['machine'])}. Run {rec['date']}.", "",
           "| example | scheduler | status | objective (bound) | first schedule | proof | wall | both phases proven |",
           "|---|---|---|---|---|---|---|---|"]
    for row in rec["rows"]:
        for who in ("rota", "plain"):
            r = row[who]
            name = f"`{row['example']}`" if who == "rota" else ""
            bound = "—" if r["bound"] is None else f"{r['bound']:g}"
            ob = "—" if r["objective"] is None else f"{r['objective']:g} ({bound})"
            both = "yes" if r["status"] == "optimal" and r["balance_optimal"] else "no"
            out.append(f"| {name} | {who} | {r['status']} | {ob} | {s(r['first'])} | {s(r['proof'])} | "
                       f"{s(r['wall'])} | {both if who == 'rota' else '—'} |")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.examples", description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument("--out", type=Path, default=RESULTS)
    a = ap.parse_args(argv)
    rec = run(a.time_limit)
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "examples.json").write_text(json.dumps(rec, indent=1) + "\n")
    text = table(rec)
    (a.out / "examples.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
