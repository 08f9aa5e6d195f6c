"""Strict JSON: parsing that refuses what would silently change the data, and JSON value helpers."""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Callable, Iterator
from functools import cache
from itertools import accumulate
from typing import Any, NamedTuple, TypeGuard

# The JSON Schema type names, in the order JSON Schema lists them.
JSON_TYPES = ("null", "boolean", "integer", "number", "string", "array", "object")


class JSONProblem(ValueError):
    """A JSON text that is not acceptable as it is (invalid syntax, a duplicate key, NaN, ...).

    ``line`` is the line of the text at fault, or None when no line is to blame.
    """

    def __init__(self, message: str, line: int | None = 1) -> None:
        super().__init__(message)
        self.line = line


# The deepest nesting of arrays and objects runcore reads or checks: the recordings nest at most 9
# levels, and 512 leaves half of Python's 1000 frames to whatever parses, validates or prints the
# value (decisions.md#json-nesting-is-at-most-512-levels). In memory, a deeper value is a finding
# (decisions.md#values-json-cannot-carry).
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
    line and column at fault. orjson (the ``[fast]`` extra) reads the texts it is proven to read
    as :func:`strict_parse` does; every other text is :func:`strict_parse`'s
    (decisions.md#speed-never-changes-a-verdict).
    """
    value = _fast_parse(text)
    return strict_parse(text) if value is _UNSURE else value


def parse_bytes(data: bytes, *, one_line: bool = False) -> tuple[Any, bool]:
    """:func:`parse` of UTF-8 ``data`` (what :func:`decode`, with no byte-order mark, then
    :func:`parse` give, without decoding what orjson reads), and whether orjson read it: a value
    orjson read and wrote back is plain JSON (no integer beyond 64 bits, no nesting past 255
    levels), which the fast engine need not prove again."""
    value = _fast_parse(data)
    if value is _UNSURE:
        return strict_parse(decode(data, first=False, one_line=one_line)), False
    return value, True


_UNSURE = object()


def _fast_parse(text: str | bytes) -> Any:
    """What orjson reads in ``text``, or _UNSURE where it might read otherwise than strict_parse:
    a text it refuses (strict_parse names the fault), a duplicate key (orjson keeps the last), an
    integer beyond 64 bits (orjson reads a float), nesting past the 255 levels orjson writes (below
    :data:`MAX_DEPTH`), or an escaped colon (which would hide a duplicate from the count below)."""
    orjson = optional_orjson()
    try:
        data = text.encode() if isinstance(text, str) else text
    except UnicodeEncodeError:  # a lone surrogate: strict_parse names it
        return _UNSURE
    if orjson is None or (b"\\" in data and b"\\u003" in data):  # a one-byte search first: faster
        return _UNSURE
    try:
        value = orjson.loads(data)
        written = orjson.dumps(value)  # refuses nesting past 255 levels
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):
        return _UNSURE
    # Outside strings a colon follows each key; orjson writes every colon of the strings as it is,
    # so one key fewer (a duplicate dropped) is one colon fewer. An integer beyond 64 bits is read
    # as a float of 2**63 or more, which orjson writes with an exponent ("1e+20"): any "e+" in what
    # it writes (a big float, or those letters in a string) is the strict parser's to read.
    if data.count(b":") != written.count(b":") or (b"+" in written and b"e+" in written):
        return _UNSURE
    return value


@cache
def optional_orjson() -> Any:
    """orjson (the ``[fast]`` extra), or None where it is not installed."""
    try:
        import orjson
    except ImportError:
        return None
    return orjson


def strict_parse(text: str) -> Any:
    """:func:`parse` by Python's own parser alone, with the refusals it names."""
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


def brief(value: Any, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters, rendering no more of the value than that.

    Never raises: an integer too long for ``str()`` is described by its size, a value nested
    deeply or containing itself is cut like any other, and an object whose repr fails is named by
    its type. The cost is bounded by ``limit``, whatever the size of the value.
    """
    pieces: list[str] = []
    size = 0
    for piece in _repr_pieces(value, limit):
        pieces.append(piece)
        size += len(piece)
        if size > limit:
            break
    text = "".join(pieces)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _repr_pieces(value: Any, limit: int) -> Iterator[str]:
    # Every container yields a character before its members, so a consumer that stops after
    # `limit` characters stops this recursion within `limit` levels.
    if isinstance(value, dict):
        yield "{"
        for index, (key, item) in enumerate(value.items()):
            yield ", " if index else ""
            yield from _repr_pieces(key, limit)
            yield ": "
            yield from _repr_pieces(item, limit)
        yield "}"
    elif isinstance(value, (list, tuple)):
        yield "[" if isinstance(value, list) else "("
        for index, item in enumerate(value):
            yield ", " if index else ""
            yield from _repr_pieces(item, limit)
        yield "]" if isinstance(value, list) else ",)" if len(value) == 1 else ")"
    elif isinstance(value, str):
        yield repr(value[: limit + 1])
    elif is_integer(value) and value.bit_length() > 3 * limit:
        yield f"<an integer of about {int(value.bit_length() * math.log10(2)) + 1} digits>"
    else:
        try:
            yield repr(value)
        except Exception:  # a repr that fails is the value's own defect; say what it is instead
            yield f"<{type(value).__name__}>"


class Problem(NamedTuple):
    """A part of an in-memory value that JSON cannot carry: where, which code, and the value.

    ``code`` is ``non_finite_number`` (NaN or an infinity), ``circular_reference`` (a dict or list
    that contains itself; ``value`` is None) or ``nesting_too_deep`` (a dict or list more than
    :data:`MAX_DEPTH` levels down; ``value`` is None).
    """

    path: list[str | int]
    code: str
    value: Any


def checkable(value: Any) -> tuple[Any, list[Problem]]:
    """A version of ``value`` that is safe to check and describe, and every :class:`Problem` in it.

    The version is ``value`` itself unless it contains itself, nests deeper than
    :data:`MAX_DEPTH`, or holds an integer too long for ``str()``: then it is a copy where each
    such container is None and each such integer an equal one whose repr says its size. Problems
    come in document order (decisions.md#values-json-cannot-carry).
    """
    try:  # the C encoder clears a value with no NaN, no cycle and no long integer at once
        text = json.dumps(value, allow_nan=False)
    except (ValueError, TypeError, RecursionError):
        return _walked(value)
    # Nesting needs an opening bracket per level, so few brackets prove it shallow.
    if text.count("[") + text.count("{") <= MAX_DEPTH or not _nests_too_deep(value):
        return value, []
    return _walked(value)


# The types of JSON's scalars, told apart from containers at the cost of a set look-up.
_LEAVES = frozenset({str, int, float, bool, type(None)})


def copied(value: Any) -> Any:
    """A copy of a JSON value that shares no dict or list with it (other values are shared).

    Raises ValueError when a dict or list nests deeper than :data:`MAX_DEPTH` levels, as one that
    contains itself does; :func:`checkable` says where.
    """
    top = [value]
    level: list[tuple[Any, Any]] = [(top, 0)] if isinstance(value, (dict, list)) else []
    depth = 0
    while level:  # level by level, copying each container before descending into its members
        depth += 1
        if depth > MAX_DEPTH:
            raise ValueError(f"a value nests deeper than {MAX_DEPTH} levels or contains itself")
        below: list[tuple[Any, Any]] = []
        for parent, key in level:
            node = parent[key]
            if isinstance(node, dict):
                node = parent[key] = dict(node)
                for name, member in node.items():
                    if type(member) not in _LEAVES and isinstance(member, (dict, list)):
                        below.append((node, name))
            else:
                node = parent[key] = list(node)
                for index, member in enumerate(node):
                    if type(member) not in _LEAVES and isinstance(member, (dict, list)):
                        below.append((node, index))
        level = below
    return top[0]


def _nests_too_deep(value: Any) -> bool:
    level = [value]
    for _ in range(MAX_DEPTH):
        level = [
            child
            for node in level
            for child in (node.values() if isinstance(node, dict) else node)
            if isinstance(child, (dict, list))
        ]
        if not level:
            return False
    return True


class _LongInt(int):
    """An integer too long for ``str()``, standing in for itself where a message may show it."""

    def __repr__(self) -> str:
        return brief(int(self))

    __str__ = __repr__


def _long(value: Any) -> bool:
    limit = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 0
    return is_integer(value) and limit > 0 and value.bit_length() * math.log10(2) >= limit - 1


# Containers that are not JSON but are walked, so that what they hold can be shown in a message;
# no pointer reaches into them, so nothing in them is reported.
_OTHER_CONTAINERS = (tuple, set, frozenset)
_UNSEEN = object()  # the link of a member of such a container


def _walked(value: Any) -> tuple[Any, list[Problem]]:
    """:func:`checkable` the slow way: one walk over every member, in document order."""
    problems: list[Problem] = []
    top = [value]
    replaced = False
    on_path: set[int] = set()
    # (holder, key, node, link, depth): `holder[key]` is where the node's checkable version goes,
    # `link` its path (see linked_path) or _UNSEEN. A holder None marks leaving the container
    # `node`; its key is where a tuple or set is rebuilt from the list its members were put in.
    stack: list[tuple[Any, Any, Any, Any, int]] = [(top, 0, value, None, 0)]
    while stack:
        holder, key, node, link, depth = stack.pop()
        if holder is None:
            on_path.discard(id(node))
            if key is not None:
                within, name = key
                within[name] = (tuple if isinstance(node, tuple) else type(node))(within[name])
        elif isinstance(node, float) and not math.isfinite(node):
            if link is not _UNSEEN:
                problems.append(Problem(linked_path(link), "non_finite_number", node))
        elif _long(node):
            holder[key], replaced = _LongInt(node), True
        elif isinstance(node, (dict, list, *_OTHER_CONTAINERS)):
            code = (
                "circular_reference"
                if id(node) in on_path
                else "nesting_too_deep"
                if depth >= MAX_DEPTH
                else None
            )
            if code:
                if link is not _UNSEEN:
                    problems.append(Problem(linked_path(link), code, None))
                holder[key], replaced = None, True
                continue
            on_path.add(id(node))
            other = isinstance(node, _OTHER_CONTAINERS)
            replaced = replaced or other
            stack.append((None, (holder, key) if other else None, node, None, 0))
            if isinstance(node, dict):
                copy: Any = {_LongInt(k) if _long(k) else k: v for k, v in node.items()}
                replaced = replaced or any(type(k) is _LongInt for k in copy)
                members: Any = node.items()
            else:
                copy = list(node)
                members = enumerate(copy)
            holder[key] = copy
            stack.extend(
                (
                    copy,
                    name,
                    child,
                    _UNSEEN if other or link is _UNSEEN else (name, link),
                    depth + 1,
                )
                for name, child in reversed(list(members))
            )
    return (top[0] if replaced else value), problems


def linked_path(link: Any) -> list[str | int]:
    """The path of a (key, parent link) chain: walkers keep paths so, and deep nesting costs no copies."""
    path: list[str | int] = []
    while link is not None:
        key, link = link
        path.append(key)
    return path[::-1]
