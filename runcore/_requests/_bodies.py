"""Requests in: a body or query as bytes, text or parsed JSON becomes the normalised request, or
the ApiError the hosted API answered it with."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from runcore._contract._schemas import validator
from runcore._contract._validate import validate
from runcore._errors import UnknownKind
from runcore._findings import found
from runcore._json import JSONProblem, decode, parse
from runcore._kinds import REQUEST_KINDS, require_kind
from runcore._requests._answers import answer, not_parsed, validation_answer, wrong_id
from runcore._requests._query import list_defaults, parse_list_query
from runcore._requests._wire import ID_PREFIXES

# The ids a request names, and the prefix each must begin with (errors.md §2.1, §2.3).
_ID_NAMES = {
    "assistant_id": ID_PREFIXES["assistant"],
    "thread_id": ID_PREFIXES["thread"],
    "run_id": ID_PREFIXES["run"],
    "step_id": ID_PREFIXES["step"],
}


def accept_request(body: bytes | str | Mapping[str, Any], kind: str) -> dict[str, Any]:
    """The normalised request of ``kind`` (a request kind) from its body, or raise ApiError.

    ``body`` is the raw bytes or text of a JSON body, or the body already parsed; for
    ``list_query`` it is the query string (or its parsed mapping). Strict JSON parsing comes first
    (duplicate keys, NaN and Infinity, over-long integers, bad UTF-8 are 400 "We could not parse the
    JSON body of your request."), then the schema of the kind, then the prefix of ``assistant_id``.
    ApiError.findings holds every problem; its body reports the first in document order, as the v2
    API reported one. The request returned is a copy the caller owns; a list query has its documented
    defaults filled in. An unknown or response kind raises UnknownKind.
    """
    kind = require_kind(kind)
    if kind not in REQUEST_KINDS:
        raise UnknownKind(
            f"{kind!r} is not a request kind; request kinds: {', '.join(REQUEST_KINDS)}"
        )
    request: Any = body
    if isinstance(body, (bytes, bytearray, memoryview, str)):
        request = _parsed(body, kind)
    findings = validate(request, kind)
    if any(finding.severity == "error" for finding in findings):
        raise validation_answer(findings, request, [(validator(kind, "spec", False), request)])
    if request is body:  # the caller's own object, valid JSON: a copy of it is the caller's
        request = copy.deepcopy(dict(body))
    if isinstance(request.get("assistant_id"), str):
        accept_id("assistant_id", request["assistant_id"])
    return {**list_defaults(), **request} if kind == "list_query" else request


def accept_id(name: str, value: Any) -> Any:
    """``value`` if it is an id that begins with the prefix ``name`` calls for (``thread_id``:
    ``thread``, ``run_id``: ``run``, ``step_id``: ``step``, ``assistant_id``: ``asst``); else 400
    "Invalid 'thread_id': 'undefined'. Expected an ID that begins with 'thread'." as ApiError.
    """
    if name not in _ID_NAMES:
        raise UnknownKind(f"unknown id name {name!r}; names: {', '.join(_ID_NAMES)}")
    prefix = _ID_NAMES[name]
    if not isinstance(value, str) or not value.startswith(prefix):
        message = f"expected an ID that begins with {prefix!r}"
        finding = found("invalid_value", "schema", [name], message, value)
        raise wrong_id(name, value, prefix, [finding])
    return value


def _parsed(body: bytes | bytearray | memoryview | str, kind: str) -> Any:
    """The request in a body's text: a query string for list_query, else strict JSON."""
    try:
        text = body if isinstance(body, str) else decode(bytes(body))
        return parse_list_query(text) if kind == "list_query" else parse(text)
    except JSONProblem as problem:
        if kind != "list_query":
            raise not_parsed(str(problem)) from None
        finding = found("invalid_json", "input", [], str(problem))
        raise answer(400, f"Invalid query string: {problem}.", findings=[finding]) from None
