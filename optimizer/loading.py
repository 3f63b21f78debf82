"""Reading scenario files (YAML + CSV side files) with errors that name file, line and field."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from . import timeoff_import
from .errors import InputError, InputProblem
from .fields import LocatedError
from .inputs import LIMITS, Limits, Where, confine, decode_text, excerpt, read_input_bytes, yaml_with_lines
from .scenario import Scenario

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


GUARDED_ESCAPED = re.compile(r"^'+[=+\-@\t\r]")


def unescape_cell(text: str) -> str:
    """Undo the formula guard of ``files.safe_cell``: remove ONE leading apostrophe from
    text that starts with apostrophes followed by ``= + - @``, tab or CR.

    ``unescape_cell(safe_cell(s)) == s`` for every string ``s``.
    """
    if GUARDED_ESCAPED.match(text):
        return text[1:]
    return text


# ----------------------------------------------------------------------------- CSV tables


@dataclass
class CsvTable:
    """A CSV file read for import: stripped, formula-unescaped cells, line of every row."""

    file: str
    header: list[str]
    rows: list[dict[str, str]]
    lines: list[int]
    delimiter: str = ","

    def column_number(self, column: str) -> int | None:
        return self.header.index(column) + 1 if column in self.header else None


def _csv_column(text: str, line: int, col: int) -> str:
    """``column <name>`` of position (line, col) of CSV text, the name cut short (for encoding errors)."""
    lines = text.split("\n", line)
    first = lines[0].lstrip("\ufeff")
    delim = _sniff_delimiter(first)
    header = next(csv.reader([first], delimiter=delim), [])
    before = lines[line - 1][: col - 1] if line - 1 < len(lines) else ""
    k = len(next(csv.reader([before], delimiter=delim), [""])) - 1
    return f"column {excerpt(header[k].strip(), 30)[1:-1]}" if 0 <= k < len(header) else f"column {k + 1}"


def _decode(raw: bytes, file: str, what: str) -> str:
    return decode_text(raw, file, what, _csv_column)


def _sniff_delimiter(header_line: str) -> str:
    """Comma, unless the header row has no comma but semicolons (European Excel) or tabs."""
    if "," in header_line:
        return ","
    if ";" in header_line:
        return ";"
    if "\t" in header_line:
        return "\t"
    return ","


def read_csv_table(
    path: str | Path, what: str, expect: Iterable[str] = (), limits: Limits = LIMITS
) -> CsvTable:
    """Read a CSV file for import, with errors that name file, line and column.

    UTF-8, UTF-16 or UTF-32, with or without BOM; comma-separated, or ``;``/tab when
    the header row has no comma. Cells are stripped and the formula guard of
    ``files.safe_cell`` is undone. Blank rows are skipped. Regular files only, at most
    ``limits.csv_bytes`` bytes and ``limits.csv_rows`` rows.

    Raises
    ------
    InputError
        Unreadable file, not a regular file, over a limit, wrong encoding (line and
        column of the first bad byte), control characters, empty file, no header,
        duplicate or blank column names, more cells than columns, a quote that is never
        closed (the line where it opens), rows split by another delimiter than the header.
        ``expect`` (column names) is quoted in the message for an empty file. Cell values
        appear in messages only as short excerpts.
    """
    hint = f" (expected a header row with the columns {', '.join(expect)})" if expect else ""
    path = Path(path)
    file = str(path)
    raw = read_input_bytes(path, what, limits.csv_bytes)
    text = _decode(raw, file, what)
    if not text.strip():
        raise InputError.single(f"the {what} file is empty{hint}", file, 1, "header row")
    delim = _sniff_delimiter(text.lstrip("\r\n").split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=True)
    header: list[str] | None = None
    rows: list[dict[str, str]] = []
    lines: list[int] = []
    row_start = 1
    try:
        for cells in reader:
            this_line, row_start = row_start, reader.line_num + 1
            if header is None:
                if not any(c.strip() for c in cells):
                    continue
                header = [unescape_cell(c.strip()) for c in cells]
                header_line = reader.line_num
                seen: dict[str, int] = {}
                for k, h in enumerate(header):
                    if h and h in seen:
                        raise InputError.single(
                            f"column {excerpt(h)} appears twice (columns {seen[h] + 1} and {k + 1})",
                            file, header_line, f"column {excerpt(h, 30)[1:-1]}",
                        )
                    seen[h] = k
                continue
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= limits.csv_rows:
                raise InputError.single(
                    f"the {what} file has more than {limits.csv_rows:,} rows (the limit)", file, this_line
                )
            if len(cells) > len(header):
                extra = cells[len(header):]
                if any(c.strip() for c in extra):
                    raise InputError.single(
                        f"{len(cells)} cells but the header has {len(header)} columns",
                        file, this_line, f"column {len(header) + 1}",
                    )
            if len(cells) == 1 and len(header) > 1:
                other = next((d for d in (";", "\t", ",", "|") if d != delim and d in cells[0]), None)
                if other is not None:
                    name = {";": "semicolons", "\t": "tabs", ",": "commas", "|": "bars"}[other]
                    sep = {";": "semicolons", "\t": "tabs", ",": "commas"}[delim]
                    raise InputError.single(
                        f"the header row is split by {sep} but this row by {name}; use one delimiter",
                        file, this_line, "row",
                    )
            row: dict[str, str] = {}
            for k, h in enumerate(header):
                value = cells[k].strip() if k < len(cells) else ""
                if not h:
                    if value:
                        raise InputError.single(
                            f"a value ({excerpt(value)}) in a column without a name", file,
                            this_line, f"column {k + 1}",
                        )
                    continue
                row[h] = unescape_cell(value)
            rows.append(row)
            lines.append(this_line)
    except csv.Error as e:
        if "end of data" in str(e):
            raise InputError.single(
                "a quoted cell is never closed (a \" without its closing \"): the rest of the file would be "
                "read as one cell", file, row_start, "row",
            ) from None
        raise InputError.single(f"not valid CSV: {e}", file, reader.line_num) from None
    if header is None:
        raise InputError.single(f"the {what} file is empty{hint}", file, 1, "header row")
    return CsvTable(file, [h for h in header if h], rows, lines, delim)


def read_csv_rows(path: Path, what: str) -> tuple[list[dict[str, str]], list[int], str]:
    """Rows of a CSV file as dicts, with the line number of each row (see :func:`read_csv_table`)."""
    t = read_csv_table(path, what)
    return t.rows, t.lines, t.file


# ----------------------------------------------------------------------------- dates

DATE_FORMATS = ("auto", "YYYY-MM-DD", "DD/MM/YYYY", "MM/DD/YYYY", "DD.MM.YYYY")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_SLASH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_DOT_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


def check_date_format(value: str | None) -> str:
    """Normalise a ``date_format`` setting (case-insensitive; ``iso`` = YYYY-MM-DD)."""
    if value is None:
        return "auto"
    v = str(value).strip().upper()
    if v in ("ISO", "ISO8601", "ISO 8601"):
        return "YYYY-MM-DD"
    if v == "AUTO":
        return "auto"
    if v not in DATE_FORMATS:
        raise ValueError(
            f"unknown date format {value!r} (use one of: {', '.join(DATE_FORMATS)})"
        )
    return v


@dataclass(frozen=True)
class DateCell:
    text: str
    line: int
    column: str


def parse_dates(cells: list[DateCell], file: str, date_format: str | None = None) -> list[dt.date]:
    """Parse the date cells of one file, all in one format.

    ISO ``YYYY-MM-DD`` is always accepted, and so is ``DD.MM.YYYY``. Slash dates are
    ``DD/MM/YYYY`` or ``MM/DD/YYYY``: with ``date_format`` ``auto`` (default) the file
    decides — a first number above 12 proves DD/MM, a second above 12 proves MM/DD;
    if nothing in the file tells them apart (every slash date like ``03/04/2027``),
    the dates are ambiguous and refused, as are files that mix the two.

    Raises
    ------
    InputError
        One problem per unreadable or ambiguous cell, each naming file, line and column.
    """
    fmt = check_date_format(date_format)
    problems: list[InputProblem] = []
    slash: list[tuple[int, int, int, int]] = []  # (cell index, a, b, year)
    out: list[dt.date | None] = [None] * len(cells)
    hint = "YYYY-MM-DD, DD/MM/YYYY, MM/DD/YYYY or DD.MM.YYYY"

    def bad(c: DateCell, why: str) -> None:
        problems.append(InputProblem(f"cannot read date {excerpt(c.text)}: {why}", file, c.line, c.column))

    for k, c in enumerate(cells):
        t = c.text.strip()
        m = _ISO_DATE.match(t) or _DOT_DATE.match(t)
        try:
            if m and m.re is _ISO_DATE:
                out[k] = dt.date(int(m[1]), int(m[2]), int(m[3]))
                continue
            if m:
                out[k] = dt.date(int(m[3]), int(m[2]), int(m[1]))
                continue
        except ValueError as e:
            bad(c, str(e))
            continue
        m = _SLASH_DATE.match(t)
        if not m:
            if re.match(r"^\d{4}-\d{1,2}-\d{1,2}[T ]", t):
                bad(c, "expected a date without a time")
            else:
                bad(c, f"expected {hint}")
            continue
        slash.append((k, int(m[1]), int(m[2]), int(m[3])))

    if slash:
        if fmt in ("DD/MM/YYYY", "MM/DD/YYYY"):
            order = fmt
        else:
            dmy = next((s for s in slash if s[1] > 12), None)
            mdy = next((s for s in slash if s[2] > 12), None)
            if dmy and mdy:
                c1, c2 = cells[dmy[0]], cells[mdy[0]]
                problems.append(InputProblem(
                    f"dates mix DD/MM/YYYY ({excerpt(c1.text)}, line {c1.line}) and MM/DD/YYYY "
                    f"({excerpt(c2.text)}, line {c2.line}); use one format (ISO YYYY-MM-DD is safest)",
                    file, c2.line, c2.column))
                raise InputError(problems)
            order = "DD/MM/YYYY" if dmy else "MM/DD/YYYY" if mdy else None  # type: ignore[assignment]
            if order is None:
                amb = next((s for s in slash if s[1] != s[2]), None)
                if amb is not None:
                    c = cells[amb[0]]
                    problems.append(InputProblem(
                        f"ambiguous date {excerpt(c.text)}: DD/MM/YYYY or MM/DD/YYYY? No date in the file "
                        "tells them apart; say which with date_format (scenario: `time_off: {file: ..., "
                        "date_format: DD/MM/YYYY}`, or `rota export --date-format`) or write ISO YYYY-MM-DD",
                        file, c.line, c.column))
                    raise InputError(problems)
                order = "DD/MM/YYYY"  # every slash date reads the same both ways
        for k, a, b, y in slash:
            day, month = (a, b) if order == "DD/MM/YYYY" else (b, a)
            try:
                out[k] = dt.date(y, month, day)
            except ValueError as e:
                bad(cells[k], f"{e} (read as {order})")
    if problems:
        raise InputError(sorted(problems, key=lambda p: (p.line or 0, p.field or "")))
    return [d for d in out if d is not None]


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
    out = []
    errors = err.errors()
    for e in errors:
        loc = tuple(e["loc"])
        if e["type"] == "too_short" and any(len(o["loc"]) > len(loc) and tuple(o["loc"][: len(loc)]) == loc
                                            for o in errors):
            continue  # "Tuple should have at least 1 item after validation": only because an item was invalid
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
        col = lines.csv_field(loc)
        field = _dotted(loc)
        if col:
            field += f" (column {col})"
        out.append(
            InputProblem(msg, where.file if where else file, where.line if where else None, field or None)
        )
    return out


def _dotted(loc: Path_) -> str:
    s = ""
    for p in loc:
        s += f"[{p}]" if isinstance(p, int) else (f".{p}" if s else str(p))
    return s
