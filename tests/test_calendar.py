"""Time zones and DST: instance expansion, wall-clock lengths, kinds of hours."""

from __future__ import annotations

import datetime as dt

from conftest import EXAMPLES, scenario

from optimizer import Problem, load_scenario, solve
from optimizer.calendar import expand
from optimizer.timecalc import days_touched, split_kinds, weekends_touched, zone

BERLIN = "Europe/Berlin"


def daily(starts="09:00", length="1d", **kw):
    return [{"name": "d", "repeat": "daily", "starts": starts, "length": length,
             "roles": [{"name": "primary"}], **kw}]


def test_one_day_shift_across_spring_forward_lasts_23_hours():
    sc = scenario(timezone=BERLIN, shifts=daily(), start=dt.date(2027, 3, 27), end=dt.date(2027, 3, 28))
    a, b = expand(sc)
    assert a.start_iso == "2027-03-27T09:00:00+01:00"
    assert a.end_iso == "2027-03-28T09:00:00+02:00"
    assert a.hours == 23
    assert b.hours == 24


def test_one_day_shift_across_fall_back_lasts_25_hours():
    sc = scenario(timezone=BERLIN, shifts=daily(), start=dt.date(2027, 10, 30), end=dt.date(2027, 10, 30))
    (a,) = expand(sc)
    assert a.hours == 25
    assert a.end_iso == "2027-10-31T09:00:00+01:00"


def test_weekly_shift_across_dst_is_167_hours():
    weekly = [{"name": "w", "repeat": "weekly", "starts": "mon 10:00", "length": "7d",
               "roles": [{"name": "primary"}]}]
    sc = scenario(timezone=BERLIN, shifts=weekly, start=dt.date(2027, 3, 22), end=dt.date(2027, 4, 4))
    a, b = expand(sc)
    assert (a.hours, b.hours) == (167, 168)


def test_start_in_spring_forward_gap_moves_forward():
    sc = scenario(timezone=BERLIN, shifts=daily("02:30", "1h"), start=dt.date(2027, 3, 28), end=dt.date(2027, 3, 28))
    (a,) = expand(sc)
    assert a.start_iso == "2027-03-28T03:30:00+02:00"


def test_horizon_is_in_the_patterns_zone():
    # a daily 23:30 Singapore shift: the instance of 4 Jan local starts 4 Jan 15:30 UTC;
    # the horizon [4 Jan, 5 Jan] in Singapore time holds exactly two instances.
    sc = scenario(shifts=daily("23:30", "1h", timezone="Asia/Singapore"), end=dt.date(2027, 1, 5))
    insts = expand(sc)
    assert [i.start_iso for i in insts] == ["2027-01-04T23:30:00+08:00", "2027-01-05T23:30:00+08:00"]


def test_days_filter_and_weekly_count():
    sc = scenario(shifts=daily(days=["mon", "tue", "wed", "thu", "fri"]), end=dt.date(2027, 1, 17))
    assert len(expand(sc)) == 10
    q = load_scenario(EXAMPLES / "quarterly.yaml")
    assert len(expand(q)) == 13


def test_follow_the_sun_windows_shift_in_utc_with_dst():
    sc = load_scenario(EXAMPLES / "follow_the_sun.yaml")
    prob = Problem(sc)

    def utc_hour(shift, day):
        for i in prob.instances:
            if i.shift == shift and i.start_iso.startswith(day):
                return dt.datetime.fromtimestamp(i.start, dt.UTC).hour
        raise AssertionError((shift, day))

    assert utc_hour("amer", "2027-03-12") == 14   # EST
    assert utc_hour("amer", "2027-03-15") == 13   # EDT from 14 March
    assert utc_hour("emea", "2027-03-26") == 9    # GMT
    assert utc_hour("emea", "2027-03-29") == 8    # IST from 28 March
    assert utc_hour("apac", "2027-03-29") == 1    # Singapore has no DST
    assert all(i.hours == 8 for i in prob.instances)


def test_follow_the_sun_solves_and_verifies():
    sc = load_scenario(EXAMPLES / "follow_the_sun.yaml")
    r = solve(sc, time_limit=3)
    assert r.status.has_schedule
    assert r.evaluation.feasible
    assert r.solver_objective_internal == r.evaluation.cost


def test_split_kinds_night_weekend_holiday():
    tz = zone(BERLIN)
    # Fri 2027-01-08 20:00 to Sat 08:00 Berlin: 2h weekday-day (20-22), 2h night (22-24),
    # 8h weekend (Sat 00-08)
    s = int(dt.datetime(2027, 1, 8, 20, tzinfo=tz).timestamp())
    e = int(dt.datetime(2027, 1, 9, 8, tzinfo=tz).timestamp())
    k = split_kinds(s, e, tz, frozenset())
    assert k == {"weekday": 2 * 3600, "night": 2 * 3600, "weekend": 8 * 3600, "holiday": 0}
    k = split_kinds(s, e, tz, frozenset({dt.date(2027, 1, 8)}))
    assert k == {"weekday": 0, "night": 0, "weekend": 8 * 3600, "holiday": 4 * 3600}


def test_split_kinds_across_dst_days_with_the_cached_day_bounds():
    # the day boundaries are cached per zone and date; the split must still follow each
    # day's own length and each call's own holidays. Berlin, Sat 27 Mar 2027 12:00 to Tue
    # 30 Mar 00:00: Sat 12 h + Sun 23 h (spring forward) weekend, Mon 29 Mar 6 h night
    # (00-06) + 16 h weekday + 2 h night (22-24); with the Monday a holiday, its 24 h count
    # as holiday instead
    tz = zone(BERLIN)
    s = int(dt.datetime(2027, 3, 27, 12, tzinfo=tz).timestamp())
    e = int(dt.datetime(2027, 3, 30, tzinfo=tz).timestamp())
    for _ in range(2):  # the second call reads the cache
        assert split_kinds(s, e, tz, frozenset()) == {
            "weekday": 16 * 3600, "night": 8 * 3600, "weekend": 35 * 3600, "holiday": 0}
        assert split_kinds(s, e, tz, frozenset({dt.date(2027, 3, 29)})) == {
            "weekday": 0, "night": 0, "weekend": 35 * 3600, "holiday": 24 * 3600}
    # autumn: Sun 31 Oct 2027 has 25 hours
    s = int(dt.datetime(2027, 10, 31, tzinfo=tz).timestamp())
    assert split_kinds(s, s + 25 * 3600, tz, frozenset())["weekend"] == 25 * 3600


def test_night_in_persons_zone():
    # Tue 09:00-17:00 UTC is 17:00-01:00 in Singapore: 5h weekday (17-22), 3h night
    # (22-24 and 00-01)
    tz = zone("Asia/Singapore")
    s = int(dt.datetime(2027, 1, 5, 9, tzinfo=dt.UTC).timestamp())
    k = split_kinds(s, s + 8 * 3600, tz, frozenset())
    assert k == {"weekday": 5 * 3600, "night": 3 * 3600, "weekend": 0, "holiday": 0}


def test_days_and_weekends_touched():
    tz = zone("UTC")
    s = int(dt.datetime(2027, 1, 8, 12, tzinfo=dt.UTC).timestamp())   # Fri noon
    e = s + 3 * 86400                                                          # Mon noon
    assert days_touched(s, e, tz) == [dt.date(2027, 1, d) for d in (8, 9, 10, 11)]
    assert weekends_touched(s, e, tz) == [dt.date(2027, 1, 9)]
    # ending exactly at midnight does not touch the next day
    assert days_touched(s, s + 12 * 3600, tz) == [dt.date(2027, 1, 8)]


def test_scenarios_that_differ_only_in_people_and_roles_share_one_expansion():
    """optimizer.repair builds one-person copies of a scenario: their instances are the
    original's, and the calendar caches are shared (adopt_calendar) only when the timing
    is the same."""
    from conftest import scenario

    from optimizer.problem import Problem

    sc = scenario()
    copy = sc.model_copy(update={"people": sc.people[:1], "shifts": tuple(
        pat.model_copy(update={"roles": tuple(r.model_copy(update={"count": 0}) for r in pat.roles)})
        for pat in sc.shifts)})
    a, b = Problem(sc), Problem(copy)
    assert [(i.shift, i.start, i.end) for i in a.instances] == [(i.shift, i.start, i.end) for i in b.instances]
    assert all(i.roles[0].count == 0 for i in b.instances)
    assert b.adopt_calendar(a) and b.start_dates is a.start_dates
    later = Problem(sc.model_copy(update={"timezone": "Asia/Tokyo"}))
    assert not later.adopt_calendar(a)
    assert [i.start for i in later.instances] != [i.start for i in a.instances]
