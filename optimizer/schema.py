"""The JSON Schema of a scenario file: what ``rota schema`` prints, for editors and CI.

The schema accepts exactly the documents rota's loader accepts wherever JSON Schema
can say so. It starts from :meth:`Scenario.model_json_schema` (the field types carry
their own schema annotations: duration and weekday-time patterns, shorthand forms,
``a;b`` name lists) and adds here what the models cannot declare:

* the loader's forms: ``people`` and ``time_off`` may name a CSV file (``people.csv``
  or ``{file, date_format, columns}``);
* the coercions pydantic performs: numbers and integers also as numeric strings
  (``fte: "0.5"``), booleans also as ``yes``/``no``/``on``/``off``/``1``/``0``...;
* enums of the known sets: IANA zone names (from ``zoneinfo``), countries and each
  country's subdivisions (from ``holidays``);
* cross-field rules of one object: a weekly ``starts`` has a weekday and a daily one
  has none, ``days`` only on daily patterns, ``subdivision`` only with its country.

What JSON Schema cannot express, or what we leave to ``rota check`` (documented in
docs/exports.md): references between sections (a time-off person, a role or shift
name must exist), ``end`` not before ``start``, distinct names, two-decimal weights
(``multipleOf: 0.01`` fails in floating point, so it is dropped), bounds of numbers
written as strings, time-off ``type`` values, CSV file contents.
"""

from __future__ import annotations

import copy
import json
import zoneinfo
from functools import cache
from typing import Any

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

_INT = r"[0-9](?:_?[0-9])*"
INTEGER_STRING = rf"^\s*[+-]?{_INT}(?:\.0+)?\s*$"
NUMBER_STRING = rf"^\s*[+-]?(?:{_INT}(?:\.(?:{_INT})?)?|\.{_INT})(?:[eE][+-]?{_INT})?\s*$"


def _ci(*words: str) -> str:
    """A case-insensitive alternation for ECMA-262 and Python alike (no inline flags)."""
    return "|".join("".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in w) for w in words)


# (?![\s\S]) ends a pattern in ECMA-262 and Python alike (Python's $ also matches before a final newline)
_END = r"(?![\s\S])"
BOOLEAN_STRING = "^(?:" + _ci("true", "false", "yes", "no", "on", "off", "t", "f", "y", "n", "1", "0") + ")" + _END
DATE_FORMAT = (
    r"^\s*(?:"
    + _ci("auto", "iso", "iso8601", "iso 8601", "yyyy-mm-dd", "dd/mm/yyyy", "mm/dd/yyyy", "dd.mm.yyyy").replace(
        ".", r"\."
    )
    + r")\s*$"
)
DATE = r"^(?:197[1-9]|19[89][0-9]|2[01][0-9]{2})-[0-9]{2}-[0-9]{2}" + _END  # 1971 .. 2199 (fields.MIN/MAX_DATE)
WEEKDAY = "(?:mon|tue|wed|thu|fri|sat|sun)"
TIME = r"(?:[01]?[0-9]|2[0-3]):[0-5][0-9]"
WEEKLY_STARTS = rf"^\s*{WEEKDAY}\s+{TIME}\s*$"
DAILY_STARTS = rf"^\s*{TIME}\s*$"

_META = ("title", "description", "default", "examples")


def _coerce(node: Any) -> Any:
    """Walk a schema: drop ``multipleOf``, let numbers, integers and booleans also be the
    strings pydantic converts, and turn ``format: iana-time-zone`` into the zone enum."""
    if isinstance(node, list):
        return [_coerce(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _coerce(v) for k, v in node.items()}
    node.pop("multipleOf", None)
    if node.get("format") == "iana-time-zone":
        meta = {k: node[k] for k in _META if k in node}
        return {**meta, "$ref": "#/$defs/TimeZone"}
    kind = node.get("type")
    alt: list[dict[str, Any]] | None = None
    if kind == "integer":
        alt = [{"type": "string", "pattern": INTEGER_STRING}]
    elif kind == "number":
        alt = [{"type": "string", "pattern": NUMBER_STRING}]
    elif kind == "boolean":
        alt = [{"type": "string", "pattern": BOOLEAN_STRING}, {"enum": [0, 1]}]
    if alt is None:
        return node
    meta = {k: node.pop(k) for k in _META if k in node}
    return {**meta, "anyOf": [node, *alt]}


def _csv_file(what: str, extra: dict | None = None) -> dict:
    """``{file, date_format, columns}`` (and ``extra`` options) naming a CSV side file."""
    return {
        "type": "object",
        "description": f"A CSV file of {what} with options",
        "properties": {
            "file": {"type": "string", "description": "Path, relative to this file"},
            "date_format": {
                "anyOf": [{"type": "string", "pattern": DATE_FORMAT}, {"type": "null"}],
                "description": "auto (default), YYYY-MM-DD, DD/MM/YYYY, MM/DD/YYYY or DD.MM.YYYY",
            },
            "columns": {
                "anyOf": [{"type": "object", "additionalProperties": {"type": "string"}}, {"type": "null"}],
                "description": "Our column name -> the file's column name",
            },
            **(extra or {}),
        },
        "required": ["file"],
        "additionalProperties": False,
    }


def _csv_source(array: dict, what: str, extra: dict | None = None) -> dict:
    """``people``/``time_off``: the list, a CSV path, or ``{file, date_format, columns}``.

    With ``extra`` (time off): the object takes those options too, and the list form may
    name one file among its entries.
    """
    meta = {k: array.pop(k) for k in _META if k in array}
    forms = [array]
    if extra:
        item = array["items"]
        forms = [
            {
                **array,
                "items": {"anyOf": [item, _csv_file(what, extra)]},
                "contains": {"type": "object", "required": ["file"]},
                "minContains": 0,
                "maxContains": 1,
            }
        ]
    forms.append({"type": "string", "minLength": 1, "description": f"A CSV file of {what}, relative to this file"})
    forms.append(_csv_file(what, extra))
    return {**meta, "anyOf": forms}


def _places() -> dict:
    """Country enum and, per country, the allowed subdivisions (``holidays`` package)."""
    import holidays

    supported = holidays.list_supported_countries()
    countries = sorted(supported)
    rules: list[dict] = [
        {  # no country: no subdivision
            "if": {"properties": {"country": {"type": "null"}}},
            "then": {"properties": {"subdivision": {"type": "null"}}},
        }
    ]
    plain = [c for c in countries if not supported[c]]
    if plain:
        rules.append(
            {
                "if": {"properties": {"country": {"enum": plain}}, "required": ["country"]},
                "then": {"properties": {"subdivision": {"type": "null"}}},
            }
        )
    for c in countries:
        if supported[c]:
            rules.append(
                {
                    "if": {"properties": {"country": {"const": c}}, "required": ["country"]},
                    "then": {"properties": {"subdivision": {"enum": [*sorted(supported[c]), None]}}},
                }
            )
    return {"countries": countries, "rules": rules}


@cache
def _scenario_schema() -> str:
    from .scenario import Scenario

    schema = Scenario.model_json_schema(by_alias=True, mode="validation")
    defs = schema["$defs"]
    props = schema["properties"]
    props["people"] = _csv_source(props["people"], "people (id, name, email, skills, ...)")
    props["time_off"] = _csv_source(
        props["time_off"],
        "time off (person, from, to, type, ...)",
        {
            "unknown_people": {
                "enum": ["warn", "ignore", "error"],
                "description": "Rows of people not in the scenario: warn (default, skip them), ignore, error",
            },
            "entries": {"type": "array", "items": {"$ref": "#/$defs/TimeOff"}, "description": "Inline entries too"},
        },
    )
    # JSON keys are strings: dates and escalation levels as keys
    defs["RoleSpec"]["properties"]["counts"]["propertyNames"] = {"pattern": DATE}
    defs["LoadWeights"]["properties"]["escalation_level"]["propertyNames"] = {"pattern": INTEGER_STRING}
    # one object's cross-field rules
    defs["ShiftPattern"]["allOf"] = [
        {
            "if": {"properties": {"repeat": {"const": "weekly"}}, "required": ["repeat"]},
            "then": {"properties": {"starts": {"pattern": WEEKLY_STARTS}, "days": {"type": "null"}}},
        },
        {
            "if": {"properties": {"repeat": {"const": "daily"}}, "required": ["repeat"]},
            "then": {"properties": {"starts": {"pattern": DAILY_STARTS}}},
        },
    ]
    places = _places()
    country = defs["Person"]["properties"]["country"]
    country["anyOf"] = [{"type": "string", "enum": places["countries"]}, {"type": "null"}]
    defs["Person"]["allOf"] = places["rules"]
    schema = _coerce(schema)
    schema["$defs"]["TimeZone"] = {
        "type": "string",
        "enum": sorted(zoneinfo.available_timezones()),
        "description": "IANA time zone name, e.g. Europe/Berlin",
    }
    # dates written as strings (YAML 1.2, JSON): ISO YYYY-MM-DD
    _dates(schema)
    out = {
        "$schema": SCHEMA_DIALECT,
        "$id": "https://rota.invalid/scenario.schema.json",
        "title": "rota scenario",
        "description": "An on-call rotation scenario for rota (https://json-schema.org/draft/2020-12). "
        "References between sections, end >= start and two-decimal weights are checked by `rota check`.",
        **{k: v for k, v in schema.items() if k != "title"},
    }
    return json.dumps(out, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _dates(node: Any) -> None:
    """``format: date`` strings also get the ISO pattern (formats are annotations by default)."""
    if isinstance(node, list):
        for n in node:
            _dates(n)
    elif isinstance(node, dict):
        if node.get("format") == "date" and node.get("type") == "string":
            node["pattern"] = DATE
        for v in node.values():
            _dates(v)


def scenario_schema() -> dict:
    """The JSON Schema (draft 2020-12) of a scenario file, as a new dict.

    Returns
    -------
    dict
        Declares ``$schema``; every default in it validates against its own property.
    """
    return copy.deepcopy(json.loads(_scenario_schema()))


def schema_text() -> str:
    """:func:`scenario_schema` as stable, sorted JSON text (what ``rota schema`` prints)."""
    return _scenario_schema()
