"""The query string of the list endpoints, read into the typed JSON that the list_query schema checks."""

from __future__ import annotations

import re
from functools import cache
from typing import Any
from urllib.parse import unquote_to_bytes

from runcore._contract._schemas import schema
from runcore._errors import ContractViolation
from runcore._findings import found
from runcore._json import json_type

# Wire name -> JSON name. `include[]` repeats (PY sends arrays in bracket form); the rest are single.
_ARRAYS = {"include[]": "include"}
_WHOLE_NUMBER = re.compile(r"-?[0-9]+")


def parse_list_query(query: str) -> dict[str, Any]:
    """``limit=5&order=asc&include[]=…`` as ``{"limit": 5, "order": "asc", "include": […]}``.

    The documented defaults fill what is not given (``limit`` 20, ``order`` ``desc``, read from the
    list_query schema). Nothing is dropped or guessed: a ``limit`` that is not a whole number
    (or has more digits than Python reads) stays a string, a repeated single parameter becomes a
    list, and a name or value whose percent-escapes are not UTF-8 is kept as it was sent, so
    ``validate(..., "list_query")`` reports each at its pointer. Linear in the length of the query.
    Raises ContractViolation (a finding at the root) only when ``query`` is not a string.
    """
    if not isinstance(query, str):
        message = f"a query string is text, got {json_type(query)}"
        raise ContractViolation([found("wrong_type", "schema", [], message, query)])
    values: dict[str, list[Any]] = {}
    for field in query.lstrip("?").split("&"):
        if field:
            name, _, value = field.partition("=")
            key = _ARRAYS.get(_unquoted(name), _unquoted(name))
            values.setdefault(key, []).append(_typed(key, _unquoted(value)))
    result: dict[str, Any] = dict(list_defaults())
    for key, items in values.items():
        result[key] = items if key in _ARRAYS.values() or len(items) > 1 else items[0]
    return result


@cache
def _defaults() -> tuple[tuple[str, Any], ...]:
    properties = schema("list_query")["properties"]
    return tuple((name, rule["default"]) for name, rule in properties.items() if "default" in rule)


def list_defaults() -> dict[str, Any]:
    """The documented defaults of a list query: ``{"limit": 20, "order": "desc"}``."""
    return dict(_defaults())


def _unquoted(text: str) -> str:
    """``text`` with ``+`` and percent-escapes decoded, or as sent when they are not UTF-8."""
    try:
        return unquote_to_bytes(text.replace("+", " ")).decode("utf-8")
    except UnicodeError:  # not UTF-8 once decoded, or text that cannot be encoded
        return text


def _typed(key: str, value: str) -> Any:
    if key == "limit" and _WHOLE_NUMBER.fullmatch(value):
        sign, digits = ("-", value[1:]) if value.startswith("-") else ("", value)
        try:
            return int(sign + (digits.lstrip("0") or "0"))
        except ValueError:  # more digits than Python converts: it stays the string it was
            return value
    return value
