"""Warm start from the constructed schedule (on by default)."""

from __future__ import annotations

from conftest import EXAMPLES, check_consistent

from optimizer import Status, load_scenario, solve


def test_warm_start_keeps_the_constructed_schedule_when_the_search_finds_nothing():
    # a limit far too short for CP-SAT to find anything by itself (cf. test_cli's exit 4
    # case): with a warm start the constructed schedule is the answer, judged as usual
    sc = load_scenario(EXAMPLES / "follow_the_sun.yaml")
    cold = solve(sc, time_limit=0.000001, warm_start=False)
    assert cold.status == Status.UNKNOWN
    warm = solve(sc, time_limit=0.000001)  # the default
    assert warm.status == Status.FEASIBLE
    check_consistent(warm)
    assert warm.first_solution_time is not None


def test_warm_start_then_search_improves_and_stays_exact():
    sc = load_scenario(EXAMPLES / "quarterly.yaml")
    seen = []
    r = solve(sc, time_limit=3, warm_start=True, progress=seen.append)
    check_consistent(r)
    assert seen[0].solutions == 0          # the constructed schedule is reported first
    assert r.objective <= seen[0].objective


def test_the_construction_is_reported_before_the_model_is_built():
    sc = load_scenario(EXAMPLES / "quarterly.yaml")
    seen = []
    r = solve(sc, time_limit=3, progress=seen.append)
    assert seen[0].solutions == 0 and seen[0].bound is None
    assert seen[0].elapsed < r.build_time  # before the build ended
    assert r.first_solution_time == seen[0].elapsed
    # what was reported is the construction judged by the evaluators
    from optimizer.construct import construct
    from optimizer.problem import Problem
    from optimizer.verify import evaluate

    assert evaluate(construct(Problem(sc), seed=sc.solver.seed)).objective == seen[0].objective
