"""Hostile input and faults (issue #17): one regression test per item found.

Every case asserts the exit-code contract (exit 2 with file, line and field; never a
traceback), that nothing of a side file leaks into the message, and that inputs are
never overwritten nor outputs half-written.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES

from optimizer.cli import main
from optimizer.errors import EXIT_CODES, InputError
from optimizer.files import write_set
from optimizer.inputs import LIMITS, Limits, excerpt, read_input_bytes
from optimizer.loading import load_scenario
from optimizer.tables import read_csv_table

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
  - {id: bob}
solver: {time_limit: 5}
"""


def write(folder: Path, text: str | bytes, name: str = "s.yaml") -> Path:
    p = folder / name
    p.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8")
    return p


def run(*args: object, code: int = 2):
    r = CliRunner().invoke(main, [str(a) for a in args])
    assert r.exit_code == code, r.output
    assert "Traceback" not in r.output
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    return r.output


def check_fails(tmp_path: Path, text: str | bytes, *expected: str) -> str:
    out = run("check", write(tmp_path, text))
    for e in expected:
        assert e in out, out
    return out


@pytest.fixture
def schedule(tmp_path: Path) -> tuple[Path, Path]:
    """The GOOD scenario and a schedule of it (solved in well under a second)."""
    sc = write(tmp_path, GOOD)
    run("solve", sc, "--out", tmp_path / "out", "--quiet", "--time-limit", 5, code=0)
    return sc, tmp_path / "out" / "assignments.csv"


# --------------------------------------------------------------------------- 1. YAML bombs


def test_regression_billion_laughs_refused_at_once(tmp_path):
    levels = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for k in range(1, 9):  # 10^9 strings once expanded, under 1 KB written
        levels.append(f"a{k}: &a{k} [" + ",".join([f"*a{k - 1}"] * 10) + "]")
    text = GOOD + "\n".join(levels) + "\n"
    assert len(text) < 1500
    t0 = time.perf_counter()
    out = check_fails(tmp_path, text, "s.yaml:", "aliases repeat more than 10,000 values", "the limit")
    assert time.perf_counter() - t0 < 5
    assert "lol" not in out


def test_regression_alias_cycle_is_an_error_not_recursion(tmp_path):
    check_fails(tmp_path, GOOD + "extra_holidays: &a [*a]\n", "s.yaml:16", "cycle")


def test_regression_deep_nesting_refused_before_the_parser_recurses(tmp_path):
    # libyaml's composer recurses in C: 100,000 brackets crashed the interpreter (SIGSEGV)
    check_fails(tmp_path, GOOD + "runbooks: " + "[" * 100_000 + "]" * 100_000 + "\n", "s.yaml:16",
                "nested deeper than 64 levels")


def test_aliases_within_the_budget_still_work(tmp_path):
    text = GOOD.replace("- {id: bob}", "- &b {id: bob}") + "time_off: []\n"
    sc = load_scenario(write(tmp_path, text))
    assert [p.id for p in sc.people] == ["alice", "bob"]


def test_merge_keys_work_and_explicit_keys_win(tmp_path):
    text = GOOD.replace(
        "roles:\n      - {name: primary, count: 1}",
        "roles:\n      - &r {name: primary, count: 2}\n      - {<<: *r, name: secondary, count: 1}",
    ).replace("- {id: bob}", "- {id: bob}\n  - {id: carol}")
    sc = load_scenario(write(tmp_path, text))
    assert [(r.name, r.count) for r in sc.shifts[0].roles] == [("primary", 2), ("secondary", 1)]


# --------------------------------------------------------------------------- 2. side files


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file outside the scenario's folder whose content must never be printed."""
    return write(tmp_path, "id,name\nSECRET_TOKEN=hunter2,x\n", "secret.csv")


@pytest.mark.parametrize("how", ["relative", "absolute", "symlink"])
def test_regression_side_file_outside_the_folder_is_refused_unread(tmp_path, secret, how):
    folder = tmp_path / "team"
    folder.mkdir()
    name = {"relative": "../secret.csv", "absolute": str(secret), "symlink": "people.csv"}[how]
    if how == "symlink":
        (folder / "people.csv").symlink_to(secret)
    sc = write(folder, GOOD.replace("people:\n  - {id: alice, email: alice@example.com}\n  - {id: bob}\n",
                                    f"people: {name}\n"))
    out = run("check", sc)
    assert "s.yaml:12: people:" in out and "outside the scenario's folder" in out and "--allow-dir" in out
    assert "hunter2" not in out and "SECRET" not in out


def test_allow_dir_lifts_the_confinement(tmp_path, secret):
    folder = tmp_path / "team"
    sc = write(folder, GOOD.replace("people:\n  - {id: alice, email: alice@example.com}\n  - {id: bob}\n",
                                    "people: ../people.csv\n"))
    write(tmp_path, "id\nalice\nbob\n", "people.csv")
    run("check", sc)
    out = run("--allow-dir", tmp_path, "check", sc, code=0)
    assert "2 people" in out


def test_allow_dirs_in_python(tmp_path):
    from optimizer.inputs import allow_dirs

    sc = write(tmp_path / "team", GOOD.replace(
        "people:\n  - {id: alice, email: alice@example.com}\n  - {id: bob}\n", "people: ../hr/people.csv\n"))
    write(tmp_path / "hr", "id\nalice\nbob\n", "people.csv")
    with pytest.raises(InputError, match="outside the scenario's folder"):
        load_scenario(sc)
    with allow_dirs(tmp_path / "hr"):
        assert len(load_scenario(sc).people) == 2
    with pytest.raises(InputError, match="outside the scenario's folder"):  # only within the block
        load_scenario(sc)


@pytest.mark.parametrize("target", ["/proc/self/environ", "/dev/zero", "/dev/urandom", "/etc/shadow"])
def test_regression_system_files_are_never_read_or_echoed(tmp_path, target, monkeypatch):
    monkeypatch.setenv("ROTA_TEST_SECRET", "hunter2")
    sc = write(tmp_path, GOOD.replace("people:\n  - {id: alice, email: alice@example.com}\n  - {id: bob}\n",
                                      f"people: {target}\n"))
    t0 = time.perf_counter()
    out = run("check", sc)  # confined: outside the folder, never opened
    assert "outside the scenario's folder" in out and "root:" not in out
    if target.startswith(("/proc", "/dev")):
        out = run("--allow-dir", "/", "check", sc)  # allowed: still no device, FIFO or /proc file
        assert "not a regular file" in out, out
        assert "hunter2" not in out and "ROTA_TEST_SECRET" not in out
    assert time.perf_counter() - t0 < 10


def test_regression_fifo_does_not_block(tmp_path):
    os.mkfifo(tmp_path / "people.csv")
    sc = write(tmp_path, GOOD.replace("people:\n  - {id: alice, email: alice@example.com}\n  - {id: bob}\n",
                                      "people: people.csv\n"))
    out = run("check", sc)
    assert "not a regular file" in out


def test_regression_oversized_files_refused_at_once_with_the_limit(tmp_path):
    big = tmp_path / "s.yaml"
    with open(big, "wb") as f:  # sparse: no disk space, refused by its size before reading
        f.truncate(LIMITS.yaml_bytes + 1)
    t0 = time.perf_counter()
    out = run("check", big)
    assert "the limit is 4 MiB" in out
    csv_file = tmp_path / "people.csv"
    with open(csv_file, "wb") as f:
        f.truncate(LIMITS.csv_bytes + 1)
    sc = write(tmp_path, GOOD.replace("people:\n  - {id: alice, email: alice@example.com}\n  - {id: bob}\n",
                                      "people: people.csv\n"), "t.yaml")
    out = run("check", sc)
    assert "people.csv" in out and "the limit is 32 MiB" in out
    assert time.perf_counter() - t0 < 5


def test_row_limit_refused_naming_the_row(tmp_path):
    p = write(tmp_path, "id\na\nb\nc\nd\n", "people.csv")
    assert len(read_csv_table(p, "people", limits=Limits(csv_rows=4)).rows) == 4
    with pytest.raises(InputError) as e:
        read_csv_table(p, "people", limits=Limits(csv_rows=3))
    assert "more than 3 rows (the limit)" in str(e.value) and "people.csv:5" in str(e.value)


def test_read_input_bytes_refuses_a_file_that_grew_past_the_limit(tmp_path):
    p = write(tmp_path, "x" * 100, "a.csv")
    assert len(read_input_bytes(p, "people", 100)) == 100
    with pytest.raises(InputError, match="the limit is 99 bytes"):
        read_input_bytes(p, "people", 99)


def test_errors_quote_only_short_sanitised_excerpts(tmp_path):
    out = run("check", _scenario_with_people(tmp_path, ("id,\x1b[31m" + "A" * 500 + "\nalice,x\n").encode()))
    assert "people.csv:1: column \\x1b[31mAAA" in out and "U+001B" in out
    assert "\x1b" not in out and "A" * 41 not in out
    out = run("check", _scenario_with_people(tmp_path, ("id," + "B" * 500 + "\nalice,x\n").encode()))
    assert "unknown column(s): BBB" in out and "B" * 41 not in out
    assert excerpt("a\nb" + "c" * 100) == "'a\\nb" + "c" * 37 + "...'"


# --------------------------------------------------------------------------- 3. tracebacks


@pytest.mark.parametrize("char", ["\x07", "\x00", "\x1b"])
def test_regression_control_characters_in_yaml(tmp_path, char):
    check_fails(tmp_path, GOOD.replace("team: t", f"team: t{char}x"), "s.yaml:1", f"U+{ord(char):04X}")


@pytest.mark.parametrize(
    "old, new, field",
    [
        ("length: 7d", "length: 1000000000d", "shifts[0].length"),
        ("length: 7d", "length: 9999999d", "shifts[0].length"),
        ("length: 7d", "length: 400d", "shifts[0]"),
        ("end: 2027-01-31", "end: 9999-12-31", "end"),
        ("- {id: bob}", "- {id: bob, history: .inf}", "people[1].history"),
        ("- {id: bob}", "- {id: bob, history: 1e308}", "people[1].history"),
        ("- {id: bob}", "- {id: bob, max_hours: 1e30}", "people[1].max_hours"),
        ("- {id: bob}", "- {id: bob, max_hours: .nan}", "people[1].max_hours"),
        ("solver: {time_limit: 5}", "solver: {time_limit: 5}\nrules: {max_hours: {hours: .inf, within: 7d}}",
         "rules.max_hours[0].hours"),
        ("solver: {time_limit: 5}", "solver: {time_limit: 5}\nrules: {max_hours: {hours: 1e30, within: 7d}}",
         "rules.max_hours[0].hours"),
        ("timezone: Europe/Berlin", "timezone: Europe", "timezone"),
        ("timezone: Europe/Berlin", "timezone: " + "A" * 300, "timezone"),
        ("timezone: Europe/Berlin", "timezone: ../../../etc/passwd", "timezone"),
        ("email: alice@example.com", 'email: "alice@example.com\\r\\nBCC: x@y.z"', "people[0].email"),
        ("- {id: bob}", '- {id: "bob\\nEND:VEVENT"}', "people[1].id"),
        ("solver: {time_limit: 5}", "solver: {time_limit: 5, seed: 2147483648}", "solver.seed"),
        ("solver: {time_limit: 5}", "solver: {time_limit: .inf}", "solver.time_limit"),
        ("solver: {time_limit: 5}", "solver: {params: {random_seed: 2147483648}}", "solver.params.random_seed"),
        ("solver: {time_limit: 5}", "solver: {params: {no_such_parameter: 1}}", "solver.params.no_such_parameter"),
    ],
)
def test_regression_values_beyond_the_model_are_refused_at_check(tmp_path, old, new, field):
    assert old in GOOD
    out = check_fails(tmp_path, GOOD.replace(old, new), "s.yaml:", field)
    assert "A" * 50 not in out


def test_regression_time_off_to_year_9999(tmp_path):
    text = GOOD + "time_off:\n  - {person: alice, from: 2027-01-11, to: 9999-12-31}\n"
    check_fails(tmp_path, text, "s.yaml:17", "time_off[0].to", "supported range")


def test_regression_ctrl_c_during_start_up_exits_130_without_traceback(tmp_path, monkeypatch):
    import optimizer.cli.check as check

    def interrupted(*_a, **_k):
        raise KeyboardInterrupt

    monkeypatch.setattr(check, "load_scenario", interrupted)
    out = run("check", write(tmp_path, GOOD), code=130)
    assert "interrupted" in out


# --------------------------------------------------------------------------- 4. outputs


def test_regression_unwritable_out_is_refused_before_solving(tmp_path):
    sc = write(tmp_path, GOOD)
    blocker = write(tmp_path, "not a folder", "file.txt")
    for out_dir in (blocker, blocker / "sub"):
        out = run("solve", sc, "--out", out_dir, "--quiet")
        assert str(out_dir) in out and "--out" in out
        assert "status" not in out  # refused before the solve, not after it


def test_regression_a_failed_write_leaves_no_half_pair(tmp_path, monkeypatch):
    a, b = tmp_path / "assignments.csv", tmp_path / "people.csv"
    a.write_text("old a")
    b.write_text("old b")
    calls = []
    real = os.fsync

    def full_disk(fd):
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(28, "No space left on device", str(b))
        real(fd)

    monkeypatch.setattr("optimizer.files.os.fsync", full_disk)
    with pytest.raises(OSError):
        write_set({a: b"new a", b: b"new b"})
    assert (a.read_text(), b.read_text()) == ("old a", "old b")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["assignments.csv", "people.csv"]  # no temp files left


def test_regression_disk_full_is_exit_2_naming_the_file(schedule, monkeypatch):
    sc, assignments = schedule

    def full_disk(files):
        raise OSError(28, "No space left on device", str(next(iter(files))))

    monkeypatch.setattr("optimizer.cli.whatif.write_frames", full_disk)
    out = run("simulate", sc, assignments, "--runs", 3, "--out", assignments.parent / "sim")
    assert "risk_shifts.csv" in out and "No space left on device" in out


# --------------------------------------------------------------------------- 5. inputs overwritten


def test_regression_simulate_refuses_to_overwrite_its_schedule(schedule):
    sc, assignments = schedule
    sim = assignments.parent / "sim"
    sim.mkdir()
    target = sim / "risk_shifts.csv"
    target.write_bytes(assignments.read_bytes())
    before = target.read_bytes()
    out = run("simulate", sc, target, "--runs", 3, "--out", sim)
    assert "refusing to overwrite" in out
    assert target.read_bytes() == before


def test_regression_report_refuses_to_overwrite_its_scenario(schedule):
    sc, assignments = schedule
    rep = sc.parent / "rep"
    rep.mkdir()
    moved = rep / "report.html"
    moved.write_text(sc.read_text())
    out = run("report", moved, assignments, "--out", rep)
    assert "would be overwritten" in out
    assert moved.read_text() == sc.read_text()


def test_regression_solve_report_refuses_to_overwrite_an_input(tmp_path):
    out_dir = tmp_path / "out"
    sc = write(out_dir, GOOD, "load.png")
    out = run("solve", sc, "--out", out_dir, "--report", "--quiet")
    assert "would be overwritten" in out and (out_dir / "load.png").read_text() == GOOD


# --------------------------------------------------------------------------- 6. misleading or silent


def test_regression_duplicate_keys_name_both_lines(tmp_path):
    check_fails(tmp_path, GOOD + "team: other\n", "s.yaml:16",
                "duplicate key 'team' (first on line 1, again on line 16)")


def test_regression_no_spurious_too_short_error_for_an_invalid_shift(tmp_path):
    out = check_fails(tmp_path, GOOD.replace("count: 1", "count: 0"), "s.yaml:11", "shifts[0].roles[0].count")
    assert "at least 1 item" not in out


def test_regression_time_limit_nan_is_blamed_on_the_option(tmp_path):
    out = run("solve", write(tmp_path, GOOD), "--time-limit", "nan", "--out", tmp_path / "o")
    assert "--time-limit" in out and "finite" in out and "s.yaml" not in out


def test_regression_unterminated_quote_is_an_error_at_its_line(tmp_path):
    out = run("check", _scenario_with_people(tmp_path, b'id,name\nalice,"Alice\nbob,Bob\ncarol,Carol\n'))
    assert "people.csv:2" in out and "never closed" in out


def test_regression_comma_header_with_semicolon_rows(tmp_path):
    out = run("check", _scenario_with_people(tmp_path, b"id,name\nalice;Alice\nbob;Bob\n"))
    assert "people.csv:2" in out and "semicolons" in out


@pytest.mark.parametrize("codec", ["utf-32", "utf-32-le", "utf-32-be", "utf-16", "utf-16-le", "utf-8-sig"])
def test_regression_utf16_and_utf32_are_told_apart(tmp_path, codec):
    sc = _scenario_with_people(tmp_path, "id,name\nalice,Alice Müller\nbob,Bob 李\n".encode(codec))
    people = load_scenario(sc).people
    assert [p.name for p in people] == ["Alice Müller", "Bob 李"]


def test_regression_people_errors_name_the_people_file_beside_a_time_off_file(tmp_path):
    write(tmp_path, "person,from,to\nalice,2027-01-11,2027-01-12\n", "time_off.csv")
    sc = _scenario_with_people(tmp_path, b"id,fte\nalice,2\nbob,\n", extra="time_off: time_off.csv\n")
    out = run("check", sc)
    assert "people.csv:2: people[0].fte (column fte)" in out and "time_off.csv" not in out


def _scenario_with_people(folder: Path, data: bytes, extra: str = "") -> Path:
    write(folder, data, "people.csv")
    return write(folder, GOOD.replace("people:\n  - {id: alice, email: alice@example.com}\n  - {id: bob}\n",
                                      "people: people.csv\n") + extra)


# --------------------------------------------------------------------------- 8. SIGTERM


def test_regression_sigterm_keeps_the_best_schedule(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "optimizer.cli", "solve", str(EXAMPLES / "follow_the_sun.yaml"), "--out",
         str(tmp_path), "--time-limit", "300"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    deadline = time.time() + 60
    line = ""
    while time.time() < deadline:
        line = proc.stderr.readline()
        if "schedule #" in line:
            break
    assert "schedule #" in line
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "stopped early: not proven optimal" in out
    assert (tmp_path / "assignments.csv").stat().st_size > 0 and (tmp_path / "people.csv").stat().st_size > 0


def test_exit_codes_are_documented():
    text = (Path(__file__).resolve().parent.parent / "docs" / "errors.md").read_text(encoding="utf-8")
    for code in EXIT_CODES:
        assert f"| {code} " in text
