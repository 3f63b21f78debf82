"""The team lead's planning loop (#19): rota check a lead can gate on, "did you mean",
HR time-off import options and rota init."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES

from optimizer import load_scenario, solve
from optimizer.cli import main
from optimizer.errors import EXIT_INFEASIBLE, InputError
from optimizer.suggest import closest, did_you_mean
from optimizer.timeoff_import import TimeOffWarning

TEAM14 = EXAMPLES / "team14_planning.yaml"


def run(*args) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


def team14(tmp_path: Path, edit=None) -> Path:
    """A copy of the 14-person example (and its CSVs) in tmp_path, optionally edited."""
    for name in ("team14_people.csv", "team14_absences.csv"):
        (tmp_path / name).write_bytes((EXAMPLES / name).read_bytes())
    text = TEAM14.read_text(encoding="utf-8")
    if edit:
        text = edit(text)
    p = tmp_path / "s.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def line_of(path: Path, needle: str) -> int:
    return next(k for k, t in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in t)


# ----------------------------------------------------------------------------- check


def test_check_of_the_team14_example_is_valid_and_exits_0():
    r = run("check", TEAM14)
    assert r.exit_code == 0, r.output
    assert r.output.rstrip().splitlines()[-1].startswith(f"{TEAM14}: valid")
    assert "SHORT" not in r.output


def test_check_exits_3_on_a_proven_shortage_without_a_valid_line(tmp_path):
    # primary needs `infrastructure`, which nobody holds: 13 slots, 0 eligible people
    p = team14(tmp_path, lambda t: t.replace("skills: [infra]}", "skills: [infrastructure]}"))
    r = run("check", p)
    assert r.exit_code == EXIT_INFEASIBLE == 3, r.output
    assert "valid" not in r.output
    assert "SHORT week primary [infrastructure]: 13 slots, 0 eligible people" in r.output
    assert "short by 13" in r.output
    assert "nobody holds skill 'infrastructure'" in r.output and "did you mean 'infra'?" in r.output
    assert "cannot be solved" in r.output.splitlines()[-1]


def test_regression_check_said_valid_beside_its_own_short_lines(tmp_path):
    p = team14(tmp_path, lambda t: t.replace("skills: [infra]}", "skills: [infrastructure]}"))
    r = run("check", p)
    assert not any(line.endswith(": valid") or ": valid " in line for line in r.output.splitlines())
    assert r.exit_code != 0


def test_regression_check_max_weekends_1_with_26_weekly_slots_and_14_people_said_can_give_53(tmp_path):
    # every weekly 7-day slot holds one weekend; 14 people x 1 weekend < 26 slots
    p = team14(tmp_path, lambda t: t.replace("max_weekends: 3", "max_weekends: 1"))
    r = run("check", p)
    assert r.exit_code == 3, r.output
    assert "short by" in r.output


def test_explain_max_weekends_1_names_the_security_holders_and_the_parameter_change(tmp_path):
    # #19: the conflict listed crew skills and 6 people without saying who they are, and the
    # fix lifted the rule for people outside the conflict instead of "raise max_weekends"
    p = team14(tmp_path, lambda t: t.replace("max_weekends: 3", "max_weekends: 1"))
    r = run("explain", p, "--time-limit", "10")
    assert r.exit_code == 3, r.output
    with pytest.warns(TimeOffWarning):
        holders = sorted(x.id for x in load_scenario(TEAM14).people if "security" in x.skills)
    assert f"the security holders ({', '.join(holders)})" in r.output
    assert "  - raise max_weekends from 1 to 3\n" in r.output
    assert "No single relaxation is enough" not in r.output
    # the change it names, applied: solvable; the step below it: short (check proves it)
    three = team14(tmp_path)  # the example as it is has max_weekends: 3
    assert "  max_weekends: 3\n" in three.read_text(encoding="utf-8")
    assert run("solve", three, "--time-limit", "5", "-q", "--out", tmp_path / "o").exit_code == 0
    two = team14(tmp_path, lambda t: t.replace("max_weekends: 3", "max_weekends: 2"))
    assert run("check", two).exit_code == 3


def test_explain_of_a_misspelt_skill_offers_the_skill_people_hold_and_it_solves():
    # check says "rota explain shows what to change"; for a skill nobody holds explain
    # offered only "let roles go unfilled" and a list of weeks
    short = EXAMPLES / "team14_short.yaml"
    r = run("explain", short, "--time-limit", "10")
    assert r.exit_code == 3, r.output
    assert "  - require infra instead of infrastructure for week primary (nobody holds infrastructure)\n" in r.output
    lines = r.output.splitlines()
    assert lines.index(
        "Each of these parameter changes alone makes the scenario solvable (checked by the solver; "
        "smallest change first):"
    ) < next(k for k, t in enumerate(lines) if "find extra cover" in t)
    with pytest.warns(TimeOffWarning):
        sc = load_scenario(short)
    pattern = sc.shifts[0]
    fixed = sc.replace(
        shifts=[
            pattern.model_copy(
                update={"roles": (pattern.roles[0].model_copy(update={"skills": ("infra",)}), *pattern.roles[1:])}
            )
        ]
    )
    assert solve(fixed, time_limit=10).status.value in ("optimal", "feasible")


def test_check_seven_day_backup_shift_with_max_consecutive_days_5_is_short(tmp_path):
    # a second weekly pattern (a 7-day backup shift) beside `week`, and max_consecutive_days 5:
    # a 7-day shift touches 7 days in a row, so nobody can ever take it (nor `week`)
    def edit(t: str) -> str:
        crew = "    crew_skills: [infra, security]                  # each crew covers both between them\n"
        assert crew in t
        t = t.replace(
            crew,
            crew + '  - {name: backup, repeat: weekly, starts: "mon 10:00", length: 7d, roles: [{name: backup}]}\n',
        )
        assert "  max_weekends: 3\n" in t
        return t.replace("  max_weekends: 3\n", "  max_weekends: 3\n  max_consecutive_days: 5\n")

    p = team14(tmp_path, edit)
    with pytest.warns(TimeOffWarning):  # the export's rows of people outside the team
        sc = load_scenario(p)  # the edit is valid YAML and the intended scenario
    assert [s.name for s in sc.shifts] == ["week", "backup"]
    assert sc.shifts[0].crew_skills == ("infra", "security") and not sc.shifts[1].crew_skills
    assert sc.rules.max_consecutive_days is not None and sc.rules.max_consecutive_days.count == 5
    r = run("check", p)
    assert r.exit_code == 3, r.output
    backup = next(line for line in r.output.splitlines() if "SHORT backup backup:" in line)
    assert "13 slots" in backup and "max_consecutive_days 5" in backup and "short by 13" in backup
    assert "cannot be solved" in r.output.splitlines()[-1]


# ----------------------------------------------------------------------------- did you mean


def test_closest_hand_checked():
    assert closest("infrastructure", ["infra", "data"]) == "infra"
    assert closest("max_weekend", ["max_weekends", "min_rest"]) == "max_weekends"
    assert closest("Primary", ["primary", "secondary"]) == "primary"
    assert closest("xyz", ["infra", "data"]) is None
    assert did_you_mean("primary", ["primary"]) == ""  # the word itself is no suggestion


@pytest.mark.parametrize(
    "old, new, needle, message",
    [
        (
            "  max_weekends: 3",
            "  max_weekend: 3",
            "max_weekend: 3",
            "unknown rule 'max_weekend' (did you mean 'max_weekends'?",
        ),
        ("fairness: {load", "fairnes: {load", "fairnes:", "unknown field 'fairnes' (did you mean 'fairness'?"),
        (
            "roles: {secondary: 0.5}",
            "roles: {secondry: 0.5}",
            "secondry",
            "unknown role 'secondry' (did you mean 'secondary'?",
        ),
        ("{person: jonas,", "{person: jonass,", "jonass", "unknown person 'jonass' (did you mean 'jonas'?"),
    ],
)
def test_unknown_names_say_did_you_mean_with_file_and_line(tmp_path, old, new, needle, message):
    p = team14(tmp_path, lambda t: t.replace(old, new, 1))
    r = run("check", p)
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    assert message in r.output, r.output
    assert f"s.yaml:{line_of(p, needle)}:" in r.output, r.output


def test_unknown_shift_in_not_followed_by_says_did_you_mean(tmp_path):
    p = team14(tmp_path, lambda t: t.replace("    length: 7d\n", "    length: 7d\n    not_followed_by: [wek]\n", 1))
    r = run("check", p)
    assert r.exit_code == 2 and "unknown shift 'wek' (did you mean 'week'?" in r.output, r.output


# ----------------------------------------------------------------------------- HR import


def test_hr_export_rows_of_people_outside_the_team_are_skipped_with_one_warning():
    with pytest.warns(TimeOffWarning, match=r"skipped 2 row\(s\) of 2 people not in the scenario \(oskar, paula\)"):
        sc = load_scenario(TEAM14)
    people = [t.person for t in sc.time_off]
    # the file's 4 team rows (in file order), then the inline entry
    assert people == ["anna", "ben", "chitra", "hugo", "jonas"]
    anna = sc.time_off[0]
    assert (anna.from_.isoformat(), anna.to.isoformat(), anna.hard) == ("2027-02-01", "2027-02-12", True)
    assert sc.time_off[-1].soft and sc.time_off[-1].weight == 20
    r = run("check", TEAM14)
    assert "warning: time off: skipped 2 row(s)" in r.output and "Traceback" not in r.output


@pytest.mark.parametrize(
    "args",
    [
        ("verify", TEAM14, EXAMPLES / "team14_published.csv"),
        ("solve", TEAM14, "--time-limit", "2", "-q", "--out", "{out}"),
        (
            "swap",
            TEAM14,
            EXAMPLES / "team14_published.csv",
            "--person",
            "ben",
            "--shift",
            "week",
            "--start",
            "2027-01-27",
        ),
    ],
    ids=["verify", "solve", "swap"],
)
def test_regression_time_off_warnings_outside_check_were_python_warnings(args, tmp_path):
    # rota solve printed "team14_planning.yaml:23: TimeOffWarning: time off: skipped ..." and
    # the source line below it; every command now prints check's one-line message
    r = run(*(str(a).format(out=tmp_path / "out") for a in args))
    assert r.exit_code == 0, r.output
    lines = [ln for ln in r.stderr.splitlines() if "skipped 2 row(s)" in ln]
    assert lines == [
        "warning: time off: skipped 2 row(s) of 2 people not in the scenario (oskar, paula); "
        "set time_off.unknown_people: error to refuse them, ignore to say nothing"
    ]
    assert "TimeOffWarning" not in r.output and f"{TEAM14.name}:23" not in r.output


def test_unknown_people_error_lists_every_row_with_its_line(tmp_path):
    p = team14(tmp_path, lambda t: t.replace("unknown_people: warn", "unknown_people: error"))
    r = run("check", p)
    assert r.exit_code == 2, r.output
    assert "team14_absences.csv:4: time_off[2].person (column Employee): unknown person 'oskar'" in r.output
    assert "team14_absences.csv:6: time_off[4].person (column Employee): unknown person 'paula'" in r.output


def test_unknown_people_ignore_says_nothing(tmp_path, recwarn):
    p = team14(tmp_path, lambda t: t.replace("unknown_people: warn", "unknown_people: ignore"))
    sc = load_scenario(p)
    assert len(sc.time_off) == 5
    assert not [w for w in recwarn if issubclass(w.category, TimeOffWarning)]


def test_bad_unknown_people_setting_is_one_sentence(tmp_path):
    p = team14(tmp_path, lambda t: t.replace("unknown_people: warn", "unknown_people: maybe"))
    r = run("check", p)
    assert r.exit_code == 2
    assert "unknown_people must be one of warn, ignore, error, not 'maybe'" in r.output
    assert len([ln for ln in r.output.splitlines() if ln.startswith("  ")]) == 1


def test_unmapped_hr_type_names_the_known_types_and_the_fix(tmp_path):
    p = team14(
        tmp_path,
        lambda t: t.replace(
            "time_off_types: {urlaub: hard, casual leave: hard}", "time_off_types: {casual leave: hard}"
        ),
    )
    r = run("check", p)
    assert r.exit_code == 2, r.output
    assert "time off type 'Urlaub' is not in time_off_types" in r.output
    assert "known: " in r.output and "vacation" in r.output
    assert "time_off_types: {urlaub: hard}" in r.output
    assert "team14_absences.csv:2" in r.output


def test_type_mapping_keys_in_any_case(tmp_path):
    p = team14(tmp_path, lambda t: t.replace("{urlaub: hard,", "{Urlaub: soft,"))
    with pytest.warns(TimeOffWarning):
        sc = load_scenario(p)
    assert sc.time_off[0].person == "anna" and sc.time_off[0].soft


def test_inline_entry_errors_name_the_yaml_line(tmp_path):
    p = team14(
        tmp_path,
        lambda t: t.replace(
            "{person: jonas, from: 2027-03-01, to: 2027-03-07", "{person: jonas, from: 2027-03-09, to: 2027-03-07"
        ),
    )
    r = run("check", p)
    assert r.exit_code == 2, r.output
    assert f"s.yaml:{line_of(p, 'person: jonas')}:" in r.output and "before 'from'" in r.output


def test_list_form_may_name_one_file_beside_inline_entries(tmp_path):
    for name in ("team14_people.csv", "team14_absences.csv"):
        (tmp_path / name).write_bytes((EXAMPLES / name).read_bytes())
    text = TEAM14.read_text(encoding="utf-8")
    head, rest = text.split("time_off:\n", 1)
    tail = rest.split("\nrules:", 1)[1]
    block = (
        "time_off:\n"
        "  - {person: mia, from: 2027-01-18, to: 2027-01-22}\n"
        "  - file: team14_absences.csv\n"
        "    columns: {person: Employee, from: Start, to: End, type: Absence Type}\n"
        "    unknown_people: ignore\n"
    )
    p = tmp_path / "s.yaml"
    p.write_text(head + block + "\nrules:" + tail, encoding="utf-8")
    sc = load_scenario(p)
    assert [t.person for t in sc.time_off] == ["anna", "ben", "chitra", "hugo", "mia"]


def test_regression_combining_a_file_and_inline_entries_gave_five_pydantic_lines(tmp_path):
    # `entries` used to be refused as an unknown option; now it combines, and a second
    # file in the list form is one sentence
    p = team14(tmp_path)
    assert len(load_scenario_quiet(p).time_off) == 5
    text = p.read_text(encoding="utf-8").replace(
        "time_off:\n  file: team14_absences.csv",
        "time_off:\n  - file: a.csv\n  - file: b.csv\nunused:\n  file: team14_absences.csv",
    )
    p.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_scenario(p)
    assert len(e.value.problems) == 1
    assert "more than one file" in str(e.value)


def load_scenario_quiet(p: Path):
    with pytest.warns(TimeOffWarning):
        return load_scenario(p)


# ----------------------------------------------------------------------------- init


def test_init_from_a_people_csv_writes_a_scenario_check_accepts(tmp_path):
    people = tmp_path / "people.csv"
    people.write_bytes((EXAMPLES / "team14_people.csv").read_bytes())
    out = tmp_path / "scenario.yaml"
    r = run("init", people, "--out", out, "--start", "2027-01-04", "--team", "platform")
    assert r.exit_code == 0, r.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# ")  # commented
    assert "people: people.csv" in text and "start: 2027-01-04" in text and "end: 2027-04-04" in text
    sc = load_scenario(out)
    assert len(sc.people) == 14 and sc.team == "platform"
    assert {r.name for r in sc.shifts[0].roles} == {"primary", "secondary"}
    c = run("check", out)
    assert c.exit_code == 0 and c.output.rstrip().endswith("rota solve decides the rest)"), c.output


def test_init_never_overwrites(tmp_path):
    out = tmp_path / "scenario.yaml"
    out.write_text("keep me\n")
    people = tmp_path / "people.csv"
    people.write_text("id\na\nb\n")
    r = run("init", people, "--out", out)
    assert r.exit_code == 2 and "never overwrites" in r.output
    assert out.read_text() == "keep me\n"


def test_init_interactive(tmp_path):
    out = tmp_path / "s.yaml"
    r = CliRunner().invoke(
        main, ["init", "--out", str(out), "--start", "2027-01-04"], input="ann, bo, cy, dee\nops\nUTC\n"
    )
    assert r.exit_code == 0, r.output
    sc = load_scenario(out)
    assert [p.id for p in sc.people] == ["ann", "bo", "cy", "dee"] and sc.timezone == "UTC" and sc.team == "ops"
    assert run("check", out).exit_code == 0


def test_init_people_csv_without_id_column_exit_2(tmp_path):
    people = tmp_path / "people.csv"
    people.write_text("name\nAnn\n")
    r = run("init", people, "--out", tmp_path / "s.yaml")
    assert r.exit_code == 2 and "id" in r.output and "Traceback" not in r.output
    assert not (tmp_path / "s.yaml").exists()


def test_exit_code_3_is_documented_in_docs_planning():
    doc = (EXAMPLES.parent.parent / "docs" / "planning.md").read_text(encoding="utf-8")
    assert re.search(r"exit(s)? (code )?3", doc)
