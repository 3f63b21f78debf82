"""What-if: swap candidates (each verified by the full evaluator), the fast local check
(agrees with the full evaluator on random cases), and the absence Monte Carlo (matches
an exact enumeration of absence patterns on a tiny case)."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, manual, scenario

from optimizer import Problem, Schedule, evaluate
from optimizer.cli import main
from optimizer.errors import InputError
from optimizer.schedule import Assignment
from optimizer.whatif import (
    LocalCheck,
    apply_swap,
    find_instance,
    person_of,
    replacement_sets,
    simulate,
    sorted_keys,
    swap_candidates,
    violation_keys,
)

# --------------------------------------------------------------------------- helpers


def apply(schedule: Schedule, remove, add) -> Schedule:
    return Schedule(
        schedule.problem, [a for a in schedule.assignments if a not in set(remove)] + list(add)
    )


def full_new(schedule: Schedule, remove, add, excuse=()) -> list:
    """New violations by the full evaluator, the excused people's own left out."""
    prob = schedule.problem
    skip = {prob.people[p].id for p in excuse}
    new = violation_keys(evaluate(apply(schedule, remove, add))) - violation_keys(
        evaluate(schedule)
    )
    return sorted_keys(k for k in new if k[1] not in skip)


def row_change(schedule: Schedule, row, person: int, slot: Assignment):
    """The change a swap_candidates row stands for: (remove, add)."""
    prob = schedule.problem
    q = prob.person_index[row.person]
    take = Assignment(slot.instance, slot.role, q)
    if row.kind == "take":
        return [slot], [take]
    i = find_instance(prob, row.back_shift, row.back_start)
    back = Assignment(i, prob.role_index(i, row.back_role), q)
    return [slot, back], [take, Assignment(back.instance, back.role, person)]


# --------------------------------------------------------------------------- swaps


def three_days(**kw):
    return scenario(end=dt.date(2027, 1, 6), **kw)


def test_swap_one_way_hand_checked():
    # a, b, c on days 0, 1, 2 (24h shifts from 00:00). With min_rest 1d, b (day 1) cannot
    # take day 0 (no rest between); c (day 2) can: day 0 ends 24h before day 2 starts.
    sc = three_days(rules={"min_rest": "1d"})
    s = manual(sc, [(0, "primary", "a"), (1, "primary", "b"), (2, "primary", "c")])
    table = swap_candidates(s, "a", 0)
    assert list(table.person) == ["c"]
    assert list(table.kind) == ["take"]
    # c then has two shifts, a none: the load spread is 0 with fairness off
    assert table.delta_points.iloc[0] == 0
    assert table.load_before.iloc[0] == 24 and table.load_after.iloc[0] == 48


def test_two_way_swaps_when_no_one_can_take_it_outright():
    # everyone may work one shift only: nobody can take a's day 0 on top of their own,
    # but b and c can each trade: they take day 0 and give theirs to a.
    people = [{"id": pid, "max_shifts": 1} for pid in "abc"]
    sc = three_days(people=people)
    s = manual(sc, [(0, "primary", "a"), (1, "primary", "b"), (2, "primary", "c")])
    assert swap_candidates(s, "a", 0).empty
    table = swap_candidates(s, "a", 0, two_way=True)
    assert list(zip(table.person, table.kind, table.back_start, strict=True)) == [
        ("b", "swap", "2027-01-05T00:00:00+00:00"),
        ("c", "swap", "2027-01-06T00:00:00+00:00"),
    ]


def test_swap_ranked_by_fairness_cost():
    # 4 days, fairness on load: a has 2 shifts, b 1, c 1; a gives away day 0.
    sc = scenario(end=dt.date(2027, 1, 7), fairness={"load": 1, "weekends": 0, "holidays": 0})
    s = manual(
        sc, [(0, "primary", "a"), (1, "primary", "b"), (2, "primary", "c"), (3, "primary", "a")]
    )
    table = swap_candidates(s, "a", 0)
    # b or c taking it: loads become a 24, b/c 48, the other 24 -> spread 24 as before (48-24)
    assert set(table.person) == {"b", "c"}
    assert (table.delta_points == 0).all()
    # now a gives away to someone who already has more: add d with 2 shifts elsewhere
    sc2 = scenario(
        end=dt.date(2027, 1, 9),
        people=[{"id": x} for x in "abcd"],
        fairness={"load": 1, "weekends": 0, "holidays": 0},
    )
    s2 = manual(
        sc2,
        [
            (0, "primary", "a"),
            (1, "primary", "a"),
            (2, "primary", "b"),
            (3, "primary", "c"),
            (4, "primary", "d"),
            (5, "primary", "d"),
        ],
    )
    t2 = swap_candidates(s2, "a", 0)
    # b or c taking it: loads a 24, b/c 48, d 48, the other 24: spread 24 (was 48-24): 0 points;
    # d taking it: d 72, a 24 -> spread 48: +24 points
    assert list(t2.person) == ["b", "c", "d"]
    assert list(t2.delta_points) == [0, 0, 24]
    assert t2.delta_fairness.tolist() == [0, 0, 24]


def test_every_swap_candidate_passes_verify(quarterly):
    from optimizer import solve

    result = solve(quarterly, time_limit=2)
    assert result.status.has_schedule
    s = result.schedule
    prob = s.problem
    checked = 0
    for slot in s.assignments[:6]:
        table = swap_candidates(s, slot.person, slot.instance, slot.role, two_way=True)
        for row in table.itertuples(index=False):
            remove, add = row_change(s, row, slot.person, slot)
            changed = apply(s, remove, add)
            ev = evaluate(changed)
            assert not (violation_keys(ev) - violation_keys(result.evaluation)), (
                row,
                ev.violations,
            )
            assert row.delta_points == pytest.approx(
                ev.objective - result.evaluation.objective, abs=1e-6
            )
            checked += 1
        # and nobody missing: everyone else either appears as a hand-over or is refused by verify
        takers = set(table[table.kind == "take"].person)
        for q in range(len(prob.people)):
            if q == slot.person or prob.people[q].id in takers:
                continue
            assert full_new(s, [slot], [Assignment(slot.instance, slot.role, q)]), prob.people[q].id
    assert checked > 0


# --------------------------------------------------------------------------- the local check


def random_case(rng: random.Random):
    """A random small scenario with many hard rules, and a random (often broken) schedule."""
    skills = ["x", "y"]
    n = rng.randint(3, 6)
    people = []
    for k in range(n):
        person = {"id": f"p{k}", "skills": [s for s in skills if rng.random() < 0.6]}
        if rng.random() < 0.2:
            person["roles"] = ["primary"]
        if rng.random() < 0.3:
            person["max_shifts"] = rng.randint(1, 3)
        if rng.random() < 0.2:
            person["min_hours"] = rng.choice([12, 24])
        if rng.random() < 0.2:
            person["max_consecutive_days"] = rng.randint(1, 2)
        if rng.random() < 0.2:
            person["min_consecutive_days"] = 2
        if rng.random() < 0.2:
            person["max_weekends"] = 0
        if rng.random() < 0.2:
            person["max_shifts_by_type"] = {"night": rng.randint(0, 1)}
        if rng.random() < 0.2:
            person["country"] = "DE"
        people.append(person)
    start = dt.date(2027, 4, 1)  # Good Friday and Easter Monday inside
    end = start + dt.timedelta(days=rng.randint(3, 6))
    roles = [{"name": "primary", "skills": ["x"] if rng.random() < 0.5 else []}]
    if rng.random() < 0.5:
        roles.append({"name": "secondary"})
    shifts = [
        {
            "name": "day",
            "repeat": "daily",
            "starts": "08:00",
            "length": "12h",
            "roles": roles,
            "crew_skills": ["y"] if rng.random() < 0.4 else [],
            "not_followed_by": ["night"] if rng.random() < 0.3 else [],
        },
        {
            "name": "night",
            "repeat": "daily",
            "starts": "20:00",
            "length": "12h",
            "roles": [{"name": "primary"}],
        },
    ]
    rules = {}
    if rng.random() < 0.5:
        rules["min_rest"] = rng.choice(["12h", "1d"])
    if rng.random() < 0.5:
        rules["max_shifts"] = [{"count": rng.randint(1, 3), "within": "3d"}]
    if rng.random() < 0.3:
        rules["max_hours"] = [{"hours": 24, "within": "2d"}]
    if rng.random() < 0.3:
        rules["max_consecutive_days"] = rng.randint(1, 3)
    if rng.random() < 0.3:
        rules["holidays"] = "avoid"
    if rng.random() < 0.3:
        rules["max_holidays"] = 0
    if rng.random() < 0.3:
        rules["max_share"] = 0.3
    time_off = []
    for _ in range(rng.randint(0, 2)):
        d0 = start + dt.timedelta(days=rng.randint(0, 4))
        time_off.append(
            {"person": f"p{rng.randrange(n)}", "from": d0.isoformat(), "to": d0.isoformat()}
        )
    sc = scenario(
        start=start, end=end, people=people, shifts=shifts, rules=rules, time_off=time_off
    )
    prob = Problem(sc)
    out = []
    for inst in prob.instances:
        for r in range(len(inst.roles)):
            if rng.random() < 0.9:
                out.append(Assignment(inst.index, r, rng.randrange(n)))
    return Schedule(prob, sorted(set(out)))


def random_change(rng: random.Random, s: Schedule):
    n = len(s.problem.people)
    slot = rng.choice(s.assignments)
    q = rng.randrange(n)
    kind = rng.random()
    if kind < 0.5:  # hand-over, holder excused or not
        return (
            [slot],
            [Assignment(slot.instance, slot.role, q)],
            [slot.person] if rng.random() < 0.5 else [],
        )
    if kind < 0.8:  # two-way swap
        other = rng.choice(s.assignments)
        return (
            [slot, other],
            [
                Assignment(slot.instance, slot.role, other.person),
                Assignment(other.instance, other.role, slot.person),
            ],
            [],
        )
    # arbitrary: drop one, add one anywhere
    inst = rng.randrange(len(s.problem.instances))
    r = rng.randrange(len(s.problem.instances[inst].roles))
    return [slot], [Assignment(inst, r, q)], []


def test_local_check_agrees_with_full_evaluate_on_random_cases():
    rng = random.Random(7)
    compared = nonempty = 0
    for _ in range(60):
        s = random_case(rng)
        if not s.assignments:
            continue
        check = LocalCheck(s)
        for _ in range(12):
            remove, add, excuse = random_change(rng, s)
            remove = [a for a in dict.fromkeys(remove)]
            add = [a for a in dict.fromkeys(add) if a not in s.assignments or a in remove]
            fast = check.new_violations(remove, add, excuse)
            assert fast == full_new(s, remove, add, excuse), (
                s.problem.scenario.rules,
                remove,
                add,
                excuse,
            )
            compared += 1
            nonempty += bool(fast)
    assert compared > 500 and 0.2 < nonempty / compared < 0.95  # both outcomes well represented


def test_replacement_sets_agree_with_full_evaluate():
    rng = random.Random(11)
    for _ in range(15):
        s = random_case(rng)
        sets = replacement_sets(s)
        n = len(s.problem.people)
        for slot, qs in zip(s.assignments, sets, strict=True):
            full = [
                q
                for q in range(n)
                if q != slot.person
                and not full_new(
                    s, [slot], [Assignment(slot.instance, slot.role, q)], [slot.person]
                )
            ]
            assert qs == full


# --------------------------------------------------------------------------- robustness


def tiny_robustness_case() -> Schedule:
    """a, b, c on days 0, 1, 2; d is off on day 0; min_rest 1d.

    Replacements (hand-checked): day 0 (a): c only (b starts right as day 0 ends; d is
    off). Day 1 (b): d only (a and c have no rest around it). Day 2 (c): a (a full day of
    rest after day 0) and d.
    """
    sc = three_days(
        people=[{"id": x} for x in "abcd"],
        rules={"min_rest": "1d"},
        time_off=[{"person": "d", "from": "2027-01-04", "to": "2027-01-04"}],
    )
    return manual(sc, [(0, "primary", "a"), (1, "primary", "b"), (2, "primary", "c")])


def exact_by_enumeration(s: Schedule, rate: float):
    """Exact per-slot risk, mean and variance of the uncovered count, P(any uncovered),
    and expected sole saves per person, by enumerating every absence pattern of every
    (person, instance) pair. Replacements are decided by the FULL evaluator."""
    prob = s.problem
    n, m = len(prob.people), len(prob.instances)
    slots = s.assignments
    ok = [
        [
            q
            for q in range(n)
            if q != a.person
            and not full_new(s, [a], [Assignment(a.instance, a.role, q)], [a.person])
        ]
        for a in slots
    ]
    risk = np.zeros(len(slots))
    mean = second = p_any = 0.0
    sole = np.zeros(n)
    pairs = list(itertools.product(range(n), range(m)))
    for pattern in itertools.product([False, True], repeat=len(pairs)):
        absent = {pair for pair, off in zip(pairs, pattern, strict=True) if off}
        prob_pattern = rate ** len(absent) * (1 - rate) ** (len(pairs) - len(absent))
        count = 0
        for k, a in enumerate(slots):
            if (a.person, a.instance) not in absent:
                continue
            avail = [q for q in ok[k] if (q, a.instance) not in absent]
            if not avail:
                risk[k] += prob_pattern
                count += 1
            elif len(avail) == 1:
                sole[avail[0]] += prob_pattern
        mean += prob_pattern * count
        second += prob_pattern * count * count
        p_any += prob_pattern * (count > 0)
    return ok, risk, mean, second - mean * mean, p_any, sole


def test_tiny_case_replacements_by_hand():
    s = tiny_robustness_case()
    ids = [[s.problem.people[q].id for q in qs] for qs in replacement_sets(s)]
    assert ids == [["c"], ["d"], ["a", "d"]]


def test_simulate_matches_exact_enumeration():
    """With N runs the estimate of a probability p has standard error sqrt(p(1-p)/N); we
    allow 4 standard errors (a correct estimator fails this with probability about 6e-5
    per quantity for an arbitrary seed; the seed is fixed so the test is deterministic),
    and the same for means with the exact standard deviation of the per-run count."""
    s = tiny_robustness_case()
    rate, runs = 0.3, 40_000
    ok, risk, mean, var, p_any, sole = exact_by_enumeration(s, rate)
    # the closed form under the model: rate ** (1 + replacements)
    assert risk == pytest.approx([rate ** (1 + len(qs)) for qs in ok])
    est = simulate(s, rate, runs=runs, seed=1234)
    by_start = est.shifts.set_index("start")
    for a, exact in zip(s.assignments, risk, strict=True):
        got = by_start.loc[s.problem.instances[a.instance].start_iso, "risk"]
        assert abs(got - exact) <= 4 * math.sqrt(exact * (1 - exact) / runs)
    assert abs(est.mean_uncovered - mean) <= 4 * math.sqrt(var / runs)
    assert abs(est.p_any_uncovered - p_any) <= 4 * math.sqrt(p_any * (1 - p_any) / runs)
    people = est.people.set_index("person_id")
    for q, person in enumerate(s.problem.people):
        # sole saves of one person: at most one per slot per run, so variance <= E[X^2] <= 3 E[X]
        got = people.loc[person.id, "sole_saves_per_run"]
        assert abs(got - sole[q]) <= 4 * math.sqrt(3 * sole[q] / runs) + 1e-12
    # who it leans on: c, d each the only replacement of one slot; a of none
    assert people.loc["c", "only_cover"] == 1 and people.loc["d", "only_cover"] == 1
    assert people.loc["a", "only_cover"] == 0 and people.loc["a", "can_cover"] == 1


def test_simulate_is_reproducible_and_validates():
    s = tiny_robustness_case()
    a, b = simulate(s, 0.2, runs=300, seed=5), simulate(s, 0.2, runs=300, seed=5)
    assert a.shifts.equals(b.shifts) and a.people.equals(b.people)
    assert (a.uncovered == b.uncovered).all()
    assert simulate(s, 0.0, runs=50).mean_uncovered == 0
    full = simulate(s, 1.0, runs=20)  # everyone always absent: every slot uncovered
    assert (full.shifts.risk == 1).all() and full.p_any_uncovered == 1
    with pytest.raises(ValueError):
        simulate(s, 1.5)
    with pytest.raises(ValueError):
        simulate(s, 0.1, runs=0)


# --------------------------------------------------------------------------- CLI


def write_case(tmp_path):
    (tmp_path / "s.yaml").write_text(
        "team: t\ntimezone: UTC\nstart: 2027-01-04\nend: 2027-01-06\n"
        "shifts:\n  - {name: day, repeat: daily, starts: '00:00', length: 1d,\n"
        "       roles: [{name: primary}]}\n"
        "people: [{id: a}, {id: b}, {id: c}, {id: d}]\n"
        "time_off: [{person: d, from: 2027-01-04, to: 2027-01-04}]\n"
        "rules: {min_rest: 1d}\nfairness: {load: 1, weekends: 0, holidays: 0}\n",
        encoding="utf-8",
    )
    (tmp_path / "a.csv").write_text(
        "shift,start,person_id\nday,2027-01-04,a\nday,2027-01-05,b\nday,2027-01-06,c\n",
        encoding="utf-8",
    )
    return str(tmp_path / "s.yaml"), str(tmp_path / "a.csv")


def test_cli_swap(tmp_path):
    sc, csv = write_case(tmp_path)
    r = CliRunner().invoke(
        main, ["swap", sc, csv, "--person", "a", "--shift", "day", "--start", "2027-01-04"]
    )
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert [ln.split()[0] for ln in lines[1:]] == ["c"], r.output
    r = CliRunner().invoke(
        main,
        [
            "swap",
            sc,
            csv,
            "--person",
            "c",
            "--shift",
            "day",
            "--start",
            "2027-01-06T00:00:00+00:00",
            "--two-way",
        ],
    )
    assert r.exit_code == 0, r.output
    assert "a            can take it" in r.output and "d            can take it" in r.output
    assert "two-way swaps" in r.output
    for args, field in (
        (["--person", "zed", "--start", "2027-01-04"], "--person"),
        (["--person", "a", "--start", "2027-01-09"], "--start"),
        (["--person", "a", "--start", "soon"], "--start"),
        (["--person", "b", "--start", "2027-01-04"], "--person"),
    ):
        r = CliRunner().invoke(main, ["swap", sc, csv, "--shift", "day", *args])
        assert r.exit_code == 2 and field in r.output and "Traceback" not in r.output, r.output


def test_cli_simulate(tmp_path):
    sc, csv = write_case(tmp_path)
    out = tmp_path / "out"
    r = CliRunner().invoke(
        main,
        [
            "simulate",
            sc,
            csv,
            "--absence-rate",
            "0.3",
            "--runs",
            "2000",
            "--seed",
            "3",
            "--out",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    assert "P(at least one uncovered)" in r.output
    assert "single-person cover" in r.output
    import pandas as pd

    shifts = pd.read_csv(out / "risk_shifts.csv")
    assert sorted(shifts.candidates) == [1, 1, 2]
    r = CliRunner().invoke(main, ["simulate", sc, csv, "--absence-rate", "2"])
    assert r.exit_code == 2 and "--absence-rate" in r.output


# --------------------------------------------------------------------------- finding and applying (#19)

TEAM14 = EXAMPLES / "team14_planning.yaml"
PUBLISHED = EXAMPLES / "team14_published.csv"


def _weekly():
    # weekly shifts from Monday 10:00 Berlin, four weeks, two people
    return scenario(
        timezone="Europe/Berlin",
        end=dt.date(2027, 1, 31),
        shifts=[{"name": "week", "repeat": "weekly", "starts": "mon 10:00", "length": "7d",
                 "roles": [{"name": "primary"}]}],
        people=[{"id": "ben", "name": "Ben Walker", "email": "ben@x.org"},
                {"id": "bea", "name": "Bea Stone"}, {"id": "cy"}],
    )


@pytest.mark.parametrize(
    "start, week",
    [
        ("2027-01-04", 0),  # the Monday it starts
        ("2027-01-06", 0),  # mid-week date: the week covering it
        ("2027-01-11", 1),  # Monday: the week starting that day, not the one ending
        ("2027-01-10", 0),  # Sunday
        ("2027-01-11T09:59", 0),  # a minute before the hand-over (team zone)
        ("2027-01-11T10:00", 1),  # the start itself
        ("2027-01-13T08:00:00+00:00", 1),  # with an offset
        (dt.date(2027, 1, 20), 2),
    ],
)
def test_find_instance_any_moment_inside_a_shift(start, week):
    prob = Problem(_weekly())
    assert find_instance(prob, "week", start) == week


def test_regression_mid_week_start_was_refused_and_hinted_the_first_weeks():
    prob = Problem(_weekly())
    assert find_instance(prob, "week", "2027-01-27") == 3
    with pytest.raises(InputError) as e:
        find_instance(prob, "week", "2027-03-10")
    msg = str(e.value)
    assert "no instance of 'week' runs at 2027-03-10" in msg
    assert "2027-01-25T10:00:00+01:00" in msg and "2027-01-04T10" not in msg  # the nearest, not the first
    with pytest.raises(InputError, match="did you mean 'week'"):
        find_instance(prob, "wek", "2027-01-04")


def test_person_by_id_email_name_or_unique_first_name():
    prob = Problem(_weekly())
    assert [person_of(prob, x) for x in ("ben", "BEN", "ben@x.org", "Ben Walker", "bea stone", "Bea")] == [
        0, 0, 0, 0, 1, 1]
    with pytest.raises(InputError, match="did you mean 'ben'"):
        person_of(prob, "benn")


def test_regression_swap_person_by_name_was_refused():
    sc = _weekly()
    s = manual(sc, [(0, "primary", "ben"), (1, "primary", "bea"), (2, "primary", "cy"), (3, "primary", "ben")])
    assert list(swap_candidates(s, "Ben", 0).person) == ["bea", "cy"]


def test_apply_swap_hand_over_and_two_way_pass_the_evaluator():
    sc = scenario(end=dt.date(2027, 1, 6), rules={"min_rest": "1d"})
    s = manual(sc, [(0, "primary", "a"), (1, "primary", "b"), (2, "primary", "c")])
    new = apply_swap(s, "a", 0, "c")  # c can take day 0 (a day of rest before day 2)
    held = sorted((x.instance, s.problem.people[x.person].id) for x in new.assignments)
    assert held == [(0, "c"), (1, "b"), (2, "c")]
    assert evaluate(new).feasible
    assert sorted((x.instance, x.person) for x in s.assignments) == [(0, 0), (1, 1), (2, 2)]  # input untouched
    both = apply_swap(s, "a", 0, "c", back=2)  # a and c trade days 0 and 2
    assert sorted((x.instance, s.problem.people[x.person].id) for x in both.assignments) == [
        (0, "c"), (1, "b"), (2, "a")]
    assert evaluate(both).feasible


def test_apply_swap_refuses_a_change_that_breaks_a_hard_rule():
    sc = scenario(end=dt.date(2027, 1, 6), rules={"min_rest": "1d"})
    s = manual(sc, [(0, "primary", "a"), (1, "primary", "b"), (2, "primary", "c")])
    with pytest.raises(InputError, match=r"b cannot take .* \[min_rest\]"):
        apply_swap(s, "a", 0, "b")  # b would work days 0 and 1 without rest
    with pytest.raises(InputError, match="themselves"):
        apply_swap(s, "a", 0, "a")


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_cli_swap_apply_writes_a_schedule_verify_accepts(tmp_path):
    out = tmp_path / "swapped.csv"
    args = ["swap", str(TEAM14), str(PUBLISHED), "--person", "Ben", "--shift", "week", "--start", "2027-01-27"]
    r = CliRunner().invoke(main, [*args, "--apply", "emma", "--back-start", "2027-02-03", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "emma takes week Mon 25 Jan 2027 10:00 CET from ben and gives back week Mon 1 Feb 2027" in r.output
    v = CliRunner().invoke(main, ["verify", str(TEAM14), str(out)])
    assert v.exit_code == 0 and "hard rules: all satisfied" in v.output, v.output
    # read back by a different parser: exactly two rows changed person
    import csv

    before = list(csv.DictReader(PUBLISHED.open(encoding="utf-8")))
    after = list(csv.DictReader(out.open(encoding="utf-8")))
    key = lambda r: (r["shift"], r["start"], r["role"])  # noqa: E731
    a, b = {key(r): r["person_id"] for r in before}, {key(r): r["person_id"] for r in after}
    assert set(a) == set(b)
    assert {k: (a[k], b[k]) for k in a if a[k] != b[k]} == {
        ("week", "2027-01-25T10:00:00+01:00", "primary"): ("ben", "emma"),
        ("week", "2027-02-01T10:00:00+01:00", "primary"): ("emma", "ben"),
    }


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_cli_swap_apply_needs_out_and_never_overwrites(tmp_path):
    args = ["swap", str(TEAM14), str(PUBLISHED), "--person", "ben", "--shift", "week", "--start", "2027-01-27"]
    r = CliRunner().invoke(main, [*args, "--apply", "emma"])
    assert r.exit_code == 2 and "--apply needs --out" in r.output
    r = CliRunner().invoke(main, [*args, "--apply", "emma", "--out", str(PUBLISHED)])
    assert r.exit_code == 2 and "refusing to overwrite" in r.output
    r = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "x.csv")])
    assert r.exit_code == 2 and "need --apply" in r.output
