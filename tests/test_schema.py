"""The scenario JSON Schema (`rota schema`) agrees with rota's loader.

Every example and every scenario the tests use validates; the issue's list of
disagreements is a regression test each way; a property test mutates the examples
and asserts that ``jsonschema`` and the loader give the same verdict on every field
the schema covers. Documents are checked the way an editor sees them: YAML read
without timestamp conversion, then through JSON (dates and keys are strings).
"""

from __future__ import annotations

import ast
import copy
import datetime as dt
import json
import re
import shutil
import zoneinfo
from pathlib import Path
from typing import Any

import holidays
import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from conftest import EXAMPLES, ROOT, scenario
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from optimizer.errors import InputError
from optimizer.loading import load_scenario
from optimizer.scenario import Scenario
from optimizer.schema import SCHEMA_DIALECT, scenario_schema, schema_text


class _EditorLoader(yaml.SafeLoader):
    """YAML as the YAML language server reads it: dates stay strings."""


_EditorLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def editor_view(text: str) -> Any:
    """A YAML document as JSON data (string dates, string keys)."""
    return json.loads(json.dumps(yaml.load(text, _EditorLoader)))


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = scenario_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def schema_ok(validator: jsonschema.Draft202012Validator, data: Any) -> bool:
    return validator.is_valid(data)


def loader_ok(data: Any) -> bool:
    try:
        Scenario.model_validate(copy.deepcopy(data))
    except (ValidationError, ValueError):
        return False
    return True


def errors(validator: jsonschema.Draft202012Validator, data: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in validator.iter_errors(data)]


SCENARIO_FILES = sorted(p for p in EXAMPLES.glob("*.yaml") if "shifts:" in p.read_text(encoding="utf-8"))


def test_schema_declares_dialect_and_is_valid() -> None:
    schema = scenario_schema()
    assert schema["$schema"] == SCHEMA_DIALECT == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert json.loads(schema_text()) == schema


def test_cli_schema_prints_and_writes_the_same_schema(tmp_path: Path) -> None:
    from optimizer.cli import main

    r = CliRunner().invoke(main, ["schema"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output) == scenario_schema()
    out = tmp_path / "scenario.schema.json"
    r = CliRunner().invoke(main, ["schema", "--out", str(out)])
    assert r.exit_code == 0 and out.read_text(encoding="utf-8") == schema_text()


def _defaults(node: Any, path: str = "") -> list[tuple[str, Any, dict]]:
    out = []
    if isinstance(node, dict):
        if "default" in node:
            out.append((path, node["default"], {k: v for k, v in node.items() if k != "default"}))
        for k, v in node.items():
            out += _defaults(v, f"{path}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _defaults(v, f"{path}/{i}")
    return out


def test_every_default_validates_against_its_own_property() -> None:
    schema = scenario_schema()
    found = _defaults(schema)
    assert len(found) > 50
    for path, default, sub in found:
        sub = {**sub, "$defs": schema["$defs"]}
        assert jsonschema.Draft202012Validator(sub).is_valid(default), (path, default)


def test_regression_ack_timeout_default_matches_its_pattern() -> None:
    prop = scenario_schema()["$defs"]["EscalationLevel"]["properties"]["ack_timeout"]
    assert prop["default"] == "15m"
    assert re.search(prop["pattern"], "15m") and not re.search(prop["pattern"], "PT15M")


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.name)
def test_every_example_validates(validator: jsonschema.Draft202012Validator, path: Path) -> None:
    load_scenario(path)  # rota accepts it
    assert errors(validator, editor_view(path.read_text(encoding="utf-8"))) == []


def test_regression_examples_cover_the_forms_the_schema_used_to_reject() -> None:
    """quarterly/follow_the_sun use the shorthands, hr_quarterly CSV references."""
    text = "".join(p.read_text(encoding="utf-8") for p in SCENARIO_FILES)
    for form in ("min_rest: 14d", "max_weekends: 4", "max_consecutive_days: 5", "people: people.csv", "file: "):
        assert form in text


def _yaml_literals() -> list[tuple[str, str]]:
    """Every string literal in the tests that is a scenario YAML document."""
    found = []
    for path in sorted((ROOT / "tests").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
                if "shifts:" in text and "start:" in text and "people:" in text:
                    found.append((f"{path.name}:{node.lineno}", text))
    return found


YAML_LITERALS = _yaml_literals()


def test_yaml_literals_found() -> None:
    assert len(YAML_LITERALS) >= 3


@pytest.mark.parametrize("where,text", YAML_LITERALS, ids=[w for w, _ in YAML_LITERALS])
def test_every_scenario_yaml_in_the_tests_that_rota_accepts_validates(
    validator: jsonschema.Draft202012Validator, tmp_path: Path, where: str, text: str
) -> None:
    import textwrap

    text = textwrap.dedent(text)
    try:
        data = editor_view(text)
    except yaml.YAMLError:
        pytest.skip("not YAML on its own (a fragment or a template)")
    if not isinstance(data, dict):
        pytest.skip("not a mapping")
    f = tmp_path / "s.yaml"
    f.write_text(text, encoding="utf-8")
    try:
        load_scenario(f)
    except InputError:
        # rota rejects it (a test of an error): the schema need not, but if it names a
        # file we cannot follow it here
        return
    assert errors(validator, data) == [], where


def _dumped(sc: Scenario) -> Any:
    return json.loads(json.dumps(sc.model_dump(mode="json", by_alias=True, exclude_none=True)))


@pytest.mark.parametrize(
    "sc",
    [
        scenario(),
        scenario(timezone="Asia/Kolkata", rules={"min_rest": "12h", "max_weekends": 1, "max_share": 0.5}),
        *[load_scenario(p) for p in SCENARIO_FILES],
    ],
    ids=["conftest", "conftest-rules", *[p.name for p in SCENARIO_FILES]],
)
def test_every_scenario_rota_writes_back_validates(validator: jsonschema.Draft202012Validator, sc: Scenario) -> None:
    """conftest's scenario() and every loaded example, dumped as JSON, validate."""
    data = _dumped(sc)
    assert errors(validator, data) == []
    assert loader_ok(data)


# --------------------------------------------------------------------------- the issue's list

BASE = editor_view((EXAMPLES / "quarterly.yaml").read_text(encoding="utf-8"))


def _with(path: tuple, value: Any, base: Any = None) -> Any:
    data = copy.deepcopy(BASE if base is None else base)
    node = data
    for key in path[:-1]:
        node = node[key]
    if value is _DELETE:
        node.pop(path[-1], None)
    else:
        node[path[-1]] = value
    return data


_DELETE = object()

ISSUE_CASES = [
    # (path, value, rota accepts)
    (("rules", "min_rest"), "14d", True),
    (("rules", "max_weekends"), 4, True),
    (("rules", "max_consecutive_days"), 5, True),
    (("rules", "max_share"), 0.4, True),
    (("rules", "max_holidays"), 2, True),
    (("people", 0, "fte"), 0.29, True),
    (("weights", "night"), 1.15, True),
    (("people", 0, "fte"), "0.5", True),
    (("shifts", 0, "length"), "", False),
    (("shifts", 0, "length"), "0h", False),
    (("shifts", 0, "starts"), "mon 25:00", False),
    (("shifts", 0, "starts"), "funday 10:00", False),
    (("timezone",), "Mars/Olympus", False),
    (("people", 1, "country"), "XX", False),
    (("shifts", 0, "days"), ["mon"], False),
    (("people", 0, "subdivision"), "BY", True),
    (("people", 0, "subdivision"), "NY", False),
    (("escalation", 0, "ack_timeout"), "0m", False),
    (("rules", "max_shifts"), {"count": 2, "within": "42d"}, True),
    (("rules", "max_shifts"), {"count": 2, "within": "0d"}, False),
    (("people", 0, "skills"), "infra;security", True),
    (("extra_holidays",), ["2027-02-26"], True),
    (("extra_holidays",), ["2027-02-30"], False),
    (("people", 7, "email"), "a@b\n", False),  # the loader took it ($ before a final newline); now fullmatch
    (("people", 8, "name"), "two\nlines", False),
    (("extra_holidays",), ["1970-12-31"], False),
]


@pytest.mark.parametrize(
    "path,value,accepted", ISSUE_CASES, ids=[f"{'.'.join(map(str, c[0]))}={c[1]!r}" for c in ISSUE_CASES]
)
def test_regression_schema_and_loader_agree_on_the_issue_cases(
    validator: jsonschema.Draft202012Validator, path: tuple, value: Any, accepted: bool
) -> None:
    data = _with(path, value)
    assert loader_ok(data) is accepted
    assert schema_ok(validator, data) is accepted, errors(validator, data)


def test_csv_references_agree_with_the_loader(validator: jsonschema.Draft202012Validator, tmp_path: Path) -> None:
    """``people: file.csv`` and ``time_off: {file, date_format, columns}``, accepted and rejected forms."""
    import shutil

    for name in ("hr_quarterly.yaml", "people.csv", "time_off.csv"):
        shutil.copy(EXAMPLES / name, tmp_path / name)
    base = editor_view((tmp_path / "hr_quarterly.yaml").read_text(encoding="utf-8"))
    cases = [
        (("people",), "people.csv", True),
        (("time_off", "unknown_people"), "error", True),
        (("time_off", "unknown_people"), "shout", False),
        (("time_off", "date_format"), "iso", True),
        (("time_off", "date_format"), "DD/MM/YYYY", True),
        (("time_off", "date_format"), "sometimes", False),
        (("time_off", "date_format"), None, True),
        (("time_off", "colour"), "red", False),
        (("time_off", "file"), 3, False),
        (("time_off", "columns"), ["person"], False),
        (("people",), {"file": "people.csv"}, True),
        (("people",), {"path": "people.csv"}, False),
    ]
    for path, value, accepted in cases:
        data = _with(path, value, base)
        f = tmp_path / "s.yaml"
        f.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        try:
            load_scenario(f)
            rota = True
        except InputError:
            rota = False
        assert rota is accepted, (path, value)
        assert schema_ok(validator, data) is accepted, (path, value, errors(validator, data))


# --------------------------------------------------------------------------- property test

ZONES = sorted(zoneinfo.available_timezones())
COUNTRIES = sorted(holidays.list_supported_countries())
SUBDIVISIONS = sorted({s for subs in holidays.list_supported_countries().values() for s in subs})
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _decimal(lo: int, hi: int) -> st.SearchStrategy[float]:
    """Numbers with at most two decimals (exact in the loader; multipleOf is not in the schema)."""
    return st.integers(lo, hi).map(lambda k: k / 100)


def _as_text(x: float) -> str:
    return f"{x:g}"


durations = st.one_of(
    st.builds(
        lambda d, h, m, sp: sp.join(f"{n}{u}" for n, u in ((d, "d"), (h, "h"), (m, "m")) if n is not None),
        st.none() | st.integers(0, 3),
        st.none() | st.integers(0, 30),
        st.none() | st.integers(0, 90),
        st.sampled_from(["", " "]),
    ),
    st.sampled_from(["", "0h", "0d0m", "7", "7x", "d", "PT15M", " 12h ", "1h 30m", "-1h", "1.5h"]),
    st.integers(-1, 5),
)
starts = st.builds(
    lambda day, sep, h, m, pad: f"{day}{sep if day else ''}{h:0{pad}d}:{m:02d}",
    st.sampled_from(["", *WEEKDAYS, "funday", "Mon", "monday"]),
    st.sampled_from([" ", "  ", ""]),
    st.integers(0, 30),
    st.integers(0, 65),
    st.sampled_from([1, 2]),
)
# numbers written as strings: in range only (the schema leaves their bounds to rota check)
counts = st.one_of(st.integers(-2, 8), st.integers(1, 8).map(str), st.sampled_from([4.5, "4.5", "four", "", None]))
shares = st.one_of(_decimal(-20, 150), _decimal(1, 100).map(_as_text), st.sampled_from(["half", None]))
weights = st.one_of(_decimal(-100, 500), _decimal(1, 500).map(_as_text), st.sampled_from(["x", "", None, "1,5"]))
booleans = st.sampled_from([True, False, "yes", "no", "on", "off", "true", "False", "maybe", 1, 0, 2, "", None])
zones = st.one_of(st.sampled_from(ZONES), st.sampled_from(["Mars/Olympus", "europe/berlin", "", "CET+1", 5]))

# (path in quarterly.yaml, values): each covers one field family of the schema
MUTATIONS: list[tuple[tuple, st.SearchStrategy]] = [
    (("timezone",), zones),
    (("people", 2, "timezone"), zones),
    (("people", 3, "fte"), st.one_of(_decimal(-50, 150), _decimal(1, 100).map(_as_text), st.sampled_from(["", "x"]))),
    (("people", 4, "history"), weights),
    (("people", 1, "country"), st.one_of(st.sampled_from(COUNTRIES), st.sampled_from(["XX", "de", "", None]))),
    (("people", 0, "subdivision"), st.one_of(st.sampled_from(SUBDIVISIONS), st.just(None))),
    (("people", 0, "country"), st.sampled_from(["DE", "US", "GB", "FR", None])),
    (("people", 5, "max_shifts"), counts),
    (("shifts", 0, "starts"), starts),
    (("shifts", 0, "length"), durations),
    (("shifts", 0, "repeat"), st.sampled_from(["weekly", "daily", "monthly", ""])),
    (("shifts", 0, "days"), st.one_of(st.none(), st.lists(st.sampled_from([*WEEKDAYS, "funday"]), max_size=3))),
    (("shifts", 0, "roles", 1, "count"), counts),
    (("rules", "min_rest"), st.one_of(durations, st.builds(lambda d: {"duration": d}, durations), st.none())),
    (("rules", "max_weekends"), st.one_of(counts, st.builds(lambda c, s: {"count": c, "soft": s}, counts, booleans))),
    (("rules", "max_consecutive_days"), counts),
    (("rules", "max_holidays"), counts),
    (("rules", "max_share"), st.one_of(shares, st.builds(lambda s: {"share": s}, shares))),
    (
        ("rules", "holidays"),
        st.one_of(
            st.sampled_from(["avoid", "weight", "never", None]),
            st.builds(lambda m: {"mode": m}, st.sampled_from(["avoid", "x"])),
        ),
    ),
    (("rules", "max_shifts"), st.builds(lambda c, w: {"count": c, "within": w}, counts, durations)),
    (("weights", "night"), weights),
    (("weights", "weekend"), weights),
    (("fairness", "load"), weights),
    (("time_off", 3, "soft"), booleans),
    (("time_off", 0, "to"), st.sampled_from(["2027-02-12", "2027-02-30", "12/02/2027", "2027-2-12", ""])),
    (("people", 7, "email"), st.sampled_from(["x@example.com", "no-at", "a b@c", "a@b\n", "a@b", "", "a@@b", None])),
    (("people", 8, "name"), st.sampled_from(["Zoë", "=HYPERLINK(1)", "a\nb", "tab\there", "x" * 201, "x" * 200, None])),
    (("people", 11, "id"), st.sampled_from(["lena2", "", "j\u2028", "x" * 201])),
    (("extra_holidays", 0, "date"), st.sampled_from(["1970-12-31", "1971-01-01", "2199-12-31", "2200-01-01"])),
    (
        ("extra_holidays", 0),
        st.one_of(
            st.sampled_from(["2027-05-01", "2027-13-01", "x"]),
            st.builds(lambda d: {"date": d}, st.sampled_from(["2027-05-01", "nope"])),
        ),
    ),
    (("escalation", 0, "ack_timeout"), durations),
    (("solver", "time_limit"), weights),
    (("solver", "workers"), counts),
    (("solver", "deterministic"), booleans),
    (
        ("people", 6, "skills"),
        st.one_of(
            st.sampled_from(["infra;data", "infra", ""]), st.lists(st.sampled_from(["infra", "data"]), unique=True)
        ),
    ),
]


def _reachable(data: Any, path: tuple) -> bool:
    node = data
    for key in path[:-1]:
        in_dict = isinstance(node, dict) and key in node
        in_list = isinstance(node, list) and isinstance(key, int) and key < len(node)
        if in_dict or in_list:
            node = node[key]
        else:
            return False
    return isinstance(node, dict | list)


@st.composite
def mutants(draw: st.DrawFn) -> tuple[list[tuple[tuple, Any]], Any]:
    picked = draw(st.lists(st.integers(0, len(MUTATIONS) - 1), min_size=1, max_size=3, unique=True))
    data = copy.deepcopy(BASE)
    done = []
    for k in picked:
        path, values = MUTATIONS[k]
        if not _reachable(data, path):  # an earlier mutation put a scalar where this one goes
            continue
        value = draw(values)
        data = _with(path, value, data)
        done.append((path, value))
    return done, data


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutants())
def test_schema_verdict_equals_loader_verdict_on_mutants(mutant: tuple[list, Any]) -> None:
    changes, data = mutant
    v = _VALIDATOR
    assert schema_ok(v, data) == loader_ok(data), (changes, errors(v, data)[:3])


_VALIDATOR = jsonschema.Draft202012Validator(scenario_schema(), format_checker=jsonschema.FormatChecker())


def test_mutation_base_is_valid() -> None:
    assert loader_ok(BASE) and schema_ok(_VALIDATOR, BASE)
    assert dt.date.fromisoformat(BASE["start"])  # dates are strings, as an editor sees them


# --------------------------------------------------------------------------- the editor itself


def _lsp_diagnostics(server: str, schema: Path, files: list[Path]) -> dict[str, list[dict]]:
    """Open ``files`` in yaml-language-server (the engine of VS Code's YAML extension)
    with ``yaml.schemas`` mapping ``schema`` to them, as the docs' recipe does; return
    the diagnostics it publishes for each file (by name)."""
    import queue
    import subprocess
    import threading
    import time

    proc = subprocess.Popen([server, "--stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    assert proc.stdin is not None and proc.stdout is not None
    inbox: queue.Queue[dict] = queue.Queue()

    def read() -> None:
        assert proc.stdout is not None
        while True:
            headers = {}
            while (line := proc.stdout.readline().decode().strip()) != "":
                key, value = line.split(":", 1)
                headers[key.lower()] = value.strip()
            if not headers:
                return
            inbox.put(json.loads(proc.stdout.read(int(headers["content-length"]))))

    def send(msg: dict) -> None:
        assert proc.stdin is not None
        body = json.dumps({"jsonrpc": "2.0", **msg}).encode()
        proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        proc.stdin.flush()

    conf = {"validate": True, "schemas": {schema.resolve().as_uri(): ["*.yaml"]}, "schemaStore": {"enable": False}}

    def answer(m: dict) -> None:
        if m.get("method") == "workspace/configuration":
            send({"id": m["id"], "result": [conf] * len(m["params"]["items"])})
        elif "id" in m and "method" in m:
            send({"id": m["id"], "result": None})

    threading.Thread(target=read, daemon=True).start()
    try:
        caps = {"workspace": {"configuration": True}}
        send({"id": 1, "method": "initialize", "params": {"processId": None, "rootUri": None, "capabilities": caps}})
        while (m := inbox.get(timeout=60)).get("id") != 1:
            answer(m)
        send({"method": "initialized", "params": {}})
        send({"method": "workspace/didChangeConfiguration", "params": {"settings": {"yaml": conf}}})
        for f in files:
            doc = {"uri": f.resolve().as_uri(), "languageId": "yaml", "version": 1, "text": f.read_text("utf-8")}
            send({"method": "textDocument/didOpen", "params": {"textDocument": doc}})
        got: dict[str, list[dict]] = {}
        deadline = time.time() + 120
        while len(got) < len(files) and time.time() < deadline:
            try:
                m = inbox.get(timeout=5)
            except queue.Empty:
                continue
            if m.get("method") == "textDocument/publishDiagnostics":
                got[Path(m["params"]["uri"]).name] = m["params"]["diagnostics"]
            else:
                answer(m)
        return got
    finally:
        proc.kill()


@pytest.mark.skipif(shutil.which("yaml-language-server") is None, reason="yaml-language-server (npm) is not installed")
def test_yaml_language_server_accepts_the_examples_and_flags_mistakes(tmp_path: Path) -> None:
    """The VS Code recipe of docs/exports.md, run through the real language server."""
    schema = tmp_path / "scenario.schema.json"
    schema.write_text(schema_text(), encoding="utf-8")
    files = []
    for p in SCENARIO_FILES:
        shutil.copy(p, tmp_path / p.name)
        files.append(tmp_path / p.name)
    q = (EXAMPLES / "quarterly.yaml").read_text(encoding="utf-8")
    bad = {
        "bad_length.yaml": (q.replace("length: 7d", 'length: "0h"'), "length: "),
        "bad_starts.yaml": (q.replace('starts: "mon 10:00"', 'starts: "funday 10:00"'), "starts: "),
        "bad_zone.yaml": (q.replace("timezone: Europe/Berlin", "timezone: Mars/Olympus"), "timezone: Mars"),
    }
    for name, (text, _) in bad.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        files.append(tmp_path / name)
    got = _lsp_diagnostics(shutil.which("yaml-language-server") or "", schema, files)
    for p in SCENARIO_FILES:
        assert got.get(p.name) == [], (p.name, got.get(p.name))
    for name, (text, needle) in bad.items():
        line = next(k for k, s in enumerate(text.splitlines()) if needle in s)
        assert [d["range"]["start"]["line"] for d in got[name]] and all(
            d["range"]["start"]["line"] == line for d in got[name]
        ), (name, got[name])
