"""max_nights alone: night shifts (at least half in 22:00-06:00, own zone) over the horizon
or within a window."""

from __future__ import annotations

import datetime as dt

from conftest import scenario
from rulekit import agree, judge, solve_alone

from constraints import max_nights
from optimizer import Problem

# Mon 4 .. Thu 7 Jan: a night (20:00-08:00, 10 of 12 hours at night) and an early
# (06:00-14:00, no night hour) each day. Instances alternate: early 0, night 1, early 2 ...
SHIFTS = [
    {"name": "early", "repeat": "daily", "starts": "06:00", "length": "8h", "roles": [{"name": "primary"}]},
    {"name": "night", "repeat": "daily", "starts": "20:00", "length": "12h", "roles": [{"name": "primary"}]},
]
BASE = dict(end=dt.date(2027, 1, 7), shifts=SHIFTS, people=[{"id": "a"}, {"id": "b"}])


def nights(sc):
    prob = Problem(sc)
    return [i for i in range(len(prob.instances)) if max_nights.is_night(prob, 0, i)]


def test_night_is_the_loads_night():
    sc = scenario(**BASE)
    assert nights(sc) == [1, 3, 5, 7]
    # 18:00-02:00 has 4 of 8 hours at night: half counts; 16:00-24:00 (2 of 8) does not
    half = scenario(
        end=dt.date(2027, 1, 4),
        shifts=[
            {"name": "late", "repeat": "daily", "starts": "18:00", "length": "8h", "roles": [{"name": "primary"}]},
            {"name": "eve", "repeat": "daily", "starts": "16:00", "length": "8h", "roles": [{"name": "primary"}]},
        ],
    )
    prob = Problem(half)
    assert {prob.instances[i].shift: max_nights.is_night(prob, 0, i) for i in range(2)} == {"eve": False, "late": True}


def test_horizon_cap_feasible_and_infeasible():
    sc = scenario(**BASE, rules={"max_nights": 2})
    # two nights and every early shift: fine (earlies are no nights)
    assert solve_alone(sc, max_nights, force=[("a", 1), ("a", 3), ("a", 0), ("a", 2), ("a", 4)]).status == "feasible"
    assert solve_alone(sc, max_nights, force=[("a", 1), ("a", 3), ("a", 5)]).status == "infeasible"


def test_window_cap():
    # at most 1 night within 48h: nights 24h apart clash, 48h apart do not
    sc = scenario(**BASE, rules={"max_nights": {"count": 1, "within": "48h"}})
    assert solve_alone(sc, max_nights, force=[("a", 1), ("a", 5)]).status == "feasible"
    assert solve_alone(sc, max_nights, force=[("a", 1), ("a", 3)]).status == "infeasible"


def test_soft_costs_weight_per_night_over():
    sc = scenario(**BASE, rules={"max_nights": {"count": 1, "soft": True, "weight": 4}})
    # four nights, one allowed: 3 × 4 points
    got = solve_alone(sc, max_nights, force=[("a", i) for i in (1, 3, 5, 7)])
    assert got.cost == 12 * 10_000 == judge(sc, max_nights, [("a", i) for i in (1, 3, 5, 7)])[1]


def test_encode_agrees_with_evaluate():
    small = dict(BASE, end=dt.date(2027, 1, 5))  # early, night, early, night
    for rules in (
        {"max_nights": 1},
        {"max_nights": {"count": 1, "soft": True, "weight": 2}},
        {"max_nights": {"count": 1, "within": "30h"}},
        {"max_nights": {"count": 0, "within": "30h", "soft": True, "weight": 3}},
    ):
        assert agree(scenario(**small, rules=rules), max_nights) == 81


# ----------------------------------------------------------------------------- end to end


NIGHTS_ONLY = dict(end=dt.date(2027, 1, 7), people=[{"id": "a"}, {"id": "b"}], shifts=[SHIFTS[1]])  # 4 nights


def test_explain_names_it_in_a_team_leads_words():
    from optimizer.explain import explain_infeasible

    sc = scenario(**NIGHTS_ONLY, rules={"max_nights": 1})  # 4 nights, 2 people, 1 each at most
    text = explain_infeasible(sc, time_limit=10).text()
    assert "a: at most 1 night shift (max_nights)" in text
    assert "lift max_nights (1) for" in text


def test_check_counts_it_in_capacity():
    from optimizer.capacity import capacity

    lines = capacity(Problem(scenario(**NIGHTS_ONLY, rules={"max_nights": {"count": 1, "within": "48h"}})))
    line = next(c for c in lines if c.what == "night primary")
    # nights 24h apart: a person takes nights 0 and 2 at most (1 in any 48h) -> 2 each, 4 in all
    assert (line.slots, line.capacity, line.short) == (4, 4, 0) and "max_nights 1" in line.limiting
    line = next(
        c for c in capacity(Problem(scenario(**NIGHTS_ONLY, rules={"max_nights": 1}))) if c.what == "night primary"
    )
    assert (line.capacity, line.short) == (2, 2)


def test_warm_start_honours_it():
    from optimizer.construct import construct
    from optimizer.verify import evaluate

    sc = scenario(
        end=dt.date(2027, 1, 10),
        shifts=SHIFTS,
        people=[{"id": p} for p in "abcd"],
        rules={"max_nights": {"count": 1, "within": "72h"}},
    )
    sched = construct(Problem(sc))
    assert len(sched.assignments) == 14  # every slot filled
    assert "max_nights" not in set(evaluate(sched).violations["rule"])
    per = {}
    for a in sched.assignments:
        if sched.problem.instances[a.instance].shift == "night":
            per.setdefault(a.person, []).append(sched.problem.instances[a.instance].start)
    assert all(b - a >= 72 * 3600 for starts in per.values() for a, b in zip(starts, starts[1:], strict=False))


def test_solve_respects_it():
    from optimizer import solve

    r = solve(
        scenario(end=dt.date(2027, 1, 7), shifts=SHIFTS, people=[{"id": p} for p in "abcd"], rules={"max_nights": 1}),
        time_limit=5,
    )
    assert r.status.has_schedule and r.evaluation.feasible
    nights = r.assignments[r.assignments["shift"] == "night"]
    assert nights["person_id"].value_counts().max() == 1
