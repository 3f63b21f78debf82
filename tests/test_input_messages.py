"""Input errors name file, line and field: impossible dates, misspelt fields at any depth,
and the ``Scenario.with_*`` helpers in Python (no raw pydantic error, no traceback)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from optimizer import load_scenario
from optimizer.cli import main
from optimizer.errors import InputError, InputProblem
from optimizer.scenario import ChangeError

# line numbers matter: the tests name them
GOOD = """\
team: t
timezone: Europe/Berlin
start: 2027-01-04
end: 2027-01-31
shifts:
  - name: week
    repeat: weekly
    starts: "mon 10:00"
    length: 7d
    roles:
      - {name: primary, count: 1}
people:
  - {id: alice, email: alice@example.com}
  - id: bob
    skills: [infra]
solver: {time_limit: 5}
"""


def write(tmp_path: Path, old: str, new: str, extra: str = "") -> Path:
    assert old in GOOD, old
    p = tmp_path / "s.yaml"
    p.write_text(GOOD.replace(old, new) + extra, encoding="utf-8")
    return p


def problems(path: Path) -> list[InputProblem]:
    with pytest.raises(InputError) as e:
        load_scenario(path)
    return e.value.problems


def only(path: Path) -> InputProblem:
    found = problems(path)
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


def check(path: Path) -> str:
    """``rota check``: exit 2, never a traceback."""
    r = CliRunner().invoke(main, ["check", str(path)])
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    return r.output


def test_the_base_scenario_is_valid(tmp_path):
    sc = load_scenario(write(tmp_path, "team: t", "team: t"))
    assert sc.people[1].skills == ("infra",)


# --------------------------------------------------------------------------- 1. impossible dates


def test_impossible_end_date_names_the_field_and_line(tmp_path):
    p = write(tmp_path, "end: 2027-01-31", "end: 2027-02-30")
    assert only(p) == InputProblem("invalid date '2027-02-30': day is out of range for month", str(p), 4, "end")
    assert str(only(p)) == f"{p}:4: end: invalid date '2027-02-30': day is out of range for month"
    assert f"{p}:4: end: invalid date '2027-02-30': day is out of range for month" in check(p)


@pytest.mark.parametrize(
    "entry, line",
    [
        ("  - person: alice\n    from: 2027-01-11\n    to: 2027-13-12\n", 20),  # block style: the line of `to`
        ("  - {person: alice, from: 2027-01-11, to: 2027-13-12}\n", 18),
    ],
)
def test_impossible_time_off_date_names_the_entry_and_field(tmp_path, entry, line):
    p = write(tmp_path, "team: t", "team: t", "time_off:\n" + entry)
    assert only(p) == InputProblem("invalid date '2027-13-12': month must be in 1..12", str(p), line, "time_off[0].to")
    assert f"{p}:{line}: time_off[0].to: invalid date '2027-13-12': month must be in 1..12" in check(p)


@pytest.mark.parametrize(
    "old, new, extra, line, field, message",
    [
        # a date in a list, a date as a key (the mapping is named), a date inside a person
        ("team: t", "team: t", "extra_holidays: [2027-04-31]\n", 17, "extra_holidays[0]",
         "invalid date '2027-04-31': day is out of range for month"),
        ("{name: primary, count: 1}", "{name: primary, count: 1, counts: {2027-02-29: 0}}", "", 11,
         "shifts[0].roles[0].counts", "invalid date '2027-02-29': day is out of range for month"),
        ("skills: [infra]", "skills: [infra]\n    shift_requests: [{date: 2027-00-10, shift: week, want: 'on'}]", "",
         16, "people[1].shift_requests[0].date", "invalid date '2027-00-10': month must be in 1..12"),
        ("end: 2027-01-31", "end: 2027-01-31 24:00:00", "", 4, "end",
         "invalid date '2027-01-31 24:00:00': hour must be in 0..23"),
        # an anchored bad value is blamed where it is written
        ("start: 2027-01-04", "start: &s 2027-02-31", "", 3, "start",
         "invalid date '2027-02-31': day is out of range for month"),
    ],
)
def test_impossible_dates_anywhere_name_their_field(tmp_path, old, new, extra, line, field, message):
    p = write(tmp_path, old, new, extra)
    assert only(p) == InputProblem(message, str(p), line, field)


def test_an_integer_with_too_many_digits_names_the_field_and_quotes_a_short_excerpt(tmp_path):
    p = write(tmp_path, "skills: [infra]", "skills: [infra]\n    history: " + "9" * 5000)
    found = only(p)
    assert (found.line, found.field) == (16, "people[1].history")
    assert found.message == "invalid integer '" + "9" * 40 + "...': too many digits"
    out = check(p)
    assert f"{p}:16: people[1].history: invalid integer" in out and "9" * 41 not in out


def test_an_unsupported_tag_names_the_field(tmp_path):
    p = write(tmp_path, "team: t", "team: !!python/object:os.system t")
    found = only(p)
    assert (found.line, found.field) == (1, "team") and found.message.startswith("unsupported YAML tag")
    p = write(tmp_path, "skills: [infra]", "skills: !!set {infra}")
    found = only(p)
    assert (found.line, found.field) == (15, "people[1].skills") and found.message.startswith("unsupported YAML tag")


# --------------------------------------------------------------------------- 2. misspelt fields


def test_misspelt_person_field_says_did_you_mean(tmp_path):
    p = write(tmp_path, "skills: [infra]", "skills: [infra]\n    emial: bob@example.com")
    assert only(p) == InputProblem("unknown field 'emial' (did you mean 'email'?)", str(p), 16, "people[1].emial")
    assert f"{p}:16: people[1].emial: unknown field 'emial' (did you mean 'email'?)" in check(p)


def test_misspelt_required_field_is_one_message_not_missing_as_well(tmp_path):
    p = write(tmp_path, 'starts: "mon 10:00"', 'start: "mon 10:00"')
    assert only(p) == InputProblem("unknown field 'start' (did you mean 'starts'?)", str(p), 8, "shifts[0].start")
    out = check(p)
    assert f"{p}:8: shifts[0].start: unknown field 'start' (did you mean 'starts'?)" in out
    assert "Field required" not in out and "Extra inputs" not in out and "errors.pydantic.dev" not in out


def test_a_missing_field_without_a_close_extra_one_is_still_reported(tmp_path):
    p = write(tmp_path, 'starts: "mon 10:00"', 'colour: red')
    msgs = {(x.line, x.field, x.message) for x in problems(p)}
    assert (8, "shifts[0].colour", "unknown field 'colour' (known: crew_skills, days, length, name, not_followed_by, "
            "repeat, roles, starts, timezone)") in msgs
    assert (6, "shifts[0].starts", "Field required") in msgs


def test_unknown_field_without_a_close_match_lists_the_known_ones(tmp_path):
    p = write(tmp_path, "{name: primary, count: 1}", "{name: primary, count: 1, zzz: 2}")
    assert only(p) == InputProblem(
        "unknown field 'zzz' (known: count, counts, name, over_weight, skills, under_weight)",
        str(p), 11, "shifts[0].roles[0].zzz",
    )


def test_every_misspelt_field_is_reported(tmp_path):
    p = write(tmp_path, "{id: alice, email: alice@example.com}", "{id: alice, emial: alice@example.com, skils: [x]}")
    assert [(x.line, x.field, x.message) for x in problems(p)] == [
        (13, "people[0].emial", "unknown field 'emial' (did you mean 'email'?)"),
        (13, "people[0].skils", "unknown field 'skils' (did you mean 'skills'?)"),
    ]


@pytest.mark.parametrize(
    "old, new, line, field, message",
    [
        ("solver: {time_limit: 5}", "solver: {time_limt: 5}", 16, "solver.time_limt",
         "unknown field 'time_limt' (did you mean 'time_limit'?)"),
        ("solver: {time_limit: 5}", "rules:\n  max_weekends: {count: 1, withn: 14d}", 17,
         "rules.max_weekends.withn", "unknown field 'withn' (did you mean 'within'?)"),
        ("solver: {time_limit: 5}", "rules:\n  max_hours: [{hours: 40, within: 7d, sft: true}]", 17,
         "rules.max_hours[0].sft", "unknown field 'sft' (did you mean 'soft'?)"),
        ("solver: {time_limit: 5}", "weights: {weeknd: 2}", 16, "weights.weeknd",
         "unknown field 'weeknd' (did you mean 'weekend'?)"),
        ("solver: {time_limit: 5}", "severities:\n  sev1: {page: [1], thn: [2]}", 17, "severities.sev1.thn",
         "unknown field 'thn' (did you mean 'then'?)"),
        ("solver: {time_limit: 5}", "time_off:\n  - {person: alice, from: 2027-01-11, too: 2027-01-12}", 17,
         "time_off[0].too", "unknown field 'too' (did you mean 'to'?)"),
        ("skills: [infra]", "skills: [infra]\n    shift_requests: [{date: 2027-01-11, shift: week, want: 'on', "
         "wieght: 2}]", 16, "people[1].shift_requests[0].wieght", "unknown field 'wieght' (did you mean 'weight'?)"),
    ],
)
def test_misspelt_fields_at_any_depth_say_did_you_mean(tmp_path, old, new, line, field, message):
    p = write(tmp_path, old, new)
    assert only(p) == InputProblem(message, str(p), line, field)


def test_misspelt_field_of_an_escalation_contact_says_did_you_mean(tmp_path):
    p = write(tmp_path, "solver: {time_limit: 5}",
              "escalation:\n  - {level: 1, people: [{id: boss, emial: boss@example.com}]}")
    hits = [x for x in problems(p) if "emial" in (x.field or "")]
    assert len(hits) == 1 and hits[0].line == 17
    assert hits[0].message == "unknown field 'emial' (did you mean 'email'?)"


def test_top_level_and_rule_names_keep_their_messages(tmp_path):
    p = write(tmp_path, "team: t", "teem: t")
    found = only(p)
    assert (found.line, found.field) == (1, "teem")
    assert found.message.startswith("unknown field 'teem' (did you mean 'team'? known: end, ")
    p = write(tmp_path, "solver: {time_limit: 5}", "rules: {max_weekend: 2}")
    assert only(p).message.startswith("unknown rule 'max_weekend' (did you mean 'max_weekends'? known: ")


# --------------------------------------------------------------------------- 3. Scenario.with_* in Python


@pytest.fixture
def sc(tmp_path):
    return load_scenario(write(tmp_path, "team: t", "team: t"))


def change_problems(make) -> list[InputProblem]:
    with pytest.raises(InputError) as e:
        make()
    assert isinstance(e.value, ChangeError) and isinstance(e.value, ValueError)  # ValueError, as before
    assert "errors.pydantic.dev" not in str(e.value) and "validation error" not in str(e.value)
    return e.value.problems


@pytest.mark.parametrize(
    "make, field, message",
    [
        (lambda s: s.with_weights(weeknd=2.0), "weights.weeknd", "unknown field 'weeknd' (did you mean 'weekend'?)"),
        (lambda s: s.with_fairness(weekend=1), "fairness.weekend",
         "unknown field 'weekend' (did you mean 'weekends'?)"),
        (lambda s: s.with_rules(max_weekends={"count": 1, "withn": "14d"}), "rules.max_weekends.withn",
         "unknown field 'withn' (did you mean 'within'?)"),
        (lambda s: s.with_person({"id": "carol", "emial": "c@example.com"}), "people[2].emial",
         "unknown field 'emial' (did you mean 'email'?)"),
        (lambda s: s.with_person_changes("bob", skils=["x"]), "people[1].skils",
         "unknown field 'skils' (did you mean 'skills'?)"),
        (lambda s: s.with_time_off("alice", "2027-01-11", "2027-01-12", wieght=2), "time_off[0].wieght",
         "unknown field 'wieght' (did you mean 'weight'?)"),
        (lambda s: s.replace(teem="x"), "teem", None),
        (lambda s: s.with_rules(max_weekend=2), "rules.max_weekend", None),
    ],
)
def test_with_helpers_raise_input_error_with_did_you_mean(sc, make, field, message):
    found = change_problems(lambda: make(sc))
    assert len(found) == 1 and found[0].field == field and found[0].file is None and found[0].line is None
    if message is not None:
        assert found[0].message == message
    else:
        assert "did you mean" in found[0].message


def test_with_helpers_name_invalid_values_too(sc):
    assert change_problems(lambda: sc.with_weights(weekend=-1)) == [
        InputProblem("Input should be greater than or equal to 0", field="weights.weekend")
    ]
    assert change_problems(lambda: sc.with_time_off("zed", "2027-01-11", "2027-01-12")) == [
        InputProblem("unknown person 'zed' (not an id in people)", field="time_off[0].person")
    ]
    assert change_problems(lambda: sc.with_person({"id": "alice"})) == [
        InputProblem("duplicate person id 'alice'", field="people[2].id")
    ]
    assert str(change_problems(lambda: sc.extend("2027-02-30"))[0]).startswith("end: Input should be a valid date")


def test_with_helpers_still_work(sc):
    assert sc.with_weights(weekend=2.0).weights.weekend == 2.0
    assert sc.with_fairness(weekends=0).fairness.weekends == 0
    assert sc.with_rules(max_weekends=2).rules.max_weekends is not None
    assert sc.with_person({"id": "carol"}).people[-1].id == "carol"
    assert sc.with_person_changes("bob", skills=["db"]).person("bob").skills == ("db",)
    assert sc.with_time_off("alice", "2027-01-11", "2027-01-12").time_off[0].person == "alice"
