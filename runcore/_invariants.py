"""Rules JSON Schema cannot say: a run's or run step's status against its fields and timestamps."""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from typing import Any, Callable, Iterator, Mapping

from runcore._errors import UnknownKind
from runcore._findings import Finding, pointer
from runcore._inputs import is_json_text
from runcore._schemas import OBJECT_KINDS, PROFILES, is_integer, schema
from runcore._tables import (
    RUN_FIELDS,
    RUN_STATUSES,
    RUN_TIMESTAMPS,
    STEP_FIELDS,
    STEP_STATUSES,
    STEP_TIMESTAMPS,
)

# (object, field, status): a field the hosted API left non-null where the status table forbids it.
# Warnings under "observed", errors under "spec" (decisions.md#what-observed-tolerates).
OBSERVED_QUIRKS = frozenset(
    {
        # API v1, 2023-11: ruby-openai runs_list 18b7a84.
        ("thread.run", "completed_at", "expired"),
        # 2024-04, before the `incomplete` status existed: ruby-openai runs_streamed_create c15b9d3.
        ("thread.run", "incomplete_details", "completed"),
    }
)

_FIELDS = {"thread.run": RUN_FIELDS, "thread.run.step": STEP_FIELDS}

# (object, field): a field a status needs that the hosted API left out entirely. API v1 runs and
# steps (2023-11, before usage existed) have no `usage` key; no recorded step has an `expired_at` key.
OBSERVED_ABSENT = frozenset(
    {
        ("thread.run", "usage"),
        ("thread.run.step", "usage"),
        ("thread.run.step", "expired_at"),
    }
)
_STATUSES = {"thread.run": RUN_STATUSES, "thread.run.step": STEP_STATUSES}

# Pairs (earlier, later) that must be ordered when both are integers.
_ORDER = {
    "thread.run": (
        ("created_at", "started_at"),
        ("created_at", "expires_at"),
        ("started_at", "expires_at"),
        *((first, end) for first in ("created_at", "started_at") for end in RUN_TIMESTAMPS[2:]),
    ),
    "thread.run.step": tuple(("created_at", end) for end in STEP_TIMESTAMPS[1:]),
}

Rule = Callable[[Mapping[str, Any], str, str], Iterator[Finding]]


def invariant_findings(obj: Mapping[str, Any], *, profile: str = "observed") -> list[Finding]:
    """Every invariant finding for one run (``thread.run``) or run step (``thread.run.step``) dict.

    Absent fields and fields of the wrong type are left to the schema: rules that need them skip.
    """
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {', '.join(PROFILES)}, got {profile!r}")
    kind = obj.get("object") if isinstance(obj, Mapping) else None
    if kind not in _FIELDS:
        raise UnknownKind(f"invariant_findings takes a thread.run or a thread.run.step, not {kind!r}")
    object_id = obj["id"] if isinstance(obj.get("id"), str) else None
    found = [finding for rule in RULES for finding in rule(obj, kind, profile)]
    return [replace(finding, object_id=object_id) for finding in found]


def fields_required_by_status(obj: Mapping[str, Any], kind: str, profile: str) -> Iterator[Finding]:
    """A field the status needs is null or absent: ``started_at_missing``, ``usage_missing``, ..."""
    status = obj.get("status")
    if status not in _STATUSES[kind]:
        return  # an unknown status is the schema's finding
    for name, rule in _FIELDS[kind].items():
        if status not in rule["required"]:
            continue
        if name in obj and obj[name] is None:
            message = f"status {status!r} requires {name}; it is null"
        elif name not in obj and not _absence_is_explained(kind, name, profile):
            message = f"status {status!r} requires {name}; it is absent"
        else:
            continue
        yield Finding("error", f"{name}_missing", pointer([name]), message, None)


def _absence_is_explained(kind: str, name: str, profile: str) -> bool:
    """An absent field is the schema's finding where the profile's schema requires it, and no finding
    where the hosted API left it out (decisions.md#what-observed-tolerates)."""
    if profile == "observed" and (kind, name) in OBSERVED_ABSENT:
        return True
    return name in _schema_required(kind, profile)


@cache
def _schema_required(kind: str, profile: str) -> frozenset[str]:
    document = schema(OBJECT_KINDS[kind])["$defs"]
    required = set(document["observed"]["required"])
    if profile == "spec":
        required |= set(document["spec_only"]["required"])
    return frozenset(required)


def fields_forbidden_by_status(
    obj: Mapping[str, Any], kind: str, profile: str
) -> Iterator[Finding]:
    """A field is set in a status that must not have it: ``required_action_unexpected``, ..."""
    status = obj.get("status")
    if status not in _STATUSES[kind]:
        return
    for name, rule in _FIELDS[kind].items():
        value = obj.get(name)
        if value is None or status in rule["allowed"]:
            continue
        quirk = profile == "observed" and (kind, name, status) in OBSERVED_QUIRKS
        allowed = ", ".join(sorted(rule["allowed"]))
        message = f"{name} must be null in status {status!r} (it is set only in: {allowed})"
        if quirk:
            message += "; the hosted API did this"
        severity = "warning" if quirk else "error"
        yield Finding(severity, f"{name}_unexpected", pointer([name]), message, value)


def timestamps_in_order(obj: Mapping[str, Any], kind: str, profile: str) -> Iterator[Finding]:
    """``created_at <= started_at <= completed_at | failed_at | cancelled_at`` and the like."""
    for earlier, later in _ORDER[kind]:
        first, then = obj.get(earlier), obj.get(later)
        if is_integer(first) and is_integer(then) and then < first:
            message = f"{later}={then} is earlier than {earlier}={first}"
            yield Finding("error", "timestamp_order", pointer([later]), message, then)


def usage_adds_up(obj: Mapping[str, Any], kind: str, profile: str) -> Iterator[Finding]:
    """``usage.total_tokens == prompt_tokens + completion_tokens``."""
    usage = obj.get("usage")
    if not isinstance(usage, Mapping):
        return
    prompt, completion = usage.get("prompt_tokens"), usage.get("completion_tokens")
    total = usage.get("total_tokens")
    if all(is_integer(n) for n in (prompt, completion, total)) and prompt + completion != total:
        message = f"total_tokens {total} is not prompt {prompt} + completion {completion} tokens"
        where = pointer(["usage", "total_tokens"])
        yield Finding("error", "usage_total_mismatch", where, message, total)


def tool_calls_answerable(obj: Mapping[str, Any], kind: str, profile: str) -> Iterator[Finding]:
    """Pending tool calls have unique ids and JSON arguments, so outputs can answer each one."""
    action = obj.get("required_action")
    calls = action.get("submit_tool_outputs") if isinstance(action, Mapping) else None
    calls = calls.get("tool_calls") if isinstance(calls, Mapping) else None
    seen: set[str] = set()
    for index, call in enumerate(calls if isinstance(calls, list) else []):
        where = ["required_action", "submit_tool_outputs", "tool_calls", index]
        call_id = call.get("id") if isinstance(call, Mapping) else None
        if isinstance(call_id, str):
            if call_id in seen:
                message = f"tool call id {call_id!r} appears more than once"
                at = pointer(where + ["id"])
                yield Finding("error", "tool_call_id_repeated", at, message, call_id)
            seen.add(call_id)
        function = call.get("function") if isinstance(call, Mapping) else None
        arguments = function.get("arguments") if isinstance(function, Mapping) else None
        if isinstance(arguments, str) and not is_json_text(arguments):
            at = pointer(where + ["function", "arguments"])
            message = "function arguments must be a JSON string"
            yield Finding("error", "tool_call_arguments_not_json", at, message, arguments)


RULES: tuple[Rule, ...] = (
    fields_required_by_status,
    fields_forbidden_by_status,
    timestamps_in_order,
    usage_adds_up,
    tool_calls_answerable,
)
