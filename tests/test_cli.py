"""The command line: outputs, exit codes, error messages, reproducibility."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import EXAMPLES
from conftest import run_cli as run

from optimizer.cli import main

QUARTERLY = EXAMPLES / "quarterly.yaml"



def test_solve_writes_csvs_with_contract_columns(solved_quarterly):
    with open(solved_quarterly / "assignments.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0])[:8] == ["shift", "role", "start", "end", "hours", "person_id", "person_name", "email"]
    assert len(rows) == 26                       # 13 weeks x (primary + secondary)
    assert rows[0]["start"] == "2027-01-04T10:00:00+01:00"
    names = {r["person_id"]: r["person_name"] for r in rows}
    assert names.get("alice", "Alice Müller") == "Alice Müller" and names.get("carol", "Carol Díaz") == "Carol Díaz"
    keys = [(r["start"], r["shift"], r["role"], r["person_id"]) for r in rows]
    assert keys == sorted(keys)
    with open(solved_quarterly / "people.csv", encoding="utf-8") as f:
        people = list(csv.DictReader(f))
    assert len(people) == 12
    assert {"hours", "weekend_hours", "holiday_hours", "night_hours", "weekends", "holidays", "load",
            "fair_share", "history"} <= set(people[0])
    assert sum(float(p["hours"]) for p in people) == sum(float(r["hours"]) for r in rows)


def test_verify_accepts_our_schedule(solved_quarterly):
    r = run("verify", QUARTERLY, solved_quarterly / "assignments.csv")
    assert r.exit_code == 0, r.output
    assert "hard rules: all satisfied" in r.output


def test_verify_reports_violations_with_exit_1(solved_quarterly, tmp_path):
    rows = list(csv.DictReader(open(solved_quarterly / "assignments.csv", encoding="utf-8")))
    rows[0]["person_id"] = rows[1]["person_id"]        # same person primary and secondary
    rows = rows[:-1]                                    # and a role left empty
    bad = tmp_path / "bad.csv"
    with open(bad, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    r = run("verify", QUARTERLY, bad)
    assert r.exit_code == 1
    assert "[coverage]" in r.output and "holds 2 roles" in r.output and "needs 1, has 0" in r.output


def test_hand_made_schedule_with_dates(tmp_path):
    sc = tmp_path / "s.yaml"
    sc.write_text(yaml.safe_dump({
        "timezone": "Europe/Berlin", "start": "2027-01-04", "end": "2027-01-17",
        "shifts": [{"name": "week", "repeat": "weekly", "starts": "mon 10:00", "length": "7d",
                    "roles": [{"name": "primary"}]}],
        "people": [{"id": "a"}, {"id": "b"}]}))
    sched = tmp_path / "hand.csv"
    sched.write_text("shift,start,person\nweek,2027-01-04,a\nweek,2027-01-11,a\n")
    r = run("verify", sc, sched)
    assert r.exit_code == 0, r.output
    sched.write_text("shift,start,person\nweek,2027-01-04,a\nweek,2027-01-12,b\n")
    r = run("verify", sc, sched)
    assert r.exit_code == 2  # a row that fits no shift is malformed input (docs/errors.md)
    assert "no instance of this shift starts then" in r.output


def test_reproducible_byte_identical(tmp_path):
    outs, said = [], []
    for k in range(2):
        out = tmp_path / str(k)
        r = run("solve", QUARTERLY, "--out", out, "--time-limit", "2", "--reproducible")
        assert r.exit_code == 0, r.output
        outs.append((out / "assignments.csv").read_bytes() + (out / "people.csv").read_bytes())
        said.append(r.output)
    _same_unless_cut(outs, said)


def test_infeasible_exit_3(tmp_path):
    data = yaml.safe_load(QUARTERLY.read_text())
    data["rules"]["min_rest"] = "60d"
    p = tmp_path / "inf.yaml"
    p.write_text(yaml.safe_dump(data))
    r = run("solve", p, "--out", tmp_path / "o", "-q")
    assert r.exit_code == 3
    assert "INFEASIBLE" in r.output
    assert not (tmp_path / "o" / "assignments.csv").exists()


def test_no_schedule_in_time_exit_4(tmp_path, monkeypatch):
    # the construction (on by default) is the answer when the search finds nothing; a
    # construction that leaves every slot empty is not, so nothing is found in 1 µs
    import sys

    from optimizer.schedule import Schedule

    for where in ("optimizer.solve", "optimizer.early"):  # the warm start's and the early search's
        monkeypatch.setattr(sys.modules[where], "construct", lambda problem, seed=0: Schedule(problem, []))
    r = run("solve", EXAMPLES / "follow_the_sun.yaml", "--out", tmp_path, "--time-limit", "0.000001", "-q")
    assert r.exit_code == 4, r.output
    assert "No schedule found" in r.output


def test_check_prints_expansion():
    r = run("check", QUARTERLY)
    assert r.exit_code == 0
    assert "13 shift instances, 26 slots to fill" in r.output


def test_schema_is_json_schema():
    r = run("schema")
    schema = json.loads(r.output)
    assert "shifts" in schema["properties"] and "people" in schema["properties"]


# ----------------------------------------------------------------------------- bad input -> exit 2


def write(tmp_path, text: str, name="s.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


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
  - {id: alice, skills: [infra]}
  - {id: bob}
time_off:
  - {person: alice, from: 2027-01-11, to: 2027-01-12}
"""


@pytest.mark.parametrize(
    "old, new, expected",
    [
        ("length: 7d", "length: seven days", ["s.yaml:9", "shifts[0].length", "duration"]),
        ("person: alice", "person: alicia", ["s.yaml:16", "time_off[0].person", "unknown person 'alicia'"]),
        ("timezone: Europe/Berlin", "timezone: Europe/Berlinn", ["s.yaml:2", "timezone", "unknown time zone"]),
        ('starts: "mon 10:00"', 'starts: "10:00"', ["s.yaml:6", "shifts[0]", "needs a weekday"]),
        ("count: 1", "count: 0", ["s.yaml:11", "shifts[0].roles[0].count"]),
        ("- {id: bob}", "- {id: alice}", ["s.yaml:14", "people[1].id", "duplicate person id"]),
        ("end: 2027-01-31", "end: 2026-01-31", ["s.yaml:4", "end", "before start"]),
        ("team: t", "team: t\ncolour: red", ["s.yaml:2", "colour", "unknown field"]),
        ("- {id: bob}", "- {id: bob, fte: 1.5}", ["s.yaml:14", "people[1].fte"]),
        ("- {id: bob}", "- {id: bob, country: XX}", ["people[1].country", "unknown country"]),
        ("roles:\n      - {name: primary, count: 1}", "roles:\n      - {name: primary, count: 1\n",
         ["s.yaml", "not valid YAML"]),
    ],
)
def test_invalid_input_exit_2_names_field_and_line(tmp_path, old, new, expected):
    assert old in GOOD
    p = write(tmp_path, GOOD.replace(old, new))
    r = CliRunner().invoke(main, ["check", str(p)])
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    for e in expected:
        assert e in r.output, r.output


def test_missing_file_exit_2(tmp_path):
    r = run("solve", tmp_path / "nope.yaml")
    assert r.exit_code == 2 and "no such scenario file" in r.output


def test_people_csv_errors_name_file_line_and_column(tmp_path):
    (tmp_path / "people.csv").write_text("id,name,skills,fte\nalice,Alice,infra,1\nbob,Bob,data,2\n")
    p = write(tmp_path, GOOD.replace(
        "people:\n  - {id: alice, skills: [infra]}\n  - {id: bob}\n", "people: people.csv\n"))
    r = run("check", p)
    assert r.exit_code == 2
    assert "people.csv:3" in r.output and "people[1].fte" in r.output
    (tmp_path / "people.csv").write_text("name,skills\nAlice,infra\n")
    r = run("check", p)
    assert r.exit_code == 2 and "people.csv:1" in r.output and "missing column(s): id" in r.output


def test_people_and_time_off_from_csv(tmp_path):
    (tmp_path / "people.csv").write_text(
        "id,name,email,skills,timezone,roles\nalice,Alice Müller,a@x.org,infra;security,Europe/Berlin,\n"
        "bob,Bob,,data,,primary\n", encoding="utf-8")
    (tmp_path / "off.csv").write_text("person,from,to,type\nalice,2027-01-11,2027-01-12,vacation\n"
                                      "bob,2027-01-18,2027-01-18,preference\n")
    p = write(tmp_path, GOOD.replace(
        "people:\n  - {id: alice, skills: [infra]}\n  - {id: bob}\n", "people: people.csv\n").replace(
        "time_off:\n  - {person: alice, from: 2027-01-11, to: 2027-01-12}\n", "time_off: off.csv\n"))
    from optimizer import load_scenario

    sc = load_scenario(p)
    assert sc.people[0].skills == ("infra", "security")
    assert sc.people[0].name == "Alice Müller"
    assert sc.people[1].roles == ("primary",)
    assert sc.time_off[0].hard and sc.time_off[1].soft


def _same_unless_cut(outs: list[bytes], said: list[str]) -> None:
    """Reproducible runs give the same bytes; a run the wall clock cut (a loaded machine)
    must say so instead of claiming it (regression: CI's loaded run differed silently)."""
    claims = ["reproducible: the same input" in o for o in said]
    for o, claim in zip(said, claims, strict=True):
        assert claim or "not reproducible: the wall clock cut a phase" in o, o
    if all(claims):
        assert outs[0] == outs[1]


def test_solve_with_lns_is_reproducible_and_verifies(tmp_path):
    outs, said = [], []
    for k in range(2):
        out = tmp_path / f"o{k}"
        r = run("solve", QUARTERLY, "--lns", "--time-limit", "1", "--reproducible", "--out", out)
        assert r.exit_code == 0, r.output
        outs.append((out / "assignments.csv").read_bytes())
        said.append(r.output)
        v = run("verify", QUARTERLY, out / "assignments.csv")
        assert v.exit_code == 0, v.output
    _same_unless_cut(outs, said)


def test_solve_says_when_the_whole_model_was_not_built(tmp_path, monkeypatch):
    # a run whose people are independent (soft cover) and whose time left cannot pay for the
    # whole model answers with the schedule of the per-person descent
    # (optimizer.early.BUILD_WORTH); the summary must not claim a build of 0.00 s
    import importlib
    import sys

    root = Path(__file__).resolve().parent.parent
    if str(root) not in sys.path:  # benchmarks/ is not an installed package
        sys.path.insert(0, str(root))
    from benchmarks.curtois import DATA, to_scenario
    from benchmarks.curtois_eval import parse_instance

    if not (DATA / "Instance2.txt").exists():
        pytest.skip("benchmark data not found")
    path = tmp_path / "instance2.yaml"
    path.write_text(yaml.safe_dump(to_scenario(parse_instance(DATA / "Instance2.txt")).model_dump(
        mode="json", exclude_defaults=True), sort_keys=False), encoding="utf-8")
    early = importlib.import_module("optimizer.early")
    monkeypatch.setattr(early, "DESCENT_FROM", 0)
    monkeypatch.setattr(early, "BUILD_PER_CANDIDATE", 1.0)  # every build too slow to pay
    r = run("solve", path, "--time-limit", 2, "--out", tmp_path / "o")
    assert r.exit_code == 0, r.output
    assert "no time left to build the whole model" in r.output and "model built in" not in r.output
    assert "status     feasible" in r.output
    with open(tmp_path / "o" / "assignments.csv", encoding="utf-8") as f:
        assert len(list(csv.DictReader(f))) > 0
