"""Run and run-step lifecycles: the Machines built once from the status tables, and advance()."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from transitions import Machine

from runcore._errors import IllegalTransition, InvalidDetails, NotCancellable, StatusConflict
from runcore._inputs import is_json_text
from runcore._schemas import is_integer
from runcore._tables import (
    INCOMPLETE_REASONS,
    MAX_TIMESTAMP,
    RUN_DETAILS,
    RUN_ERROR_CODES,
    RUN_FIELDS,
    RUN_STATUSES,
    RUN_TIMESTAMPS,
    RUN_TRANSITIONS,
    STEP_DETAILS,
    STEP_ERROR_CODES,
    STEP_EVENT_ON_RUN_END,
    STEP_FIELDS,
    STEP_STATUSES,
    STEP_TIMESTAMPS,
    STEP_TRANSITIONS,
    TERMINAL_RUN_STATUSES,
    TERMINAL_STEP_STATUSES,
)


def _machine(states: Sequence[str], table: Sequence[Mapping[str, Any]], initial: str) -> Machine:
    # model=None: a read-only index of the table; no run is ever attached to it
    # (decisions.md#one-machine-per-table-no-model-per-run).
    rows = [
        {key: list(value) if isinstance(value, tuple) else value for key, value in row.items()}
        for row in table
    ]
    return Machine(
        model=None, states=list(states), transitions=rows, initial=initial, auto_transitions=False
    )


RUN_MACHINE = _machine(RUN_STATUSES, RUN_TRANSITIONS, "queued")
STEP_MACHINE = _machine(STEP_STATUSES, STEP_TRANSITIONS, "in_progress")


@dataclass(frozen=True)
class Advanced:
    """The outcome of one run event: the new run, the stream events to emit, whether it changed."""

    run: dict[str, Any]
    events: tuple[str, ...]
    changed: bool = True


@dataclass(frozen=True)
class AdvancedStep:
    """The outcome of one run-step event: the new step and the stream events to emit."""

    step: dict[str, Any]
    events: tuple[str, ...]


def advance(
    run: Mapping[str, Any],
    event: str,
    *,
    now: int,
    expected_status: str | None = None,
    **details: Any,
) -> Advanced:
    """Apply one event to a run (the wire dict) at ``now``; the input is never mutated.

    Raises StatusConflict when ``expected_status`` is given and differs, IllegalTransition (or
    its NotCancellable) when the event is not legal now, InvalidDetails when ``now`` or the
    details break the contract. Nothing changes when it raises. Docs: docs/lifecycle.md.
    """
    status = run.get("status")
    if expected_status is not None and status != expected_status:
        raise StatusConflict(expected_status, status)
    check_clock(run, now, RUN_TIMESTAMPS)
    _known_status(run, event, RUN_MACHINE)
    transition = _open_transition(RUN_MACHINE, run, event, now)
    if transition is None:
        raise _refusal(run, event, now)
    _check_details(event, details, RUN_DETAILS)
    if transition.dest is None:
        # An internal transition of the table: a repeated cancel gets the run as it is.
        return Advanced(dict(run), (), changed=False)
    changes = _RUN_EFFECTS[event](run, now, **details)
    dest = transition.dest
    return Advanced(_entered(run, dest, RUN_FIELDS, changes), (f"thread.run.{dest}",))


def advance_step(step: Mapping[str, Any], event: str, *, now: int, **details: Any) -> AdvancedStep:
    """Apply one event to a run step (the wire dict) at ``now``; the input is never mutated."""
    check_clock(step, now, STEP_TIMESTAMPS)
    status = _known_status(step, event, STEP_MACHINE)
    transition = _open_transition(STEP_MACHINE, step, event, now)
    if transition is None:
        terminal = "the status is terminal" if status in TERMINAL_STEP_STATUSES else ""
        reason = terminal if isinstance(event, str) and event in STEP_DETAILS else "unknown event"
        raise IllegalTransition(status, event, _legal(STEP_MACHINE, step, now), reason)
    _check_details(event, details, STEP_DETAILS)
    changes = _STEP_EFFECTS[event](step, now, **details)
    dest = transition.dest
    return AdvancedStep(_entered(step, dest, STEP_FIELDS, changes), (f"thread.run.step.{dest}",))


def settle_steps(
    run: Mapping[str, Any], steps: Sequence[Mapping[str, Any]], *, now: int
) -> list[AdvancedStep]:
    """The run's steps once the run is ``cancelled`` or ``expired``: in_progress ones follow it.

    Other steps, and every step of a live run, come back unchanged with no events. A step still
    ``in_progress`` under a run that ``completed``, ended ``incomplete`` or ``failed`` is refused: the
    server completes or fails its steps before it ends the run
    (decisions.md#steps-follow-their-run).
    """
    check_clock(run, now, RUN_TIMESTAMPS)
    status = run.get("status")
    event = STEP_EVENT_ON_RUN_END.get(status)
    for step in steps:
        if step.get("run_id") != run.get("id"):
            owner, name = step.get("run_id"), step.get("id")
            raise InvalidDetails(f"step {name!r} belongs to run {owner!r}, not {run.get('id')!r}")
        if step.get("status") == "in_progress" and status in TERMINAL_RUN_STATUSES and not event:
            raise InvalidDetails(
                f"step {step.get('id')!r} is still in_progress but its run is {status!r}: "
                "complete or fail the step before the run ends"
            )
    return [
        advance_step(step, event, now=now)
        if event and step.get("status") == "in_progress"
        else AdvancedStep(dict(step), ())
        for step in steps
    ]


def legal_events(run: Mapping[str, Any], *, now: int) -> list[str]:
    """The events that would move this run at ``now`` (a repeated cancel, a no-op, aside).

    Raises InvalidDetails for a ``now`` that :func:`advance` would refuse (not integer seconds, or
    earlier than the run's latest timestamp).
    """
    check_clock(run, now, RUN_TIMESTAMPS)
    if run.get("status") not in RUN_MACHINE.states:
        return []
    return _legal(RUN_MACHINE, run, now)


def _legal(machine: Machine, obj: Mapping[str, Any], now: int) -> list[str]:
    """The triggers, in table order, with an open transition that changes the object's status."""
    return [
        event
        for event in machine.events
        if (found := _open_transition(machine, obj, event, now)) and found.dest is not None
    ]


# What each guard of the tables needs of a run at `now` (their meaning: _tables.GUARDS).
GUARD_CHECKS: dict[str, Callable[[Mapping[str, Any], int], bool]] = {
    "past_deadline": lambda run, now: (
        is_integer(run.get("expires_at")) and now >= run["expires_at"]
    ),
    "started": lambda run, now: run.get("started_at") is not None,
}


def _open_transition(machine: Machine, obj: Mapping[str, Any], event: Any, now: int) -> Any:
    """The first transition of ``event`` out of the object's status whose guards hold, or None.

    This is how a `transitions` Machine picks among a trigger's transitions, read off the Machine
    built once (no model attached; ``.get`` only, so shared state is never written).
    """
    found = machine.events.get(event) if isinstance(event, str) else None
    for transition in found.transitions.get(obj["status"], ()) if found else ():
        if all(GUARD_CHECKS[c.func](obj, now) == c.target for c in transition.conditions):
            return transition
    return None


def _refusal(run: Mapping[str, Any], event: str, now: int) -> IllegalTransition:
    status, legal = run["status"], legal_events(run, now=now)
    if event == "cancel" and status in TERMINAL_RUN_STATUSES:
        return NotCancellable(status, event, legal, reason="the run already ended")
    found = RUN_MACHINE.events.get(event) if isinstance(event, str) else None
    candidates = found.transitions.get(status, []) if found else []
    if found is None:
        reason = "unknown event"
    elif candidates:
        failing = [
            c for c in candidates[0].conditions if GUARD_CHECKS[c.func](run, now) != c.target
        ]
        reason = "; ".join(_why(c.func, c.target, run, now) for c in failing)
    else:
        reason = "the status is terminal" if status in TERMINAL_RUN_STATUSES else ""
    return IllegalTransition(status, event, legal, reason)


def _why(guard: str, wanted: bool, run: Mapping[str, Any], now: int) -> str:
    deadline = run.get("expires_at")
    if guard == "started":
        return "the run never started (started_at is null)"
    if wanted and not is_integer(deadline):
        return "the run has no expires_at"
    if wanted:
        return f"the run expires at {deadline}, now is {now}"
    return f"the run expired at {deadline}, now is {now}: expire it"


def _known_status(obj: Mapping[str, Any], event: Any, machine: Machine) -> str:
    status = obj.get("status")
    if not isinstance(status, str) or status not in machine.states:
        known = ", ".join(machine.states)
        raise IllegalTransition(status, str(event), [], reason=f"the status is not one of {known}")
    return status


def check_clock(obj: Mapping[str, Any], now: Any, timestamps: Sequence[str]) -> None:
    if not is_integer(now) or not 0 <= now <= MAX_TIMESTAMP:
        raise InvalidDetails(f"now must be integer Unix seconds (0..{MAX_TIMESTAMP}), got {now!r}")
    for name in timestamps:
        value = obj.get(name)
        if is_integer(value) and now < value:
            raise InvalidDetails(f"now={now} is earlier than {name}={value}: clock skew")


def _check_details(
    event: str, details: Mapping[str, Any], table: Mapping[str, tuple[str, ...]]
) -> None:
    expected = table[event]
    unknown = sorted(set(details) - set(expected))
    missing = [name for name in expected if name not in details]
    if unknown or missing:
        takes = ", ".join(expected) or "no details"
        raise InvalidDetails(f"event {event!r} takes {takes}; unknown {unknown}, missing {missing}")


def _entered(
    obj: Mapping[str, Any],
    dest: str,
    fields: Mapping[str, Mapping[str, frozenset[str]]],
    changes: Mapping[str, Any],
) -> dict[str, Any]:
    new = dict(obj)
    for name, rule in fields.items():
        if dest not in rule["allowed"]:
            new[name] = None
    new.update(changes)
    new["status"] = dest
    return new


# Effects: the fields an event fills, after its details are checked.


def _start(run: Mapping[str, Any], now: int) -> dict[str, Any]:
    # Set again when a run restarts after tool outputs, as the hosted API did (contract.md §3.4).
    return {"started_at": now}


def _require_action(run: Mapping[str, Any], now: int, *, tool_calls: Any) -> dict[str, Any]:
    calls = _tool_calls(run, tool_calls)
    action = {"type": "submit_tool_outputs", "submit_tool_outputs": {"tool_calls": calls}}
    return {"required_action": action}


def _submit_tool_outputs(run: Mapping[str, Any], now: int, *, tool_outputs: Any) -> dict[str, Any]:
    _check_tool_outputs(run, tool_outputs)
    return {}


def _complete(run: Mapping[str, Any], now: int, *, usage: Any) -> dict[str, Any]:
    return {"completed_at": now, "usage": _usage(usage)}


def _incomplete(
    run: Mapping[str, Any], now: int, *, usage: Any, incomplete_details: Any
) -> dict[str, Any]:
    # completed_at is set on incomplete runs, as the hosted API did
    # (decisions.md#fields-by-status).
    details = _incomplete_details(incomplete_details)
    return {"completed_at": now, "usage": _usage(usage), "incomplete_details": details}


def _fail(run: Mapping[str, Any], now: int, *, last_error: Any) -> dict[str, Any]:
    return {"failed_at": now, "last_error": _last_error(last_error, RUN_ERROR_CODES)}


def _cancelled(run: Mapping[str, Any], now: int) -> dict[str, Any]:
    return {"cancelled_at": now}


def _nothing(obj: Mapping[str, Any], now: int) -> dict[str, Any]:
    return {}


_RUN_EFFECTS: dict[str, Callable[..., dict[str, Any]]] = {
    "start": _start,
    "require_action": _require_action,
    "submit_tool_outputs": _submit_tool_outputs,
    "complete": _complete,
    "incomplete": _incomplete,
    "fail": _fail,
    "cancel": _nothing,
    "cancelled": _cancelled,
    "expire": _nothing,
}


def _step_fail(step: Mapping[str, Any], now: int, *, last_error: Any) -> dict[str, Any]:
    return {"failed_at": now, "last_error": _last_error(last_error, STEP_ERROR_CODES)}


_STEP_EFFECTS: dict[str, Callable[..., dict[str, Any]]] = {
    "complete": _complete,
    "fail": _step_fail,
    "cancel": _cancelled,
    "expire": lambda step, now: {"expired_at": now},
}


# Detail checks: each returns a fresh copy, so the new run shares nothing the caller may mutate.


def _tool_calls(run: Mapping[str, Any], tool_calls: Any) -> list[dict[str, Any]]:
    if not isinstance(tool_calls, list) or not tool_calls:
        raise InvalidDetails(f"tool_calls must be a non-empty list of {_CALL_SHAPE}")
    if run.get("parallel_tool_calls") is False and len(tool_calls) > 1:
        raise InvalidDetails(f"the run has parallel_tool_calls false; got {len(tool_calls)} calls")
    names = _function_names(run)
    calls = [_tool_call(call, index, names) for index, call in enumerate(tool_calls)]
    ids = [call["id"] for call in calls]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise InvalidDetails(f"tool call ids must be unique; repeated: {repeated}")
    return calls


_CALL_SHAPE = "{id, type: 'function', function: {name, arguments}}"


def _tool_call(call: Any, index: int, names: set[str]) -> dict[str, Any]:
    where = f"tool_calls[{index}]"
    function = call.get("function") if isinstance(call, dict) else None
    if (
        not isinstance(function, dict)
        or set(call) - {"id", "type", "function"}
        or call.get("type", "function") != "function"
        or set(function) != {"name", "arguments"}
    ):
        raise InvalidDetails(f"{where} must be {_CALL_SHAPE}, got {call!r}")
    if not isinstance(call.get("id"), str) or not call["id"]:
        raise InvalidDetails(f"{where}.id must be a non-empty string, got {call.get('id')!r}")
    name, arguments = function["name"], function["arguments"]
    if name not in names:
        raise InvalidDetails(f"{where}: {name!r} is not one of the run's functions {sorted(names)}")
    if not isinstance(arguments, str):
        raise InvalidDetails(f"{where}.function.arguments must be a JSON string, got {arguments!r}")
    if not is_json_text(arguments):
        raise InvalidDetails(f"{where}.function.arguments is not JSON: {arguments!r}")
    function = {"name": name, "arguments": arguments}
    return {"id": call["id"], "type": "function", "function": function}


def _function_names(run: Mapping[str, Any]) -> set[str]:
    tools = run.get("tools") if isinstance(run.get("tools"), list) else []
    functions = [
        tool.get("function")
        for tool in tools
        if isinstance(tool, dict) and tool.get("type") == "function"
    ]
    return {function.get("name") for function in functions if isinstance(function, dict)}


def _check_tool_outputs(run: Mapping[str, Any], tool_outputs: Any) -> None:
    action = (run.get("required_action") or {}).get("submit_tool_outputs") or {}
    pending = [call.get("id") for call in action.get("tool_calls") or []]
    if not pending:
        raise InvalidDetails("the run has no pending tool calls in required_action")
    if not isinstance(tool_outputs, list) or not all(
        isinstance(item, dict)
        and set(item) == {"tool_call_id", "output"}
        and isinstance(item["tool_call_id"], str)
        and isinstance(item["output"], str)
        for item in tool_outputs
    ):
        raise InvalidDetails("tool_outputs must be a list of {tool_call_id, output}, both strings")
    ids = [item["tool_call_id"] for item in tool_outputs]
    missing = [i for i in pending if i not in ids]
    unknown = [i for i in ids if i not in pending]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if missing or unknown or repeated:
        raise InvalidDetails(
            "tool outputs must answer every pending tool call exactly once, in one request: "
            f"missing {missing}, unknown {unknown}, repeated {repeated}"
        )


_USAGE_KEYS = ("prompt_tokens", "completion_tokens", "total_tokens")


def _usage(usage: Any) -> dict[str, int]:
    if (
        not isinstance(usage, dict)
        or set(usage) != set(_USAGE_KEYS)
        or not all(is_integer(usage[key]) and usage[key] >= 0 for key in _USAGE_KEYS)
    ):
        shape = ", ".join(_USAGE_KEYS)
        raise InvalidDetails(f"usage must be {{{shape}}} as non-negative integers, got {usage!r}")
    if usage["prompt_tokens"] + usage["completion_tokens"] != usage["total_tokens"]:
        raise InvalidDetails(f"usage: total_tokens must be prompt + completion tokens: {usage!r}")
    return {key: usage[key] for key in _USAGE_KEYS}


def _last_error(value: Any, codes: Sequence[str]) -> dict[str, str]:
    if (
        not isinstance(value, dict)
        or set(value) != {"code", "message"}
        or value["code"] not in codes
        or not isinstance(value["message"], str)
    ):
        shape = f"{{code: one of {', '.join(codes)}, message: string}}"
        raise InvalidDetails(f"last_error must be {shape}, got {value!r}")
    return {"code": value["code"], "message": value["message"]}


def _incomplete_details(value: Any) -> dict[str, str]:
    reason = value.get("reason") if isinstance(value, dict) else None
    if not isinstance(value, dict) or set(value) != {"reason"} or reason not in INCOMPLETE_REASONS:
        shape = f"{{reason: one of {', '.join(INCOMPLETE_REASONS)}}}"
        raise InvalidDetails(f"incomplete_details must be {shape}, got {value!r}")
    return {"reason": reason}
