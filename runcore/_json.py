"""Strict JSON: parsing that refuses what would silently change the data, and JSON value helpers."""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Callable, Iterator
from itertools import accumulate
from typing import Any, TypeGuard

# The JSON Schema type names, in the order JSON Schema lists them.
JSON_TYPES = ("null", "boolean", "integer", "number", "string", "array", "object")


class JSONProblem(ValueError):
    """A JSON text that is not acceptable as it is (invalid syntax, a duplicate key, NaN, ...).

    ``line`` is the line of the text at fault, or None when no line is to blame.
    """

    def __init__(self, message: str, line: int | None = 1) -> None:
        super().__init__(message)
        self.line = line


# The deepest nesting of arrays and objects runcore reads: the recordings nest at most 9 levels, and
# 512 leaves half of Python's 1000 frames to whatever parses, validates or prints the value
# (decisions.md#json-nesting-is-at-most-512-levels).
MAX_DEPTH = 512

# A JSON string (or an unterminated one, up to the end of the text), a number, or a bracket: enough
# of a tokenizer to find where a problem is once the C parser has refused a text.
_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*"?'
_TOKENS = re.compile(rf"{_STRING}|-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|[\[\]{{}}]", re.DOTALL)
_STRINGS = re.compile(_STRING, re.DOTALL)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_DEPTH_CHANGE = {"[": 1, "{": 1, "]": -1, "}": -1}


def parse(text: str) -> Any:
    """Parse JSON, refusing what would silently change the data.

    Refused: duplicate keys (the last would win), ``NaN`` and ``Infinity`` (not JSON numbers),
    numbers too large for a float (``1e400`` would become infinity), nesting deeper than
    :data:`MAX_DEPTH`, and integers of more digits than Python converts. The message names the
    line and column at fault.
    """
    if text.count("[") + text.count("{") > MAX_DEPTH and _deepest(text) > MAX_DEPTH:
        raise _located(text, _too_deep, f"nested deeper than {MAX_DEPTH} levels")
    try:
        return json.loads(
            text,
            object_pairs_hook=_unique_keys,
            parse_constant=_no_constant,
            parse_float=_finite_float,
        )
    except json.JSONDecodeError as error:
        message = f"invalid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
        raise JSONProblem(message, error.lineno) from None
    except _Overflow:
        raise _located(text, _overflows, "a number too large for a float") from None
    except JSONProblem:
        raise
    except RecursionError:  # only when the caller's own stack is already deep
        raise JSONProblem("invalid JSON: nested too deeply to read", None) from None
    except ValueError:  # an integer of more digits than Python converts
        limit = sys.get_int_max_str_digits()
        raise _located(text, _too_long_integer, f"an integer of more than {limit} digits") from None


def _deepest(text: str) -> int:
    """How deep the arrays and objects of a text nest (strings aside), at C speed."""
    brackets = _NOT_BRACKETS.sub("", _STRINGS.sub("", text))
    return max(accumulate(map(_DEPTH_CHANGE.__getitem__, brackets)), default=0)


def _located(text: str, at_fault: Callable[[str, int], bool], what: str) -> JSONProblem:
    """A problem at the first token of ``text`` that is at fault, with its line and column."""
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        depth += _DEPTH_CHANGE.get(token, 0)
        if at_fault(token, depth):
            offset = match.start()
            line = text.count("\n", 0, offset) + 1
            column = offset - text.rfind("\n", 0, offset)
            return JSONProblem(f"invalid JSON: {what} (line {line}, column {column})", line)
    return JSONProblem(f"invalid JSON: {what}", None)


def _too_deep(token: str, depth: int) -> bool:
    return depth > MAX_DEPTH


def _overflows(token: str, depth: int) -> bool:
    return token[0] in "-0123456789" and not math.isfinite(float(token))


def _too_long_integer(token: str, depth: int) -> bool:
    return token.lstrip("-").isdigit() and len(token.lstrip("-")) > sys.get_int_max_str_digits()


class _Overflow(Exception):
    """A number literal that a float cannot hold."""


def _finite_float(literal: str) -> float:
    value = float(literal)
    if math.isinf(value):
        raise _Overflow
    return value


def decode(data: bytes, *, first: bool = True, one_line: bool = False) -> str:
    """UTF-8 text of ``data``; a byte-order mark is dropped where an input starts (``first``).

    Raises JSONProblem naming the first byte that is not UTF-8: its offset and line, or its
    column when ``data`` is one line of a larger input.
    """
    try:
        return data.decode("utf-8-sig" if first else "utf-8")
    except UnicodeDecodeError as error:
        byte = f"not UTF-8: byte {data[error.start]:#04x}"
        if one_line:
            raise JSONProblem(f"{byte} at column {error.start + 1}") from None
        line = data.count(b"\n", 0, error.start) + 1
        raise JSONProblem(f"{byte} at offset {error.start}", line) from None


def is_json_text(text: str) -> bool:
    """Whether ``text`` is one JSON value as :func:`parse` reads it (no NaN, no duplicate keys)."""
    try:
        parse(text)
    except JSONProblem:
        return False
    return True


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        duplicate = next(key for key, _ in pairs if key in seen or seen.add(key))  # type: ignore[func-returns-value]
        raise JSONProblem(f"invalid JSON: duplicate key {duplicate!r} (the value would be lost)")
    return result


def _no_constant(name: str) -> Any:
    raise JSONProblem(f"invalid JSON: {name} is not a JSON number")


# JSON Schema counts 1.0 as an integer. The contract's integers (timestamps, token counts, limits) are
# integers on the wire, and 1714433726.0 is a defect typed clients choke on
# (decisions.md#timestamps-are-integer-seconds-below-1010).
def is_integer(value: Any) -> TypeGuard[int]:
    """A JSON integer as runcore reads the contract: an int, not a bool, not a float like 1.0."""
    return isinstance(value, int) and not isinstance(value, bool)


def json_type(value: Any) -> str:
    """The JSON Schema type name of a value (or what it is, when it is not JSON)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else f"{type(value).__name__} (not a JSON value)"


def non_finite(value: Any) -> Iterator[tuple[list[str | int], float]]:
    """The path and value of every NaN or infinity in a value already in memory, in document order.

    JSON has no such numbers, and no bound of a schema catches NaN (every comparison with it is
    false), so they are looked for here (decisions.md#non-finite-numbers).
    """
    try:  # the C encoder clears a finite value at once; anything it refuses is walked
        json.dumps(value, allow_nan=False)
        return
    except (ValueError, TypeError, RecursionError):
        pass
    # A path is kept as (key, parent path) links, so deep nesting costs no copies; a container
    # already on the path (a value that contains itself) is not entered again.
    on_path: set[int] = set()
    stack: list[tuple[Any, Any, bool]] = [(value, None, False)]
    while stack:
        node, link, leaving = stack.pop()
        if leaving:
            on_path.discard(id(node))
        elif isinstance(node, float) and not math.isfinite(node):
            yield _unlinked(link), node
        elif isinstance(node, (dict, list)) and id(node) not in on_path:
            on_path.add(id(node))
            stack.append((node, link, True))
            items = node.items() if isinstance(node, dict) else enumerate(node)
            stack.extend((child, (key, link), False) for key, child in reversed(list(items)))


def _unlinked(link: Any) -> list[str | int]:
    path: list[str | int] = []
    while link is not None:
        key, link = link
        path.append(key)
    return path[::-1]
