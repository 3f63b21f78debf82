"""``--format xlsx``: a workbook with typed cells, read back with openpyxl, with the raw
sheet XML (zipfile) and, where LibreOffice is installed, converted by ``soffice``.

Names that a spreadsheet would run as formulas stay plain text, exactly as written,
with no escape apostrophe: the cells are typed strings.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from optimizer import Problem, Scenario, Schedule
from optimizer.exports import write_csv, write_xlsx
from optimizer.schedule import Assignment

NAMES = ['=HYPERLINK("http://x","y")', "+1", "@SUM(A1)", "-2", "Zoë Ölçek", "王小明", "محمد"]
STAMP = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def sched() -> Schedule:
    """Two zones across Berlin's spring-forward, a role of two; everyone named with a hostile or non-Latin name."""
    sc = Scenario.model_validate(
        {
            "team": "xl",
            "timezone": "Europe/Berlin",
            "start": "2027-03-22",
            "end": "2027-04-04",
            "shifts": [
                {
                    "name": "week",
                    "repeat": "weekly",
                    "starts": "mon 10:00",
                    "length": "7d",
                    "roles": [{"name": "primary"}, {"name": "secondary", "count": 2}],
                },
                {
                    "name": "nyc",
                    "repeat": "daily",
                    "starts": "18:00",
                    "length": "12h",
                    "timezone": "America/New_York",
                    "days": ["sat"],
                    "roles": [{"name": "primary"}],
                },
            ],
            "people": [{"id": f"p{k}", "name": name, "email": f"p{k}@example.com"} for k, name in enumerate(NAMES)],
            "fairness": {"load": 0, "weekends": 0, "holidays": 0},
        }
    )
    prob = Problem(sc)
    out, k = [], 0
    for inst in prob.instances:
        for r, role in enumerate(inst.roles):
            for _ in range(role.count):
                out.append(Assignment(inst.index, r, k % len(NAMES)))
                k += 1
    return Schedule(prob, out)


@pytest.fixture(scope="module")
def book(sched: Schedule, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("xlsx") / "rota.xlsx"
    write_xlsx(sched, path, stamp=STAMP)
    return path


def test_sheets_header_frozen_widths(book: Path) -> None:
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == ["Roster", "Assignments", "Summary"]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2"
        assert all(c.font.bold for c in ws[1])
        widths = [ws.column_dimensions[c.column_letter].width for c in ws[1]]
        assert all(w and w >= len(str(c.value)) for w, c in zip(widths, ws[1], strict=True))


def test_assignments_sheet_has_typed_cells(book: Path, sched: Schedule) -> None:
    ws = openpyxl.load_workbook(book)["Assignments"]
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    assert header == ("shift", "role", "start", "end", "zone", "hours", "person_id", "person_name", "email")
    prob = sched.problem
    assert len(rows) - 1 == len(sched.assignments)
    for a, row in zip(sched.assignments, rows[1:], strict=True):
        r = dict(zip(header, row, strict=True))
        inst = prob.instances[a.instance]
        assert isinstance(r["start"], dt.datetime) and isinstance(r["end"], dt.datetime)
        # the wall clock in the shift's zone (Berlin's week over the change is 167 h long)
        assert r["start"] == dt.datetime.fromtimestamp(inst.start, inst.tz).replace(tzinfo=None)
        assert r["end"] == dt.datetime.fromtimestamp(inst.end, inst.tz).replace(tzinfo=None)
        assert r["zone"] == inst.tz.key
        assert isinstance(r["hours"], (int, float)) and r["hours"] == pytest.approx(inst.seconds / 3600)
        assert r["person_name"] == prob.people[a.person].display_name
    assert {r[5] for r in rows[1:]} >= {167, 168, 12}


def test_names_are_typed_strings_never_formulas(book: Path) -> None:
    wb = openpyxl.load_workbook(book)
    seen = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
                if c.value in NAMES:
                    assert c.data_type == "s"
                    seen.add(c.value)
    assert seen == set(NAMES)  # exactly as written: no leading apostrophe
    with zipfile.ZipFile(book) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(rb"<(?:\w+:)?f[ >]", z.read(name)), name


def test_roster_sheet_one_row_per_instance(book: Path, sched: Schedule) -> None:
    rows = list(openpyxl.load_workbook(book)["Roster"].iter_rows(values_only=True))
    prob = sched.problem
    assert rows[0][:4] == ("shift", "start", "end", "zone")
    assert "primary" in rows[0] and "secondary_1" in rows[0] and "secondary_2" in rows[0]
    assert len(rows) - 1 == len(prob.instances)
    col = rows[0].index("primary")
    by_inst = sched.by_instance()
    for inst, row in zip(prob.instances, rows[1:], strict=True):
        assert isinstance(row[1], dt.datetime)
        who = [prob.people[a.person].display_name for a in by_inst[inst.index] if inst.roles[a.role].name == "primary"]
        assert row[col] == who[0]


def test_summary_sheet_numbers(book: Path, sched: Schedule) -> None:
    rows = list(openpyxl.load_workbook(book)["Summary"].iter_rows(values_only=True))
    header = rows[0]
    assert len(rows) - 1 == len(sched.problem.people)
    hours = header.index("hours")
    total = sum(r[hours] for r in rows[1:])
    assert total == pytest.approx(sum(sched.problem.instances[a.instance].seconds for a in sched.assignments) / 3600)
    start = header.index("period_start")
    assert all(isinstance(r[start], dt.datetime) and r[start].date() == dt.date(2027, 3, 22) for r in rows[1:])


def test_utc_option_gives_utc_wall_times(sched: Schedule, tmp_path: Path) -> None:
    path = write_xlsx(sched, tmp_path / "utc.xlsx", utc=True, stamp=STAMP)
    rows = list(openpyxl.load_workbook(path)["Assignments"].iter_rows(values_only=True))
    inst = sched.problem.instances[sched.assignments[0].instance]
    assert rows[1][2] == dt.datetime.fromtimestamp(inst.start, dt.UTC).replace(tzinfo=None) and rows[1][4] == "UTC"


def test_cli_export_xlsx(sched: Schedule, tmp_path: Path) -> None:
    import yaml

    from optimizer.cli import main

    sc_file = tmp_path / "s.yaml"
    sc_file.write_text(
        yaml.safe_dump(
            sched.problem.scenario.model_dump(mode="json", by_alias=True, exclude_none=True), allow_unicode=True
        ),
        encoding="utf-8",
    )
    assignments = tmp_path / "a.csv"
    write_csv(sched, assignments)
    out = tmp_path / "out.xlsx"
    r = CliRunner().invoke(main, ["export", str(sc_file), str(assignments), "--format", "xlsx", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "xlsx" in r.output
    rows = list(openpyxl.load_workbook(out)["Assignments"].iter_rows(values_only=True))
    assert len(rows) - 1 == len(sched.assignments) and {r[7] for r in rows[1:]} == set(NAMES)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_reads_names_dates_and_hours(book: Path, sched: Schedule, tmp_path: Path) -> None:
    """LibreOffice converts each sheet to CSV (UTF-8): names intact and plain, dates as
    date-times, hours as numbers."""
    profile = tmp_path / "lo-profile"
    filt = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", filt,
         "--outdir", str(tmp_path), str(book)],
        check=True, capture_output=True, timeout=240,
    )  # fmt: skip
    sheet = tmp_path / "rota-Assignments.csv"
    assert sheet.exists(), sorted(p.name for p in tmp_path.iterdir())
    rows = list(csv.reader(io.StringIO(sheet.read_text(encoding="utf-8"), newline="")))
    header = rows[0]
    assert header[:6] == ["shift", "role", "start", "end", "zone", "hours"]
    names = {r[header.index("person_name")] for r in rows[1:]}
    assert names == set(NAMES)
    prob = sched.problem
    for a, r in zip(sched.assignments, rows[1:], strict=True):
        inst = prob.instances[a.instance]
        assert dt.datetime.fromisoformat(r[2]) == dt.datetime.fromtimestamp(inst.start, inst.tz).replace(tzinfo=None)
        assert float(r[5]) == pytest.approx(inst.seconds / 3600)
    # the cell types as LibreOffice holds them: flat ODF, one office:value-type per cell
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "fods",
         "--outdir", str(tmp_path), str(book)],
        check=True, capture_output=True, timeout=240,
    )  # fmt: skip
    import xml.etree.ElementTree as ET

    ns = {
        "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
        "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
        "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    }
    root = ET.parse(tmp_path / "rota.fods").getroot()
    sheet_el = next(t for t in root.iter(f"{{{ns['table']}}}table") if t.get(f"{{{ns['table']}}}name") == "Assignments")
    row_els = sheet_el.findall(f"{{{ns['table']}}}table-row")
    kinds = []
    for row_el in row_els[1:3]:
        cells = row_el.findall(f"{{{ns['table']}}}table-cell")
        kinds.append([c.get(f"{{{ns['office']}}}value-type") for c in cells[:8]])
    assert kinds[0] == ["string", "string", "date", "date", "string", "float", "string", "string"], kinds
    assert not [c for c in root.iter(f"{{{ns['table']}}}table-cell") if c.get(f"{{{ns['table']}}}formula")]


def test_same_schedule_and_stamp_give_the_same_bytes(sched: Schedule) -> None:
    from optimizer.exports import workbook_bytes

    first = workbook_bytes(sched, stamp=STAMP)
    assert first == workbook_bytes(sched, stamp=STAMP)
    assert first != workbook_bytes(sched, stamp=STAMP + dt.timedelta(days=1))  # the stamp is in it
    props = openpyxl.load_workbook(io.BytesIO(first)).properties
    assert props.created == props.modified == STAMP.replace(tzinfo=None)
