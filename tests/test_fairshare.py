"""Fair shares (optimizer.fairshare): hand-solved water-filling cases, the sum, eligibility,
FTE and time off; the reasons a lead reads."""

from __future__ import annotations

import pytest

from optimizer import Problem, load_scenario
from optimizer.fairshare import fair_shares
from tests.conftest import EXAMPLES, scenario

WEEKLY = [{"name": "week", "repeat": "weekly", "starts": "mon 00:00", "length": "7d",
           "roles": [{"name": "primary", "skills": ["infra"]}, {"name": "secondary"}]}]


def weekly(people, weeks=4, **kw):
    """Weekly instances from Monday 2027-01-04 (UTC; nobody has a country, so no holidays);
    the secondary role weighs 0.5, so a secondary week is 84 load-hours, a primary 168."""
    import datetime as dt

    end = dt.date(2027, 1, 4) + dt.timedelta(days=7 * weeks - 1)
    data = {"shifts": WEEKLY, "people": people, "end": end, **kw}
    if any(r["name"] == "secondary" for s in data["shifts"] for r in s["roles"]):
        data["weights"] = {"roles": {"secondary": 0.5}}
    return scenario(**data)


def test_shares_follow_eligibility():
    # 2 of 4 hold infra. Primary weeks (168 load-hours each) can only go to a and b:
    # 4 x 168 / 2 = 336 each. Secondaries (84 each) go to c and d, who can take nothing
    # else: water-filling raises them first, to 4 x 84 / 2 = 168, and freezes them there.
    sc = weekly([{"id": "a", "skills": ["infra"]}, {"id": "b", "skills": ["infra"]}, {"id": "c"}, {"id": "d"}])
    fs = fair_shares(Problem(sc))
    assert fs.by_person == pytest.approx({"a": 336, "b": 336, "c": 168, "d": 168})
    assert [len(lv.people) for lv in fs.levels] == [2, 2]
    assert "only 2 of 4 people can be primary on week (needs infra)" in fs.reasons[0]
    # one more infra holder: 4 x 168 / 3 = 224 for the primaries
    assert "lower their share to about 224" in fs.reasons[1]


def test_shares_sum_to_the_total_and_scale_with_fte():
    # one role, 6 weeks of 168 load-hours; fte 1 and 0.5: shares 2:1 -> 672 and 336
    sc = weekly([{"id": "a", "skills": ["infra"]}, {"id": "b", "skills": ["infra"], "fte": 0.5}], weeks=6,
                shifts=[{**WEEKLY[0], "roles": [{"name": "primary"}]}])
    fs = fair_shares(Problem(sc))
    assert fs.by_person == pytest.approx({"a": 672, "b": 336})
    assert sum(fs.by_person.values()) == pytest.approx(6 * 168)


def test_time_off_lowers_a_share():
    # 3 people, 3 weeks, one role; c is away for weeks 1-2 and can take only week 3.
    # Max-min: c gets as much as possible of week 3 while a, b share the rest evenly:
    # every level equal would need 168 each; c can reach 168 only with all of week 3,
    # so all three end at 168.
    sc = weekly([{"id": "a"}, {"id": "b"}, {"id": "c"}], weeks=3,
                shifts=[{**WEEKLY[0], "roles": [{"name": "primary"}]}],
                time_off=[{"person": "c", "from": "2027-01-04", "to": "2027-01-17"}])
    fs = fair_shares(Problem(sc))
    assert fs.by_person == pytest.approx({"a": 168, "b": 168, "c": 168})
    # away for all but 2 days of week 3 too? then c can take nothing and leaves the pool
    sc2 = sc.replace(time_off=[{"person": "c", "from": "2027-01-04", "to": "2027-01-24"}])
    fs2 = fair_shares(Problem(sc2))
    assert fs2.by_person == pytest.approx({"a": 252, "b": 252})


def test_history_counts_towards_the_level():
    # 2 people, 4 weeks; a carried 168 over from last quarter: levels equalise load +
    # history: a takes 1 week (168 + 168), b 3 weeks (504)? No: (4 x 168 + 168) / 2 = 420
    # each including history, so a's share of this period is 252 and b's 420.
    sc = weekly([{"id": "a", "history": 168}, {"id": "b"}],
                shifts=[{**WEEKLY[0], "roles": [{"name": "primary"}]}])
    fs = fair_shares(Problem(sc))
    assert fs.by_person == pytest.approx({"a": 252, "b": 420})


def test_regression_a_level_set_by_history_alone_is_not_called_a_bottleneck():
    # c carried over 2000 load-hours: above what a and b can reach even with every week
    # (4 x 168 = 672 for two), so the fair split gives c nothing and c's level is history
    # alone. The reason used to say they were "the only ones who can fill some slots".
    sc = weekly([{"id": "a"}, {"id": "b"}, {"id": "c", "history": 2000}],
                shifts=[{**WEEKLY[0], "roles": [{"name": "primary"}]}])
    fs = fair_shares(Problem(sc))
    assert fs.by_person == pytest.approx({"a": 336, "b": 336, "c": 0})
    assert fs.reasons == ("1 of 3 people (c) carry 2,000 load-hours per FTE against 336 for the others: "
                          "carried over from earlier periods (history); the fair split gives them no slot, "
                          "so nothing in this period can lower it.",)


@pytest.mark.parametrize("name", ["quarterly.yaml", "follow_the_sun.yaml", "team14.yaml"])
def test_every_pool_member_has_a_share_and_eligible_ones_carry_the_bottleneck(name):
    prob = Problem(load_scenario(EXAMPLES / name))
    fs = fair_shares(prob)
    assert set(fs.by_person) == {prob.people[p].id for p in prob.pool}
    assert all(v >= 0 for v in fs.by_person.values())
    assert fs.reasons


def test_team14_reason_names_the_primary_bottleneck():
    fs = fair_shares(Problem(load_scenario(EXAMPLES / "team14.yaml")))
    # 13 primary weeks of 168 over 6 infra holders = 364; with a 7th: 13 x 168 / 7 = 312
    assert fs.by_person["anna"] == pytest.approx(364)
    assert "only 6 of 14 people can be primary on week (needs infra)" in fs.reasons[0]
    assert "about 312" in fs.reasons[1]
