"""Fairness measures (hand-computed), the HTML report and its files, ``rota report``, and
the page as headless Chromium shows it (no console errors, no external requests)."""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import math
import os
import re
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner
from conftest_report import example_schedule, greedy_schedule, needs_chromium, scenario_two_patterns, visit_page
from PIL import Image

from optimizer.cli import main
from optimizer.fairness_metrics import (
    balance_score,
    fairness_summary,
    fairness_table,
    gini,
    max_min_ratio,
    person_fairness,
    spread,
)
from optimizer.fairshare import fair_shares
from optimizer.problem import Problem
from optimizer.report import day_grid, holiday_table, rosters, write_report
from optimizer.scenario import Scenario
from optimizer.schedule import Assignment, Schedule
from optimizer.verify import evaluate

# --------------------------------------------------------------------------- measures


def test_gini_hand_values() -> None:
    assert gini([5, 5, 5]) == 0
    assert gini([0, 0, 0]) == 0
    assert gini([7]) == 0
    assert gini([0, 0, 0, 1]) == pytest.approx(0.75)  # Σ|xi-xj| = 6, 2 n² mean = 8
    assert gini([1, 2, 3]) == pytest.approx(8 / 36)  # Σ|xi-xj| = 8, 2·9·2 = 36
    assert gini([3, 1, 2]) == gini([1, 2, 3])


def test_balance_score_is_grafanas_pairwise_min_over_max() -> None:
    assert balance_score([10, 20, 40]) == pytest.approx((0.5 + 0.25 + 0.5) / 3)
    assert balance_score([8, 8, 8, 8]) == 1
    assert balance_score([10, 0, 20]) == pytest.approx(0.5)  # people without hours left out
    assert balance_score([12]) == 1
    assert balance_score([]) == 1


def test_spread_and_ratio() -> None:
    assert spread([3, 9, 5]) == 6
    assert spread([4]) == 0
    assert max_min_ratio([2, 8, 4]) == 4
    assert max_min_ratio([0, 3]) == math.inf
    assert max_min_ratio([0, 0]) == 1
    assert max_min_ratio([5]) == 1


def _two_people(fte_b: float = 1.0, history_b: float = 0.0) -> Schedule:
    """A daily 24 h shift Mon 4 - Thu 7 Jan 2027 (UTC, weights 1, no holidays):
    ann takes three days (load 72), ben one (load 24)."""
    sc = Scenario.model_validate(
        {
            "start": "2027-01-04",
            "end": "2027-01-07",
            "shifts": [
                {
                    "name": "d",
                    "repeat": "daily",
                    "starts": "00:00",
                    "length": "24h",
                    "roles": [{"name": "primary"}],
                }
            ],
            "people": [{"id": "ann"}, {"id": "ben", "fte": fte_b, "history": history_b}],
        }
    )
    prob = Problem(sc)
    return Schedule(
        prob, [Assignment(0, 0, 0), Assignment(1, 0, 0), Assignment(2, 0, 0), Assignment(3, 0, 1)]
    )


def test_fairness_summary_hand_computed() -> None:
    s = fairness_summary(_two_people())
    assert s["pool_size"] == 2
    assert (s["load_max"], s["load_min"]) == (72, 24)
    assert s["load_spread"] == 48
    assert s["load_ratio"] == 3
    assert s["load_gini"] == pytest.approx(0.25)  # |72-24|·2 / (2·2·96)
    assert s["balance_score"] == pytest.approx(1 / 3)
    assert s["weekend_spread"] == 0 and s["holiday_spread"] == 0


def test_fairness_summary_per_fte_and_history() -> None:
    # half-time ben: 24 / 0.5 = 48 per FTE; Grafana's balance ignores FTE (raw hours)
    s = fairness_summary(_two_people(fte_b=0.5))
    assert (s["load_max"], s["load_min"], s["load_spread"]) == (72, 48, 24)
    assert s["load_ratio"] == 1.5
    assert s["load_gini"] == pytest.approx(48 / (2 * 2 * 120))
    assert s["balance_score"] == pytest.approx(1 / 3)
    # plus 12 carried in: (24 + 12) / 0.5 = 72 = ann: perfectly even
    s = fairness_summary(_two_people(fte_b=0.5, history_b=12))
    assert (s["load_spread"], s["load_ratio"], s["load_gini"]) == (0, 1, 0)


def test_fairness_of_the_quarterly_schedule() -> None:
    schedule = example_schedule("quarterly")
    people = person_fairness(schedule)
    s = fairness_summary(schedule)
    per_fte = (people["load"] + people["history"]) / people["fte"]
    assert s["load_spread"] == pytest.approx(per_fte.max() - per_fte.min(), abs=0.01)
    # the same spread the optimizer's fair_load term charged
    ev = evaluate(schedule)
    fair = ev.penalties[ev.penalties["rule"] == "fair_load"]
    assert fair["amount"].sum() == pytest.approx(s["load_spread"], abs=0.02)
    table = fairness_table(schedule)
    assert "balance score (Grafana OnCall)" in set(table["measure"])
    assert people["weekends"].sum() > 0


# --------------------------------------------------------------------------- report files


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for k, v in attrs:
            if k in ("src", "href", "srcset", "action", "data", "poster") and v:
                self.refs.append(v)


def _check_self_contained(text: str) -> _Refs:
    parser = _Refs()
    parser.feed(text)
    # a link to the on-call handbook rota writes next to the report loads nothing
    parser.refs = [r for r in parser.refs if r != "handbook.html" and not r.startswith("#")]
    assert "script" not in parser.tags and "link" not in parser.tags and "iframe" not in parser.tags
    assert parser.refs and all(r.startswith("data:image/png;base64,") for r in parser.refs)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", text)  # no CSS fetches
    assert "@import" not in text
    return parser


@pytest.mark.parametrize("name", ["quarterly", "sixty"])
def test_write_report_files(name: str, tmp_path) -> None:
    schedule = example_schedule(name)
    files = write_report(schedule, tmp_path / "out", svg=(name == "quarterly"))
    assert files.html == tmp_path / "out" / "report.html"
    assert set(files.png) == {"load", "calendar", "coverage", "fairness_over_time"}
    for path in files.png.values():
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert Image.open(path).size[0] >= 800
    if name == "quarterly":
        assert set(files.svg) == set(files.png)
        assert all(p.read_text().lstrip().startswith("<?xml") for p in files.svg.values())
    else:
        assert not files.svg and not list((tmp_path / "out").glob("*.svg"))
    text = files.html.read_text(encoding="utf-8")
    parser = _check_self_contained(text)
    assert len(parser.refs) == 4
    # the embedded images are exactly the PNG files
    embedded = [base64.b64decode(r.split(",", 1)[1]) for r in parser.refs]
    assert embedded == [
        files.png[k].read_bytes() for k in ("load", "calendar", "coverage", "fairness_over_time")
    ]
    for person in schedule.problem.people:
        assert person.id in text
    assert "balance score (Grafana OnCall)" in text
    # violations and penalties as evaluate() finds them (the greedy 60-person fill ignores
    # min_rest and max_shifts, so its report lists violations)
    ev = evaluate(schedule)
    assert ev.feasible == (name == "quarterly")
    if ev.feasible:
        assert "Every hard rule is satisfied." in text
    else:
        assert f"{len(ev.violations)} hard rule violation" in text
        assert html.escape(ev.violations.iloc[0]["message"]) in text
    assert not ev.penalties.empty
    for rule in ev.by_rule().index:
        assert f"<td>{rule}</td>" in text


def test_report_shows_solver_result_when_given(tmp_path) -> None:
    from conftest_report import team_scenario

    from optimizer.solve import solve

    sc = team_scenario(n_people=10, days=7, time_off=False)
    result = solve(sc, time_limit=2)
    assert result.schedule is not None
    files = write_report(result.schedule, tmp_path, result=result)
    text = files.html.read_text(encoding="utf-8")
    assert result.status.value in text and "solver status" in text
    assert f"{result.objective:,.2f}" in text


def test_report_escapes_names(tmp_path) -> None:
    sc = Scenario.model_validate(
        {
            "team": "<i>team</i>",
            "start": "2027-01-04",
            "end": "2027-01-05",
            "shifts": [
                {
                    "name": "d",
                    "repeat": "daily",
                    "starts": "09:00",
                    "length": "8h",
                    "roles": [{"name": "primary"}],
                }
            ],
            "people": [
                {"id": "x", "name": "<script>alert(1)</script>"},
                {"id": "y", "name": "Zoë & Co"},
            ],
        }
    )
    files = write_report(greedy_schedule(sc), tmp_path)
    text = files.html.read_text(encoding="utf-8")
    assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "Zoë &amp; Co" in text and "&lt;i&gt;team&lt;/i&gt;" in text
    _check_self_contained(text)


def test_report_for_every_edge_case(tmp_path) -> None:
    for name in ("one", "day"):
        files = write_report(example_schedule(name), tmp_path / name)
        _check_self_contained(files.html.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- roster, grid, holidays, shares


class _Tables(HTMLParser):
    """Every table of a page as rows of cell texts, by the table's class (a parser of our own
    output that shares no code with the templates)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._cls: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self._cls = (a.get("class") or "") + (":" + a["data-shift"] if "data-shift" in a else "")
            self.tables.setdefault(self._cls, [])
        elif tag == "tr" and self._cls is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "span" and a.get("class") in ("hol", "local") and self._cell is not None:
            self._cell.append("\n")  # block-level notes under a name
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None and self._cls is not None:
            self.tables[self._cls].append(self._row)
            self._row = None
        elif tag == "table":
            self._cls = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _tables(path) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.tables


def test_roster_table_lists_every_assignment(tmp_path) -> None:
    schedule = example_schedule("quarterly")
    prob = schedule.problem
    files = write_report(schedule, tmp_path)
    rows = _tables(files.html)["roster:week"]
    assert rows[0] == ["week (Europe/Berlin)", "primary", "secondary"]
    body = rows[1:]
    assert len(body) == len(prob.instances) == 13
    assert body[0][0] == "Mon 04 Jan 10:00 – Mon 11 Jan 10:00"
    for inst, row in zip(prob.instances, body, strict=True):
        for r in range(2):
            want = sorted(prob.people[a.person].display_name for a in schedule.assignments
                          if a.instance == inst.index and a.role == r)
            first_lines = [line for line in row[1 + r].split("\n") if line]
            assert first_lines[0] in want  # the name comes first; holiday notes follow it
            assert all(any(line.startswith(w) for line in first_lines) for w in want)


def test_roster_names_each_persons_holidays_and_local_time(tmp_path) -> None:
    """Hand-checked: the Berlin week of 29 Mar 10:00 CEST is 04:00 EDT in New York; Berlin
    (DE-BE) has Good Friday 26 Mar and Easter Monday 29 Mar, New York neither; the team day
    31 Mar is everyone's."""
    schedule = greedy_schedule(scenario_two_patterns())
    week = next(r for r in rosters(schedule) if r.shift == "week")
    people = {oc.person_id: oc for row in week.rows for cell in row.roles for oc in cell}
    second = week.rows[1]
    on = {oc.person_id: oc for cell in second.roles for oc in cell}
    for pid, oc in on.items():
        if pid == "nora":
            assert oc.local == "Mon 29 Mar 04:00 – Mon 05 Apr 04:00 (America/New_York)"
            assert oc.holidays == ("Team day (31 Mar)",)
        else:
            assert oc.local is None
            assert oc.holidays == ("Easter Monday (29 Mar)", "Team day (31 Mar)")
    assert "nora" in on  # the greedy fill puts nora on the second week (hand-checked)
    assert people["nora"].title == "Nora Quinn: Mon 29 Mar 04:00 – Mon 05 Apr 04:00 their time (America/New_York)"
    # the Singapore triage rows are in Singapore time, with SG's Good Friday for whoever is on
    triage = next(r for r in rosters(schedule) if r.shift == "business-hours")
    friday = next(row for row in triage.rows if row.when.startswith("Fri 26 Mar"))
    assert friday.when == "Fri 26 Mar 09:00 – 17:00"
    assert friday.roles[0][0].holidays == ("Good Friday (26 Mar)",)


def test_day_grid_of_follow_the_sun(tmp_path) -> None:
    schedule = example_schedule("follow_the_sun")
    prob = schedule.problem
    grid = day_grid(schedule)
    assert grid.daily
    assert [c[0] for c in grid.columns] == ["apac", "emea", "amer"]
    assert grid.columns[0][2] == "09:00–17:00 Asia/Singapore"
    sc = prob.scenario
    assert len(grid.rows) == (sc.end - sc.start).days + 1
    # each cell is the person on the instance of that pattern starting that day (own zone)
    for inst in prob.instances:
        day = dt.datetime.fromtimestamp(inst.start, inst.tz).date()
        row = next(r for r in grid.rows if r.day == day)
        col = [c[0] for c in grid.columns].index(inst.shift)
        want = [prob.people[a.person].id for a in schedule.assignments if a.instance == inst.index]
        assert [oc.person_id for oc in row.cells[col].people] == want
    files = write_report(schedule, tmp_path)
    table = _tables(files.html)["grid"]
    assert len(table) == 1 + len(grid.rows)


def test_regression_weekly_grid_shows_the_handover() -> None:
    """A weekly crew changes on Monday at 10:00: that day lists both, the new one 'from 10:00'."""
    schedule = example_schedule("quarterly")
    grid = day_grid(schedule)
    monday = next(r for r in grid.rows if r.day == dt.date(2027, 1, 11))
    primary = monday.cells[0]
    assert primary.handover == "10:00" and len(primary.people) == 2
    tuesday = next(r for r in grid.rows if r.day == dt.date(2027, 1, 12))
    assert tuesday.cells[0].handover is None and len(tuesday.cells[0].people) == 1


def test_holiday_table_names_holidays_per_country() -> None:
    """Q1 2027 for the quarterly team: Epiphany (6 Jan) is a holiday in ES, PL, SE and
    Bavaria (Dan) but not in Berlin, GB or IE; the company offsite is everyone's."""
    rows = holiday_table(example_schedule("quarterly"))
    epiphany = next(r for r in rows if r.day == dt.date(2027, 1, 6))
    assert epiphany.name == "Epiphany"
    assert set(epiphany.calendar.split(", ")) == {"DE-BY", "ES", "PL", "SE"}
    assert set(epiphany.people) == {"Dan Cohen", "Carol Díaz", "Frank Nowak", "Heidi Berg"}
    offsite = next(r for r in rows if r.name == "Company offsite")
    assert len(offsite.people) == 12 and offsite.calendar == "everyone (extra holiday)"
    assert any(r.name == "Saint Patrick's Day" and r.people == ("Erin Walsh",) for r in rows)


def test_fair_shares_section_matches_the_engine(tmp_path) -> None:
    schedule = example_schedule("quarterly")
    shares = fair_shares(schedule.problem)
    files = write_report(schedule, tmp_path)
    text = files.html.read_text(encoding="utf-8")
    rows = _tables(files.html)["shares"]
    assert rows[0][:6] == ["person", "FTE", "history", "fair share", "load", "load − fair share"]
    by_id = {r[0].split()[-1]: r for r in rows[1:]}
    people = person_fairness(schedule).set_index("person_id")
    for pid, share in shares.by_person.items():
        row = by_id[pid]
        assert float(row[3].replace(",", "")) == pytest.approx(share, abs=0.005)
        assert float(row[4].replace(",", "")) == pytest.approx(people.at[pid, "load"], abs=0.005)
    for reason in shares.reasons:
        assert html.escape(reason, quote=False) in text
    assert "half" not in by_id["ivan"][6] and "168" in by_id["ivan"][6]  # ivan carries history
    assert "FTE 0.5" in by_id["grace"][6]


# --------------------------------------------------------------------------- CLI


QUARTERLY = os.path.join(os.path.dirname(__file__), "..", "data", "examples", "quarterly.yaml")


def _hand_made_csv(path) -> None:
    """A naive round robin for the quarterly example: columns shift, start (a date),
    person; roles fill in file order (primary, then secondary)."""
    primaries = ["alice", "carol", "erin", "grace", "ivan", "ken"]
    secondaries = ["alice", "dan", "frank", "heidi", "judy", "lena"]  # alice twice in week 1: a hard violation
    import datetime as dt

    rows = ["shift,start,person"]
    day = dt.date(2027, 1, 4)
    for k in range(13):
        d = day + dt.timedelta(weeks=k)
        rows.append(f"week,{d},{primaries[k % 6]}")
        rows.append(f"week,{d},{secondaries[k % 6]}")
    path.write_text("\n".join(rows) + "\n")


def test_cli_report_for_a_hand_made_schedule(tmp_path) -> None:
    csv = tmp_path / "rota.csv"
    _hand_made_csv(csv)
    out = tmp_path / "report"
    res = CliRunner().invoke(main, ["report", QUARTERLY, str(csv), "--out", str(out), "--svg"])
    assert res.exit_code == 0, res.output
    assert "26 assignments" in res.output and "report.html" in res.output
    for name in (
        "report.html",
        "load.png",
        "calendar.png",
        "coverage.png",
        "fairness_over_time.png",
        "load.svg",
        "calendar.svg",
        "coverage.svg",
        "fairness_over_time.svg",
    ):
        assert (out / name).stat().st_size > 0
    text = (out / "report.html").read_text(encoding="utf-8")
    # the hand-made rotation breaks rules the optimizer keeps (alice both primary and
    # secondary in week 1), and the report lists them
    assert "hard rule violation" in text
    # a row outside the horizon fits no shift: malformed input, refused with its line
    csv.write_text(csv.read_text() + "week,2030-01-07,bob\n")
    res = CliRunner().invoke(main, ["report", QUARTERLY, str(csv), "--out", str(tmp_path / "r2")])
    assert res.exit_code == 2 and ":28:" in res.output and "no instance of this shift starts then" in res.output


def test_cli_report_bad_input_is_exit_2(tmp_path) -> None:
    csv = tmp_path / "rota.csv"
    csv.write_text("shift,start,person\nweek,2027-01-04,nobody\n")
    res = CliRunner().invoke(main, ["report", QUARTERLY, str(csv), "--out", str(tmp_path / "r")])
    assert res.exit_code == 2
    assert "unknown person 'nobody'" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "r" / "report.html").exists()  # nothing written (the folder may be checked first)


# --------------------------------------------------------------------------- browser

SELECTORS = ("table.roster", "table.grid", "table.shares", "table.holidays", ".reasons p")


@needs_chromium
@pytest.mark.parametrize("name", ["follow_the_sun", "two_patterns"])
def test_report_content_in_headless_chromium(name: str, tmp_path) -> None:
    """What a reader sees: the roster, the day grid, the fair shares, why loads differ and the
    holiday names, read back from Chromium's rendering (innerText), not from our HTML."""
    schedule = example_schedule(name) if name != "two_patterns" else greedy_schedule(scenario_two_patterns())
    files = write_report(schedule, tmp_path)
    visit = visit_page(files.html.resolve().as_uri(), selectors=SELECTORS)
    assert visit.console_errors == [] and visit.external_requests == []
    n_patterns = len(schedule.problem.scenario.shifts)
    assert visit.elements["table.roster"] == n_patterns
    assert visit.elements["table.grid"] == 1 and visit.elements["table.shares"] == 1
    assert visit.elements[".reasons p"] >= 1
    text = visit.text
    shares = fair_shares(schedule.problem)
    assert "Why loads differ." in text
    for reason in shares.reasons:
        assert reason in text
    for pid, share in shares.by_person.items():
        name_ = schedule.problem.people[schedule.problem.person_index[pid]].display_name
        assert name_ in text and f"{share:,.2f}".rstrip("0").rstrip(".") in text
    for row in holiday_table(schedule):
        assert row.name in text
    if name == "follow_the_sun":
        # follow-the-sun: the day grid is open, one row per day of the horizon
        sc = schedule.problem.scenario
        assert "Mon 01 Mar" in text and "Sun 11 Apr" in text
        assert "Saint Patrick's Day" in text and "Eid al-Fitr" in text
        assert (sc.end - sc.start).days + 1 == len([r for r in day_grid(schedule).rows])
    else:
        # Nora lives in New York: her Berlin week is also shown in her own time
        assert "Mon 29 Mar 04:00 – Mon 05 Apr 04:00 (America/New_York)" in text
        assert "Good Friday (26 Mar)" in text and "Team day (31 Mar)" in text


@needs_chromium
def test_report_in_headless_chromium(tmp_path) -> None:
    files = write_report(example_schedule("quarterly"), tmp_path)
    visit = visit_page(files.html.resolve().as_uri(), selectors=SELECTORS)
    assert visit.elements["table.roster"] == 1 and visit.elements["table.grid"] == 1
    assert "Easter Monday" in visit.text and "Why loads differ." in visit.text
    assert visit.title == "ai-platform: on-call report"
    assert visit.images_loaded == 4
    assert visit.console_errors == []
    assert visit.external_requests == []
    assert visit.requests[0] == files.html.resolve().as_uri()
    shot_path = tmp_path / "screenshot.png"
    shot_path.write_bytes(visit.screenshot)
    img = Image.open(io.BytesIO(visit.screenshot)).convert("L")
    assert img.size[0] == visit.width and img.size[1] == visit.height > 2000  # the whole page
    lo, hi = img.getextrema()
    assert hi - lo > 100  # not a blank page


@needs_chromium
def test_browser_check_catches_external_requests_and_errors(tmp_path) -> None:
    page = tmp_path / "bad.html"
    page.write_text(
        "<!doctype html><html><head><title>bad</title></head><body>"
        '<img src="https://example.invalid/logo.png"><script>console.error("boom")</script>'
        "</body></html>"
    )
    visit = visit_page(page.resolve().as_uri())
    assert visit.external_requests == ["https://example.invalid/logo.png"]
    assert "boom" in visit.console_errors


def test_regression_handbook_times_in_each_persons_zone(tmp_path) -> None:
    """The handbook said "times in Europe/Berlin" for people in New York: now the header says
    shift times are in the shift's zone and each person living elsewhere gets their own time
    (hand-checked: Mon 29 Mar 10:00 CEST is 04:00 EDT)."""
    sc = scenario_two_patterns().replace(
        escalation=[
            {"level": 1, "name": "Primary on call", "roles": ["primary"], "ack_timeout": "5m"},
            {"level": 2, "name": "Secondary on call", "roles": ["secondary"], "ack_timeout": "10m"},
        ]
    )
    schedule = greedy_schedule(sc)
    files = write_report(schedule, tmp_path)
    assert files.handbook is not None
    page = files.handbook.read_text(encoding="utf-8")
    assert "times in Europe/Berlin" not in page
    assert "each shift's own zone (Asia/Singapore, Europe/Berlin)" in page
    assert "their own time follows their name" in page
    assert "Nora Quinn <span class=\"muted\">[Mon 29 Mar 04:00 – Mon 05 Apr 04:00 America/New_York]</span>" in page
    # Berlin people get no second time on the Berlin week, but their own on Singapore's shifts
    # (09:00 SGT on Tue 23 Mar is 01:00 UTC, 02:00 CET)
    rows = re.findall(r'<tr><td>(week|business-hours)</td><td class="when">(.*?)</td>(.*?)</tr>', page)
    week_rows = [cells for shift, _when, cells in rows if shift == "week"]
    assert len(week_rows) == 2 and "Europe/Berlin]" not in "".join(week_rows)
    tuesday = next(cells for shift, when, cells in rows if when == "Tue 23 Mar 09:00 – 17:00")
    assert "[Tue 23 Mar 02:00 – 10:00 Europe/Berlin]" in tuesday
