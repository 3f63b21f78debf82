"""CSV side files and date cells, read for import: encodings, delimiters, the formula
guard undone, every row's line kept, and date formats ("auto" refuses ambiguous days).

Errors name file, line and column and never echo more than a short excerpt of a cell."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError, InputProblem
from .inputs import LIMITS, Limits, decode_text, excerpt, read_input_bytes

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
