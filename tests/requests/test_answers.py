"""The API's answers: every refusal runcore raises maps to the hosted API's status and error body.

Each case names its evidence as errors.md labels it: [R] recorded, [I] pasted from a real answer,
[C] client code comparing the string, [X] runcore's inference (docs/decisions.md says why).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import runcore
from runcore import (
    ApiError,
    accept_id,
    accept_request,
    advance,
    api_error,
    check_thread_free,
    invalid_url,
    json_body,
    modify_run,
    not_found,
    run_from_request,
)
from tests.builders import DETAILS, TOOL_CALL, TOOLS, at, make_run
from tests.recorded import RECORDINGS


def refusal(call: Callable[[], Any]) -> ApiError:
    """The ApiError for what ``call`` raised (it must raise)."""
    try:
        call()
    except Exception as error:  # noqa: BLE001 - any refusal is mapped
        return api_error(error)
    raise AssertionError("the call was not refused")


def envelope(error: ApiError) -> tuple[int, str, str | None, str | None]:
    inner = error.body["error"]
    return error.status, inner["message"], inner["param"], inner["code"]


# -- state errors and not-found (errors.md §3) --------------------------------------------------


def _waiting_run() -> dict[str, Any]:
    """A run waiting for two tool calls, A and B."""
    run = make_run("in_progress")
    calls = [TOOL_CALL, {**TOOL_CALL, "id": "call_2"}]
    return advance(run, "require_action", now=at(run, "x"), tool_calls=calls).run


def _submit(run: dict[str, Any], *ids: str) -> Callable[[], Any]:
    outputs = [{"tool_call_id": call_id, "output": "42"} for call_id in ids]
    return lambda: advance(run, "submit_tool_outputs", now=at(run, "x"), tool_outputs=outputs)


def _cancel(status: str) -> Callable[[], Any]:
    run = make_run(status)
    return lambda: advance(run, "cancel", now=at(run, "cancel"))


def _past_deadline(event: str) -> Callable[[], Any]:
    run = make_run("requires_action")
    return lambda: advance(run, event, now=run["expires_at"], **DETAILS.get(event, {}))


STATE_CASES = [
    ("R-cancel-completed", _cancel("completed"), "Cannot cancel run with status 'completed'."),
    ("L-cancel-failed", _cancel("failed"), "Cannot cancel run with status 'failed'."),
    ("L-cancel-expired", _cancel("expired"), "Cannot cancel run with status 'expired'."),
    ("C-cancel-cancelling", _cancel("cancelling"), "Cannot cancel run with status 'cancelling'."),
    ("C-cancel-cancelled", _cancel("cancelled"), "Cannot cancel run with status 'cancelled'."),
    (
        "R-submit-in-progress",
        _submit(make_run("in_progress"), "call_1"),
        'Runs in status "in_progress" do not accept tool outputs.',
    ),
    (
        "I-submit-queued",
        _submit(make_run("queued"), "call_1"),
        'Runs in status "queued" do not accept tool outputs.',
    ),
    (
        "R-submit-completed",
        _submit(make_run("completed"), "call_1"),
        'Runs in status "completed" do not accept tool outputs.',
    ),
    (
        "I-submit-expired",
        _submit(make_run("expired"), "call_1"),
        'Runs in status "expired" do not accept tool outputs.',
    ),
    (
        "X-submit-past-deadline-answers-as-expired",
        _past_deadline("submit_tool_outputs"),
        'Runs in status "expired" do not accept tool outputs.',
    ),
    (
        "X-cancel-past-deadline-answers-as-expired",
        _past_deadline("cancel"),
        "Cannot cancel run with status 'expired'.",
    ),
    (
        "I-outputs-leave-out-a-pending-id",
        _submit(_waiting_run(), "call_1"),
        "Expected tool outputs for call_ids ['call_1', 'call_2'], got ['call_1']",
    ),
    (
        "X-outputs-name-an-id-not-pending",
        _submit(_waiting_run(), "call_1", "call_9"),
        "Expected tool outputs for call_ids ['call_1', 'call_2'], got ['call_1', 'call_9']",
    ),
    (
        "X-no-outputs",
        _submit(_waiting_run()),
        "Expected tool outputs for call_ids ['call_1', 'call_2'], got []",
    ),
    (
        "I-duplicate-ids",
        _submit(_waiting_run(), "call_1", "call_1", "call_2"),
        "Duplicate call_ids submitted: ['call_1', 'call_1', 'call_2']",
    ),
    (
        "I-active-run",
        lambda: check_thread_free([make_run("completed"), make_run("requires_action")]),
        "Thread thread_1 already has an active run run_1.",
    ),
    (
        "X-cancelling-is-active",
        lambda: check_thread_free([make_run("cancelling")]),
        "Thread thread_1 already has an active run run_1.",
    ),
    (
        "R-modify-in-progress",
        lambda: modify_run(make_run("in_progress"), {"metadata": {"k": "v"}}),
        "Cannot update run with status 'in_progress'.",
    ),
    (
        "C-modify-queued",
        lambda: modify_run(make_run("queued"), {}),
        "Cannot update run with status 'queued'.",
    ),
]


@pytest.mark.parametrize(
    ("call", "message"),
    [case[1:] for case in STATE_CASES],
    ids=[case[0] for case in STATE_CASES],
)
def test_a_refused_state_change_is_a_400_with_the_apis_text(call, message: str) -> None:
    error = refusal(call)
    assert envelope(error) == (400, message, None, None)
    assert error.body["error"]["type"] == "invalid_request_error"


def test_tool_output_findings_stay_on_the_answer_at_their_pointers() -> None:
    error = refusal(_submit(_waiting_run(), "call_1", "call_9"))
    assert [(f.pointer, f.code) for f in error.findings] == [
        ("/tool_outputs/1/tool_call_id", "tool_output_unknown"),
        ("/tool_outputs", "tool_output_missing"),
    ]


def test_a_tool_output_of_the_wrong_shape_is_named_at_its_param() -> None:
    run = _waiting_run()
    outputs = [{"tool_call_id": "call_1", "output": 42}, {"tool_call_id": "call_2", "output": "x"}]
    error = refusal(
        lambda: advance(run, "submit_tool_outputs", now=at(run, "x"), tool_outputs=outputs)
    )
    assert envelope(error) == (
        400,
        "Invalid type for 'tool_outputs[0].output': expected a string, but got an integer instead.",
        "tool_outputs[0].output",
        "invalid_type",
    )


NOT_FOUND = [
    ("R-thread", "thread", "thread_abc", "No thread found with id 'thread_abc'."),
    ("R-run-step", "run_step", "step_123", "No run step found with id 'step_123'."),
    ("R-run-step-wrong-prefix", "run_step", "123", "No run step found with id '123'."),
    ("I-message", "message", "msg_1", "No message found with id 'msg_1'."),
    ("I-assistant", "assistant", "asst_1", "No assistant found with id 'asst_1'."),
    ("X-run", "run", "run_1", "No run found with id 'run_1'."),
]


@pytest.mark.parametrize(
    ("what", "object_id", "message"),
    [case[1:] for case in NOT_FOUND],
    ids=[case[0] for case in NOT_FOUND],
)
def test_an_unknown_id_is_a_404_that_echoes_it(what: str, object_id: str, message: str) -> None:
    assert envelope(not_found(what, object_id)) == (404, message, None, None)


def test_an_unknown_route_is_a_404_naming_method_and_path() -> None:
    # [I] openai/openai-python PR #682
    assert envelope(invalid_url("POST", "/v1/assistants")) == (
        404,
        "Invalid URL (POST /v1/assistants)",
        None,
        None,
    )


def test_an_id_with_the_wrong_prefix_is_a_400_before_any_lookup() -> None:
    # [I] openai/openai-node#1545 (message); param and code [X]
    with pytest.raises(ApiError) as refused:
        accept_id("thread_id", "undefined")
    assert envelope(refused.value) == (
        400,
        "Invalid 'thread_id': 'undefined'. Expected an ID that begins with 'thread'.",
        "thread_id",
        "invalid_value",
    )
    assert accept_id("run_id", "run_abc") == "run_abc"


# -- the server's own faults are 500s (errors.md §1) --------------------------------------------


def _clock_skew() -> Any:
    run = make_run("queued")
    return advance(run, "start", now=run["created_at"] - 1)


def _worker_usage() -> Any:
    run = make_run("in_progress")
    usage = {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 3}
    return advance(run, "complete", now=at(run, "complete"), usage=usage)


SERVER_FAULTS = [
    ("clock-skew", _clock_skew),
    ("worker-details", _worker_usage),
    (
        "worker-event",
        lambda: advance(make_run("completed"), "start", now=at(make_run("completed"), "start")),
    ),
    (
        "status-conflict",
        lambda: advance(
            make_run("queued"),
            "start",
            now=at(make_run("queued"), "start"),
            expected_status="in_progress",
        ),
    ),
    ("unknown-kind", lambda: runcore.validate({}, "nothing")),
    ("not-runcore", lambda: 1 / 0),
    (
        "other-assistant",
        lambda: run_from_request(
            {"assistant_id": "asst_1"},
            {"id": "asst_2", "model": "m"},
            run_id="run_1",
            thread_id="thread_1",
            now=1,
        ),
    ),
]


@pytest.mark.parametrize(
    "call", [case[1] for case in SERVER_FAULTS], ids=[c[0] for c in SERVER_FAULTS]
)
def test_the_servers_own_fault_is_the_apis_500(call) -> None:
    error = refusal(call)
    assert envelope(error) == (
        500,
        "The server had an error while processing your request. Sorry about that!",
        None,
        None,
    )
    assert error.body["error"]["type"] == "server_error"


def test_the_500_body_is_the_175_bytes_the_recorded_content_length_gives() -> None:
    # [I] RageAgainstThePixel/com.openai.unity#177: Content-Length 175; the full body is [X].
    assert len(json_body(api_error(RuntimeError()).body)) == 175


# -- settings that make no run: run_from_request's refusals ------------------------------------


def _create(request: dict[str, Any], assistant: dict[str, Any]) -> Callable[[], Any]:
    return lambda: run_from_request(
        {"assistant_id": "asst_1", **request},
        {"id": "asst_1", "model": "gpt-4o", **assistant},
        run_id="run_1",
        thread_id="thread_1",
        now=1_700_000_000,
    )


def test_an_inherited_setting_out_of_the_request_limits_is_a_400_naming_it() -> None:
    assert envelope(refusal(_create({}, {"temperature": 7}))) == (
        400,
        "Invalid 'temperature': integer above maximum value. Expected a value <= 2, but got 7 instead.",
        "temperature",
        "integer_above_max_value",
    )
    tools = [{"type": "code_interpreter"}] * 21
    assert envelope(refusal(_create({}, {"tools": tools}))) == (
        400,
        "Invalid 'tools': array too long. Expected an array with maximum length 20, but got an "
        "array with length 21 instead.",
        "tools",
        "array_above_max_length",
    )


def test_a_tool_choice_naming_an_unknown_function_lists_the_runs_functions() -> None:
    choice = {"type": "function", "function": {"name": "search"}}
    assert envelope(refusal(_create({"tool_choice": choice}, {"tools": TOOLS}))) == (
        400,
        "Invalid value: 'search'. Supported values are: 'lookup'.",
        "tool_choice.function.name",
        "invalid_value",
    )
    assert envelope(refusal(_create({"tool_choice": choice}, {})))[1] == (
        "Invalid value: 'search'. The run has no functions."
    )


def test_a_modify_request_that_breaks_its_schema_is_a_400() -> None:
    request = {"metadata": {str(index): "v" for index in range(17)}}
    assert envelope(refusal(lambda: modify_run(make_run("completed"), request))) == (
        400,
        "Invalid 'metadata': too many properties. Expected an object with at most 16 properties, "
        "but got an object with 17 properties instead.",
        "metadata",
        "object_above_max_properties",
    )


def test_a_contract_violation_is_of_the_servers_own_object_and_keeps_its_findings() -> None:
    # A client's body goes through accept_request (its ApiError is the 400); check() and
    # json_body() raise for what the server made.
    error = refusal(lambda: json_body({"temperature": float("nan")}))
    assert envelope(error)[0] == 500
    assert [(f.pointer, f.code) for f in error.findings] == [("/temperature", "non_finite_number")]


# -- byte for byte what the hosted API recorded -------------------------------------------------


def recorded_errors() -> Iterator[tuple[str, str, str | None, int, int | None, str]]:
    """(file, uri, request body, status, Content-Length, body) of each error the cassettes hold."""
    for path in sorted((RECORDINGS / "cassettes" / "ruby-vcr").glob("*.yml")):
        for chunk in path.read_text(encoding="utf-8").split("\n- request:")[1:]:
            request, response = chunk.split("\n  response:", 1)
            status = int(re.search(r"code: (\d+)", response).group(1))  # type: ignore[union-attr]
            if status < 400:
                continue
            length = re.search(r"Content-Length:\n\s+- '(\d+)'", response)
            body = re.search(r"string: \|-\n((?: {8}.*\n?)*)", response).group(1)  # type: ignore[union-attr]
            sent = re.search(r"string: '(.*)'", request)
            yield (
                path.name,
                re.search(r"uri: (\S+)", request).group(1),  # type: ignore[union-attr]
                sent.group(1) if sent else None,
                status,
                int(length.group(1)) if length else None,
                "\n".join(line[8:] for line in body.splitlines()),
            )


# The recorded messages and the runcore call that answers each.
REPRODUCED: dict[str, Callable[[str, str | None], ApiError]] = {
    "Runs in status": lambda uri, sent: refusal(_submit(make_run("in_progress"), "call_1")),
    "Cannot update run": lambda uri, sent: refusal(
        lambda: modify_run(make_run("in_progress"), json.loads(sent or "{}"))
    ),
    "Invalid type for 'metadata.modified'": lambda uri, sent: refusal(
        lambda: accept_request((sent or "").encode(), "modify_run_request")
    ),
    "No run step found": lambda uri, sent: not_found("run_step", uri.rsplit("/", 1)[1]),
}
# Run creation on a thread without a user message needs the thread's messages, which runcore
# does not see: the server answers it itself (code invalid_thread).
LEFT_TO_THE_SERVER = "Run creation requires a Thread with a user message"


def test_every_recorded_error_is_answered_byte_for_byte() -> None:
    recorded = list(recorded_errors())
    if not recorded:
        pytest.skip("../shared/recordings is not here")
    answered = 0
    for name, uri, sent, status, length, body in recorded:
        message = json.loads(body)["error"]["message"]
        if message.startswith(LEFT_TO_THE_SERVER):
            continue
        reproduce = next(REPRODUCED[key] for key in REPRODUCED if message.startswith(key))
        error = reproduce(uri, sent)
        assert (error.status, json_body(error.body).decode()) == (status, body), name
        assert length is None or length == len(json_body(error.body)), name
        answered += 1
    assert answered == 9
