"""Rules JSON Schema cannot say: a run's or run step's status against its fields and timestamps.

The usage sum and the tool-call rules are also the lifecycle engine's checks of an event's details:
they live here once, and the engine calls them. :func:`invariants_test` is the same rules as one
fast predicate for the fast engine; property tests prove it never clears what RULES would report
(decisions.md#speed-never-changes-a-verdict).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from functools import cache
from itertools import chain
from typing import Any

from runcore._contract._schemas import schema
from runcore._contract._tolerances import tolerates_absent, tolerates_set
from runcore._errors import UnknownKind
from runcore._findings import Finding, Severity, found
from runcore._json import brief, is_integer, is_json_text
from runcore._kinds import OBJECT_KINDS, require_profile
from runcore._tables import RUN_TABLE, RUN_TIMESTAMPS, STEP_TABLE, STEP_TIMESTAMPS, StatusTable

Path = Sequence[str | int]
TABLES = {table.tag: table for table in (RUN_TABLE, STEP_TABLE)}

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

Rule = Callable[[Mapping[str, Any], StatusTable, str], Iterator[Finding]]


def invariant_findings(obj: Mapping[str, Any], *, profile: str = "observed") -> list[Finding]:
    """Every invariant finding for one run (``thread.run``) or run step (``thread.run.step``) dict.

    Absent fields and fields of the wrong type are left to the schema: rules that need them skip.
    """
    require_profile(profile)
    tag = obj.get("object") if isinstance(obj, Mapping) else None
    table = TABLES.get(tag) if isinstance(tag, str) else None
    if table is None:
        raise UnknownKind(
            f"invariant_findings takes a thread.run or a thread.run.step, not {brief(tag)}"
        )
    object_id = obj["id"] if isinstance(obj.get("id"), str) else None
    found = [finding for rule in RULES for finding in rule(obj, table, profile)]
    return [replace(finding, object_id=object_id) for finding in found]


def _finding(
    code: str, path: Path, message: str, value: Any, severity: Severity = "error"
) -> Finding:
    return found(code, "invariant", path, message, value, severity)


def fields_required_by_status(
    obj: Mapping[str, Any], table: StatusTable, profile: str
) -> Iterator[Finding]:
    """A field the status needs is null or absent: ``started_at_missing``, ``usage_missing``, ..."""
    status = obj.get("status")
    if status not in table.statuses:
        return  # an unknown status is the schema's finding
    for name, rule in table.fields.items():
        if status not in rule["required"]:
            continue
        if name in obj and obj[name] is None:
            message = f"status {status!r} requires {name}; it is null"
        elif name not in obj and not _absence_is_explained(table.tag, name, profile):
            message = f"status {status!r} requires {name}; it is absent"
        else:
            continue
        yield _finding(f"{name}_missing", [name], message, None)


def _absence_is_explained(tag: str, name: str, profile: str) -> bool:
    """An absent field is the schema's finding where the profile's schema requires it, and no finding
    where the hosted API left it out (decisions.md#what-observed-tolerates)."""
    return tolerates_absent(profile, tag, name) or name in _schema_required(tag, profile)


@cache
def _schema_required(tag: str, profile: str) -> frozenset[str]:
    document = schema(OBJECT_KINDS[tag])["$defs"]
    required = set(document["observed"]["required"])
    if profile == "spec":
        required |= set(document["spec_only"]["required"])
    return frozenset(required)


def fields_forbidden_by_status(
    obj: Mapping[str, Any], table: StatusTable, profile: str
) -> Iterator[Finding]:
    """A field is set in a status that must not have it: ``required_action_unexpected``, ..."""
    status = obj.get("status")
    if status not in table.statuses:
        return
    for name, rule in table.fields.items():
        value = obj.get(name)
        if value is None or status in rule["allowed"]:
            continue
        quirk = tolerates_set(profile, table.tag, name, status)
        allowed = ", ".join(sorted(rule["allowed"]))
        message = f"{name} must be null in status {status!r} (it is set only in: {allowed})"
        if quirk:
            message += "; the hosted API did this"
        severity: Severity = "warning" if quirk else "error"
        yield _finding(f"{name}_unexpected", [name], message, value, severity)


def timestamps_in_order(
    obj: Mapping[str, Any], table: StatusTable, profile: str
) -> Iterator[Finding]:
    """``created_at <= started_at <= completed_at | failed_at | cancelled_at`` and the like."""
    for earlier, later in _ORDER[table.tag]:
        first, then = obj.get(earlier), obj.get(later)
        if is_integer(first) and is_integer(then) and then < first:
            message = f"{later}={brief(then)} is earlier than {earlier}={brief(first)}"
            yield _finding("timestamp_order", [later], message, then)


def usage_adds_up(obj: Mapping[str, Any], table: StatusTable, profile: str) -> Iterator[Finding]:
    """``usage.total_tokens == prompt_tokens + completion_tokens``."""
    return usage_sum_findings(obj.get("usage"), ["usage"])


def tool_calls_answerable(
    obj: Mapping[str, Any], table: StatusTable, profile: str
) -> Iterator[Finding]:
    """Pending tool calls have unique ids and JSON arguments, so outputs can answer each one."""
    action = obj.get("required_action")
    calls = action.get("submit_tool_outputs") if isinstance(action, Mapping) else None
    calls = calls.get("tool_calls") if isinstance(calls, Mapping) else None
    return tool_call_findings(calls, ["required_action", "submit_tool_outputs", "tool_calls"])


def usage_sum_findings(usage: Any, at: Path) -> Iterator[Finding]:
    """The usage rule, for a usage object at ``at``: total_tokens is the sum of the other two."""
    if not isinstance(usage, Mapping):
        return
    prompt, completion = usage.get("prompt_tokens"), usage.get("completion_tokens")
    total = usage.get("total_tokens")
    if (
        is_integer(prompt)
        and is_integer(completion)
        and is_integer(total)
        and prompt + completion != total
    ):
        message = (
            f"total_tokens {brief(total)} is not prompt {brief(prompt)}"
            f" + completion {brief(completion)} tokens"
        )
        yield _finding("usage_total_mismatch", [*at, "total_tokens"], message, total)


def tool_call_findings(calls: Any, at: Path) -> Iterator[Finding]:
    """The tool-call rules, for a list of tool calls at ``at``: unique ids, JSON arguments."""
    seen: set[str] = set()
    for index, call in enumerate(calls if isinstance(calls, list) else []):
        call_id = call.get("id") if isinstance(call, Mapping) else None
        if isinstance(call_id, str):
            if call_id in seen:
                message = f"tool call id {brief(call_id)} appears more than once"
                yield _finding("tool_call_id_repeated", [*at, index, "id"], message, call_id)
            seen.add(call_id)
        function = call.get("function") if isinstance(call, Mapping) else None
        arguments = function.get("arguments") if isinstance(function, Mapping) else None
        if isinstance(arguments, str) and not is_json_text(arguments):
            where = [*at, index, "function", "arguments"]
            message = "function arguments must be a JSON string"
            yield _finding("tool_call_arguments_not_json", where, message, arguments)


RULES: tuple[Rule, ...] = (
    fields_required_by_status,
    fields_forbidden_by_status,
    timestamps_in_order,
    usage_adds_up,
    tool_calls_answerable,
)


def invariants_test(table: StatusTable, profile: str) -> Callable[[dict[str, Any]], bool]:
    """:data:`RULES` as one fast predicate for the fast engine: ``test(obj)`` is True only when
    they find nothing in ``obj``, a schema-valid plain JSON run or step.

    The fast engine calls it after jsonschema-rs has cleared ``obj``, so declared fields are of
    their schema's types. It also proves the fields of :func:`proven_plain` plain ints (or null):
    a value that is not plainly so (an int subclass, an integral float) says False, as a warning
    of ``observed`` does.
    """
    pairs = _ORDER[table.tag]
    by_status = {}
    for status in table.statuses:
        needed = [name for name, rule in table.fields.items() if status in rule["required"]]
        forbidden = [name for name, rule in table.fields.items() if status not in rule["allowed"]]
        # Once the forbidden fields are proven null, only the others need their types and order.
        kept = [(first, then) for first, then in pairs if then not in forbidden]
        by_status[status] = (
            tuple(name for name in needed if not _absence_is_explained(table.tag, name, profile)),
            tuple(name for name in needed if _absence_is_explained(table.tag, name, profile)),
            tuple(forbidden),
            tuple(name for name in dict.fromkeys(chain(*pairs)) if name not in forbidden),
            tuple(  # by the earlier timestamp: it and the timestamps that must not be earlier
                (earlier, tuple(then for first, then in kept if first == earlier))
                for earlier in dict.fromkeys(first for first, _ in kept)
            ),
        )
    absent = object()  # a default no field has: absent, not null
    actions = table.tag == "thread.run"  # only runs wait on tool calls

    def test(obj: dict[str, Any]) -> bool:
        status = obj.get("status")
        rules = by_status.get(status) if type(status) is str else None
        if rules is None:
            return False
        get = obj.get
        needed, may_be_absent, forbidden, timestamps, order = rules
        for name in needed:
            if get(name) is None:
                return False
        for name in may_be_absent:
            if get(name, absent) is None:
                return False
        for name in forbidden:
            if get(name) is not None:
                return False
        for name in timestamps:
            value = get(name)
            if value is not None and type(value) is not int:
                return False  # not plainly an int: not proven either way
        for earlier, later in order:
            first = get(earlier)
            if first is not None:
                for name in later:
                    then = get(name)
                    if then is not None and then < first:
                        return False
        usage = get("usage")
        if usage is not None:
            prompt, completion = usage.get("prompt_tokens"), usage.get("completion_tokens")
            total = usage.get("total_tokens")
            if type(prompt) is not int or type(completion) is not int or type(total) is not int:
                return False
            if prompt + completion != total:
                return False
        return (
            not actions
            or get("required_action") is None
            or not any(True for _ in tool_calls_answerable(obj, table, profile))
        )

    return test


def proven_plain(table: StatusTable) -> frozenset[str]:
    """The fields whose values :func:`invariants_test` proves plain ints or null (``usage``: its
    three token counts plain ints), so the fast engine need not look at them again."""
    return frozenset({name for pair in _ORDER[table.tag] for name in pair} | {"usage"})
