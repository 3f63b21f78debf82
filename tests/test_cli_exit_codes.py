"""Exit codes of the CLI at its edges: schedule rows that fit no shift of the scenario are
malformed input (exit 2, file:line: column) in every command that reads a schedule, and a
stdout closed by its reader (``| head``) exits 141 silently. See docs/errors.md."""

from __future__ import annotations

import csv
import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, ROOT
from conftest import run_cli as run

from optimizer.cli import main
from optimizer.cli.base import SHOWN_UNMATCHED
from optimizer.errors import EXIT_BROKEN_PIPE, EXIT_INPUT, EXIT_VIOLATIONS

QUARTERLY = EXAMPLES / "quarterly.yaml"


@pytest.fixture(scope="module")
def solved(solved_quarterly) -> Path:
    """A schedule of quarterly.yaml from ``rota solve``, the reviewer's starting point."""
    return solved_quarterly / "assignments.csv"


def edited(solved: Path, tmp_path: Path, **changes: str) -> Path:
    """A copy of the solved schedule with the cells of its second row (line 3) changed."""
    with open(solved, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    rows[1].update(changes)
    bad = tmp_path / "bad.csv"
    with open(bad, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return bad


def commands(schedule: Path, tmp_path: Path) -> dict[str, list[object]]:
    """Every command that reads a schedule file through the CLI (solve --baseline and
    escalation are not covered here)."""
    week = "2027-01-04"
    return {
        "verify": ["verify", QUARTERLY, schedule],
        "report": ["report", QUARTERLY, schedule, "--out", tmp_path / "rep"],
        "export": ["export", QUARTERLY, schedule, "--format", "csv", "--out", tmp_path / "e.csv"],
        "diff": ["diff", QUARTERLY, schedule, schedule],
        "explain": ["explain", QUARTERLY, schedule, "--shift", "week", "--start", week],
        "swap": ["swap", QUARTERLY, schedule, "--person", "ken", "--shift", "week", "--start", week],
        "simulate": ["simulate", QUARTERLY, schedule, "--runs", "5"],
    }


COMMANDS = ["verify", "report", "export", "diff", "explain", "swap", "simulate"]


# ----------------------------------------------------------------------------- malformed rows


@pytest.mark.parametrize("name", COMMANDS)
def test_unknown_shift_pattern_exits_2_in_every_command(solved, tmp_path, name):
    bad = edited(solved, tmp_path, shift="wek")
    r = run(*commands(bad, tmp_path)[name])
    assert r.exit_code == EXIT_INPUT, r.output
    assert "error: invalid input" in r.stderr
    assert "bad.csv:3: column shift: no shift pattern named 'wek'" in r.stderr, r.stderr
    assert "(person " in r.stderr  # the row-level detail is kept
    assert "Traceback" not in r.output and "hard rules" not in r.output and "[coverage]" not in r.output
    assert not (tmp_path / "e.csv").exists()
    assert not (tmp_path / "rep" / "report.html").exists()


@pytest.mark.parametrize("name", COMMANDS)
def test_start_where_no_instance_starts_exits_2_in_every_command(solved, tmp_path, name):
    bad = edited(solved, tmp_path, start="2027-01-06")  # a Wednesday: the weekly shift starts Mondays
    r = run(*commands(bad, tmp_path)[name])
    assert r.exit_code == EXIT_INPUT, r.output
    assert "bad.csv:3: column start: no instance of this shift starts then (shift 'week', start '2027-01-06'" \
        in r.stderr, r.stderr
    assert "Traceback" not in r.output


def test_the_commands_word_it_alike(solved, tmp_path):
    bad = edited(solved, tmp_path, shift="wek")
    said = {name: run(*args).stderr for name, args in commands(bad, tmp_path).items()}
    assert len(set(said.values())) == 1, said


def test_unknown_role_exits_2(solved, tmp_path):
    bad = edited(solved, tmp_path, role="tertiary")
    r = run("verify", QUARTERLY, bad)
    assert r.exit_code == EXIT_INPUT, r.output
    assert "bad.csv:3: role: shift 'week' has no role 'tertiary'" in r.stderr, r.stderr


def test_unknown_person_exits_2(solved, tmp_path):
    bad = edited(solved, tmp_path, person_id="zed")
    for args in commands(bad, tmp_path).values():
        r = run(*args)
        assert r.exit_code == EXIT_INPUT, (args, r.output)
        assert "bad.csv:3: column person_id: unknown person 'zed'" in r.stderr, r.stderr


def test_a_repeated_row_exits_2(solved, tmp_path):
    with open(solved, encoding="utf-8", newline="") as f:
        lines = f.read().splitlines()
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")
    r = run("verify", QUARTERLY, bad)
    assert r.exit_code == EXIT_INPUT, r.output
    assert f"bad.csv:{len(lines) + 1}: the same assignment is already on line 2" in r.stderr, r.stderr


def test_many_bad_rows_are_counted_and_the_first_listed(solved, tmp_path):
    with open(solved, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        row["shift"] = "wek"
    bad = tmp_path / "bad.csv"
    with open(bad, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    r = run("verify", QUARTERLY, bad)
    assert r.exit_code == EXIT_INPUT
    assert f"{len(rows)} rows of the schedule name" in r.stderr
    assert r.stderr.count("no shift pattern named 'wek'") == SHOWN_UNMATCHED
    assert f"... and {len(rows) - SHOWN_UNMATCHED} more such row(s)" in r.stderr


def test_a_long_shift_name_is_quoted_as_a_short_excerpt(solved, tmp_path):
    bad = edited(solved, tmp_path, shift="w" + "x" * 5000, start="2027-01-04" + " " * 3000)
    r = run("verify", QUARTERLY, bad)
    assert r.exit_code == EXIT_INPUT
    assert "x" * 40 not in r.stderr and " " * 41 not in r.stderr
    assert f"no shift pattern named 'w{'x' * 39}...'" in r.stderr, r.stderr


def test_verify_still_exits_1_for_broken_rules(solved, tmp_path):
    with open(solved, encoding="utf-8", newline="") as f:
        first = next(csv.DictReader(f))
    bad = edited(solved, tmp_path, person_id=first["person_id"])  # the first week's primary is its secondary too
    r = run("verify", QUARTERLY, bad)
    assert r.exit_code == EXIT_VIOLATIONS, r.output
    assert "[coverage]" in r.output and "holds 2 roles" in r.output


def test_a_good_schedule_still_passes(solved, tmp_path):
    for name, args in commands(solved, tmp_path).items():
        if name in ("explain", "swap", "diff"):
            continue  # their output depends on the solve; exit 0 is all they share
        r = run(*args)
        assert r.exit_code == 0, (name, r.output)


# ----------------------------------------------------------------------------- closed stdout


def _env() -> dict[str, str]:
    env = dict(os.environ)
    # as a user runs it: with PYTHONUNBUFFERED, Python's unbuffered stdout drops the rest of a write
    # that the kernel cut short when the reader left, and no error is raised at all
    env.pop("PYTHONUNBUFFERED", None)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def _closed_early(args: list[object], read_line: bool) -> tuple[int, str]:
    """Run ``python -m optimizer.cli ARGS | head -1`` (read_line) or ``| true`` (close at once)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "optimizer.cli", *map(str, args)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, env=_env(),
    )
    assert proc.stdout is not None and proc.stderr is not None
    if read_line:
        assert proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode("utf-8", "replace")
    return proc.wait(timeout=120), err


def test_reading_one_line_of_a_long_output(tmp_path):
    # the JSON Schema is ~170 kB, more than a pipe holds: rota is still writing when head leaves
    code, err = _closed_early(["schema"], read_line=True)
    assert code == EXIT_BROKEN_PIPE == 141, err
    assert "error" not in err.lower() and "Traceback" not in err and "Exception ignored" not in err, err


def test_verify_read_one_line_of_many_violations(tmp_path):
    sc = tmp_path / "s.yaml"
    sc.write_text(
        "timezone: UTC\nstart: 2027-01-04\nend: 2028-12-31\n"
        "shifts:\n  - {name: day, repeat: daily, starts: '09:00', length: 8h,\n"
        "     roles: [{name: a}, {name: b}, {name: c}]}\n"
        "people: [{id: p}]\n",
        encoding="utf-8",
    )
    empty = tmp_path / "empty.csv"
    empty.write_text("shift,start,person_id\n", encoding="utf-8")
    assert run("verify", sc, empty).exit_code == EXIT_VIOLATIONS  # ~2200 violation lines
    code, err = _closed_early(["verify", sc, empty], read_line=True)
    assert code == EXIT_BROKEN_PIPE, err
    assert "error" not in err.lower() and "Traceback" not in err and "Exception ignored" not in err, err


@pytest.mark.parametrize("name", ["check", "verify", "simulate", "report"])
def test_closed_stdout_exits_141_silently(solved, tmp_path, name):
    args = {
        "check": ["check", QUARTERLY],
        "verify": ["verify", QUARTERLY, solved],
        "simulate": ["simulate", QUARTERLY, solved, "--runs", "20"],
        "report": ["report", QUARTERLY, solved, "--out", tmp_path / "rep"],
    }[name]
    code, err = _closed_early(args, read_line=False)
    assert code == EXIT_BROKEN_PIPE, err
    assert "error" not in err.lower() and "Traceback" not in err and "Exception ignored" not in err, err
    assert "cannot write" not in err


@pytest.mark.parametrize("exc", [BrokenPipeError(errno.EPIPE, "Broken pipe"), OSError(errno.EPIPE, "Broken pipe")])
def test_broken_pipe_in_process(monkeypatch, solved, exc):
    import optimizer.cli.verify as verify_cli

    def closed(*_a, **_k):
        raise exc

    monkeypatch.setattr(verify_cli, "print_evaluation", closed)
    r = CliRunner().invoke(main, ["verify", str(QUARTERLY), str(solved)])
    assert r.exit_code == EXIT_BROKEN_PIPE, r.output
    assert r.output == ""  # nothing said, on stdout or stderr


def test_other_write_errors_still_exit_2(monkeypatch, solved):
    import optimizer.cli.verify as verify_cli

    def full(*_a, **_k):
        raise OSError(errno.ENOSPC, "No space left on device", "out.csv")

    monkeypatch.setattr(verify_cli, "print_evaluation", full)
    r = CliRunner().invoke(main, ["verify", str(QUARTERLY), str(solved)])
    assert r.exit_code == EXIT_INPUT
    assert "error: cannot write out.csv: No space left on device" in r.stderr
