"""Charts: each renders for the examples and the edge cases (1 person, 60 people, a
day-long horizon across a DST change) and draws exactly the numbers of the schedule."""

from __future__ import annotations

import io
import subprocess
import sys
from collections import Counter

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from conftest_report import SCHEDULES, example_schedule
from matplotlib.figure import Figure

from optimizer.fairshare import fair_shares
from optimizer.files import write_frame
from optimizer.plots import (
    CHARTS,
    coverage_depth,
    coverage_rows,
    cumulative_load,
    highlighted,
    load_breakdown,
    plot_calendar,
    plot_coverage,
    plot_fairness_over_time,
    plot_load,
    single_points,
)
from optimizer.schedule import Schedule, people_frame


def _row_labels(ax) -> list[str]:
    return [t.get_text() for t in ax.get_yticklabels()]


def _row(patch) -> int:
    return int(round(patch.get_y() + patch.get_height() / 2))


@pytest.mark.parametrize("name", SCHEDULES)
@pytest.mark.parametrize("chart", list(CHARTS))
def test_every_chart_renders(name: str, chart: str) -> None:
    ax = CHARTS[chart](example_schedule(name))
    buf = io.BytesIO()
    ax.figure.savefig(buf, format="png", dpi=50)
    assert buf.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"
    assert ax.get_title(loc="left")  # every chart says what it is


@pytest.mark.parametrize("name", SCHEDULES)
def test_load_bars_equal_people_csv(name: str, tmp_path) -> None:
    schedule = example_schedule(name)
    write_frame(tmp_path / "people.csv", people_frame(schedule))
    people = pd.read_csv(tmp_path / "people.csv")
    ax = plot_load(schedule)
    labels = _row_labels(ax)
    assert len(labels) == len(people)
    by_name = {p.display_name: p.id for p in schedule.problem.people}
    ids = [by_name[label.split(" · ")[0]] for label in labels]  # "name · patterns" with several
    shares = fair_shares(schedule.problem).by_person
    load = Counter()
    history = Counter()
    for patch in ax.patches:
        gid = patch.get_gid() or ""
        if gid.startswith("load:"):
            load[ids[_row(patch)]] += patch.get_width()
        elif gid == "history":
            history[ids[_row(patch)]] += patch.get_width()
    (target,) = [line for line in ax.lines if line.get_gid() == "target"]
    tx, ty = target.get_data()
    for row in people.itertuples():
        assert load[row.person_id] == pytest.approx(row.load, abs=1e-6), row.person_id
        assert history[row.person_id] == pytest.approx(row.history, abs=1e-9)
        k = ids.index(row.person_id)
        marker = [x for x, y in zip(tx, ty, strict=True) if y == k]
        if row.person_id not in shares:
            assert not marker
        else:
            assert marker == [pytest.approx(row.history + shares[row.person_id], abs=1e-6)]
    # sorted: load + history never increases down the chart
    totals = [load[i] + history[i] for i in ids]
    assert totals == sorted(totals, reverse=True)


def test_load_breakdown_splits_kinds_and_roles() -> None:
    schedule = example_schedule("quarterly")
    parts = load_breakdown(schedule)
    people = people_frame(schedule).set_index("person_id")
    assert np.allclose(parts.sum(axis=1), people["load"].reindex(parts.index))
    # lena may only be secondary: nothing in the primary columns
    assert parts.loc["lena", "primary"].sum() == 0
    assert parts.loc["lena", "other"].sum() == pytest.approx(people.at["lena", "load"])
    # weekly shifts run over weekends: everyone on call has weekend load
    busy = people.index[people["shifts"] > 0]
    assert (parts.loc[busy].xs("weekend", axis=1, level="kind").sum(axis=1) > 0).all()


@pytest.mark.parametrize("name", SCHEDULES)
def test_calendar_has_one_bar_per_assignment(name: str) -> None:
    schedule = example_schedule(name)
    prob = schedule.problem
    ax = plot_calendar(schedule)
    bars = [p for p in ax.patches if p.get_gid() == "assignment"]
    assert len(bars) == len(schedule.assignments)
    # each bar sits in its person's row and spans its instance
    got = Counter((_row(b), round(b.get_x(), 6), round(b.get_width(), 6)) for b in bars)
    from optimizer.plots import _team_x

    x = _team_x(schedule)
    want = Counter(
        (
            a.person,
            round(x(prob.instances[a.instance].start), 6),
            round(x(prob.instances[a.instance].end) - x(prob.instances[a.instance].start), 6),
        )
        for a in schedule.assignments
    )
    assert got == want
    assert _row_labels(ax) == [p.display_name for p in prob.people]
    # time off: one hatched box per entry that meets the horizon
    h0, h1 = prob.horizon
    entries = sum(
        1
        for table in (prob.hard_off, prob.soft_off, prob.prefer)
        for ivs in table
        for iv in ivs
        if iv.start < h1 and h0 < iv.end
    )
    assert sum(1 for p in ax.patches if p.get_gid() == "time_off") == entries


def test_calendar_shades_weekends_and_own_holidays() -> None:
    schedule = example_schedule("quarterly")
    ax = plot_calendar(schedule)
    # Q1 2027 from Mon 4 Jan to Sun 4 Apr: 13 weekends
    assert sum(1 for p in ax.patches if p.get_gid() == "weekend") == 13
    prob = schedule.problem
    holidays = sum(
        1
        for p in range(len(prob.people))
        for d in prob.holidays[p]
        if prob.scenario.start <= d <= prob.scenario.end
    )
    assert sum(1 for p in ax.patches if p.get_gid() == "holiday") == holidays
    # the company offsite (extra holiday) is shaded in every row
    assert holidays >= len(prob.people)


def test_coverage_matches_crew_skills() -> None:
    schedule = example_schedule("quarterly")
    prob = schedule.problem
    skills, depth, required = coverage_depth(schedule)
    assert skills == ["infra", "data", "security", "product"]
    assert required.all()  # every weekly crew must cover all four
    for i, assigned in schedule.by_instance().items():
        crew = [prob.people[a.person] for a in assigned]
        for s, skill in enumerate(skills):
            assert depth[s, i] == sum(skill in p.skills for p in crew)
    assert (depth >= 1).all()  # the crew_skills rule is hard: no gaps
    ax = plot_coverage(schedule)
    (coll,) = [c for c in ax.collections if c.get_gid() == "depth"]
    want = [
        depth[skills.index(sk), i] for _pat, sk, insts in coverage_rows(schedule) for i in insts
    ]
    assert list(coll.get_array()) == want
    assert not [p for p in ax.patches if p.get_gid() == "gap"]


def test_coverage_shows_gaps_of_a_hand_made_schedule() -> None:
    good = example_schedule("quarterly")
    prob = good.problem
    # drop the secondary of the first week: the crew is the primary alone
    first = [a for a in good.assignments if a.instance == 0]
    assert len(first) == 2
    bad = Schedule(prob, [a for a in good.assignments if not (a.instance == 0 and a.role == 1)])
    _skills, depth, required = coverage_depth(bad)
    primary = prob.people[next(a.person for a in first if a.role == 0)]
    expected_gaps = sum(
        1 for s in ("infra", "data", "security", "product") if s not in primary.skills
    )
    assert expected_gaps > 0
    assert int(((depth[:, 0] == 0) & required[:, 0]).sum()) == expected_gaps
    ax = plot_coverage(bad)
    assert len([p for p in ax.patches if p.get_gid() == "gap"]) == expected_gaps


@pytest.mark.parametrize("name", SCHEDULES)
def test_fairness_over_time_ends_at_each_load(name: str) -> None:
    schedule = example_schedule(name)
    people = people_frame(schedule).set_index("person_id")
    curves = cumulative_load(schedule)
    ax = plot_fairness_over_time(schedule)
    lines = {ln.get_gid(): ln for ln in ax.lines}
    for pid, row in people.iterrows():
        t, y = curves[pid]
        assert y[-1] == pytest.approx(row["load"])
        assert np.all(np.diff(y) >= -1e-9)  # cumulative: never decreases
        assert lines[f"person:{pid}"].get_ydata()[-1] == pytest.approx(row["load"])
    assert "average" in lines


def test_cumulative_load_grows_through_a_shift() -> None:
    schedule = example_schedule("one")
    prob = schedule.problem
    t, y = cumulative_load(schedule)["sam"]
    inst = prob.instances[schedule.assignments[0].instance]
    load = prob.load(0, inst.index, 0) / 100
    mid = (inst.start + inst.end) / 2
    assert np.interp(mid, t, y) == pytest.approx(load / 2)
    assert np.interp(inst.end, t, y) == pytest.approx(load)


def test_charts_draw_into_a_given_axes() -> None:
    schedule = example_schedule("day")
    fig = Figure(figsize=(12, 10))
    axes = fig.subplots(2, 2)
    for ax, draw in zip(axes.flat, CHARTS.values(), strict=True):
        assert draw(schedule, ax=ax) is ax
    assert len(fig.axes) == 4  # no extra axes (colorbars) added to the user's figure


def test_no_global_matplotlib_state_changes() -> None:
    before = dict(mpl.rcParams)
    backend = mpl.get_backend()
    schedule = example_schedule("day")
    for draw in CHARTS.values():
        draw(schedule)
    assert dict(mpl.rcParams) == before
    assert mpl.get_backend() == backend


def test_report_modules_do_not_use_pyplot() -> None:
    code = (
        "import sys, optimizer.plots, optimizer.report, optimizer.cli.report; "
        "print('matplotlib.pyplot' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_an_empty_schedule_renders_with_every_required_skill_a_gap() -> None:
    prob = example_schedule("day").problem
    empty = Schedule(prob, [])
    for draw in CHARTS.values():
        draw(empty).figure.savefig(io.BytesIO(), format="png", dpi=40)
    ax = plot_coverage(empty)
    gaps = [p for p in ax.patches if p.get_gid() == "gap"]
    assert len(gaps) == 3 * 2  # three shifts, each needs ops and db
    assert not [p for p in plot_calendar(empty).patches if p.get_gid() == "assignment"]


# --------------------------------------------------------------------------- what the charts say


def test_regression_tied_people_are_all_named() -> None:
    """Fairness over time named 3 of 6 tied people as most over and greyed out the rest."""
    diffs = {"a": 50.0, "b": 50.0, "c": 50.0, "d": 50.0, "e": 50.0, "f": 50.0}
    diffs |= {f"low{k}": -10.0 * k for k in range(1, 9)}
    got = highlighted(diffs)
    assert set("abcdef") <= set(got)  # all six tied at the top
    assert {"low8", "low7", "low6"} <= set(got) and "low5" not in got
    # no ties: exactly three each side, most over first
    plain = {f"p{k}": float(k) for k in range(10)}
    assert highlighted(plain) == ["p9", "p8", "p7", "p2", "p1", "p0"]
    assert highlighted({"x": 1.0, "y": 0.0}) == ["x", "y"]  # few people: everyone


def test_fairness_over_time_colours_every_tied_person() -> None:
    schedule = example_schedule("sixty")
    prob = schedule.problem
    ax = plot_fairness_over_time(schedule)
    shares = fair_shares(prob).by_person
    load = people_frame(schedule).set_index("person_id")["load"]
    diffs = {pid: load[pid] - shares[pid] for pid in shares}
    named = {ln.get_gid().split(":", 1)[1] for ln in ax.lines if ln.get_label() and not ln.get_label().startswith("_")
             and (ln.get_gid() or "").startswith("person:")}
    top = max(diffs.values())
    assert {pid for pid, d in diffs.items() if abs(d - top) <= 0.005} <= named
    assert named == set(highlighted(diffs))


def test_coverage_names_single_points_of_failure() -> None:
    schedule = example_schedule("quarterly")
    prob = schedule.problem
    skills, depth, required = coverage_depth(schedule)
    alone = single_points(schedule)
    for pat, sk, insts in coverage_rows(schedule):
        s = skills.index(sk)
        solo = [i for i in insts if required[s, i] and depth[s, i] == 1]
        assert sum(alone[(pat, sk)].values()) == len(solo)
        # each named person is the one crew member holding the skill on those shifts
        holders = Counter(
            prob.people[next(a.person for a in schedule.by_instance()[i] if sk in prob.people[a.person].skills)]
            .display_name
            for i in solo
        )
        assert alone[(pat, sk)] == dict(holders)
    ax = plot_coverage(schedule)
    labels = _row_labels(ax)
    infra = next(lbl for lbl in labels if lbl.startswith("infra"))
    n_solo = sum(alone[("week", "infra")].values())
    assert f"no backup on {n_solo} of {len(prob.instances)}" in infra
    # a single holder's first name is written in wide (weekly) cells instead of "1"
    texts = {t.get_text() for t in ax.texts}
    first_names = {name.split()[0] for counts in alone.values() for name in counts}
    assert texts & first_names


def test_regression_load_legend_names_roles_and_patterns() -> None:
    """With several patterns the legend said only kinds of hour ("first role"/"other roles"):
    the legend names the roles and each bar's label the patterns the person worked."""
    from conftest_report import greedy_schedule, scenario_two_patterns

    schedule = greedy_schedule(scenario_two_patterns())
    ax = plot_load(schedule)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("primary / triage" in t for t in legend), legend
    labels = _row_labels(ax)
    worked = {a.person: set() for a in schedule.assignments}
    for a in schedule.assignments:
        worked[a.person].add(schedule.problem.instances[a.instance].shift)
    for p, pats in worked.items():
        label = next(lbl for lbl in labels if lbl.split(" · ")[0] == schedule.problem.people[p].display_name)
        assert set(label.split(" · ")[1].split(", ")) == pats
