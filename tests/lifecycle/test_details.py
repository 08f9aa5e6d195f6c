"""The details an event takes: every refusal carries findings with pointers, and the fast check of
their shape agrees with the details schema on every value."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runcore import InvalidDetails, advance, advance_step, invariant_findings, schema, validate
from runcore._contract._schemas import DETAILS_URI, details_validator, registry
from runcore._contract._translate import schema_findings
from runcore._lifecycle._effects import _WELL_FORMED, MAX_TOOL_CALLS
from runcore._schema_strategies import from_schema
from runcore.strategies import event_details, json_values, runs
from tests.builders import T0, at

CALL = {"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": "{}"}}
CALL_2 = {**CALL, "id": "call_2"}
OUT = {"tool_call_id": "call_1", "output": "42"}
SUBMIT, REQUIRE = "submit_tool_outputs", "require_action"
BAD_DETAILS = [
    ("requires_action", SUBMIT, {"tool_outputs": []}, "tool_output_missing", "/tool_outputs"),
    (
        "requires_action",
        SUBMIT,
        {"tool_outputs": [OUT, {**OUT, "tool_call_id": "call_9"}]},
        "tool_output_unknown",
        "/tool_outputs/1/tool_call_id",
    ),
    (
        "requires_action",
        SUBMIT,
        {"tool_outputs": [OUT, OUT]},
        "tool_output_repeated",
        "/tool_outputs/1/tool_call_id",
    ),
    (
        "requires_action",
        SUBMIT,
        {"tool_outputs": [{"tool_call_id": "call_1"}]},
        "missing_field",
        "/tool_outputs/0/output",
    ),
    (
        "requires_action",
        SUBMIT,
        {"tool_outputs": [{**OUT, "output": 42}]},
        "wrong_type",
        "/tool_outputs/0/output",
    ),
    ("in_progress", REQUIRE, {"tool_calls": []}, "too_few_items", "/tool_calls"),
    (
        "in_progress",
        REQUIRE,
        {"tool_calls": [CALL, CALL]},
        "tool_call_id_repeated",
        "/tool_calls/1/id",
    ),
    (
        "in_progress",
        REQUIRE,
        {"tool_calls": [{**CALL, "function": {"name": "nope", "arguments": "{}"}}]},
        "unknown_function",
        "/tool_calls/0/function/name",
    ),
    (
        "in_progress",
        REQUIRE,
        {"tool_calls": [{**CALL, "function": {"name": "lookup", "arguments": "{x"}}]},
        "tool_call_arguments_not_json",
        "/tool_calls/0/function/arguments",
    ),
    (
        "in_progress",
        REQUIRE,
        {"tool_calls": [{**CALL, "type": "code_interpreter"}]},
        "invalid_value",
        "/tool_calls/0/type",
    ),
    ("in_progress", REQUIRE, {"tool_calls": [{**CALL, "id": ""}]}, "too_short", "/tool_calls/0/id"),
    (
        "in_progress",
        "complete",
        {"usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 4}},
        "usage_total_mismatch",
        "/usage/total_tokens",
    ),
    (
        "in_progress",
        "complete",
        {"usage": {"prompt_tokens": -1, "completion_tokens": 2, "total_tokens": 1}},
        "below_minimum",
        "/usage/prompt_tokens",
    ),
    (
        "in_progress",
        "complete",
        {"usage": {"prompt_tokens": True, "completion_tokens": 0, "total_tokens": 1}},
        "wrong_type",
        "/usage/prompt_tokens",
    ),
    ("in_progress", "complete", {"usage": None}, "wrong_type", "/usage"),
    (
        "in_progress",
        "incomplete",
        {
            "usage": {"prompt_tokens": 1, "completion_tokens": 0, "total_tokens": 1},
            "incomplete_details": {"reason": "max_tokens"},
        },
        "invalid_value",
        "/incomplete_details/reason",
    ),
    (
        "in_progress",
        "fail",
        {"last_error": {"code": "timeout", "message": "x"}},
        "invalid_value",
        "/last_error/code",
    ),
    (
        "in_progress",
        "fail",
        {"last_error": {"code": "server_error"}},
        "missing_field",
        "/last_error/message",
    ),
    ("in_progress", "complete", {}, "missing_field", "/usage"),
    ("queued", "start", {"usage": None}, "unknown_field", "/usage"),
    ("in_progress", "cancel", {"reason": "user"}, "unknown_field", "/reason"),
]


@pytest.mark.parametrize(
    "status, event, details, code, where",
    BAD_DETAILS,
    ids=[f"{event}-{code}-{i}" for i, (_, event, _, code, _) in enumerate(BAD_DETAILS)],
)
def test_details_that_break_the_contract_are_findings_at_their_pointer_and_change_nothing(
    run_in, status, event, details, code, where
) -> None:
    run = run_in(status)
    before = copy.deepcopy(run)
    with pytest.raises(InvalidDetails) as raised:
        advance(run, event, now=at(run, event), **details)
    assert [(f.code, f.pointer) for f in raised.value.findings] == [(code, where)]
    assert where in str(raised.value)
    assert run == before


def test_every_problem_of_the_details_is_reported_at_once(run_in) -> None:
    run = run_in("requires_action")
    outputs = [{"tool_call_id": 1, "output": "a"}, {"tool_call_id": "call_1", "output": None}]
    with pytest.raises(InvalidDetails) as raised:
        advance(run, SUBMIT, now=at(run, SUBMIT), tool_outputs=outputs)
    assert [(f.code, f.pointer) for f in raised.value.findings] == [
        ("wrong_type", "/tool_outputs/0/tool_call_id"),
        ("wrong_type", "/tool_outputs/1/output"),
    ]


def test_parallel_tool_calls_false_allows_one_call_at_a_time(run_in) -> None:
    run = {**run_in("in_progress"), "parallel_tool_calls": False}
    with pytest.raises(InvalidDetails) as raised:
        advance(run, REQUIRE, now=at(run, "start"), tool_calls=[CALL, CALL_2])
    assert [(f.code, f.pointer) for f in raised.value.findings] == [
        ("too_many_tool_calls", "/tool_calls")
    ]
    moved = advance(run, REQUIRE, now=at(run, "start"), tool_calls=[CALL])
    assert moved.run["status"] == "requires_action"


def test_the_new_run_shares_no_detail_object_with_the_caller(run_in) -> None:
    calls = [copy.deepcopy(CALL)]
    running = run_in("in_progress")
    run = advance(running, REQUIRE, now=at(running, "start"), tool_calls=calls).run
    calls[0]["id"] = "changed"
    assert run["required_action"]["submit_tool_outputs"]["tool_calls"][0]["id"] == "call_1"


@pytest.mark.parametrize(
    "arguments", ["NaN", '{"x": Infinity}', '{"a": 1, "a": 2}'], ids=["nan", "inf", "dup"]
)
def test_function_arguments_are_strict_json_like_every_other_input(run_in, arguments: str) -> None:
    call = {"id": "c", "type": "function", "function": {"name": "lookup", "arguments": arguments}}
    with pytest.raises(InvalidDetails) as raised:
        advance(run_in("in_progress"), REQUIRE, now=T0 + 5, tool_calls=[call])
    assert [f.code for f in raised.value.findings] == ["tool_call_arguments_not_json"]
    run = run_in("requires_action")
    run["required_action"]["submit_tool_outputs"]["tool_calls"][0]["function"]["arguments"] = (
        arguments
    )
    assert [f.code for f in invariant_findings(run, profile="spec")] == [
        "tool_call_arguments_not_json"
    ]


def test_the_engine_and_the_invariant_checker_say_the_same_of_a_usage_that_does_not_add_up(
    run_in,
) -> None:
    usage = {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 4}
    running = run_in("in_progress")
    with pytest.raises(InvalidDetails) as raised:
        advance(running, "complete", now=at(running, "complete"), usage=usage)
    completed = {**run_in("completed"), "usage": usage}
    (engine,) = raised.value.findings
    (checker,) = invariant_findings(completed, profile="spec")
    assert (engine.code, engine.pointer, engine.message) == (
        checker.code,
        checker.pointer,
        checker.message,
    )


def test_a_step_cannot_fail_with_a_run_only_error_code(step_in) -> None:
    with pytest.raises(InvalidDetails) as raised:
        advance_step(
            step_in("in_progress"),
            "fail",
            now=1_800_000_000,
            last_error={"code": "invalid_prompt", "message": "x"},
        )
    assert [(f.code, f.pointer) for f in raised.value.findings] == [
        ("invalid_value", "/last_error/code")
    ]


# The fast check of a details shape and the details schema never disagree.


@st.composite
def one_change(draw: st.DrawFn, value: Any) -> Any:
    """``value`` with one member replaced, removed or added, somewhere inside it."""
    value = copy.deepcopy(value)
    node, parent, key = value, None, None
    while isinstance(node, (dict, list)) and node and draw(st.booleans()):
        parent, key = (
            node,
            draw(st.sampled_from(list(node) if isinstance(node, dict) else range(len(node)))),
        )
        node = node[key]
    change = draw(st.sampled_from(["replace", "remove", "add"]))
    if parent is None or (change == "add" and isinstance(node, dict)):
        target = node if isinstance(node, dict) else value
        if isinstance(target, dict):
            target[draw(st.text(max_size=12))] = draw(json_values())
            return value
        return draw(json_values())
    if change == "remove":
        del parent[key]
    else:
        parent[key] = draw(json_values() | st.sampled_from([-1, "", None, True, 1.5, float("nan")]))
    return value


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data(), name=st.sampled_from(sorted(_WELL_FORMED)))
def test_the_fast_shape_check_agrees_with_the_details_schema(data: Any, name: str) -> None:
    valid = data.draw(from_schema(f"{DETAILS_URI}#/$defs/{name}"))
    details = data.draw(st.just(valid) | one_change(valid))
    explained = schema_findings(details_validator(name), details)
    assert _WELL_FORMED[name](details) == (explained == []), (details, explained)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_drawn_details_move_a_drawn_run_and_keep_the_contract(data: Any) -> None:
    run = data.draw(runs())
    now = max(
        v for k, v in run.items() if k.endswith("_at") and isinstance(v, int) and k != "expires_at"
    )
    from runcore import legal_events

    legal = legal_events(run, now=now)
    if legal:
        event = data.draw(st.sampled_from(legal))
        moved = advance(run, event, now=now, **data.draw(event_details(event, obj=run))).run
        assert validate(moved, "run", profile="spec") == []


def test_a_run_waits_on_at_most_128_tool_calls_and_takes_at_most_128_outputs(run_in) -> None:
    calls = [{**CALL, "id": f"call_{i}"} for i in range(129)]
    run = run_in("in_progress")
    with pytest.raises(InvalidDetails) as raised:
        advance(run, REQUIRE, now=at(run, REQUIRE), tool_calls=calls)
    assert [(f.code, f.pointer) for f in raised.value.findings] == [
        ("too_many_items", "/tool_calls")
    ]
    waiting = advance(run, REQUIRE, now=at(run, REQUIRE), tool_calls=calls[:128]).run
    outputs = [{"tool_call_id": f"call_{i}", "output": "42"} for i in range(128)]
    with pytest.raises(InvalidDetails) as raised:
        advance(waiting, SUBMIT, now=at(waiting, SUBMIT), tool_outputs=[*outputs, outputs[0]])
    assert [(f.code, f.pointer) for f in raised.value.findings] == [
        ("too_many_items", "/tool_outputs")
    ]
    assert (
        advance(waiting, SUBMIT, now=at(waiting, SUBMIT), tool_outputs=outputs).run["status"]
        == "queued"
    )


def test_the_engine_bound_on_tool_calls_is_the_submit_request_bound() -> None:
    request = schema("submit_tool_outputs_request")["properties"]["tool_outputs"]["maxItems"]
    details = registry().contents(DETAILS_URI)["$defs"]
    assert (
        MAX_TOOL_CALLS
        == request
        == details["run_require_action"]["properties"]["tool_calls"]["maxItems"]
    )
    assert details["run_submit_tool_outputs"]["properties"]["tool_outputs"]["maxItems"] == request
