"""The per-person repair of a constructed schedule (optimizer/repair.py), judged by the
independent evaluator (optimizer.verify.evaluate), not by the model that repaired it."""

from __future__ import annotations

from conftest import scenario

from optimizer import Problem, solve
from optimizer.construct import construct, construct_report
from optimizer.facts import slots_needed
from optimizer.repair import DESCENT_MIN_SECONDS, DESCENT_SECONDS, descend, descent_seconds, repair, separable
from optimizer.verify import evaluate


def _soft_cover(**kw):
    """Three people, a daily 8 h shift for two weeks whose single slot is a soft target
    (10 points per missing person), everyone on runs of at least 2 days on and 2 off."""
    fields = {
        "end": "2027-01-17",
        "shifts": [{"name": "day", "repeat": "daily", "starts": "09:00", "length": "8h",
                    "roles": [{"name": "primary", "under_weight": 10}]}],
        "people": [{"id": x, "min_consecutive_days": 2, "min_consecutive_days_off": 2} for x in "abc"],
    }
    return scenario(**{**fields, **kw})


def test_greedy_breaks_minimum_runs_and_repair_mends_every_person():
    prob = Problem(_soft_cover())
    assert separable(prob)
    greedy = construct(prob)
    # precondition: the greedy rotates people day by day, so its runs are 1 day long
    rules = {v["rule"] for v in construct_report(greedy)["violations"]}
    assert rules & {"min_consecutive_days", "min_consecutive_days_off"}
    fixed, stats = repair(prob, greedy, seconds=30)
    assert stats["people"] > 0
    assert stats["repaired"] == stats["people"] and stats["failed"] == 0
    ev = evaluate(fixed)
    assert ev.violations.empty, ev.violations.to_dict("records")
    # each person holds at most one role per instance, and only instances that exist
    keys = [(a.instance, a.person) for a in fixed.assignments]
    assert len(keys) == len(set(keys))
    assert all(0 <= a.instance < len(prob.instances) for a in fixed.assignments)


def test_hard_cover_is_not_separable_and_is_left_alone():
    sc = _soft_cover(shifts=[{"name": "day", "repeat": "daily", "starts": "09:00", "length": "8h",
                              "roles": [{"name": "primary"}]}])
    prob = Problem(sc)
    assert not separable(prob)  # an exact count binds people together
    greedy = construct(prob)
    same, stats = repair(prob, greedy, seconds=5)
    assert same is greedy and stats == {"people": 0, "repaired": 0, "failed": 0, "checked": 0, "work_ms": 0}


def test_only_coverage_and_crew_skills_couple_people():
    """Hand-checked: an exact count couples the people of a slot, a crew's skills its
    members; every other rule family binds each person alone."""
    from constraints import RULES
    from optimizer.model import family

    soft = Problem(_soft_cover())
    assert [family(r) for r in RULES if r.couples(soft)] == []
    hard = Problem(scenario())
    assert [family(r) for r in RULES if r.couples(hard)] == ["coverage"]


def test_crew_skills_are_not_separable():
    sc = _soft_cover(shifts=[{"name": "day", "repeat": "daily", "starts": "09:00", "length": "8h",
                              "crew_skills": ["infra"],
                              "roles": [{"name": "primary", "under_weight": 10}]}])
    assert not separable(Problem(sc))


def test_solve_starts_from_the_repaired_construction():
    res = solve(_soft_cover(), time_limit=10, workers=2)
    assert res.status.has_schedule
    assert "repair" in res.phase_times
    assert res.evaluation.violations.empty
    # the model's objective equals the evaluator's penalty on the returned schedule
    assert abs(res.objective - res.evaluation.objective) < 1e-6


def test_regression_soft_cover_construction_counts_as_complete():
    """Bug: ``slots_needed`` counted soft-target roles, so a valid construction with a
    soft slot left empty was never reported nor used as the warm start."""
    prob = Problem(_soft_cover())
    assert slots_needed(prob) == 0  # no hard count anywhere
    hard = Problem(scenario())
    assert slots_needed(hard) == 7  # one hard slot a day for a week


def test_a_set_stop_event_starts_nobody_and_keeps_the_greedy_parts():
    import threading

    prob = Problem(_soft_cover())
    greedy = construct(prob)
    stop = threading.Event()
    stop.set()
    same, stats = repair(prob, greedy, seconds=30, stop=stop)
    assert stats["repaired"] == 0 and stats["failed"] == stats["people"] > 0
    assert sorted(same.assignments, key=lambda a: (a.instance, a.role, a.person)) == sorted(
        greedy.assignments, key=lambda a: (a.instance, a.role, a.person))


# ------------------------------------------------------------------ the per-person descent


def _split_week():
    """Two people, a daily 8 h shift for one week whose slot is a soft target (10 points
    per missing person, 1 per extra one), nobody on more than 4 days in a row."""
    return scenario(end="2027-01-10",
                    shifts=[{"name": "day", "repeat": "daily", "starts": "09:00", "length": "8h",
                             "roles": [{"name": "primary", "under_weight": 10, "over_weight": 1}]}],
                    people=[{"id": "a"}, {"id": "b"}],
                    rules={"max_consecutive_days": {"count": 4}})


def _both_on_first_three_days(prob):
    from optimizer.schedule import Assignment, Schedule

    return Schedule(prob, [Assignment(i, 0, p) for i in range(3) for p in (0, 1)])


def test_descent_splits_the_week_hand_solved():
    """Start: a and b both on Mon-Wed, Thu-Sun empty: 4 missing x 10 + 3 extra x 1 = 43
    points. Re-planned against b's Mon-Wed, a's cheapest part is Thu-Sun (4 days in a row
    are allowed), after which every day has exactly one person: 0 points, the optimum."""
    prob = Problem(_split_week())
    start = _both_on_first_three_days(prob)
    assert evaluate(start).objective == 43
    seen = []
    best, stats = descend(prob, start, seconds=30, improved=lambda s, cost: seen.append(cost))
    ev = evaluate(best)
    assert ev.violations.empty and ev.objective == 0
    assert stats["moves"] >= 1 and stats["cut"] == 0  # it stopped because a sweep gained nothing
    assert seen and seen[-1] == ev.cost
    days = sorted((a.instance, a.person) for a in best.assignments)
    assert [i for i, _ in days] == list(range(7))


def test_descent_never_returns_a_worse_schedule():
    """Fairness couples people in the objective, which the one-person models do not see:
    the evaluator's verdict after each sweep keeps the descent from getting worse."""
    sc = _split_week().replace(fairness={"load": 5.0})
    prob = Problem(sc)
    start = _both_on_first_three_days(prob)
    best, _ = descend(prob, start, seconds=30)
    assert evaluate(best).cost <= evaluate(start).cost


def test_descent_leaves_coupled_scenarios_and_a_set_stop_alone():
    import threading

    hard = Problem(scenario())
    greedy = construct(hard)
    same, stats = descend(hard, greedy, seconds=5)
    assert same is greedy and stats["sweeps"] == 0
    prob = Problem(_split_week())
    start = _both_on_first_three_days(prob)
    stop = threading.Event()
    stop.set()
    same, stats = descend(prob, start, seconds=30, stop=stop)
    assert same is start and stats["cut"] == 1 and stats["moves"] == 0


def test_solve_runs_the_descent_on_large_separable_scenarios(monkeypatch):
    import importlib

    early = importlib.import_module("optimizer.early")
    monkeypatch.setattr(early, "DESCENT_FROM", 0)  # the threshold is measured on rosters of 50+ people
    res = solve(_split_week(), time_limit=10, workers=2)
    assert "descent" in res.phase_times
    assert res.objective == 0 and res.evaluation.violations.empty
    assert abs(res.objective - res.evaluation.objective) < 1e-6


def test_forked_workers_repair_exactly_as_one_thread():
    """Two workers are forked processes on Linux (threads elsewhere): each one-person solve
    is the same seeded single-thread search, so the parts match one thread's."""
    prob = Problem(_soft_cover())
    greedy = construct(prob)
    one, s1 = repair(prob, greedy, seconds=30, workers=1)
    two, s2 = repair(prob, greedy, seconds=30, workers=2)
    assert s1 == s2 and s1["repaired"] == s1["people"] > 0
    assert sorted(one.assignments) == sorted(two.assignments)
    assert evaluate(two).violations.empty


def test_regression_a_repaired_schedule_is_kept_when_the_model_completes_nothing(monkeypatch):
    """Bug (Curtois Instance23 at 60 s): the repair and the descent found a valid roster
    before the build, the whole model then neither completed it nor found one in the
    time left, and solve returned 'unknown' with no schedule. The early schedule is the
    result now, its terms judged by the evaluators."""
    import importlib

    solve_module = importlib.import_module("optimizer.solve")
    real_search = solve_module._Run.search

    def nothing(self, settings, *a, **kw):  # a search that runs out of time at once
        return real_search(self, {**settings, "max_time_in_seconds": 0.0}, *a, **kw)

    monkeypatch.setattr(solve_module._Run, "search", nothing)
    monkeypatch.setattr(solve_module._Run, "warm_start", lambda self, hint: None)
    res = solve(_soft_cover(), time_limit=10, workers=1, lns=False)
    assert res.status.name == "FEASIBLE" and res.schedule is not None
    assert "repair" in res.phase_times
    assert res.evaluation.violations.empty
    assert abs(res.objective - res.evaluation.objective) < 1e-6
    assert abs(sum(res.terms.values()) - res.objective) < 1e-6
    assert res.first_solution_time is not None and res.first_solution_time <= res.wall_time


def test_regression_a_person_the_first_seed_misses_is_retried_with_another(monkeypatch):
    """Instance22 at 60 s: with seed 0 the local search left 1 of 50 people unrepaired after
    its 5 s, so the solve had no roster at all (seed 1 repaired all 50). A person whose
    first try fails is now tried again with another seed. Here the first try of every
    person fails (emulated); the second repairs them all."""
    import optimizer.repair as rp

    real, seeds = rp._alone_within, []

    def flaky(problem, keyed, quit_, p, mine, seconds, seed, *rest):
        seeds.append(seed)
        return None if seed == 0 else real(problem, keyed, quit_, p, mine, seconds, seed, *rest)

    monkeypatch.setattr(rp, "_alone_within", flaky)
    prob = Problem(_soft_cover())
    fixed, stats = repair(prob, construct(prob), seconds=30, workers=1)  # one thread: the patch applies
    assert stats["people"] > 0 and stats["repaired"] == stats["people"] and stats["failed"] == 0
    assert evaluate(fixed).violations.empty
    assert seeds.count(0) == stats["people"] and len(set(seeds)) == 2


def test_a_model_of_the_hard_rules_has_no_objective_and_keeps_every_hard_rule():
    """``priced=False`` (the repair's one-person models): no objective and no penalty terms,
    while every hard rule stays: the greedy's schedule (runs of one day) is infeasible in
    it, the repaired one (valid for the evaluator) feasible."""
    from ortools.sat.python import cp_model

    from optimizer.problem import build

    prob = Problem(_soft_cover())
    hard, priced = build(prob, linear=True, priced=False), build(prob, linear=True)
    assert not hard.terms and not hard.model.proto.has_objective()
    assert priced.terms and priced.model.proto.has_objective()

    def pinned(schedule) -> int:
        model = cp_model.CpModel()
        model.proto.copy_from(hard.model.proto)
        chosen = {(a.person, a.instance, a.role) for a in schedule.assignments}
        for key, x in hard.vars.x.items():
            model.add(x == int(key in chosen))
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        return solver.solve(model)

    greedy = construct(prob)
    assert not evaluate(greedy).violations.empty  # precondition: it breaks the minimum runs
    assert pinned(greedy) == cp_model.INFEASIBLE
    fixed, _ = repair(prob, greedy, seconds=30, workers=1)
    assert evaluate(fixed).violations.empty
    assert pinned(fixed) in (cp_model.OPTIMAL, cp_model.FEASIBLE)


def test_regression_judging_a_schedule_computed_fair_shares_nobody_read(monkeypatch):
    """Curtois Instance24 at 60 s: the repair judges the constructed roster for its hard
    violations, and the evaluation also computed everyone's fair share for the balance
    (9 s of the 60, in a scenario without fairness), so the repair ran out of time with 48
    of 140 people unmended. The balance is judged when first read now."""
    import importlib

    verify = importlib.import_module("optimizer.verify")
    prob = Problem(_soft_cover())
    sched = construct(prob)
    expected = evaluate(sched).balance_centi
    calls: list[int] = []
    real = verify.fair_shares
    monkeypatch.setattr(verify, "fair_shares", lambda p: calls.append(1) or real(p))
    ev = evaluate(sched)
    assert not ev.violations.empty and not calls  # the violations are judged without it
    assert ev.balance_centi == expected and calls == [1]  # read: judged once, the same value
    assert ev.balance == expected / 100 and calls == [1]


def test_descent_time_per_person_grows_with_the_horizon_within_its_bounds():
    class Horizon:  # descent_seconds reads only the number of shift instances
        def __init__(self, n: int) -> None:
            self.instances = [None] * n

    # 504 shifts (Curtois Instance13: 28 days x 18 types) -> 504 / 4000 s; a year of 10
    # types (Instance22) 0.91 s; a tiny problem the floor, a huge one the cap
    assert descent_seconds(Horizon(504)) == 0.126
    assert descent_seconds(Horizon(3640)) == 0.91
    assert descent_seconds(Horizon(7)) == DESCENT_MIN_SECONDS
    assert descent_seconds(Horizon(11_648)) == DESCENT_SECONDS
