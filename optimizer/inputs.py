"""Reading untrusted input files safely: limits, confinement, encodings and YAML with lines.

Every scenario, side file and schedule rota reads may come from someone else (a shared
repository, a CI job, an HR export). This module is the one place that opens them:

* :func:`read_input_bytes`: regular files only (never a FIFO, device or ``/proc`` file),
  at most :class:`Limits` bytes, refused at once when larger.
* :func:`decode_text`: UTF-8, UTF-16 or UTF-32, with or without a byte-order mark;
  control characters are refused with their line and column.
* :func:`confine`: side files named by a scenario stay inside the scenario's folder
  (or a folder the user allowed explicitly).
* :func:`yaml_with_lines`: YAML through libyaml's event parser (the C parser when
  available) into plain data and the line of every value, with budgets on aliases, nesting
  and size, and duplicate keys refused naming both lines.
* :func:`excerpt`: the only way file content enters an error message: short, with
  control characters escaped.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml

from .errors import InputError

Path_ = tuple[str | int, ...]


# ----------------------------------------------------------------------------- limits


@dataclass(frozen=True)
class Limits:
    """Budgets for input files (documented in docs/errors.md).

    Attributes
    ----------
    yaml_bytes
        Largest scenario YAML file.
    csv_bytes
        Largest CSV file (people, time off, schedules, mappings).
    csv_rows
        Most data rows in one CSV file.
    yaml_depth
        Deepest nesting of mappings and sequences in a YAML file.
    alias_nodes
        Most values YAML aliases (``*name``) may add by repeating anchored content.
    """

    yaml_bytes: int = 4 * 1024 * 1024
    csv_bytes: int = 32 * 1024 * 1024
    csv_rows: int = 100_000
    yaml_depth: int = 64
    alias_nodes: int = 10_000


LIMITS = Limits()

# Folders outside the scenario's own where side files may live (``rota --allow-dir``).
ALLOWED_DIRS: ContextVar[tuple[Path, ...]] = ContextVar("rota_allowed_dirs", default=())


@contextlib.contextmanager
def allow_dirs(*dirs: str | Path) -> Iterator[None]:
    """Within the block, scenarios may name side files inside ``dirs`` as well."""
    token = ALLOWED_DIRS.set((*ALLOWED_DIRS.get(), *(Path(d).resolve() for d in dirs)))
    try:
        yield
    finally:
        ALLOWED_DIRS.reset(token)


def _mib(n: int) -> str:
    return f"{n:,} bytes" if n < 1024 * 1024 else f"{n / (1024 * 1024):.4g} MiB"


# ----------------------------------------------------------------------------- excerpts

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def excerpt(value: object, limit: int = 40) -> str:
    """A short, quoted, printable excerpt of ``value`` for an error message.

    Control characters are escaped (``\\n``, ``\\x1b``), and text longer than ``limit``
    characters is cut with ``...``: an error never reproduces more of a file than this.
    """
    text = str(value)
    cut = len(text) > limit
    text = text[:limit]
    text = _CONTROL.sub(lambda m: repr(m[0])[1:-1], text)
    return "'" + text.replace("'", "\\'") + ("...'" if cut else "'")


# ----------------------------------------------------------------------------- files

_PSEUDO_ROOTS = (Path("/proc"), Path("/sys"))  # "regular" files whose content is the system's state


def read_input_bytes(path: str | Path, what: str, limit: int) -> bytes:
    """The bytes of the input file ``path``, refusing anything but a regular file of at most ``limit`` bytes.

    Raises
    ------
    InputError
        No such file, a directory, a FIFO/device/socket or a ``/proc`` file, unreadable,
        or larger than ``limit`` (the message states the limit).
    """
    p = Path(path)
    file = str(p)
    try:
        st = os.stat(p)
        real = p.resolve()
    except FileNotFoundError:
        raise InputError.single(f"no such {what} file", file) from None
    except (OSError, RuntimeError, ValueError) as e:
        why = getattr(e, "strerror", None) or "invalid path"
        raise InputError.single(f"cannot open the {what} file: {why}", file) from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError.single(f"is a directory, not a {what} file", file)
    if not stat.S_ISREG(st.st_mode) or any(real.is_relative_to(r) for r in _PSEUDO_ROOTS):
        raise InputError.single(f"not a regular file (device, FIFO, socket or /proc file): cannot be a {what} file",
                                file)
    if st.st_size > limit:
        raise InputError.single(f"the {what} file is {_mib(st.st_size)}; the limit is {_mib(limit)}", file)
    try:
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped for something else since the stat
                raise InputError.single(f"not a regular file: cannot be a {what} file", file)
            chunks = []
            size = 0
            while size <= limit:
                chunk = os.read(fd, min(1 << 20, limit + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        finally:
            os.close(fd)
    except OSError as e:
        raise InputError.single(f"cannot read the {what} file: {e.strerror}", file) from None
    if size > limit:
        raise InputError.single(f"the {what} file is larger than the limit of {_mib(limit)}", file)
    return b"".join(chunks)


def confine(value: Any, base: Path, file: str, line: int | None, key: str) -> Path:
    """The side file ``value`` named by field ``key`` of scenario ``file``, resolved relative
    to ``base`` (the scenario's folder) and confined to it or to the folders of :data:`ALLOWED_DIRS`.

    Links and ``..`` are resolved before the check, so neither leads out of the folder.

    Raises
    ------
    InputError
        Not a path, or a path that leads outside the allowed folders (its content is never read).
    """
    if not isinstance(value, str) or not value.strip() or "\x00" in value:
        raise InputError.single("expected the path of a CSV file", file, line, key)
    try:
        resolved = (base / value).resolve()
    except (OSError, RuntimeError, ValueError):
        raise InputError.single(f"cannot resolve the path {excerpt(value)}", file, line, key) from None
    roots = (base.resolve(), *ALLOWED_DIRS.get())
    if not any(resolved.is_relative_to(r) for r in roots):
        raise InputError.single(
            f"the side file {excerpt(value, 80)} is outside the scenario's folder {roots[0]}; side files "
            "must be inside it (to allow another folder: rota --allow-dir DIR ...)",
            file, line, key,
        )
    return resolved


# ----------------------------------------------------------------------------- text

_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
)
# characters that never belong in a scenario or CSV file (tab, LF and CR do)
_BAD_CHAR = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def _encoding(raw: bytes) -> tuple[str, int]:
    """(codec, BOM length); without a BOM the pattern of NUL bytes tells UTF-16/32 (YAML 1.2 §5.2)."""
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            return codec, len(bom)
    head = raw[:4]
    if len(head) == 4:
        if head[:3] == b"\x00\x00\x00" and head[3]:
            return "utf-32-be", 0
        if head[0] and head[1:] == b"\x00\x00\x00":
            return "utf-32-le", 0
    if len(head) >= 2:
        if head[0] == 0 and head[1]:
            return "utf-16-be", 0
        if head[0] and head[1] == 0:
            return "utf-16-le", 0
    return "utf-8", 0


def position(text: str, pos: int) -> tuple[int, int]:
    """1-based (line, column) of character ``pos`` of ``text``."""
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


def decode_text(raw: bytes, file: str, what: str, column_of: Any = None) -> str:
    """Decode an input file: UTF-8/16/32 with or without BOM; refuse control characters.

    ``column_of(text, line, column)`` may name the field at a bad position (CSV: the column
    name); by default the message says ``column N``.

    Raises
    ------
    InputError
        Not text in the detected encoding (line and column of the first bad byte), or a
        control character (line and column).
    """
    codec, skip = _encoding(raw)
    try:
        text = raw[skip:].decode(codec)
    except UnicodeDecodeError as e:
        good = raw[skip : skip + e.start].decode(codec, errors="replace")
        line, col = position(good, len(good))
        guess = ""
        if codec == "utf-8":
            try:
                raw.decode("cp1252")
                guess = " It looks like Windows-1252/Latin-1 (an Excel 'CSV' export)."
            except UnicodeDecodeError:
                pass
        label = codec.upper().replace("-LE", "").replace("-BE", "")
        raise InputError.single(
            f"the {what} file is not {label} text (byte 0x{raw[skip + e.start]:02X}).{guess} Save it as UTF-8",
            file, line, _column(column_of, good, line, col),
        ) from None
    m = _BAD_CHAR.search(text)
    if m:
        line, col = position(text, m.start())
        ch = m[0]
        hint = " (UTF-16 without a byte-order mark? save it as UTF-8)" if ch == "\x00" else ""
        raise InputError.single(
            f"control character U+{ord(ch):04X} is not allowed in a {what} file{hint}",
            file, line, _column(column_of, text, line, col),
        )
    return text


def _column(column_of: Any, text: str, line: int, col: int) -> str:
    if column_of is not None:
        try:
            return str(column_of(text, line, col))
        except Exception:  # naming the column is a courtesy; never let it hide the real error
            pass
    return f"column {col}"


# ----------------------------------------------------------------------------- lines


@dataclass(frozen=True)
class Where:
    file: str
    line: int


class Lines(Protocol):
    """Where values were written (``loading.LineMap``)."""

    def add(self, path: Path_, where: Where) -> None: ...


# ----------------------------------------------------------------------------- YAML

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"
_NO_KEY = object()
_KINDS = {f"tag:yaml.org,2002:{t}": k for t, k in (("timestamp", "date"), ("int", "integer"), ("float", "number"))}


@dataclass
class _Frame:
    kind: str  # "map" | "seq"
    value: Any
    path: Path_
    anchor: str | None
    line: int
    depth: int
    nodes: int = 1
    height: int = 1
    key: Any = _NO_KEY
    key_line: int = 0
    keys: dict[Any, int] = field(default_factory=dict)
    merges: list[tuple[Any, int]] = field(default_factory=list)


def _construct_scalar(loader: Any, ev: Any, file: str, path: Path_) -> Any:
    """(value, tag) of a scalar; an error names the field at ``path`` (a key: its mapping's)."""
    tag = ev.tag
    if tag is None or tag == "!":
        tag = loader.resolve(yaml.ScalarNode, ev.value, ev.implicit)
    if tag == _STR:
        return ev.value, tag
    if tag == _MERGE:
        return "<<", tag
    make = loader.yaml_constructors.get(tag)
    line, field = ev.start_mark.line + 1, dotted(path) or None
    if make is None:
        raise InputError.single(f"unsupported YAML tag {excerpt(tag)}", file, line, field)
    try:
        return make(loader, yaml.ScalarNode(tag, ev.value, ev.start_mark, ev.end_mark, ev.style)), tag
    except (ValueError, OverflowError, TypeError, yaml.YAMLError) as e:  # e.g. an impossible date 2027-02-30
        why = str(e).split("\n")[0][:120]
        why = "too many digits" if "integer string conversion" in why else why
        raise InputError.single(f"invalid {_KINDS.get(tag, 'value')} {excerpt(ev.value)}: {why}", file, line,
                                field) from None


def yaml_with_lines(text: str, file: str, lines: Lines, limits: Limits = LIMITS) -> Any:
    """Parse one YAML document into plain data, registering the line of every value in ``lines``.

    Only the YAML that a scenario needs: mappings, sequences and the safe scalar types
    (no Python tags). Aliases may repeat at most ``limits.alias_nodes`` values in all
    (this defeats "billion laughs" documents); an alias inside its own anchor (a cycle),
    a key given twice, nesting deeper than ``limits.yaml_depth`` or a second document are
    refused.

    Raises
    ------
    InputError
        Naming the line of the problem (both lines for a duplicate key).
    """
    loader = _Loader(text)
    stack: list[_Frame] = []
    anchors: dict[str, tuple[Any, int, int]] = {}  # name -> (value, nodes, depth)
    open_anchors: set[str] = set()
    aliased = 0
    root: Any = _NO_KEY
    documents = 0

    def place(value: Any, nodes: int, line: int, tag: str | None = None, height: int = 0) -> None:
        """Put a finished value into the collection being built."""
        nonlocal root
        if not stack:
            root = value
            return
        top = stack[-1]
        top.nodes += nodes
        top.height = max(top.height, height + 1)
        if top.kind == "seq":
            lines.add((*top.path, len(top.value)), Where(file, line))
            top.value.append(value)
            return
        if top.key is _NO_KEY:
            if tag == "collection":
                raise InputError.single("a mapping key must be a plain value, not a mapping or list", file, line)
            try:
                hash(value)
            except TypeError:
                raise InputError.single("a mapping key must be a plain value", file, line) from None
            if tag == _MERGE:
                top.key = _MERGE
            elif value in top.keys:
                raise InputError.single(
                    f"duplicate key {excerpt(value)} (first on line {top.keys[value]}, again on line {line}); "
                    "YAML would silently keep the last one",
                    file, line, dotted((*top.path, value)),
                )
            else:
                top.keys[value] = line
                top.key = value
            top.key_line = line
            return
        key, top.key = top.key, _NO_KEY
        if key is _MERGE:
            top.merges.append((value, top.key_line))
            return
        lines.add((*top.path, key), Where(file, top.key_line))
        top.value[key] = value

    def child_path() -> Path_:
        if not stack:
            return ()
        top = stack[-1]
        if top.kind == "seq":
            return (*top.path, len(top.value))
        return top.path if top.key is _MERGE else (*top.path, top.key)

    try:
        while True:
            ev = loader.get_event()
            if ev is None or isinstance(ev, yaml.StreamEndEvent):
                break
            line = ev.start_mark.line + 1 if ev.start_mark is not None else 1
            if isinstance(ev, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise InputError.single("more than one YAML document (a second '---'); expected one", file, line)
            elif isinstance(ev, yaml.ScalarEvent):
                in_key = bool(stack) and stack[-1].kind == "map" and stack[-1].key is _NO_KEY
                value, tag = _construct_scalar(loader, ev, file, stack[-1].path if in_key else child_path())
                if tag == _MERGE and not in_key:
                    value = "<<"
                if ev.anchor:
                    anchors[ev.anchor] = (value, 1, 0)
                place(value, 1, line, tag if in_key else None)
            elif isinstance(ev, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                kind = "map" if isinstance(ev, yaml.MappingStartEvent) else "seq"
                if stack and stack[-1].kind == "map" and stack[-1].key is _NO_KEY:
                    raise InputError.single("a mapping key must be a plain value, not a mapping or list", file, line)
                path = child_path()
                if ev.tag not in (None, "!", _MAP if kind == "map" else _SEQ):
                    raise InputError.single(f"unsupported YAML tag {excerpt(ev.tag)}", file, line,
                                            dotted(path) or None)
                depth = len(stack) + 1
                if depth > limits.yaml_depth:
                    raise InputError.single(f"nested deeper than {limits.yaml_depth} levels (the limit)", file, line)
                lines.add(path, Where(file, stack[-1].key_line if stack and stack[-1].kind == "map" else line))
                stack.append(_Frame(kind, {} if kind == "map" else [], path, ev.anchor, line, depth))
                if ev.anchor:
                    open_anchors.add(ev.anchor)
            elif isinstance(ev, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                fr = stack.pop()
                for merged, mline in fr.merges:
                    for m in merged if isinstance(merged, list) else [merged]:
                        if not isinstance(m, dict):
                            raise InputError.single("a merge key (<<) needs a mapping or a list of mappings",
                                                    file, mline)
                        for k, v in m.items():
                            if k not in fr.value:
                                fr.value[k] = v
                                lines.add((*fr.path, k), Where(file, mline))
                if fr.anchor:
                    open_anchors.discard(fr.anchor)
                    anchors[fr.anchor] = (fr.value, fr.nodes, fr.height)
                place(fr.value, fr.nodes, fr.line, "collection", fr.height)
            elif isinstance(ev, yaml.AliasEvent):
                name = ev.anchor
                if name in open_anchors:
                    raise InputError.single(
                        f"the alias *{excerpt(name)[1:-1]} refers to a value that contains it (a cycle)", file, line
                    )
                if name not in anchors:
                    raise InputError.single(f"undefined alias *{excerpt(name)[1:-1]}", file, line)
                value, nodes, height = anchors[name]
                aliased += nodes
                if aliased > limits.alias_nodes:
                    raise InputError.single(
                        f"YAML aliases repeat more than {limits.alias_nodes:,} values in all (the limit; "
                        "this protects against 'billion laughs' documents): write the values out",
                        file, line,
                    )
                if len(stack) + height > limits.yaml_depth:
                    raise InputError.single(f"nested deeper than {limits.yaml_depth} levels (the limit)", file, line)
                in_key = bool(stack) and stack[-1].kind == "map" and stack[-1].key is _NO_KEY
                kind_tag = ("collection" if isinstance(value, (dict, list)) else None) if in_key else None
                place(value, nodes, line, kind_tag, height)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        at = mark.line + 1 if mark else None
        if "maximum nesting depth" in str(e.problem):
            # libyaml >= 0.2.5 (PyYAML 6.0.4 wheels) stops at 1000 levels while scanning
            # ahead, before our own depth count sees them: deeper than our limit as well
            raise InputError.single(f"nested deeper than {limits.yaml_depth} levels (the limit)", file, at) from None
        raise InputError.single(f"not valid YAML: {e.problem or e}", file, at) from None
    except yaml.YAMLError as e:
        raise InputError.single(f"not valid YAML: {str(e).splitlines()[0][:120]}", file) from None
    finally:
        loader.dispose()
    if root is _NO_KEY or root is None:
        raise InputError.single("the file is empty", file)
    return root


def dotted(loc: Path_) -> str:
    """A data path as a field name: ``people[1].email``."""
    s = ""
    for p in loc:
        s += f"[{p}]" if isinstance(p, int) else (f".{p}" if s else str(p))
    return s
