"""Reading scenario files (YAML + CSV side files) with errors that name file, line and field."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from . import timeoff_import
from .errors import InputError, InputProblem
from .inputs import LIMITS, Limits, Where, confine, decode_text, dotted, excerpt, read_input_bytes, yaml_with_lines
from .scenario import Scenario, validation_problems
from .tables import DateCell, check_date_format, parse_dates, read_csv_table

Path_ = tuple[str | int, ...]


class LineMap:
    """Maps a data path (``("people", 1, "skills")``) to where it was written."""

    def __init__(self) -> None:
        self._map: dict[Path_, Where] = {}
        self._columns: dict[Path_, dict[str, str]] = {}

    def add(self, path: Path_, where: Where) -> None:
        self._map.setdefault(path, where)

    def find(self, path: Path_) -> Where | None:
        for n in range(len(path), -1, -1):
            w = self._map.get(tuple(path[:n]))
            if w:
                return w
        return None

    def renumber(self, key: str, keep: dict[int, int]) -> None:
        """Rows of section ``key`` renumbered old -> new (rows not in ``keep`` dropped)."""
        def new_path(path: Path_) -> Path_ | None:
            row = path[1]
            return (key, keep[row], *path[2:]) if isinstance(row, int) and row in keep else None

        def mine(path: Path_) -> bool:
            return len(path) >= 2 and path[0] == key and isinstance(path[1], int)

        self._map = {**{p: w for p, w in self._map.items() if not mine(p)},
                     **{n: w for p, w in self._map.items() if mine(p) and (n := new_path(p)) is not None}}
        self._columns = {**{p: c for p, c in self._columns.items() if not mine(p)},
                         **{n: c for p, c in self._columns.items() if mine(p) and (n := new_path(p)) is not None}}

    def alias(self, new: Path_, old: Path_) -> None:
        """Data moved from ``old`` to ``new``: ``new`` (and below) is found where ``old`` was written."""
        for path, where in list(self._map.items()):
            if path[: len(old)] == old:
                self._map[(*new, *path[len(old) :])] = where

    def set_columns(self, row: Path_, columns: dict[str, str]) -> None:
        """For a row read from CSV: our field name -> the file's column name."""
        self._columns[row] = columns

    def column(self, row: Path_, field: str) -> str:
        return self._columns.get(row, {}).get(field, field)

    def csv_field(self, path: Path_) -> str | None | bool:
        """For a path inside a CSV row: the column name (``None`` for the row itself);
        ``False`` when the path is not inside a CSV row."""
        for n in range(len(path), 0, -1):
            cols = self._columns.get(tuple(path[:n]))
            if cols is not None:
                rest = path[n:]
                if not rest:
                    return None
                return cols.get(str(rest[0]), str(rest[0])) + "".join(
                    f"[{p}]" if isinstance(p, int) else f".{p}" for p in rest[1:]
                )
        return False


def _yaml_with_lines(text: str, file: str, limits: Limits = LIMITS) -> tuple[Any, LineMap]:
    """Data and line map of a YAML text (see :func:`inputs.yaml_with_lines` for the budgets)."""
    lines = LineMap()
    return yaml_with_lines(text, file, lines, limits), lines




# ----------------------------------------------------------------------------- CSV sections


def _column_key(header: str) -> str:
    """``Max Shifts`` -> ``max_shifts`` (HR exports capitalise and use spaces)."""
    return re.sub(r"[\s\-]+", "_", header.strip()).lower()


@dataclass(frozen=True)
class CsvSpec:
    """How the scenario names a CSV side file: a path, or a mapping with options.

    ``people: people.csv`` or::

        time_off:
          file: hr/absences.csv
          date_format: DD/MM/YYYY           # default: auto (refuses ambiguous dates)
          columns: {person: Employee ID, from: Start, to: End}   # ours: theirs
    """

    path: Path
    date_format: str | None = None
    columns: dict[str, str] | None = None


def _csv_spec(value: Any, key: str, base: Path, lines: LineMap, file: str) -> CsvSpec | None:
    if isinstance(value, str):
        where = lines.find((key,))
        return CsvSpec(confine(value, base, file, where.line if where else None, key))
    if isinstance(value, dict) and "file" in value:
        where = lines.find((key,))
        line = where.line if where else None
        unknown = set(value) - {"file", "date_format", "columns"}
        if unknown:
            raise InputError.single(
                f"unknown option(s) {', '.join(sorted(map(str, unknown)))} (known: file, date_format, columns)",
                file, line, key,
            )
        if not isinstance(value["file"], str):
            raise InputError.single("file: expected a path to a CSV file", file, line, key)
        try:
            fmt = check_date_format(value.get("date_format"))
        except ValueError as e:
            raise InputError.single(str(e), file, line, f"{key}.date_format") from None
        cols = value.get("columns")
        if cols is not None and not (
            isinstance(cols, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in cols.items())
        ):
            raise InputError.single(
                "columns: expected a mapping of our column name to the file's column name",
                file, line, f"{key}.columns",
            )
        return CsvSpec(confine(value["file"], base, file, line, f"{key}.file"), None if fmt == "auto" else fmt, cols)
    return None


def _header_list(header: list[str], most: int = 12) -> str:
    """The column names of a file for a message: each cut short, at most ``most`` of them."""
    names = [excerpt(h, 30)[1:-1] for h in header[:most]]
    return ", ".join(names) + (f", ... ({len(header)} columns)" if len(header) > most else "")


def _model_columns(model: type) -> set[str]:
    return {(f.alias or name) for name, f in model.model_fields.items()}  # type: ignore[attr-defined]


SECTIONS: dict[str, dict[str, Any]] = {
    "people": {"required": {"id"}, "unique": "id", "dates": ()},
    "time_off": {"required": {"person", "from", "to"}, "unique": None, "dates": ("from", "to")},
}


def _known_columns(key: str) -> set[str]:
    from .scenario import Person, TimeOff

    return _model_columns(Person if key == "people" else TimeOff)


def _csv_section(
    path: Path | CsvSpec,
    key: str,
    required: set[str] | None = None,
    known: set[str] | None = None,
    lines: LineMap | None = None,
    date_format: str | None = None,
) -> list[dict]:
    """Read the CSV side file of scenario section ``key`` (``people`` or ``time_off``)
    into raw dicts, registering each row's line (and column names) in ``lines``."""
    spec = path if isinstance(path, CsvSpec) else CsvSpec(Path(path))
    lines = lines if lines is not None else LineMap()
    conf = SECTIONS[key]
    required = required if required is not None else conf["required"]
    known = known if known is not None else _known_columns(key)
    table = read_csv_table(spec.path, key.replace("_", " "), sorted(required))
    file = table.file
    # map the file's headers to our field names
    rename = {theirs: ours for ours, theirs in (spec.columns or {}).items()}
    missing_mapped = [t for t in rename if t not in table.header]
    if missing_mapped:
        raise InputError.single(
            f"column(s) named in 'columns' not found: {_header_list(missing_mapped)} "
            f"(the file has: {_header_list(table.header)})", file, 1,
        )
    ours: dict[str, str] = {}  # our field -> header
    for h in table.header:
        field = rename.get(h) or (h if h in known else _column_key(h))
        if field in ours:
            raise InputError.single(
                f"columns {excerpt(ours[field])} and {excerpt(h)} both give {excerpt(field)}", file, 1,
                f"column {excerpt(h, 30)[1:-1]}",
            )
        ours[field] = h
    missing = sorted(required - set(ours))
    if missing:
        raise InputError.single(
            f"missing column(s): {', '.join(missing)} (the file has: {_header_list(table.header)})", file, 1
        )
    unknown = sorted(set(ours) - known)
    if unknown:
        raise InputError.single(
            f"unknown column(s): {_header_list([ours[u] for u in unknown])} (known: {', '.join(sorted(known))})",
            file, 1, f"column {excerpt(ours[unknown[0]], 30)[1:-1]}",
        )
    problems: list[InputProblem] = []
    # dates
    fmt = spec.date_format or date_format
    date_cols = [c for c in conf["dates"] if c in ours]
    cells = [
        (i, c, DateCell(row[ours[c]], ln, f"column {ours[c]}"))
        for i, (row, ln) in enumerate(zip(table.rows, table.lines, strict=True))
        for c in date_cols
        if row.get(ours[c], "") != ""
    ]
    parsed: dict[tuple[int, str], str] = {}
    try:
        for (i, c, _), d in zip(cells, parse_dates([x[2] for x in cells], file, fmt), strict=True):
            parsed[(i, c)] = d.isoformat()
    except InputError as e:
        problems.extend(e.problems)
    # duplicate ids
    uniq = conf["unique"]
    if uniq and uniq in ours:
        first: dict[str, int] = {}
        for row, ln in zip(table.rows, table.lines, strict=True):
            v = row.get(ours[uniq], "")
            if v and v in first:
                problems.append(InputProblem(f"duplicate {uniq} {excerpt(v)} (first on line {first[v]})", file, ln,
                                             f"column {ours[uniq]}"))
            first.setdefault(v, ln)
    if problems:
        raise InputError(sorted(problems, key=lambda p: (p.line or 0, p.field or "")))
    out = []
    for i, (row, ln) in enumerate(zip(table.rows, table.lines, strict=True)):
        lines.add((key, i), Where(file, ln))
        lines.set_columns((key, i), {f: h for f, h in ours.items()})
        item = {}
        for f, h in ours.items():
            v = parsed.get((i, f), row.get(h, ""))
            if v != "":
                item[f] = v
        out.append(item)
    return out


def load_scenario(path: str | Path, date_format: str | None = None) -> Scenario:
    """Load and validate a scenario YAML file (and the CSV files it names).

    ``people`` and ``time_off`` may each name a CSV file instead of listing entries
    (``people: people.csv``, relative to the YAML file), or a mapping
    ``{file: ..., date_format: ..., columns: {ours: theirs}}``. Side files must lie inside
    the YAML file's folder (links and ``..`` resolved), or inside a folder allowed with
    :func:`optimizer.inputs.allow_dirs`; every file is read within :data:`optimizer.inputs.LIMITS`
    (see docs/errors.md).

    Parameters
    ----------
    path
        The scenario YAML file.
    date_format
        How to read slash dates in the CSV side files when the scenario does not say:
        ``auto`` (default: refuse ambiguous dates), ``DD/MM/YYYY``, ``MM/DD/YYYY``...

    Raises
    ------
    InputError
        With one message per problem, each naming the file, the line and the field
        (for CSV files: the column).
    """
    return load_scenario_files(path, date_format)[0]


def load_scenario_files(path: str | Path, date_format: str | None = None) -> tuple[Scenario, list[Path]]:
    """Like :func:`load_scenario`, and also return every file read (the YAML and its CSVs)."""
    path = Path(path)
    file = str(path)
    try:
        fmt = check_date_format(date_format)
    except ValueError as e:
        raise InputError.single(str(e), field="date_format") from None
    text = decode_text(read_input_bytes(path, "scenario", LIMITS.yaml_bytes), file, "scenario")
    data, lines = _yaml_with_lines(text, file)
    if not isinstance(data, dict):
        raise InputError.single("expected a mapping of fields (team, start, end, shifts, people, ...)", file, 1)
    data = dict(data)
    imp = timeoff_import.prepare(data, lines, file)
    files = [path]
    csv_keys = set()
    for key in SECTIONS:
        spec = _csv_spec(data.get(key), key, path.parent, lines, file)
        if spec is not None:
            files.append(spec.path)
            data[key] = _csv_section(spec, key, lines=lines, date_format=None if fmt == "auto" else fmt)
            csv_keys.add(key)
    timeoff_import.finish(imp, data, lines)  # skips unknown people (warning) and adds inline entries
    if "time_off" in csv_keys and isinstance(data.get("people"), list):
        _check_time_off_people(data, lines)
    return validate_scenario(data, lines, file), files


def _check_time_off_people(data: dict, lines: LineMap) -> None:
    """Every unknown person of a time-off CSV at once (pydantic would stop at the first)."""
    ids = {str(p.get("id")) for p in data["people"] if isinstance(p, dict)}
    problems = []
    for i, row in enumerate(data["time_off"]):
        pid = row.get("person")
        if pid is not None and pid not in ids:
            where = lines.find(("time_off", i))
            col = lines.column(("time_off", i), "person")
            problems.append(InputProblem(
                f"unknown person {pid!r} (not an id in people; to skip rows of people outside the team, "
                "write time_off: {file: ..., unknown_people: warn})",
                where.file if where else None, where.line if where else None,
                f"time_off[{i}].person (column {col})",
            ))
    if problems:
        raise InputError(problems)


def validate_scenario(data: dict, lines: LineMap | None = None, file: str | None = None) -> Scenario:
    """Validate raw data into a :class:`Scenario`, turning pydantic errors into :class:`InputError`."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as e:
        raise InputError(_problems(e, lines or LineMap(), file)) from None


def _problems(err: ValidationError, lines: LineMap, file: str | None) -> list[InputProblem]:
    """One problem per error of ``err`` (see :func:`scenario.validation_problems`), at the line it was written."""
    out = []
    for loc, msg in validation_problems(err, Scenario):
        where = lines.find(loc)
        col = lines.csv_field(loc)
        field = dotted(loc)
        if col:
            field += f" (column {col})"
        out.append(
            InputProblem(msg, where.file if where else file, where.line if where else None, field or None)
        )
    return out


