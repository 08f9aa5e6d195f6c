"""The one finding format every checker reports in, RFC 6901 JSON Pointers, and the code catalogue."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from types import MappingProxyType
from typing import Any, Literal

from runcore._tables import RUN_FIELDS, STEP_FIELDS

Severity = Literal["error", "warning"]
# Which checker found a finding: input (reading), schema and invariant (one object), lifecycle
# (the engine), and the whole-recording checkers: request (an answer against its request), history
# (snapshots of one run or step, and of one thread, over time) and stream (server-sent events).
Category = Literal["input", "schema", "invariant", "lifecycle", "request", "history", "stream"]


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


# The codes of the whole-recording checkers (runcore check on cassettes, streams and histories).
_WHOLE_RECORDINGS: dict[str, tuple[Category, str]] = {
    "response_kind_mismatch": (
        "request",
        "an answer that is not the kind of object its endpoint returns",
    ),
    "status_body_mismatch": (
        "request",
        "an error body with a 2xx status, or an object with another",
    ),
    "status_unexpected": (
        "request",
        "a status the hosted API did not answer with (a success other than 200; 409, 422, ...)",
    ),
    "id_mismatch": ("request", "an answer that does not carry the ids its URL names"),
    "request_not_applied": (
        "request",
        "a created or modified run that does not carry the request's settings",
    ),
    "cancel_answer_status": ("request", "a cancel answered with a run that is not cancelling"),
    "submit_answer_status": (
        "request",
        "tool outputs answered with a run still waiting for the same calls",
    ),
    "page_over_limit": ("request", "a list page with more items than the query's limit"),
    "page_out_of_order": ("request", "a list page not in the order the query asked for"),
    "page_cursor_ignored": ("request", "a list page that holds or passes its after/before cursor"),
    "page_ids_mismatch": ("request", "first_id or last_id that is not the first or last item's id"),
    "answer_not_streamed": ("request", "a request with stream: true answered without a stream"),
    "answer_streamed_unasked": ("request", "a stream that the request did not ask for"),
    "status_change_illegal": (
        "history",
        "a status the table cannot reach from the object's earlier status",
    ),
    "fixed_field_changed": ("history", "a field fixed for the object's life changed"),
    "timestamp_changed": (
        "history",
        "a timestamp that was set changed or was cleared where the lifecycle does not say so",
    ),
    "step_outlived_run": ("history", "a step in_progress in a snapshot taken after its run ended"),
    "step_run_mismatch": ("history", "a step whose thread or assistant is not its run's"),
    "step_before_run": ("history", "a step created before its run"),
    "thread_two_live_runs": ("history", "two runs of one thread live at the same time"),
    "tool_output_not_carried": (
        "history",
        "a tool call without its submitted output, in a step fetched after the submission",
    ),
    "stream_event_mismatch": ("stream", "an event whose name disagrees with its data"),
    "stream_unknown_event": ("stream", "an event name the contract does not have (a warning)"),
    "stream_run_mismatch": ("stream", "an event about another run or thread than the stream's"),
    "stream_start": ("stream", "a stream that does not open with its run's creation"),
    "stream_not_created": ("stream", "an event of a step or message the stream did not create"),
    "stream_after_end": ("stream", "an event after the run's terminal or requires_action event"),
    "stream_after_done": ("stream", "an event after done"),
    "stream_unfinished": (
        "stream",
        "a stream that ends before a terminal or requires_action event",
    ),
    "stream_done_missing": ("stream", "a stream that does not end with done"),
}


def _catalogue() -> Mapping[str, tuple[Category, str]]:
    codes: dict[str, tuple[Category, str]] = {
        "invalid_json": ("input", "a line or file that is not strict JSON"),
        "unreadable_input": ("input", "a path or input that cannot be read at all"),
        "unknown_kind": ("input", "an object whose kind cannot be inferred"),
        "empty_input": ("input", "a file or standard input with no JSON value in it (a warning)"),
        "skipped_input": ("input", "a path in a directory that is not read (a warning)"),
        "invalid_yaml": ("input", "an interaction of a YAML cassette that is not YAML"),
        "invalid_interaction": (
            "input",
            "an interaction of a recording without a method, URL or status a check needs",
        ),
        "undecodable_body": (
            "input",
            "a body of an interaction that cannot be decoded (base64, gzip, JSON, event stream)",
        ),
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
        **_WHOLE_RECORDINGS,
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
