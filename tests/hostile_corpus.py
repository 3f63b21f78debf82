"""A seeded hostile corpus (issue #17), made the same way as the fuzz suite, run by hand:

    python tests/hostile_corpus.py --seed 2 --cases 300

Prints the count of each exit code and of each broken promise (traceback, hang, leak, ...),
and every case that broke one; exits 1 if any did. Cases that pass ``check`` are solved too
(1 s), since the worst bugs passed ``check`` and crashed ``solve``.
"""

from __future__ import annotations

import argparse
import collections
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # repo root first (tests/ has package-named folders)

from fuzzing import (  # noqa: E402
    CSV_KINDS,
    HOSTILE_CELLS,
    HOSTILE_VALUES,
    SCENARIOS,
    SIDE_TARGETS,
    TEXT_KINDS,
    mutate_csv,
    mutate_side_file,
    mutate_text,
    mutate_value,
    run_case,
)


def make(rng: random.Random, root: Path):
    family = rng.choice(["value", "value", "type", "delete", "text", "text", "csv", "csv", "side"])
    if family in ("value", "type", "delete"):
        value = rng.choice(HOSTILE_VALUES)
        return mutate_value(root, rng.choice(SCENARIOS), rng.random(), value if family == "value" else [value],
                            family)
    if family == "text":
        return mutate_text(root, rng.choice(SCENARIOS), rng.choice(TEXT_KINDS), rng.random(), rng.randrange(1000))
    if family == "csv":
        return mutate_csv(root, rng.choice(["people.csv", "time_off.csv"]), rng.choice(CSV_KINDS), rng.random(),
                          rng.randrange(1000), rng.choice(HOSTILE_CELLS))
    return mutate_side_file(root, rng.choice(["quarterly.yaml", "hr_quarterly.yaml"]),
                            rng.choice(["people", "time_off"]), rng.choice(SIDE_TARGETS))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=2)
    ap.add_argument("--cases", type=int, default=300)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    codes: collections.Counter[str] = collections.Counter()
    broken: collections.Counter[str] = collections.Counter()
    failures = []
    t0 = time.perf_counter()
    slowest = 0.0
    for k in range(args.cases):
        with tempfile.TemporaryDirectory(prefix="rota-corpus-") as d:
            case = make(rng, Path(d))
            outcomes = [run_case(case, "check")]
            if outcomes[0].exit_code == 0:
                outcomes.append(run_case(case, "solve"))
            for o in outcomes:
                codes[f"{o.command} {o.exit_code}"] += 1
                slowest = max(slowest, o.seconds)
                if o.problem:
                    kind = o.problem.split(":")[0]
                    broken[kind] += 1
                    failures.append(f"#{k} {case.what}\n    {o.command}: {o.problem}\n    {o.output[:300]!r}")
    print(f"{args.cases} cases (seed {args.seed}) in {time.perf_counter() - t0:.0f} s; slowest {slowest:.1f} s")
    print("exit codes:", dict(sorted(codes.items())))
    for kind in ("traceback", "hang", "leak", "memory", "exit code", "exit 2 without naming a file of the case"):
        print(f"  {kind}: {broken.get(kind, 0)}")
    for other in sorted(set(broken) - {"traceback", "hang", "leak", "memory", "exit code"}):
        print(f"  {other}: {broken[other]}")
    for f in failures:
        print(f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
