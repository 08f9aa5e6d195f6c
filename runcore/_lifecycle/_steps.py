"""Steps of a run as a server makes them: a new step, tool outputs written into it, the run's usage,
and the delta a stream sends for a step."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from runcore._contract._validate import validate
from runcore._errors import InvalidDetails
from runcore._findings import found
from runcore._json import is_integer
from runcore._lifecycle._effects import check_clock, checked_details
from runcore._lifecycle._engine import AdvancedStep, advance_step
from runcore._tables import RUN_TABLE, STEP_INITIAL, STEP_TABLE

_USAGE_KEYS = ("prompt_tokens", "completion_tokens", "total_tokens")


def new_step(
    run: Mapping[str, Any],
    *,
    step_id: str,
    now: int,
    message_id: str | None = None,
    tool_calls: Sequence[Mapping[str, Any]] | None = None,
) -> AdvancedStep:
    """A new ``in_progress`` step of ``run`` at ``now``, and its two stream events
    (``thread.run.step.created``, ``thread.run.step.in_progress``, as recorded).

    Give ``message_id`` for a message-creation step, or ``tool_calls`` for a tool-calls step:
    function calls as ``require_action`` takes them (``{id, type, function: {name, arguments}}``),
    whose ``output`` starts null, or code-interpreter and file-search calls in their step form.
    Raises InvalidDetails (``subject`` "step") when the step would break the contract, ClockSkew
    for a ``now`` earlier than the run.
    """
    check_clock(run, now, RUN_TABLE.timestamps)
    if (message_id is None) == (tool_calls is None):
        message = "give either message_id or tool_calls"
        where = ["tool_calls" if tool_calls is not None else "message_id"]
        raise InvalidDetails([found("missing_field", "schema", where, message)], subject="step")
    if message_id is not None:
        details: dict[str, Any] = {
            "type": "message_creation",
            "message_creation": {"message_id": message_id},
        }
    else:
        calls = [_step_call(call) for call in tool_calls or ()]
        details = {"type": "tool_calls", "tool_calls": calls}
    step = {
        "id": step_id,
        "object": STEP_TABLE.tag,
        "created_at": now,
        "run_id": run.get("id"),
        "assistant_id": run.get("assistant_id"),
        "thread_id": run.get("thread_id"),
        "type": details["type"],
        "status": STEP_INITIAL,
        "cancelled_at": None,
        "completed_at": None,
        "expired_at": None,
        "failed_at": None,
        "last_error": None,
        "step_details": details,
        "usage": None,
        "metadata": {},
    }
    broken = [f for f in validate(step, "run_step", profile="spec") if f.severity == "error"]
    if broken:
        raise InvalidDetails(broken, "the step breaks the contract", subject="step", target=step)
    return AdvancedStep(step, ("thread.run.step.created", "thread.run.step.in_progress"))


def _step_call(call: Any) -> Any:
    """A tool call in its step form: a function call gets ``output: null`` until it is answered."""
    function = call.get("function") if isinstance(call, Mapping) else None
    if not isinstance(function, Mapping) or call.get("type", "function") != "function":
        return copy.deepcopy(call)
    return {
        "id": call.get("id"),
        "type": "function",
        "function": {
            "name": function.get("name"),
            "arguments": function.get("arguments"),
            "output": function.get("output"),
        },
    }


def answer_tool_calls(
    step: Mapping[str, Any],
    tool_outputs: Sequence[Mapping[str, Any]],
    *,
    now: int,
    usage: Mapping[str, int],
) -> AdvancedStep:
    """The tool-calls step with each submitted output written into its function call, completed.

    The outputs answer every function call of the step that has no output yet, exactly once: the
    rule ``advance(run, "submit_tool_outputs")`` applies to the run's pending calls. ``usage`` is
    the step's (the tokens that made its calls). Raises what ``advance_step(step, "complete")``
    raises, and InvalidDetails (``subject`` "step", ``event`` "submit_tool_outputs") for outputs
    that do not answer the step's open calls. The step given is not changed.
    """
    completed = advance_step(step, "complete", now=now, usage=usage)
    details = step.get("step_details")
    calls = details.get("tool_calls") if isinstance(details, Mapping) else None
    calls = calls if isinstance(calls, list) else []
    open_calls = [call for call in calls if _is_open(call)]
    waiting = {"required_action": {"submit_tool_outputs": {"tool_calls": open_calls}}}
    given = {"tool_outputs": tool_outputs}
    try:
        checked_details(RUN_TABLE, "submit_tool_outputs", given, waiting)
    except InvalidDetails as refused:
        raise InvalidDetails(
            refused.findings,
            "tool outputs refused",
            subject="step",
            event="submit_tool_outputs",
            target=step,
            details=given,
        ) from None
    outputs = {item["tool_call_id"]: item["output"] for item in tool_outputs}
    answered: Any = copy.deepcopy(details)
    for call in answered["tool_calls"]:
        if _is_open(call) and call["id"] in outputs:
            call["function"]["output"] = outputs[call["id"]]
    return AdvancedStep({**completed.step, "step_details": answered}, completed.events)


def _is_open(call: Any) -> bool:
    function = call.get("function") if isinstance(call, dict) else None
    return (
        call.get("type") == "function"
        and isinstance(function, dict)
        and function.get("output") is None
    )


def run_usage(steps: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """The run's usage: the sum of its steps' (steps without usage add nothing).

    Raises InvalidDetails (``subject`` "step") for steps that are not a list of run steps, or a
    usage whose counts are not integers.
    """
    if not isinstance(steps, (list, tuple)):
        raise _not_a_step(["steps"], "steps are a list of run steps", steps)
    total = dict.fromkeys(_USAGE_KEYS, 0)
    for index, step in enumerate(steps):
        if not isinstance(step, Mapping):
            raise _not_a_step(["steps", index], "a step is an object", step)
        usage = step.get("usage")
        for key in _USAGE_KEYS if usage is not None else ():
            count = usage.get(key) if isinstance(usage, Mapping) else None
            if not is_integer(count):
                message = f"a step's usage {key} is an integer"
                raise _not_a_step(["steps", index, "usage", key], message, count)
            total[key] += count
    return total


def _not_a_step(where: list[str | int], message: str, value: Any) -> InvalidDetails:
    return InvalidDetails(
        [found("wrong_type", "schema", where, f"{message}, got {value!r}", value)], subject="step"
    )


def step_delta(step: Mapping[str, Any]) -> dict[str, Any]:
    """The ``thread.run.step.delta`` object that streams a step's details in one piece: its tool
    calls (and code-interpreter outputs) with their ``index``, or its message id."""
    details = copy.deepcopy(step.get("step_details"))
    if isinstance(details, dict) and isinstance(details.get("tool_calls"), list):
        details["tool_calls"] = [
            {"index": index, **call} for index, call in enumerate(details["tool_calls"])
        ]
        for call in details["tool_calls"]:
            code = call.get("code_interpreter")
            if isinstance(code, dict) and isinstance(code.get("outputs"), list):
                code["outputs"] = [
                    {"index": index, **output} for index, output in enumerate(code["outputs"])
                ]
    delta = {
        "id": step.get("id"),
        "object": "thread.run.step.delta",
        "delta": {"step_details": details},
    }
    broken = [f for f in validate(delta, "run_step_delta", profile="spec") if f.severity == "error"]
    if broken:
        raise InvalidDetails(broken, "the delta breaks the contract", subject="step", target=delta)
    return delta
