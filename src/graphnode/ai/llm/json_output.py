"""Finding and checking the JSON object in a model's answer.

Small models wrap JSON in prose or code fences and keep talking after it, and servers without
structured output do the same, so every caller reads the *first complete* object and checks
it against the (tiny) schema it asked for instead of trusting the whole text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

_JSON_TYPES: dict[str, type | tuple[type, ...]] = {
    "string": str,
    "number": (int, float),
    "integer": int,
    "boolean": bool,
    "array": list,
    "object": dict,
}


def _string_end(text: str, start: int) -> int:
    """Index of the quote closing the JSON string opened at ``text[start - 1]``; -1 if none."""
    escaped = False
    for index in range(start, len(text)):
        char = text[index]
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            return index
    return -1


def _scan(text: str, start: int) -> tuple[int | None, int | None]:
    """(end, last_member_end) of the object opening at ``text[start]``.

    ``end`` is the index just past its closing brace, None while it is unclosed;
    ``last_member_end`` is where the last top-level member ended (its comma), which is where
    a cut-off object can be closed. Braces and commas inside strings do not count.
    """
    depth = 0
    last_member_end: int | None = None
    index = start
    while 0 <= index < len(text):
        char = text[index]
        if char == '"':
            index = _string_end(text, index + 1)
            if index < 0:
                break
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
            if depth == 0:
                return index + 1, last_member_end
        elif char == "," and depth == 1:
            last_member_end = index
        index += 1
    return None, last_member_end


def object_end(text: str, start: int) -> int | None:
    """Index just past the object opening at ``text[start]``, or None while it is unclosed."""
    return _scan(text, start)[0]


def has_complete_object(text: str) -> bool:
    """Whether a JSON object has been closed in ``text``: the local model stops there."""
    start = text.find("{")
    return start >= 0 and object_end(text, start) is not None


def _loads_object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def extract_json_object(text: str) -> dict[str, Any] | None:
    """The first ``{...}`` in ``text`` that parses as a JSON object, or None.

    An object cut off by the token limit is closed after its last complete member, so
    ``{"name": "A", "description": "B", "themes": ["x", "y`` still yields its name and
    description; the caller validates which members it got.
    """
    start = text.find("{")
    while start >= 0:
        end, last_member_end = _scan(text, start)
        if end is None:
            if last_member_end is None:
                return None
            return _loads_object(text[start:last_member_end] + "}")
        value = _loads_object(text[start:end])
        if value is not None:
            return value
        start = text.find("{", start + 1)
    return None


def _matches(value: Any, schema: Mapping[str, Any]) -> bool:
    expected = schema.get("type")
    if expected is None:
        return True
    python_type = _JSON_TYPES.get(str(expected))
    if python_type is None:
        return True
    # bool is an int in Python but not a JSON number.
    if isinstance(value, bool) and expected in ("number", "integer"):
        return False
    if not isinstance(value, python_type):
        return False
    items = schema.get("items")
    if isinstance(value, list) and isinstance(items, Mapping):
        return all(_matches(item, items) for item in value)
    return True


def schema_problems(value: Mapping[str, Any], schema: Mapping[str, Any]) -> list[str]:
    """What is wrong with ``value`` against an object schema (required keys, property types).

    Deliberately small: the schemas this project sends are flat objects, and a full JSON
    Schema validator would be a dependency for nothing.
    """
    problems = [f"missing {key!r}" for key in schema.get("required", ()) if key not in value]
    properties = schema.get("properties", {})
    for key, sub_schema in properties.items():
        if key in value and not _matches(value[key], sub_schema):
            problems.append(f"{key!r} is not {sub_schema.get('type')}")
    return problems


def json_prefill(schema: Mapping[str, Any] | None) -> str:
    """The start of the answer for a model that is only prompted for JSON.

    Writing the opening brace and first key for the model turns "please answer in JSON" into
    "continue this JSON", which a 135M-parameter model follows far more often.
    """
    if not schema:
        return ""
    properties = schema.get("properties") or {}
    required = [key for key in schema.get("required", ()) if key in properties]
    first = required[0] if required else next(iter(properties), None)
    if first is None:
        return "{"
    opener = '"' if properties[first].get("type") == "string" else ""
    return '{"' + first + '": ' + opener
