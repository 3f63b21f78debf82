"""Reading scenario files (YAML + CSV side files) with errors that name file, line and field."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .errors import InputError, InputProblem
from .scenario import LocatedError, Scenario

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Where:
    file: str
    line: int


class LineMap:
    """Maps a data path (``("people", 1, "skills")``) to where it was written."""

    def __init__(self) -> None:
        self._map: dict[Path_, Where] = {}

    def add(self, path: Path_, where: Where) -> None:
        self._map.setdefault(path, where)

    def find(self, path: Path_) -> Where | None:
        for n in range(len(path), -1, -1):
            w = self._map.get(tuple(path[:n]))
            if w:
                return w
        return None


def _yaml_with_lines(text: str, file: str) -> tuple[Any, LineMap]:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise InputError.single("the file is empty", file)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        raise InputError.single(f"not valid YAML: {e.problem or e}", file, line) from None
    finally:
        loader.dispose()
    lines = LineMap()

    def walk(n: yaml.Node, path: Path_) -> None:
        lines.add(path, Where(file, n.start_mark.line + 1))
        if isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                key = k.value
                lines.add((*path, key), Where(file, k.start_mark.line + 1))
                walk(v, (*path, key))
        elif isinstance(n, yaml.SequenceNode):
            for i, v in enumerate(n.value):
                walk(v, (*path, i))

    walk(node, ())
    return data, lines


def unescape_cell(text: str) -> str:
    """Undo the formula guard of ``files.safe_cell`` ('=x -> =x)."""
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r":
        return text[1:]
    return text


def read_csv_rows(path: Path, what: str) -> tuple[list[dict[str, str]], list[int], str]:
    """Rows of a CSV file as dicts, with the line number of each row. UTF-8 (BOM allowed)."""
    file = str(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise InputError.single(f"cannot read {what} file: {e.strerror}", file) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise InputError.single(
            f"not UTF-8 text (byte {e.start}); save the file as UTF-8", file, line
        ) from None
    if not text.strip():
        raise InputError.single(f"the {what} file is empty", file)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if reader.fieldnames is None:
        raise InputError.single(f"the {what} file has no header row", file, 1)
    rows, line_numbers = [], []
    for row in reader:
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        if None in row:
            raise InputError.single("more cells than header columns", file, reader.line_num)
        rows.append({k.strip(): unescape_cell((v or "").strip()) for k, v in row.items() if k is not None})
        line_numbers.append(reader.line_num)
    return rows, line_numbers, file


_PEOPLE_COLUMNS = {
    "id", "name", "email", "skills", "timezone", "roles", "fte", "history",
    "country", "subdivision", "max_shifts", "max_hours",
}
_TIME_OFF_COLUMNS = {"person", "from", "to", "type", "soft", "prefer", "weight"}


def _csv_section(path: Path, key: str, required: set[str], known: set[str], lines: LineMap) -> list[dict]:
    rows, line_numbers, file = read_csv_rows(path, key.replace("_", " "))
    header = set(rows[0]) if rows else set()
    if not rows:
        # header only: still check the header
        with path.open(encoding="utf-8-sig", newline="") as f:
            header = set((h.strip() for h in next(csv.reader(f), [])))
    missing = required - header
    if missing:
        raise InputError.single(f"missing column(s): {', '.join(sorted(missing))}", file, 1)
    unknown = header - known
    if unknown:
        raise InputError.single(
            f"unknown column(s): {', '.join(sorted(unknown))} (known: {', '.join(sorted(known))})", file, 1
        )
    out = []
    for i, (row, ln) in enumerate(zip(rows, line_numbers, strict=True)):
        lines.add((key, i), Where(file, ln))
        out.append({k: v for k, v in row.items() if v != ""})
    return out


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario YAML file (and the CSV files it names).

    Raises
    ------
    InputError
        With one message per problem, each naming the file, the line and the field.
    """
    path = Path(path)
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError.single("no such file", file) from None
    except UnicodeDecodeError:
        raise InputError.single("not UTF-8 text", file) from None
    except OSError as e:
        raise InputError.single(f"cannot read: {e.strerror}", file) from None
    data, lines = _yaml_with_lines(text, file)
    if not isinstance(data, dict):
        raise InputError.single("expected a mapping of fields (team, start, end, shifts, people, ...)", file, 1)
    data = dict(data)
    for key, required, known in (
        ("people", {"id"}, _PEOPLE_COLUMNS),
        ("time_off", {"person", "from", "to"}, _TIME_OFF_COLUMNS),
    ):
        if isinstance(data.get(key), str):
            csv_path = (path.parent / data[key]).resolve()
            data[key] = _csv_section(csv_path, key, required, known, lines)
    return validate_scenario(data, lines, file)


def validate_scenario(data: dict, lines: LineMap | None = None, file: str | None = None) -> Scenario:
    """Validate raw data into a :class:`Scenario`, turning pydantic errors into :class:`InputError`."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as e:
        raise InputError(_problems(e, lines or LineMap(), file)) from None


def _problems(err: ValidationError, lines: LineMap, file: str | None) -> list[InputProblem]:
    out = []
    for e in err.errors():
        loc = tuple(e["loc"])
        cause = (e.get("ctx") or {}).get("error")
        if isinstance(cause, LocatedError):
            loc = (*loc, *cause.loc)
            msg = str(cause)
        else:
            msg = e["msg"]
            if msg.startswith("Value error, "):
                msg = msg[len("Value error, ") :]
        # pydantic adds union/function tags to loc; drop those that are not data keys
        loc = tuple(p for p in loc if not (isinstance(p, str) and ("[" in p or p.startswith("function-"))))
        where = lines.find(loc)
        field = _dotted(loc)
        out.append(
            InputProblem(msg, where.file if where else file, where.line if where else None, field or None)
        )
    return out


def _dotted(loc: Path_) -> str:
    s = ""
    for p in loc:
        s += f"[{p}]" if isinstance(p, int) else (f".{p}" if s else str(p))
    return s
