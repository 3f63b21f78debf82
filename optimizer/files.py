"""Safe file output.

* Atomic writes: write to a temporary file beside the target, then rename, so an
  interrupted run never leaves a half-written file.
* Formula-injection guard for CSV cells (:func:`safe_cell`, undone on read by
  ``tables.unescape_cell``): the pair is an exact round trip for every string.
* Inputs are never overwritten (:func:`refuse_overwrite`).
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from .errors import InputError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename (never half-written)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def atomic_write_text(path: str | Path, text: str, bom: bool = False) -> None:
    """Write UTF-8 text atomically; ``bom=True`` adds a byte-order mark (for Excel)."""
    atomic_write_bytes(path, (("\ufeff" if bom else "") + text).encode("utf-8"))


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Text that a spreadsheet could run as a formula, possibly behind apostrophes we added.
# Escaping prefixes one more apostrophe; unescaping removes one. Because the pattern
# allows leading apostrophes, text that *already* starts with "'=" survives the round trip.
GUARDED = re.compile(r"^'*[=+\-@\t\r]")


def safe_cell(value: object) -> str:
    """A CSV cell that spreadsheets will not run as a formula (OWASP CSV injection).

    Text starting with ``=``, ``+``, ``-``, ``@``, tab or CR (possibly after
    apostrophes) gets a leading apostrophe; ``tables.unescape_cell`` removes it again.
    Numbers are written as numbers (a negative number is not a formula).

    Parameters
    ----------
    value
        A cell value: ``None`` and NaN become empty, ints and floats are formatted
        stably, anything else goes through ``str``.
    """
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        text = repr(round(value, 4)) if value != int(value) else str(int(value))
        return text
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    if GUARDED.match(text):
        return "'" + text
    return text


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV text (``\\n`` line ends) with every cell passed through :func:`safe_cell`."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([safe_cell(c) for c in columns])
    for row in rows:
        w.writerow([safe_cell(v) for v in row])
    return buf.getvalue()


def write_frame(path: str | Path, frame, bom: bool = False) -> None:
    """Write a DataFrame as CSV, atomically, formula-safe, with stable number formatting."""
    text = csv_text(list(frame.columns), frame.itertuples(index=False, name=None))
    atomic_write_text(path, text, bom=bom)


def same_file(a: str | Path, b: str | Path) -> bool:
    """``a`` and ``b`` name the same file (after resolving links and ``..``)."""
    pa, pb = Path(a), Path(b)
    try:
        if pa.exists() and pb.exists():
            return os.path.samefile(pa, pb)
    except OSError:
        pass
    return pa.resolve() == pb.resolve()


def refuse_overwrite(outputs: Iterable[str | Path], inputs: Iterable[str | Path]) -> None:
    """Raise :class:`InputError` if any output path is one of the input files.

    rota never overwrites what it reads: ``rota export s.yaml a.csv --out a.csv``
    is refused (exit 2) instead of destroying the schedule it exports.
    """
    ins = [Path(p) for p in inputs]
    for out in outputs:
        for src in ins:
            if same_file(out, src):
                raise InputError.single(
                    f"refusing to overwrite the input file {src}; choose another output path",
                    str(out),
                )


def refuse_overwrite_in(out_dir: str | Path, inputs: Iterable[str | Path], names: Iterable[str] = (),
                        suffixes: Iterable[str] = ()) -> None:
    """Raise :class:`InputError` if an input file is in ``out_dir`` under a name the command
    writes there: one of ``names`` or any name ending in one of ``suffixes`` (``.png``).

    For commands whose set of output names is only known while writing (reports, charts).
    """
    out = Path(out_dir)
    names, suffixes = set(names), tuple(suffixes)
    for src in inputs:
        p = Path(src)
        if (p.name in names or p.name.endswith(suffixes)) and (same_file(p.parent, out) if out.exists() else False):
            raise InputError.single(
                f"refusing to write into {out}: the input file {p} would be overwritten; choose another --out",
                str(p),
            )


def check_writable_dir(path: str | Path, option: str = "--out") -> None:
    """Make sure files can be written into the folder ``path`` (created if missing), before any work.

    Raises
    ------
    InputError
        Naming the path: not a folder, or not writable (read-only, no permission, no space).
    """
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise InputError.single("exists and is not a folder", str(p), field=option)
    try:
        p.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".rota-write-test.", dir=p)
        try:
            os.write(fd, b"x")
        finally:
            os.close(fd)
            os.unlink(tmp)
    except OSError as e:
        raise InputError.single(f"cannot write here: {e.strerror or e}", str(p), field=option) from None


def check_writable_file(path: str | Path, option: str = "--out") -> None:
    """Make sure the file ``path`` can be written (its folder writable, not a folder itself), before any work."""
    p = Path(path)
    if p.is_dir():
        raise InputError.single("is a folder; expected a file name", str(p), field=option)
    check_writable_dir(p.parent if str(p.parent) else Path("."), option)


def write_set(files: dict[Path, bytes]) -> None:
    """Write several files as one unit: every file goes to a temporary file beside its target
    first (flushed to disk); only when all of them are complete are they renamed into place.

    A failure (disk full, a folder removed) leaves every target as it was: never half a set,
    never a half-written file.
    """
    temps: list[tuple[str, Path]] = []
    try:
        for path, data in files.items():
            path = Path(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            temps.append((tmp, path))
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o666 & ~_umask())
        for tmp, path in temps:
            os.replace(tmp, path)
    except BaseException:
        for tmp, _ in temps:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        raise


def write_frames(frames: dict[Path, Any], bom: bool = False) -> None:
    """Write DataFrames as CSV (like :func:`write_frame`) as one unit (see :func:`write_set`)."""
    write_set({
        Path(path): (("\ufeff" if bom else "") + csv_text(list(f.columns), f.itertuples(index=False, name=None)))
        .encode("utf-8")
        for path, f in frames.items()
    })


_UNSAFE = re.compile(r"[^\w.\-]+")


def safe_filename(name: str, taken: set[str] | None = None, max_len: int = 60) -> str:
    """A file-name stem for ``name`` (a person id, say) that is safe on every OS.

    Letters of any script, digits, ``.``, ``_`` and ``-`` are kept; anything else
    (slashes, quotes, ``=``...) becomes ``_``. If the name had to change, or the stem is
    already in ``taken``, a short hash of the original keeps stems distinct and stable.
    """
    norm = unicodedata.normalize("NFC", name)
    stem = _UNSAFE.sub("_", norm).strip("._") or "person"
    stem = stem[:max_len]
    if stem != norm or (taken is not None and stem.casefold() in taken):
        stem = f"{stem}-{hashlib.sha1(name.encode('utf-8')).hexdigest()[:8]}"
    if taken is not None:
        taken.add(stem.casefold())
    return stem
