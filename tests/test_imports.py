"""Imports: people and time off from HR CSV files (date formats, column mapping), schedule
CSVs (ours, wide, hand-made), and malformed files that must each give exit 2 with a
message naming the file, the line and the column."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, manual, scenario

from optimizer import Problem, load_scenario
from optimizer.cli import main
from optimizer.errors import InputError
from optimizer.schedule import read_schedule
from optimizer.tables import DateCell, parse_dates

SCENARIO = """\
team: t
timezone: Europe/Berlin
start: 2027-01-04
end: 2027-01-17
shifts:
  - {name: week, repeat: weekly, starts: "mon 10:00", length: 7d, roles: [{name: primary}]}
people: people.csv
time_off: time_off.csv
"""
PEOPLE = "id,name,email\nalice,Alice Müller,alice@example.com\nbob,Bob,bob@example.com\n"
TIME_OFF = "person,from,to\nalice,2027-01-04,2027-01-08\n"


def write(d, people=PEOPLE, time_off=TIME_OFF, scenario_text=SCENARIO, encoding="utf-8"):
    (d / "s.yaml").write_text(scenario_text)
    for name, content in (("people.csv", people), ("time_off.csv", time_off)):
        if isinstance(content, bytes):
            (d / name).write_bytes(content)
        else:
            (d / name).write_text(content, encoding=encoding)
    return d / "s.yaml"


def check(path, *extra):
    return CliRunner().invoke(main, ["check", str(path), *map(str, extra)])


# ----------------------------------------------------------------------------- happy paths


def test_hr_example_loads_the_same_team_as_the_yaml_example():
    yaml_sc = load_scenario(EXAMPLES / "quarterly.yaml")
    hr = load_scenario(EXAMPLES / "hr_quarterly.yaml")
    assert hr.people == yaml_sc.people
    def strip(entries):
        return [t.model_copy(update={"type": None}) for t in entries]

    assert strip(hr.time_off) == strip(yaml_sc.time_off)  # DD/MM/YYYY detected; types mapped


def test_headers_are_forgiving_and_excel_variants_load(tmp_path):
    people = "ID,Name,E-mail\nalice,Alice Müller,alice@example.com\nbob,Bob,bob@example.com\n"
    people = people.replace("E-mail", "Email")
    sc = load_scenario(write(tmp_path, people=people))
    assert [p.email for p in sc.people] == ["alice@example.com", "bob@example.com"]
    # European Excel: semicolons, UTF-8 with BOM
    write(tmp_path, people="\ufeffid;name;skills\nalice;Alice Müller;\"infra;db\"\nbob;Bob;\n")
    sc = load_scenario(tmp_path / "s.yaml")
    assert sc.people[0].name == "Alice Müller" and sc.people[0].skills == ("infra", "db")
    # UTF-16 with BOM
    write(tmp_path, people=PEOPLE.encode("utf-16"))
    assert load_scenario(tmp_path / "s.yaml").people[0].name == "Alice Müller"


def test_column_mapping_and_date_format_option(tmp_path):
    text = SCENARIO.replace(
        "time_off: time_off.csv",
        "time_off: {file: time_off.csv, date_format: MM/DD/YYYY, columns: {person: Who, from: First, to: Last}}",
    )
    sc = load_scenario(write(tmp_path, time_off="Who,First,Last\nalice,01/04/2027,01/08/2027\n", scenario_text=text))
    assert (sc.time_off[0].from_, sc.time_off[0].to) == (dt.date(2027, 1, 4), dt.date(2027, 1, 8))
    # the same ambiguous file, told from the command line
    write(tmp_path, time_off="person,from,to\nalice,04/01/2027,08/01/2027\n")
    assert load_scenario(tmp_path / "s.yaml", date_format="DD/MM/YYYY").time_off[0].to == dt.date(2027, 1, 8)


def cells(*texts):
    return [DateCell(t, k + 2, "column from") for k, t in enumerate(texts)]


def test_parse_dates_decides_per_file():
    assert parse_dates(cells("2027-01-04", "4.1.2027"), "f") == [dt.date(2027, 1, 4)] * 2
    assert parse_dates(cells("03/04/2027", "25/04/2027"), "f") == [dt.date(2027, 4, 3), dt.date(2027, 4, 25)]
    assert parse_dates(cells("03/04/2027", "04/25/2027"), "f") == [dt.date(2027, 3, 4), dt.date(2027, 4, 25)]
    assert parse_dates(cells("05/05/2027"), "f") == [dt.date(2027, 5, 5)]  # same both ways
    assert parse_dates(cells("03/04/2027"), "f", "MM/DD/YYYY") == [dt.date(2027, 3, 4)]
    with pytest.raises(InputError, match="ambiguous date '03/04/2027'"):
        parse_dates(cells("03/04/2027"), "f")
    with pytest.raises(InputError, match="mix DD/MM/YYYY"):
        parse_dates(cells("25/04/2027", "04/25/2027"), "f")
    with pytest.raises(InputError) as e:
        parse_dates(cells("2027-01-04", "31/02/2027", "soon"), "f.csv")
    msgs = [str(p) for p in e.value.problems]
    assert msgs[0].startswith("f.csv:3: column from: cannot read date '31/02/2027'")
    assert msgs[1].startswith("f.csv:4: column from: cannot read date 'soon'")


# ----------------------------------------------------------------------------- malformed files


MALFORMED = {
    "missing column": (dict(time_off="person,to\nalice,2027-01-08\n"), "time_off.csv:1", "from"),
    "bad date": (dict(time_off="person,from,to\nbob,2027-01-04,2027-01-05\nalice,2027-13-01,2027-01-08\n"),
                 "time_off.csv:3", "column from"),
    "ambiguous date": (dict(time_off="person,from,to\nalice,04/01/2027,08/01/2027\n"), "time_off.csv:2",
                       "column from"),
    "unknown person": (dict(time_off="person,from,to\nalice,2027-01-04,2027-01-05\nzed,2027-01-04,2027-01-05\n"),
                       "time_off.csv:3", "column person"),
    "duplicate id": (dict(people=PEOPLE + "alice,Again,a2@example.com\n"), "people.csv:4", "column id"),
    "empty file": (dict(people=""), "people.csv:1", "header row"),
    "wrong encoding": (dict(people="id,name\nbob,Bob\nalice,Jörg\n".encode("cp1252")), "people.csv:3",
                       "column name"),
    "bad value": (dict(people="id,fte\nalice,1\nbob,2\n"), "people.csv:3", "column fte"),
    "unknown column": (dict(people="id,shoe_size\nalice,42\n"), "people.csv:1", "column shoe_size"),
    "extra cells": (dict(people="id,name\nalice,Alice,oops\n"), "people.csv:2", "column 3"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_import_files_exit_2_naming_file_line_and_column(tmp_path, case):
    files, where, column = MALFORMED[case]
    r = check(write(tmp_path, **files))
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    assert where in r.output and column in r.output, r.output


# ----------------------------------------------------------------------------- schedules


@pytest.fixture()
def two():
    return scenario(shifts=[{"name": "day", "repeat": "daily", "starts": "09:00", "length": "8h",
                             "roles": [{"name": "primary"}, {"name": "backup"}]}],
                    people=[{"id": "a", "name": "Ann", "email": "ann@x.com"}, {"id": "b", "name": "Ben"},
                            {"id": "c"}])


def test_hand_made_schedule_by_date_email_and_name(tmp_path, two):
    (tmp_path / "s.csv").write_text(
        "shift,start,person,role\n"
        "day,05/01/2027,ANN@x.com,primary\n"     # day 5 Jan: 05 > 12? no, but 13/01 below decides
        "day,13/01/2027,Ben,backup\n"            # 13 > 12: the file is DD/MM/YYYY
        "day,2027-01-06T09:00:00,c,\n"            # no role: the first free one
        "day,2027-01-06,,backup\n"               # empty slot: skipped
    )
    sched = read_schedule(Problem(two), tmp_path / "s.csv")
    want = manual(two, [(1, "primary", "a"), (2, "primary", "c")])
    assert sched.assignments == want.assignments and len(sched.unmatched) == 1  # 13 Jan is outside
    assert sched.unmatched[0].line == 3


def test_hand_made_wide_schedule_with_names_only(tmp_path, two):
    (tmp_path / "w.csv").write_text("shift,start,primary,backup\nday,2027-01-04,Ann,c\nday,2027-01-05,Ben,\n")
    sched = read_schedule(Problem(two), tmp_path / "w.csv")
    assert sched.assignments == manual(two, [(0, "primary", "a"), (0, "backup", "c"), (1, "primary", "b")]).assignments


@pytest.mark.parametrize("content,where,column", [
    ("shift,start,person_id\nday,2027-01-04,zed\n", "s.csv:2", "column person_id"),
    ("shift,start,person_id\nday,2027-01-04,a\nday,Monday,b\n", "s.csv:3", "column start"),
    ("shift,person_id\nday,a\n", "s.csv:1", "start"),
    ("", "s.csv:1", "header row"),
    # UTF-16 without a byte-order mark is now decoded (issue 17); Windows-1252 is still refused
    ("shift,start,person_id\nday,2027-01-04,Zo\u00eb\n".encode("cp1252"), "s.csv", "UTF-8"),
])
def test_malformed_schedule_files(tmp_path, two, content, where, column):
    p = tmp_path / "s.csv"
    p.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(InputError) as e:
        read_schedule(Problem(two), p)
    assert where in str(e.value) and column in str(e.value), str(e.value)


def test_verify_reads_a_wide_export(tmp_path):
    import yaml

    from optimizer.exports import write_csv

    sc = scenario(people=[{"id": "=a", "name": '=HYPERLINK("http://x")'}, {"id": "李伟"}, {"id": "c"}])
    sched = manual(sc, [(i, "primary", ["=a", "李伟", "c"][i % 3]) for i in range(7)])
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(sc.model_dump(mode="json", by_alias=True), allow_unicode=True),
                                     encoding="utf-8")
    write_csv(sched, tmp_path / "w.csv", "csv-wide", excel=True)
    r = CliRunner().invoke(main, ["verify", str(tmp_path / "s.yaml"), str(tmp_path / "w.csv")])
    assert r.exit_code == 0, r.output
    assert read_schedule(Problem(sc), tmp_path / "w.csv").assignments == sched.assignments
