"""The wire forms of the hosted API: JSON bodies, server-sent events, and object ids."""

from __future__ import annotations

import json
import re
import secrets
import string
from typing import Any

from runcore._errors import ContractViolation, UnknownKind
from runcore._findings import found
from runcore._json import brief, checkable

# The prefixes of the ids the runs endpoints name, by the object they name. Every recorded id is
# the prefix, an underscore and 24 letters or digits (decisions.md#ids-and-the-wire-form).
ID_PREFIXES = {
    "assistant": "asst",
    "thread": "thread",
    "run": "run",
    "step": "step",
    "message": "msg",
    "call": "call",
}
_ALPHANUMERIC = string.ascii_letters + string.digits
_EVENT_NAME = re.compile(r"[a-z_]+(\.[a-z_]+)*")

# The last event of every stream, as recorded (decisions.md#ids-and-the-wire-form).
SSE_DONE = b"event: done\ndata: [DONE]\n\n"


def new_id(prefix: str) -> str:
    """A fresh id in the API's form: ``run_`` and 24 random letters and digits.

    ``prefix`` is one of :data:`ID_PREFIXES`' values (``asst``, ``thread``, ``run``, ``step``,
    ``msg``, ``call``); another raises UnknownKind.
    """
    if prefix not in ID_PREFIXES.values():
        known = ", ".join(ID_PREFIXES.values())
        raise UnknownKind(f"unknown id prefix {prefix!r}; prefixes: {known}")
    return prefix + "_" + "".join(secrets.choice(_ALPHANUMERIC) for _ in range(24))


def json_body(obj: Any) -> bytes:
    """A JSON response body as the hosted API wrote it: indented by 2 spaces, keys in the object's
    order, UTF-8, no trailing newline (errors.md §1).

    Raises ContractViolation for a value JSON cannot carry (NaN, infinities, other Python types).
    """
    return _encoded(obj, indent=2)


def sse_event(event: str, data: Any) -> bytes:
    """One server-sent event as the hosted API framed it: ``event: <name>``, ``data: <compact
    JSON>``, and a blank line. End a stream with :data:`SSE_DONE`.

    Raises ContractViolation for an event name that is not a dotted lower-case name, or data JSON
    cannot carry.
    """
    if not isinstance(event, str) or not _EVENT_NAME.fullmatch(event):
        message = f"an event name is dotted lower-case words, got {event!r}"
        raise ContractViolation([found("invalid_value", "schema", [], message, event)])
    return (
        b"event: " + event.encode() + b"\ndata: " + _encoded(data, separators=(",", ":")) + b"\n\n"
    )


def _encoded(obj: Any, **layout: Any) -> bytes:
    try:
        return json.dumps(obj, ensure_ascii=False, allow_nan=False, **layout).encode("utf-8")
    except (ValueError, TypeError, RecursionError) as error:
        problems = [
            found(problem.code, "schema", problem.path, _NOT_JSON[problem.code], problem.value)
            for problem in checkable(obj)[1]
        ]
        message = f"cannot be written as JSON: {brief(str(error))}"
        raise ContractViolation(problems or [found("wrong_type", "schema", [], message)]) from None


_NOT_JSON = {
    "non_finite_number": "NaN and infinities are not JSON numbers",
    "circular_reference": "a value that contains itself cannot be written as JSON",
    "nesting_too_deep": "nested too deeply to be written as JSON",
}
