"""Structured mutations of the example scenarios and CSVs, and the contract every case must keep.

Used by tests/test_fuzz.py (hypothesis draws the mutations) and by tests/hostile_corpus.py
(a seeded corpus of a few hundred cases, run by hand). A case is a folder holding a scenario
(and its CSV side files) plus, one level up, a canary file whose content must never appear
in any output.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import datetime as dt
import io
import os
import re
import resource
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from optimizer.cli import main
from optimizer.errors import EXIT_CODES

EXAMPLES = Path(__file__).resolve().parent.parent / "data" / "examples"
SCENARIOS = ("quarterly.yaml", "follow_the_sun.yaml", "hr_quarterly.yaml")
CANARY = "CANARY-7f3a9c-SECRET"

HOSTILE_VALUES: tuple[Any, ...] = (
    10**30, -1, 0, 2**31, 2**63, 1e308, float("inf"), float("-inf"), float("nan"), 0.001,
    "", " ", "x" * 300, "\x1b[31mred", "a\r\nb", "tab\there", "9999-12-31", "0001-01-01", "2027-02-30",
    "1000000000d", "9999999d", "-5d", "Europe", "Etc/../../etc/passwd", "A" * 5000, "=cmd|' /C calc'!A0",
    "日本語", "a@b\r\nBcc: x@y.z", [], {}, [1, 2], {"a": 1}, {"file": "../canary.csv"}, True, None,
    dt.date(9999, 12, 31), dt.date(1, 1, 1),
)
HOSTILE_CELLS: tuple[str, ...] = (
    "", "1e308", "inf", "nan", "-1", "99999999999999999999", "9999-12-31", "31/12/9999", "2027-02-30",
    "x" * 300, "\x1b[31m", "a\nb", '"', "=HYPERLINK(\"http://x\")", "Europe", "a@b\r\nc", "日本語", ";;;", "\x00",
)
SIDE_TARGETS = ("../canary.csv", "ABS_CANARY", "/proc/self/environ", "/dev/zero", "/dev/urandom", "/etc/shadow",
                "fifo.csv", "link.csv", "adir", "missing.csv", "", "people.csv\x00x")
TEXT_KINDS = ("bomb", "cycle", "dupkey", "control", "truncate", "deep", "encoding", "tag", "bytes", "anchor")
CSV_KINDS = ("cell", "quote", "delim", "encoding", "control", "header", "truncate", "rows")
CODECS = ("utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be", "utf-8-sig", "cp1252", "latin-1")


# ----------------------------------------------------------------------------- cases


def _leaves(data: Any, path: tuple = ()) -> list[tuple]:
    out = [path] if path else []
    if isinstance(data, dict):
        for k, v in data.items():
            out += _leaves(v, (*path, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += _leaves(v, (*path, i))
    return out


def _set(data: Any, path: tuple, value: Any) -> None:
    node = data
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value


def _delete(data: Any, path: tuple) -> None:
    node = data
    for p in path[:-1]:
        node = node[p]
    del node[path[-1]]


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


@dataclass
class Case:
    """One hostile case: its folder, scenario file and a description (for the failure message)."""

    folder: Path
    scenario: Path
    what: str
    field: str | None = None  # the top-level key mutated, which an exit-2 message must name


def prepare(root: Path, base: str) -> tuple[Path, Path]:
    """A fresh case folder under ``root`` with copies of the example files and the canary beside it."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "canary.csv").write_text(f"id,name\n{CANARY},{CANARY}\n", encoding="utf-8")
    folder = root / "case"
    folder.mkdir()
    for name in ("people.csv", "time_off.csv"):
        (folder / name).write_bytes((EXAMPLES / name).read_bytes())
    return folder, folder / base


def mutate_value(root: Path, base: str, pick: float, value: Any, mode: str) -> Case:
    """Replace (``value``), delete (``delete``) or retype (``type``) one node of a parsed example."""
    folder, sc = prepare(root, base)
    data = yaml.safe_load((EXAMPLES / base).read_text(encoding="utf-8"))
    paths = _leaves(data)
    path = paths[min(len(paths) - 1, int(pick * len(paths)))]
    if mode == "delete":
        _delete(data, path)
    else:
        _set(data, path, copy.deepcopy(value))
    sc.write_text(_dump(data), encoding="utf-8")
    return Case(folder, sc, f"{base}: {mode} {path} = {value!r}"[:300], str(path[0]))


def mutate_side_file(root: Path, base: str, key: str, target: str) -> Case:
    """Point ``people`` or ``time_off`` at a hostile path (outside the folder, a device, a FIFO, a link...)."""
    folder, sc = prepare(root, base)
    data = yaml.safe_load((EXAMPLES / base).read_text(encoding="utf-8"))
    if target == "ABS_CANARY":
        target = str(root / "canary.csv")
    elif target == "fifo.csv":
        os.mkfifo(folder / "fifo.csv")
    elif target == "link.csv":
        (folder / "link.csv").symlink_to(root / "canary.csv")
    elif target == "adir":
        (folder / "adir").mkdir()
    data[key] = target if not isinstance(data.get(key), dict) else {**data[key], "file": target}
    sc.write_text(_dump(data), encoding="utf-8")
    return Case(folder, sc, f"{base}: {key} -> {target!r}", key)


def mutate_text(root: Path, base: str, kind: str, pick: float, extra: int) -> Case:
    """A mutation of the YAML text itself (bombs, cycles, duplicate keys, bytes, encodings...)."""
    folder, sc = prepare(root, base)
    text = (EXAMPLES / base).read_text(encoding="utf-8")
    pos = int(pick * len(text))
    raw: bytes | None = None
    if kind == "bomb":
        lines = ['b0: &b0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
        for k in range(1, 3 + extra % 7):
            lines.append(f"b{k}: &b{k} [" + ",".join([f"*b{k - 1}"] * 10) + "]")
        text += "\nrunbooks_x:\n" + "\n".join("  " + ln for ln in lines) + "\n"
    elif kind == "cycle":
        text += "\nextra_holidays: &c [*c]\n"
    elif kind == "dupkey":
        key = re.findall(r"^(\w+):", text, re.M)[extra % 3]
        text += f"\n{key}: duplicate\n"
    elif kind == "control":
        text = text[:pos] + chr([0, 7, 8, 0x1B, 0x7F, 0x0B, 0x0C, 0x85][extra % 8]) + text[pos:]
    elif kind == "truncate":
        text = text[:pos]
    elif kind == "deep":
        n = [70, 1000, 100_000][extra % 3]
        text += "\nrunbooks: " + "[" * n + "]" * n + "\n"
    elif kind == "encoding":
        raw = text.encode(CODECS[extra % len(CODECS)], errors="replace")
    elif kind == "tag":
        text = text[:pos] + " !!python/object/apply:os.system ['echo pwned'] " + text[pos:]
    elif kind == "bytes":
        raw = text.encode()[:pos] + bytes([(extra * 37 + k * 101) % 256 for k in range(1 + extra % 8)]) + \
            text.encode()[pos:]
    elif kind == "anchor":
        text += "\nextra: &x {a: 1}\nother: *x\nagain: *undefined_anchor\n"
    if raw is None:
        raw = text.encode("utf-8")
    sc.write_bytes(raw)
    return Case(folder, sc, f"{base}: text {kind} at {pos} ({extra})")


def mutate_csv(root: Path, which: str, kind: str, pick: float, extra: int, cell: str) -> Case:
    """A mutation of people.csv or time_off.csv of hr_quarterly.yaml."""
    folder, sc = prepare(root, "hr_quarterly.yaml")
    sc.write_bytes((EXAMPLES / "hr_quarterly.yaml").read_bytes())
    p = folder / which
    text = p.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    pos = int(pick * len(text))
    raw: bytes | None = None
    if kind == "cell":
        r = 1 + int(pick * (len(rows) - 1))
        c = extra % len(rows[r])
        rows[r][c] = cell
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(rows)
        text = buf.getvalue()
    elif kind == "quote":
        text = text[:pos] + '"' + text[pos:]
    elif kind == "delim":
        head, _, body = text.partition("\n")
        text = head + "\n" + body.replace(",", ";\t|"[extra % 3])
    elif kind == "encoding":
        raw = text.encode(CODECS[extra % len(CODECS)], errors="replace")
    elif kind == "control":
        text = text[:pos] + chr([0, 7, 0x1B, 0x7F, 0x0B][extra % 5]) + text[pos:]
    elif kind == "header":
        head, _, body = text.partition("\n")
        cols = head.split(",")
        cols[extra % len(cols)] = [cols[0], "", "x" * 300, "Unknown Column", cell][extra % 5]
        text = ",".join(cols) + "\n" + body
    elif kind == "truncate":
        text = text[:pos]
    elif kind == "rows":
        text += "".join(f"{cell},{cell},{cell}\n" for _ in range(1 + extra % 5))
    if raw is None:
        raw = text.encode("utf-8")
    p.write_bytes(raw)
    return Case(folder, sc, f"{which}: {kind} at {pos} ({extra}, {cell!r})")


# ----------------------------------------------------------------------------- the contract


class Hang(Exception):
    """A case ran past its time budget."""


@contextlib.contextmanager
def time_budget(seconds: int) -> Iterator[None]:
    """Raise :class:`Hang` in the main thread when the block runs longer than ``seconds``."""

    def alarm(_signum: int, _frame: Any) -> None:
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Outcome:
    command: str
    exit_code: int | None
    output: str
    seconds: float
    problem: str | None  # None when the contract held


def _side_texts(case: Case) -> list[str]:
    """Lines of the case's files that are long enough to be recognised if an error echoed them."""
    out = []
    for p in case.folder.iterdir():
        if p.is_file() and not p.is_symlink() and p.suffix == ".csv":
            with contextlib.suppress(UnicodeDecodeError, OSError):
                out += [ln.strip() for ln in p.read_text(encoding="utf-8").splitlines() if len(ln.strip()) > 60]
    return out


def run_case(case: Case, command: str = "check", budget: int = 20, memory_mb: float = 1500) -> Outcome:
    """Run one CLI command on a case and check the contract.

    No traceback; an exit code in the documented set; on exit 2 a message naming a file of the
    case (and the mutated field when there is one); nothing of the canary file, no line of a side
    file longer than an excerpt; at most ``budget`` seconds and ``memory_mb`` MB of added peak memory.
    """
    args = ["check", str(case.scenario)]
    if command == "solve":
        args = ["solve", str(case.scenario), "--out", str(case.folder / "out"), "--time-limit", "1", "--quiet"]
    rss0 = _max_rss_mb()
    t0 = time.perf_counter()
    try:
        with time_budget(budget):
            r = CliRunner().invoke(main, args)
    except Hang as e:
        return Outcome(command, None, "", time.perf_counter() - t0, f"hang: {e}")
    seconds = time.perf_counter() - t0
    out = r.output
    problem = None
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        problem = f"traceback: {type(r.exception).__name__}: {str(r.exception)[:200]}"
    elif r.exit_code not in EXIT_CODES:
        problem = f"exit code {r.exit_code} not documented"
    elif "Traceback" in out:
        problem = "traceback in output"
    elif CANARY in out:
        problem = "leak: the canary file's content was printed"
    elif any(t in out for t in _side_texts(case)):
        problem = "leak: a whole line of a side file was printed"
    elif r.exit_code == 2 and not out.startswith("Usage:"):
        names = {p.name for p in case.folder.iterdir()} | {case.scenario.name}
        if "error:" not in out or not any(n and n in out for n in names) and str(case.folder) not in out:
            problem = "exit 2 without naming a file of the case"
        elif case.field and case.field not in out and case.field.replace("_", " ") not in out:
            problem = None if _names_a_field(out) else f"exit 2 without naming the field {case.field}"
    if problem is None and _max_rss_mb() - rss0 > memory_mb:
        problem = f"memory: peak grew by {_max_rss_mb() - rss0:.0f} MB"
    return Outcome(command, r.exit_code, out, seconds, problem)


def _names_a_field(out: str) -> bool:
    """Some exit-2 messages are about another field than the one mutated (a knock-on effect): they
    still name file:line and a field."""
    return bool(re.search(r"\.(yaml|csv):\d+: [\w\[\]. ()]+: ", out))
