"""Steps as a server makes them: new_step, answer_tool_calls, run_usage and step_delta."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runcore import (
    ClockSkew,
    IllegalTransition,
    InvalidDetails,
    advance,
    advance_step,
    answer_tool_calls,
    new_step,
    run_usage,
    step_delta,
    validate,
)
from runcore.strategies import event_details, runs
from tests.builders import TOOL_CALL, USAGE, at, make_run

CALLS = [TOOL_CALL, {**TOOL_CALL, "id": "call_2"}]


def tool_step(run: dict[str, Any], calls: list[dict[str, Any]] = CALLS) -> dict[str, Any]:
    return new_step(run, step_id="step_1", now=at(run, "x"), tool_calls=calls).step


def test_a_message_step_has_every_field_of_its_run_and_is_created_then_in_progress() -> None:
    run = make_run("in_progress")
    made = new_step(run, step_id="step_1", now=at(run, "x"), message_id="msg_1")
    assert made.events == ("thread.run.step.created", "thread.run.step.in_progress")
    step = made.step
    assert validate(step, "run_step", profile="spec") == []
    assert {key: step[key] for key in ("run_id", "assistant_id", "thread_id", "created_at")} == {
        "run_id": run["id"],
        "assistant_id": run["assistant_id"],
        "thread_id": run["thread_id"],
        "created_at": at(run, "x"),
    }
    assert (step["type"], step["status"], step["usage"]) == (
        "message_creation",
        "in_progress",
        None,
    )


def test_a_tool_calls_step_holds_the_calls_require_action_takes_with_no_output_yet() -> None:
    run = make_run("in_progress")
    step = tool_step(run)
    assert validate(step, "run_step", profile="spec") == []
    assert [call["function"] for call in step["step_details"]["tool_calls"]] == [
        {**TOOL_CALL["function"], "output": None}
    ] * 2
    code = {
        "id": "call_c",
        "type": "code_interpreter",
        "code_interpreter": {"input": "1", "outputs": []},
    }
    mixed = tool_step(run, [code])
    assert mixed["step_details"]["tool_calls"] == [code]


@settings(max_examples=30)
@given(data=st.data())
def test_a_step_for_any_drawn_tool_calls_keeps_the_contract(data) -> None:
    run = data.draw(runs(status="in_progress"))
    calls = data.draw(event_details("require_action", obj=run))["tool_calls"]
    before = copy.deepcopy(calls)
    step = new_step(run, step_id="step_x", now=at(run, "x"), tool_calls=calls).step
    assert validate(step, "run_step", profile="spec") == []
    assert calls == before


@pytest.mark.parametrize(
    "choice",
    [{}, {"message_id": "msg_1", "tool_calls": CALLS}, {"tool_calls": [{"id": 5}]}],
    ids=["neither", "both", "bad-call"],
)
def test_a_step_that_could_not_be_valid_is_refused_as_the_servers_own(choice) -> None:
    run = make_run("in_progress")
    with pytest.raises(InvalidDetails) as refused:
        new_step(run, step_id="step_1", now=at(run, "x"), **choice)
    assert refused.value.subject == "step"


def test_a_step_earlier_than_its_run_is_clock_skew() -> None:
    run = make_run("in_progress")
    with pytest.raises(ClockSkew):
        new_step(run, step_id="step_1", now=run["created_at"] - 1, message_id="msg_1")


def test_tool_outputs_are_written_into_the_step_and_complete_it() -> None:
    run = make_run("in_progress")
    step = tool_step(run)
    before = copy.deepcopy(step)
    outputs = [{"tool_call_id": "call_2", "output": "b"}, {"tool_call_id": "call_1", "output": "a"}]
    done = answer_tool_calls(step, outputs, now=at(run, "x") + 1, usage=USAGE)
    assert step == before
    assert done.events == ("thread.run.step.completed",)
    assert (done.step["status"], done.step["usage"]) == ("completed", USAGE)
    assert [c["function"]["output"] for c in done.step["step_details"]["tool_calls"]] == ["a", "b"]
    assert validate(done.step, "run_step", profile="spec") == []


@pytest.mark.parametrize(
    ("ids", "code"),
    [
        (["call_1"], "tool_output_missing"),
        (["call_1", "call_2", "call_9"], "tool_output_unknown"),
        (["call_1", "call_1", "call_2"], "tool_output_repeated"),
    ],
    ids=["missing", "unknown", "repeated"],
)
def test_outputs_that_do_not_answer_the_steps_open_calls_are_refused(ids, code: str) -> None:
    run = make_run("in_progress")
    outputs = [{"tool_call_id": call_id, "output": "x"} for call_id in ids]
    with pytest.raises(InvalidDetails) as refused:
        answer_tool_calls(tool_step(run), outputs, now=at(run, "x") + 1, usage=USAGE)
    assert code in [f.code for f in refused.value.findings]
    assert (refused.value.subject, refused.value.event) == ("step", "submit_tool_outputs")


def test_a_step_that_already_ended_takes_no_outputs() -> None:
    run = make_run("in_progress")
    step = advance_step(tool_step(run), "cancel", now=at(run, "x") + 1).step
    with pytest.raises(IllegalTransition):
        answer_tool_calls(step, [], now=at(run, "x") + 2, usage=USAGE)


def test_the_runs_usage_is_the_sum_of_its_steps() -> None:
    one = {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7}
    steps = [{"usage": USAGE}, {"usage": None}, {"usage": one}]
    assert run_usage(steps) == {"prompt_tokens": 13, "completion_tokens": 9, "total_tokens": 22}
    assert run_usage([]) == {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
    with pytest.raises(InvalidDetails) as refused:
        run_usage([{"usage": {**one, "total_tokens": "7"}}])
    assert refused.value.findings[0].pointer == "/steps/0/usage/total_tokens"
    for broken in ([5], [{"usage": 5}], None):
        with pytest.raises(InvalidDetails):
            run_usage(broken)  # type: ignore[arg-type]


def test_a_run_completed_with_its_steps_usage_keeps_the_contract() -> None:
    run = make_run("in_progress")
    step = new_step(run, step_id="step_1", now=at(run, "x"), message_id="msg_1").step
    step = advance_step(step, "complete", now=at(run, "x") + 1, usage=USAGE).step
    done = advance(run, "complete", now=at(run, "x") + 2, usage=run_usage([step])).run
    assert validate(done, "run", profile="spec") == [] and done["usage"] == USAGE


def test_a_step_delta_streams_the_details_with_their_indexes() -> None:
    run = make_run("in_progress")
    delta = step_delta(tool_step(run))
    assert validate(delta, "run_step_delta", profile="spec") == []
    assert [call["index"] for call in delta["delta"]["step_details"]["tool_calls"]] == [0, 1]
    logs = {"type": "logs", "logs": "2"}
    code = {
        "id": "call_c",
        "type": "code_interpreter",
        "code_interpreter": {"input": "1+1", "outputs": [logs]},
    }
    coded = step_delta(tool_step(run, [code]))["delta"]["step_details"]["tool_calls"][0]
    assert coded["code_interpreter"]["outputs"] == [{"index": 0, **logs}]
    message = new_step(run, step_id="step_2", now=at(run, "x"), message_id="msg_1").step
    assert step_delta(message) == {
        "id": "step_2",
        "object": "thread.run.step.delta",
        "delta": {
            "step_details": {
                "type": "message_creation",
                "message_creation": {"message_id": "msg_1"},
            }
        },
    }
