"""The one finding format every checker reports in, RFC 6901 JSON Pointers, and the code catalogue."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from types import MappingProxyType
from typing import Any, Literal

from runcore._tables import RUN_FIELDS, STEP_FIELDS

Severity = Literal["error", "warning"]
Category = Literal["input", "schema", "invariant", "lifecycle"]


def escape_token(token: str | int) -> str:
    """Escape one reference token for a JSON Pointer (RFC 6901 §3: ``~`` first, then ``/``)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer(path: Iterable[str | int]) -> str:
    """The JSON Pointer of a path of keys and indexes; the empty path is the whole document."""
    return "".join("/" + escape_token(token) for token in path)


def unescape_pointer(text: str) -> list[str]:
    """The reference tokens of a JSON Pointer (the inverse of :func:`pointer`)."""
    if text == "":
        return []
    if not text.startswith("/"):
        raise ValueError(f"a JSON Pointer starts with '/': {text!r}")
    return [token.replace("~1", "/").replace("~0", "~") for token in text[1:].split("/")]


@dataclass(frozen=True, kw_only=True)
class Finding:
    """One problem found in one object: what, where, and how bad.

    ``code`` is stable (see :data:`CODES`) and ``category`` names the checker that found it.
    ``pointer`` is an RFC 6901 JSON Pointer into the checked object; ``file`` and ``line`` say where
    that object came from (``None`` when it was checked in memory). ``value`` is the offending value
    (``None`` for a missing field); ``object_id`` is the ``id`` of the object the finding is about.
    """

    severity: Severity
    code: str
    category: Category
    pointer: str
    message: str
    value: Any = None
    file: str | None = None
    line: int | None = None
    object_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        where = ":".join(str(part) for part in (self.file, self.line) if part is not None)
        at = self.pointer or "(root)"
        prefix = f"{where}: " if where else ""
        return f"{prefix}{self.severity} {self.code} at {at}: {self.message}"


def found(
    code: str,
    category: Category,
    path: Iterable[str | int],
    message: str,
    value: Any = None,
    severity: Severity = "error",
) -> Finding:
    """A finding at the pointer of ``path`` (the checkers' one way to make one)."""
    return Finding(
        severity=severity,
        code=code,
        category=category,
        pointer=pointer(path),
        message=message,
        value=value,
    )


def _catalogue() -> Mapping[str, tuple[Category, str]]:
    codes: dict[str, tuple[Category, str]] = {
        "invalid_json": ("input", "a line or file that is not strict JSON"),
        "unreadable_input": ("input", "a path or input that cannot be read at all"),
        "unknown_kind": ("input", "an object whose kind cannot be inferred"),
        "empty_input": ("input", "a file or standard input with no JSON value in it (a warning)"),
        "skipped_input": ("input", "a path in a directory that is not read (a warning)"),
        "missing_field": ("schema", "required"),
        "unknown_field": ("schema", "additionalProperties: false, or strict mode"),
        "wrong_type": ("schema", "type"),
        "invalid_value": ("schema", "enum, const"),
        "below_minimum": ("schema", "minimum, exclusiveMinimum"),
        "above_maximum": ("schema", "maximum, exclusiveMaximum"),
        "too_short": ("schema", "minLength"),
        "too_long": ("schema", "maxLength, propertyNames"),
        "pattern_mismatch": ("schema", "pattern"),
        "too_few_items": ("schema", "minItems"),
        "too_many_items": ("schema", "maxItems"),
        "too_many_properties": ("schema", "maxProperties"),
        "no_matching_variant": ("schema", "anyOf, oneOf"),
        "non_finite_number": ("schema", "NaN or an infinity, which JSON cannot carry"),
        "circular_reference": ("schema", "a value in memory that contains itself"),
        "nesting_too_deep": ("schema", "a value in memory nested deeper than 512 levels"),
        "timestamp_order": ("invariant", "a timestamp earlier than one that happened before it"),
        "usage_total_mismatch": ("invariant", "total_tokens is not prompt + completion tokens"),
        "tool_call_id_repeated": ("invariant", "two pending tool calls share an id"),
        "tool_call_arguments_not_json": ("invariant", "function arguments that are not JSON"),
        "unknown_function": (
            "lifecycle",
            "a tool call or tool_choice names a function the run does not have",
        ),
        "too_many_tool_calls": (
            "lifecycle",
            "several calls on a run with parallel_tool_calls false",
        ),
        "no_pending_tool_calls": ("lifecycle", "tool outputs for a run with no pending tool call"),
        "tool_output_missing": ("lifecycle", "a pending tool call the outputs leave unanswered"),
        "tool_output_unknown": ("lifecycle", "an output for a tool call that is not pending"),
        "tool_output_repeated": ("lifecycle", "a tool call answered twice"),
        "step_of_another_run": ("lifecycle", "a step settled with a run it does not belong to"),
        "step_left_running": ("lifecycle", "a step in_progress under a run that ended otherwise"),
        "assistant_mismatch": (
            "lifecycle",
            "a run created with another assistant than its request's",
        ),
        "no_model": ("lifecycle", "neither the request nor the assistant names a model"),
        "expires_in_invalid": ("lifecycle", "a run lifetime that is not a positive integer"),
        "clock_invalid": ("lifecycle", "now is not integer Unix seconds"),
        "clock_skew": ("lifecycle", "now is earlier than a timestamp of the object"),
    }
    for fields in (RUN_FIELDS, STEP_FIELDS):
        for name in fields:
            codes[f"{name}_missing"] = ("invariant", f"the status requires {name}")
            codes[f"{name}_unexpected"] = (
                "invariant",
                f"{name} is set in a status that forbids it",
            )
    return MappingProxyType(codes)


# Every finding code runcore reports: code -> (category, what it means).
CODES = _catalogue()
