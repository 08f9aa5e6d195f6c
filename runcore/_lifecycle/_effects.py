"""What each event stamps on a run or step, and the checks of the details it takes.

Details are checked in two steps. Their shape is the schema's (``schemas/details.json``): a hand-written
predicate clears well-formed details fast, and only details it rejects are explained, with findings,
by the schema; a property test proves the two agree (decisions.md#event-details). Then the rules that
relate details to the run: the tool-call and usage rules the invariant checker also applies, and
which tool calls the outputs answer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from runcore._contract._invariants import tool_call_findings, usage_sum_findings
from runcore._contract._schemas import details_validator
from runcore._contract._translate import schema_findings
from runcore._contract._validate import with_problems
from runcore._errors import ClockSkew, InvalidArgument, InvalidDetails
from runcore._findings import Finding, found, pointer
from runcore._json import brief, checkable, copied, is_integer, json_type
from runcore._tables import (
    INCOMPLETE_REASONS,
    MAX_TIMESTAMP,
    RUN_ERROR_CODES,
    STEP_ERROR_CODES,
    StatusTable,
)


def lifecycle_finding(code: str, path: list[Any], message: str, value: Any = None) -> Finding:
    """A finding of the engine, pointing into the call's keyword arguments."""
    return found(code, "lifecycle", path, message, value)


def check_clock(obj: Mapping[str, Any], now: Any, timestamps: tuple[str, ...]) -> None:
    """Refuse a ``now`` that is not integer Unix seconds or is earlier than the object's timestamps."""
    if not is_integer(now) or not 0 <= now <= MAX_TIMESTAMP:
        message = f"now must be integer Unix seconds (0..{MAX_TIMESTAMP}), got {brief(now)}"
        raise ClockSkew([lifecycle_finding("clock_invalid", ["now"], message, now)], "bad clock")
    for name in timestamps:
        value = obj.get(name)
        if now < value if type(value) is int else is_integer(value) and now < value:
            message = f"now={now} is earlier than {name}={brief(value)}: clock skew"
            raise ClockSkew([lifecycle_finding("clock_skew", ["now"], message, now)], "clock skew")


def require_object(where: str, value: Any, what: str) -> Mapping[str, Any]:
    """``value`` if it is a JSON object (a Mapping), else InvalidArgument at ``where``."""
    if type(value) is not dict and not isinstance(value, Mapping):
        message = f"{what} must be a JSON object (a dict), got {json_type(value)} {brief(value)}"
        raise InvalidArgument(where, message)
    return value


def copied_object(where: str, obj: Mapping[str, Any]) -> dict[str, Any]:
    """A new dict of ``obj`` that shares no dict or list with it
    (decisions.md#the-new-run-shares-nothing-with-its-input).

    Raises InvalidArgument at the member that contains itself or nests too deep to copy.
    """
    try:
        return copied(obj if isinstance(obj, dict) else dict(obj))
    except ValueError:
        problem = next(p for p in checkable(obj)[1] if p.code != "non_finite_number")
        message = f"{where[1:]} cannot be copied as JSON: {problem.code.replace('_', ' ')}"
        raise InvalidArgument(where + pointer(problem.path), message) from None


def checked_details(
    table: StatusTable, event: str, details: Mapping[str, Any], obj: Mapping[str, Any]
) -> None:
    """Refuse, with every finding, details that do not fit ``event`` on ``obj``."""
    name = f"{table.name}_{event}"
    found: list[Finding] = []
    if not _WELL_FORMED[name](details):
        subject, problems = checkable(dict(details))
        found = with_problems(schema_findings(details_validator(name), subject), problems)
    if not found:
        found = list(_RULES.get(name, _no_rules)(details, obj))
    if found:
        raise InvalidDetails(found, f"{table.name} event {brief(event)} refused")


# Shape: the fast predicates, one per $defs entry of details.json.


def _usage_ok(usage: Any) -> bool:
    if type(usage) is not dict or len(usage) != 3:
        return False
    prompt, completion = usage.get("prompt_tokens"), usage.get("completion_tokens")
    total = usage.get("total_tokens")
    # ints, not their subclasses: a predicate may say no to what the schema then explains or clears
    return (
        type(prompt) is type(completion) is type(total) is int
        and prompt >= 0
        and completion >= 0
        and total >= 0
    )


def _tool_call_ok(call: Any) -> bool:
    function = call.get("function") if isinstance(call, dict) else None
    return (
        isinstance(function, dict)
        and "id" in call
        and set(call) <= {"id", "type", "function"}
        and isinstance(call["id"], str)
        and call["id"] != ""
        and call.get("type", "function") == "function"
        and len(function) == 2
        and isinstance(function.get("name"), str)
        and isinstance(function.get("arguments"), str)
    )


def _tool_output_ok(item: Any) -> bool:
    return (
        isinstance(item, dict)
        and len(item) == 2
        and isinstance(item.get("tool_call_id"), str)
        and isinstance(item.get("output"), str)
    )


def _last_error_ok(codes: tuple[str, ...]) -> Callable[[Any], bool]:
    def ok(error: Any) -> bool:
        return (
            isinstance(error, dict)
            and len(error) == 2
            and error.get("code") in codes
            and isinstance(error.get("message"), str)
        )

    return ok


def _takes(**parts: Callable[[Any], bool]) -> Callable[[Mapping[str, Any]], bool]:
    """Details with exactly these keywords, each passing its predicate."""
    checks = tuple(parts.items())

    def takes(details: Mapping[str, Any]) -> bool:
        if details.keys() != parts.keys():
            return False
        for name, ok in checks:
            if not ok(details[name]):
                return False
        return True

    return takes


# The `maxItems` of tool_calls and tool_outputs in details.json: a run never waits on more calls
# than one submit_tool_outputs body may answer (decisions.md#request-arrays-hold-at-most-128-items).
MAX_TOOL_CALLS = 128
_WELL_FORMED: dict[str, Callable[[Mapping[str, Any]], bool]] = {
    "run_start": _takes(),
    "run_require_action": _takes(
        tool_calls=lambda calls: (
            isinstance(calls, list)
            and 0 < len(calls) <= MAX_TOOL_CALLS
            and all(_tool_call_ok(call) for call in calls)
        )
    ),
    "run_submit_tool_outputs": _takes(
        tool_outputs=lambda items: (
            isinstance(items, list)
            and len(items) <= MAX_TOOL_CALLS
            and all(_tool_output_ok(item) for item in items)
        )
    ),
    "run_complete": _takes(usage=_usage_ok),
    "run_incomplete": _takes(
        usage=_usage_ok,
        incomplete_details=lambda value: (
            isinstance(value, dict)
            and len(value) == 1
            and value.get("reason") in INCOMPLETE_REASONS
        ),
    ),
    "run_fail": _takes(last_error=_last_error_ok(RUN_ERROR_CODES)),
    "run_cancel": _takes(),
    "run_cancelled": _takes(),
    "run_expire": _takes(),
    "step_complete": _takes(usage=_usage_ok),
    "step_fail": _takes(last_error=_last_error_ok(STEP_ERROR_CODES)),
    "step_cancel": _takes(),
    "step_expire": _takes(),
}


# Rules: what well-formed details must also agree with.


def _no_rules(details: Mapping[str, Any], obj: Mapping[str, Any]) -> Iterator[Finding]:
    return iter(())


def _usage_rules(details: Mapping[str, Any], obj: Mapping[str, Any]) -> Iterator[Finding]:
    usage = details["usage"]
    if usage["prompt_tokens"] + usage["completion_tokens"] == usage["total_tokens"]:
        return iter(())  # the usual case, without the rule's generator
    return usage_sum_findings(usage, ["usage"])


def _tool_call_rules(details: Mapping[str, Any], run: Mapping[str, Any]) -> Iterator[Finding]:
    calls = details["tool_calls"]
    if run.get("parallel_tool_calls") is False and len(calls) > 1:
        message = f"the run has parallel_tool_calls false; got {len(calls)} calls"
        yield lifecycle_finding("too_many_tool_calls", ["tool_calls"], message, len(calls))
    names = function_names(run)
    known = brief(sorted(names))
    for index, call in enumerate(calls):
        name = call["function"]["name"]
        if name not in names:
            message = f"{brief(name)} is not one of the run's functions {known}"
            yield lifecycle_finding(
                "unknown_function", ["tool_calls", index, "function", "name"], message, name
            )
    yield from tool_call_findings(calls, ["tool_calls"])


def function_names(run: Mapping[str, Any]) -> set[str]:
    """The names of the run's function tools."""
    tools = run.get("tools")
    functions = [
        tool.get("function")
        for tool in (tools if isinstance(tools, list) else [])
        if isinstance(tool, dict) and tool.get("type") == "function"
    ]
    return {
        function["name"]
        for function in functions
        if isinstance(function, dict) and isinstance(function.get("name"), str)
    }


def pending_call_ids(run: Mapping[str, Any]) -> list[str]:
    """The ids of the tool calls a run waits on, in its order (none when it has no such list)."""
    action = run.get("required_action")
    waiting = action.get("submit_tool_outputs") if isinstance(action, dict) else None
    calls = waiting.get("tool_calls") if isinstance(waiting, dict) else None
    if not isinstance(calls, list):
        return []
    return [
        call["id"] for call in calls if isinstance(call, dict) and isinstance(call.get("id"), str)
    ]


def _tool_output_rules(details: Mapping[str, Any], run: Mapping[str, Any]) -> Iterator[Finding]:
    """Outputs answer every pending tool call exactly once, in one request
    (decisions.md#tool-calls-and-tool-outputs)."""
    pending = pending_call_ids(run)
    if not pending:
        message = "the run has no pending tool calls in required_action"
        yield lifecycle_finding("no_pending_tool_calls", ["tool_outputs"], message)
        return
    waiting, seen, listed = set(pending), Counter[str](), brief(pending)
    for index, item in enumerate(details["tool_outputs"]):
        call_id = item["tool_call_id"]
        where = ["tool_outputs", index, "tool_call_id"]
        if call_id not in waiting:
            message = f"{brief(call_id)} is not a pending tool call; pending: {listed}"
            yield lifecycle_finding("tool_output_unknown", where, message, call_id)
        elif seen[call_id]:
            message = f"tool call {brief(call_id)} is answered more than once"
            yield lifecycle_finding("tool_output_repeated", where, message, call_id)
        seen[call_id] += 1
    for call_id in pending:
        if not seen[call_id]:
            message = (
                f"pending tool call {brief(call_id)} has no output; every call is answered at once"
            )
            yield lifecycle_finding("tool_output_missing", ["tool_outputs"], message, call_id)


_RULES: dict[str, Callable[[Mapping[str, Any], Mapping[str, Any]], Iterator[Finding]]] = {
    "run_require_action": _tool_call_rules,
    "run_submit_tool_outputs": _tool_output_rules,
    "run_complete": _usage_rules,
    "run_incomplete": _usage_rules,
    "step_complete": _usage_rules,
}


# Effects: the fields an event fills, from details already checked. Each value is a fresh copy, so
# the new object shares nothing with the details (decisions.md#the-new-run-shares-nothing-with-its-input).


def _usage(usage: Mapping[str, int]) -> dict[str, int]:
    return {
        "prompt_tokens": usage["prompt_tokens"],
        "completion_tokens": usage["completion_tokens"],
        "total_tokens": usage["total_tokens"],
    }


def _last_error(error: Mapping[str, str]) -> dict[str, str]:
    return {"code": error["code"], "message": error["message"]}


def _tool_call(call: Mapping[str, Any]) -> dict[str, Any]:
    function = call["function"]
    return {
        "id": call["id"],
        "type": "function",
        "function": {"name": function["name"], "arguments": function["arguments"]},
    }


def _required_action(calls: list[Mapping[str, Any]]) -> dict[str, Any]:
    return {
        "type": "submit_tool_outputs",
        "submit_tool_outputs": {"tool_calls": [_tool_call(call) for call in calls]},
    }


Effect = Callable[..., dict[str, Any]]
EFFECTS: dict[str, Effect] = {
    # started_at is set again when a run restarts after tool outputs, as the hosted API did
    # (contract.md §3.4).
    "run_start": lambda now: {"started_at": now},
    "run_require_action": lambda now, tool_calls: {"required_action": _required_action(tool_calls)},
    "run_submit_tool_outputs": lambda now, tool_outputs: {},
    "run_complete": lambda now, usage: {"completed_at": now, "usage": _usage(usage)},
    # completed_at is set on incomplete runs, as the hosted API did (decisions.md#fields-by-status).
    "run_incomplete": lambda now, usage, incomplete_details: {
        "completed_at": now,
        "usage": _usage(usage),
        "incomplete_details": {"reason": incomplete_details["reason"]},
    },
    "run_fail": lambda now, last_error: {"failed_at": now, "last_error": _last_error(last_error)},
    "run_cancel": lambda now: {},
    "run_cancelled": lambda now: {"cancelled_at": now},
    "run_expire": lambda now: {},
    "step_complete": lambda now, usage: {"completed_at": now, "usage": _usage(usage)},
    "step_fail": lambda now, last_error: {"failed_at": now, "last_error": _last_error(last_error)},
    "step_cancel": lambda now: {"cancelled_at": now},
    "step_expire": lambda now: {"expired_at": now},
}
