"""Re-planning with minimal disruption, and comparing schedules."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, check_consistent, scenario

from optimizer import Problem, Schedule, evaluate, load_scenario, solve
from optimizer.cli import main
from optimizer.errors import InputError
from optimizer.replan import Baseline, compare
from optimizer.schedule import Assignment


def brute_force_min_changes(sc, base: Schedule, freeze_until: dt.date) -> int:
    """Enumerate every schedule of a one-role scenario; the fewest moved assignments
    among those that satisfy every hard rule and keep the frozen days."""
    prob = Problem(sc)
    cut = dt.datetime.combine(freeze_until, dt.time(), prob.team_tz).timestamp()
    base_by_inst = {a.instance: a.person for a in base.assignments}
    best = None
    n = len(prob.instances)
    for people in itertools.product(range(len(prob.people)), repeat=n):
        if any(prob.instances[i].start < cut and people[i] != base_by_inst[i] for i in range(n)):
            continue
        sched = Schedule(prob, [Assignment(i, 0, p) for i, p in enumerate(people)])
        if not evaluate(sched).feasible:
            continue
        moved = sum(1 for i in range(n) if people[i] != base_by_inst[i])
        best = moved if best is None else min(best, moved)
    return best


@pytest.mark.parametrize("leave_day", [3, 4])
def test_added_leave_changes_only_what_must_change(leave_day):
    # 6 days, 3 people, at most 2 days in a row: a published schedule, then one person
    # gets a day of leave. The re-plan moves as few assignments as a brute-force search
    # over all 3^6 schedules says is possible, and never touches the frozen days.
    sc = scenario(end=dt.date(2027, 1, 9), rules={"max_consecutive_days": 2})
    first = solve(sc)
    check_consistent(first)
    day = dt.date(2027, 1, 4) + dt.timedelta(days=leave_day)
    holder = first.assignments.iloc[leave_day].person_id
    changed = sc.with_time_off(holder, day, day)
    freeze = dt.date(2027, 1, 6)
    again = solve(changed, baseline=first, freeze_until=freeze, change_weight=10)
    check_consistent(again)
    moved = compare(first.schedule, again.schedule).moved
    assert moved == brute_force_min_changes(changed, first.schedule, freeze)
    assert moved >= 1
    before = first.assignments.set_index("start").person_id
    after = again.assignments.set_index("start").person_id
    frozen = [s for s in before.index if s < "2027-01-06"]
    assert (before[frozen] == after[frozen]).all()


def test_quarterly_leave_after_publication():
    sc = load_scenario(EXAMPLES / "quarterly.yaml")
    first = solve(sc, time_limit=5)
    # the person on primary in the week of 8 March goes on leave that week
    row = first.assignments[
        (first.assignments.start.str.startswith("2027-03-08")) & (first.assignments.role == "primary")
    ].iloc[0]
    changed = sc.with_time_off(row.person_id, "2027-03-08", "2027-03-14")
    again = solve(changed, baseline=first, freeze_until="2027-02-15", time_limit=5)
    check_consistent(again)
    cmp = compare(first.schedule, again.schedule)
    assert 1 <= cmp.moved <= 6
    assert all(s >= "2027-02-15" for s in cmp.changes.start)
    assert row.person_id not in again.assignments[again.assignments.start.str.startswith("2027-03-08")].person_id.values
    # the objective counts the moves: changes term equals the evaluator's
    assert again.terms.get("changes", 0) > 0


def test_frozen_assignment_that_cannot_be_kept_is_an_input_error():
    sc = scenario(end=dt.date(2027, 1, 6))
    first = solve(sc)
    holder = first.assignments.iloc[0].person_id
    changed = sc.with_time_off(holder, "2027-01-04", "2027-01-04")
    with pytest.raises(InputError, match="frozen assignment cannot be kept"):
        solve(changed, baseline=first, freeze_until="2027-01-05")


def test_verify_flags_changed_frozen_assignment():
    sc = scenario(end=dt.date(2027, 1, 5))
    prob = Problem(
        sc, baseline=Baseline(frozenset({("day", Problem(sc).instances[0].start, "primary", "a")}), dt.date(2027, 1, 5))
    )
    ok = Schedule(prob, [Assignment(0, 0, 0), Assignment(1, 0, 1)])
    bad = Schedule(prob, [Assignment(0, 0, 1), Assignment(1, 0, 1)])
    assert evaluate(ok).feasible
    assert set(evaluate(bad).violations.rule) == {"frozen"}


def test_cli_baseline_and_diff(tmp_path):
    out1, out2 = tmp_path / "v1", tmp_path / "v2"
    q = EXAMPLES / "quarterly.yaml"
    r = CliRunner().invoke(main, ["solve", str(q), "--out", str(out1), "-q", "--time-limit", "3"])
    assert r.exit_code == 0, r.output
    text = q.read_text().replace(
        "- {person: erin, from: 2027-01-04, to: 2027-01-15}",
        "- {person: erin, from: 2027-01-04, to: 2027-01-15}\n  - {person: ken, from: 2027-03-01, to: 2027-03-21}",
    )
    q2 = tmp_path / "q2.yaml"
    q2.write_text(text)
    r = CliRunner().invoke(
        main,
        [
            "solve",
            str(q2),
            "--out",
            str(out2),
            "-q",
            "--time-limit",
            "3",
            "--baseline",
            str(out1 / "assignments.csv"),
            "--freeze-until",
            "2027-02-01",
        ],
    )
    assert r.exit_code == 0, r.output
    assert "changed" in r.output
    r = CliRunner().invoke(main, ["diff", str(q2), str(out1 / "assignments.csv"), str(out2 / "assignments.csv")])
    assert r.exit_code == 0, r.output
    assert "assignment(s) changed" in r.output or "no assignment changed" in r.output


# --------------------------------------------------------------------------- change list (#19)


def _week_scenario(people: list[str], **kw):
    """Three daily shifts (one role), people a, b, c (+ more); fairness off."""
    return scenario(
        end=dt.date(2027, 1, 6), people=[{"id": p, "name": p.upper(), "email": f"{p}@x.org"} for p in people], **kw
    )


def _sched(sc, who: list[str]) -> Schedule:
    prob = Problem(sc)
    return Schedule(prob, [Assignment(i, 0, prob.person_index[p]) for i, p in enumerate(who)])


def test_compare_lists_new_hires_moved_and_removed_people_hand_checked():
    # before: a, b, c on days 0, 1, 2 (old scenario, without d)
    # after:  a, d, a (new scenario with the new hire d): b gave day 1 to d (b removed),
    # c gave day 2 to a (c loses, a gains: a's count 1 -> 2; d, a new hire, gains)
    old = _week_scenario(["a", "b", "c"])
    new = _week_scenario(["a", "b", "c", "d"])
    before, after = _sched(old, ["a", "b", "c"]), _sched(new, ["a", "d", "a"])
    cmp = compare(before, after)
    status = dict(zip(cmp.affected.person_id, cmp.affected.status, strict=True))
    assert status == {"a": "gains", "b": "loses", "c": "loses", "d": "gains"}
    row = cmp.affected.set_index("person_id").loc["d"]
    assert (row.shifts_before, row.shifts_after, row.lost) == (0, 1, "")
    assert row.gained == "day 2027-01-05T00:00:00+00:00 primary" and row.email == "d@x.org"
    # every changed assignment: 2 removed, 2 added
    assert sorted(zip(cmp.assignments.change, cmp.assignments.person_id, strict=True)) == [
        ("added", "a"),
        ("added", "d"),
        ("removed", "b"),
        ("removed", "c"),
    ]
    assert cmp.moved == 2
    # the new hire is in the per-person table (0 -> 1)
    people = cmp.people.set_index("person_id")
    assert (people.loc["d", "shifts_before"], people.loc["d", "shifts_after"]) == (0, 1)
    text = cmp.text()
    assert "4 people affected" in text and "d            gains" in text


def test_regression_compare_left_out_people_whose_weeks_moved():
    # a and b swap days: nobody's total changes, both must be notified
    sc = _week_scenario(["a", "b", "c"])
    cmp = compare(_sched(sc, ["a", "b", "c"]), _sched(sc, ["b", "a", "c"]))
    assert list(cmp.affected.person_id) == ["a", "b"]
    assert set(cmp.affected.status) == {"moved"}
    assert (cmp.people.shifts_delta == 0).all()
    a = cmp.affected.set_index("person_id").loc["a"]
    assert a.gained.startswith("day 2027-01-05") and a.lost.startswith("day 2027-01-04")


def test_regression_compare_left_out_a_new_hire():
    old, new = _week_scenario(["a", "b"]), _week_scenario(["a", "b", "n"])
    cmp = compare(_sched(old, ["a", "b", "a"]), _sched(new, ["a", "b", "n"]))
    assert "n" in set(cmp.people.person_id) and "n" in set(cmp.affected.person_id)


def test_compare_of_identical_schedules_is_empty():
    sc = _week_scenario(["a", "b", "c"])
    cmp = compare(_sched(sc, ["a", "b", "c"]), _sched(sc, ["a", "b", "c"]))
    assert cmp.affected.empty and cmp.assignments.empty and cmp.text() == "no assignment changed"


def test_diff_csv_is_who_to_notify(tmp_path):
    import csv as _csv

    from optimizer.files import write_frame
    from optimizer.schedule import assignments_frame

    q = EXAMPLES / "team14_replan.yaml"
    published = EXAMPLES / "team14_published.csv"
    with pytest.warns(UserWarning):
        sc = load_scenario(q)
    prob = Problem(sc)
    base = read_schedule_(prob, published)
    # hand-made change: farah's week of 8 Feb goes to omar (the new hire), and anna and
    # nikhil swap their primary weeks (11 Jan and 8 Feb)
    i_feb = next(
        a.instance
        for a in base.assignments
        if prob.people[a.person].id == "farah" and prob.instances[a.instance].start_iso.startswith("2027-02-08")
    )
    swap = {"farah": "omar"}
    out = []
    for a in base.assignments:
        pid = prob.people[a.person].id
        day = prob.instances[a.instance].start_iso[:10]
        if a.instance == i_feb and pid in swap:
            pid = swap[pid]
        elif (pid, day) == ("anna", "2027-01-11"):
            pid = "nikhil"
        elif (pid, day) == ("nikhil", "2027-02-08"):
            pid = "anna"
        out.append(Assignment(a.instance, a.role, prob.person_index[pid]))
    changed = tmp_path / "changed.csv"
    write_frame(changed, assignments_frame(Schedule(prob, out)))
    notify, changes = tmp_path / "notify.csv", tmp_path / "changes.csv"
    r = CliRunner().invoke(
        main, ["diff", str(q), str(published), str(changed), "--csv", str(notify), "--changes-csv", str(changes)]
    )
    assert r.exit_code == 0, r.output
    rows = {row["person_id"]: row for row in _csv.DictReader(notify.open(encoding="utf-8"))}
    assert set(rows) == {"farah", "omar", "anna", "nikhil"}
    assert rows["omar"]["status"] == "gains" and rows["omar"]["email"] == "omar@example.com"
    assert rows["omar"]["shifts_before"] == "0"  # the new hire
    # farah only loses her week: "loses", not "moved" (regression: a lost shift read "moved")
    assert rows["farah"]["status"] == "loses" and rows["farah"]["lost"].startswith("week 2027-02-08")
    assert rows["anna"]["status"] == "moved"
    assert rows["anna"]["gained"].startswith("week 2027-02-08") and rows["anna"]["lost"].startswith("week 2027-01-11")
    assert int(rows["anna"]["shifts_before"]) == int(rows["anna"]["shifts_after"])
    lines = list(_csv.DictReader(changes.open(encoding="utf-8")))
    assert len(lines) == 6 and {x["change"] for x in lines} == {"added", "removed"}
    r = CliRunner().invoke(main, ["diff", str(q), str(published), str(changed), "--csv", str(published)])
    assert r.exit_code == 2 and "refusing to overwrite" in r.output


def read_schedule_(prob, path):
    from optimizer.schedule import read_schedule

    return read_schedule(prob, path)
