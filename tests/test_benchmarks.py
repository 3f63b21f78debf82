"""Smoke test of the benchmark suite (benchmarks/): generator, baselines and runner on the
tiny size, so the suite cannot rot. No timing assertions."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # benchmarks/ is not an installed package
    sys.path.insert(0, str(ROOT))

from benchmarks import run  # noqa: E402
from benchmarks.baselines import least_recently_on_call, round_robin  # noqa: E402
from benchmarks.generate import SIZES, generate  # noqa: E402
from optimizer import Problem, evaluate  # noqa: E402


@pytest.fixture(scope="module")
def record(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("bench")
    rec = run.run_size("T", time_limit=5, out=out)
    rec["_out"] = str(out)
    return rec


def test_generator_is_seeded_and_reproducible():
    a, b, c = generate("S", seed=1), generate("S", seed=1), generate("S", seed=2)
    assert a.model_dump() == b.model_dump()
    assert a.model_dump() != c.model_dump()
    assert len(a.people) == 12 and len(generate("TM").shifts) == 3 and len(generate("TL").shifts) == 2


def test_every_size_is_a_valid_scenario_with_rules_on():
    for name in SIZES:
        if name == "L":
            continue  # valid too, but too big to build in a smoke test
        sc = generate(name)
        assert sc.rules.min_rest is not None and sc.rules.max_weekends is not None
        assert sc.rules.max_shifts, name
        assert sc.time_off and any(p.country for p in sc.people)


def test_time_off_is_about_eight_percent_of_days():
    sc = generate("M")
    days = (sc.end - sc.start).days + 1
    off = sum((t.to - t.from_).days + 1 for t in sc.time_off if not t.prefer)
    assert 0.05 < off / (days * len(sc.people)) < 0.11


def test_least_recent_skips_leave_round_robin_does_not():
    prob = Problem(generate("S"))
    rr, lr = evaluate(round_robin(prob)), evaluate(least_recently_on_call(prob))
    assert "time_off" not in set(lr.violations["rule"])
    # every slot filled by both (nobody's whole team is on leave in S)
    slots = sum(r.count for inst in prob.instances for r in inst.roles)
    assert len(round_robin(prob).assignments) == slots == len(least_recently_on_call(prob).assignments)
    assert not rr.violations.empty  # round robin ignores time off and rest


def test_time_to_gap_uses_best_objective_and_bound_so_far():
    events = [(1.0, 110.0, None), (2.0, None, 90.0), (3.0, 100.0, None), (4.0, None, 99.5)]
    assert run.time_to_gap(events, 0.11) == 3.0  # (100 - 90) / 100 = 10 %
    assert run.time_to_gap(events, 0.01) == 4.0
    assert run.time_to_gap(events[:3], 0.01) is None


def test_runner_record_on_tiny_size(record):
    o = record["optimizer"]
    for key in ("status", "first_solution_time", "time_to_1pct_gap", "objective", "bound", "gap",
                "wall_time", "build_time", "build_share", "model_size", "peak_rss_mb", "solutions",
                "bounds", "quality"):
        assert key in o, key
    assert o["status"] in ("optimal", "feasible")
    assert o["quality"]["hard_violations"] == 0
    assert o["objective_matches_evaluation"] is True
    assert o["quality"]["penalty"] == pytest.approx(o["objective"])
    assert o["model_size"]["variables"] > 0 and o["peak_rss_mb"] > 0
    for name in ("round_robin", "least_recent"):
        q = record["baselines"][name]["quality"]
        assert set(q) >= {"hard_violations", "violations_by_rule", "penalty", "load_spread",
                          "weekend_spread"}
        assert q["hard_violations"] == sum(q["violations_by_rule"].values())
    plain = record["plain_cpsat"]  # the third baseline: the plain CP-SAT model, same rules and objective
    assert plain["status"] in ("optimal", "feasible") and plain["objective_matches_evaluation"] is True
    assert o["status"] == plain["status"] == "optimal"  # T is tiny: both prove it
    assert plain["objective"] == pytest.approx(o["objective"])
    for r in (o, plain):
        assert r["over_limit"] <= 1.0  # wall seconds after building stay within the limit
    assert record["machine"]["nproc"] >= 1
    saved = json.loads((Path(record["_out"]) / "T.json").read_text())
    assert saved["optimizer"]["objective"] == o["objective"]


def test_table_renders_saved_results(record):
    text = run.render(Path(record["_out"]))
    assert "| **T** (8 people" in text and "round robin" in text and "least recently on call" in text
    assert "| rota (defaults) |" in text and "| plain CP-SAT |" in text
    assert (Path(record["_out"]) / "results.md").read_text() == text


def test_docs_page_is_assembled_from_the_benchmark_outputs():
    # docs/benchmarks.md is generated (python -m benchmarks.docs_page): it must not drift
    from benchmarks import docs_page

    assert docs_page.main(["--check"]) == 0
    text = docs_page.page()
    assert "## Sizes S, M, L and scaling" in text and "## Curtois & Qu benchmark (24 instances)" in text
    assert "](curtois_results.md)" not in text  # relative links of benchmarks/ are rewritten
