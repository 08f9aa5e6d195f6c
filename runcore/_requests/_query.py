"""The query string of the list endpoints, read into the typed JSON that the list_query schema checks."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

# Wire name -> JSON name. `include[]` repeats (PY sends arrays in bracket form); the rest are single.
_ARRAYS = {"include[]": "include"}


def parse_list_query(query: str) -> dict[str, Any]:
    """``limit=20&order=asc&include[]=…`` as ``{"limit": 20, "order": "asc", "include": […]}``.

    Nothing is dropped or guessed: a ``limit`` that is not a whole number stays a string and a repeated
    single parameter becomes a list, so ``validate(..., "list_query")`` reports them at their pointer.
    """
    result: dict[str, Any] = {}
    for name, value in parse_qsl(query.lstrip("?"), keep_blank_values=True, strict_parsing=False):
        key = _ARRAYS.get(name, name)
        if key in _ARRAYS.values():
            result.setdefault(key, []).append(value)
        elif key in result:
            previous = result[key]
            result[key] = (previous if isinstance(previous, list) else [previous]) + [
                _typed(key, value)
            ]
        else:
            result[key] = _typed(key, value)
    return result


def _typed(key: str, value: str) -> Any:
    if key == "limit" and value.lstrip("-").isdigit() and value.isascii():
        return int(value)
    return value
