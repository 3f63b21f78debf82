"""Atomic file output: write to a temporary file beside the target, then rename, so an
interrupted run never leaves a half-written file."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def atomic_write_text(path: str | Path, text: str, bom: bool = False) -> None:
    atomic_write_bytes(path, (("\ufeff" if bom else "") + text).encode("utf-8"))


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A CSV cell that spreadsheets will not run as a formula (OWASP CSV injection):
    text starting with = + - @ tab or CR gets a leading apostrophe. Numbers are kept."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        text = repr(round(value, 4)) if value != int(value) else str(int(value))
        return text
    if isinstance(value, (int,)) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for row in rows:
        w.writerow([safe_cell(v) for v in row])
    return buf.getvalue()


def write_frame(path: str | Path, frame, bom: bool = False) -> None:
    """Write a DataFrame as CSV, atomically, formula-safe, with stable number formatting."""
    text = csv_text(list(frame.columns), frame.itertuples(index=False, name=None))
    atomic_write_text(path, text, bom=bom)
