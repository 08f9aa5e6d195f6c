"""Every answer against its request: a conforming session checks clean, and each defect injected
once gives exactly its findings, at their lines and pointers."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.check.session import Exchange, Raw, copied, event_line, vcrpy
from tests.cli import run_cli

# Where a finding is: ("request", i) the line of interaction i, ("body", i) that of its body,
# ("event", i, k) that of the k-th event of its stream.
Where = tuple[Any, ...]
Expected = list[tuple[str, Where, str]]

# The session's interactions, by what they are.
CREATE, POLL, WAITING, SUBMIT, DONE, STEPS, MESSAGE, STREAM, RUNS, MODIFY, CANCEL, STEP = range(12)


def report(session: list[Exchange], tmp_path: Path, *args: str) -> dict[str, Any]:
    path = tmp_path / "session.yaml"
    path.write_text(vcrpy(session).text, encoding="utf-8")
    found: dict[str, Any] = json.loads(
        run_cli("check", "--format", "json", *args, str(path)).stdout
    )
    assert all(f["file"] == str(path) for f in found["findings"])
    return found


def findings(session: list[Exchange], tmp_path: Path, *args: str) -> list[tuple[str, int, str]]:
    found = report(session, tmp_path, *args)["findings"]
    return sorted((f["code"], f["line"], f["pointer"]) for f in found)


def located(session: list[Exchange], expected: Expected) -> list[tuple[str, int, str]]:
    written = vcrpy(session)
    lines = {
        "request": lambda i: written.interactions[i],
        "body": lambda i: written.bodies[i],
        "event": lambda i, k: event_line(written.bodies[i], k),
    }
    return sorted((code, lines[where[0]](*where[1:]), at) for code, where, at in expected)


def everywhere(session: list[Exchange], run_id: str, **changes: Any) -> None:
    """The same change in every snapshot of a run, so that its history stays whole."""
    for exchange in session:
        answer = exchange.answer
        if isinstance(answer, dict) and answer.get("id") == run_id:
            answer.update(changes)
        for item in answer.get("data", []) if isinstance(answer, dict) else []:
            if item.get("id") == run_id:
                item.update(changes)


def test_a_conforming_session_checks_clean_under_both_profiles(tmp_path: Path) -> None:
    assert findings(copied(), tmp_path, "--profile", "spec", "--strict") == []
    summary = report(copied(), tmp_path)["summary"]
    counted = {k: summary[k] for k in ("interactions", "passed_over", "streams", "histories")}
    assert counted == {"interactions": 11, "passed_over": 1, "streams": 1, "histories": 5}


# Each case changes a conforming session once and says what that gives.


def accepted_invalid_body(s: list[Exchange]) -> Expected:
    s[CREATE].body["extra"] = 1  # request bodies are closed
    return [("unknown_field", ("request", CREATE), "/request/body/extra")]


def accepted_create_without_a_body(s: list[Exchange]) -> Expected:
    s[CREATE].body = None
    return [("missing_field", ("request", CREATE), "/request/body/assistant_id")]


def accepted_invalid_query(s: list[Exchange]) -> Expected:
    s[STEPS].path += "&limit=0"
    return [("below_minimum", ("request", STEPS), "/request/query/limit")]


def accepted_body_that_is_not_json(s: list[Exchange]) -> Expected:
    s[MODIFY].body = Raw('{"metadata": {"k": "w"}')
    return [("undecodable_body", ("request", MODIFY), "/request/body")]


def answer_that_is_not_json(s: list[Exchange]) -> Expected:
    s[CANCEL].status, s[CANCEL].answer = 502, Raw("<html>Bad gateway</html>")
    return [("undecodable_body", ("request", CANCEL), "/response/body")]


def created_with_201(s: list[Exchange]) -> Expected:
    s[CREATE].status = 201
    return [("status_unexpected", ("request", CREATE), "/response/status")]


def refused_with_409(s: list[Exchange]) -> Expected:
    s[CANCEL].status = 409
    return [("status_unexpected", ("request", CANCEL), "/response/status")]


def error_body_with_200(s: list[Exchange]) -> Expected:
    s[CANCEL].status = 200
    return [("status_body_mismatch", ("body", CANCEL), "/error")]


def run_with_400(s: list[Exchange]) -> Expected:
    s[POLL].status = 400
    return [("status_body_mismatch", ("body", POLL), "/object")]


def error_body_not_full(s: list[Exchange]) -> Expected:
    s[CANCEL].answer = {"error": {"message": "Cannot cancel run with status 'completed'."}}
    missing = ("missing_field", ("body", CANCEL))
    return [(*missing, "/error/type"), (*missing, "/error/param"), (*missing, "/error/code")]


def a_step_for_a_run(s: list[Exchange]) -> Expected:
    s[POLL].answer = s[STEP].answer
    return [("response_kind_mismatch", ("body", POLL), "/object")]


def stream_not_answered(s: list[Exchange]) -> Expected:
    s[STREAM].answer, s[STREAM].stream, s[STREAM].headers = s[STREAM].stream[0][1], None, {}
    return [("answer_not_streamed", ("request", STREAM), "/response/body")]


def stream_not_asked(s: list[Exchange]) -> Expected:
    s[STREAM].body = {"assistant_id": "asst_1"}
    return [("answer_streamed_unasked", ("request", STREAM), "/response/body")]


def another_run(s: list[Exchange]) -> Expected:
    s[POLL].answer["id"] = "run_9"
    return [("id_mismatch", ("body", POLL), "/id")]


def another_thread(s: list[Exchange]) -> Expected:
    everywhere(s, "run_1", thread_id="thread_9")
    wrong = [CREATE, POLL, WAITING, SUBMIT, DONE, MODIFY]
    return [("id_mismatch", ("body", i), "/thread_id") for i in wrong] + [
        ("id_mismatch", ("body", RUNS), "/data/1/thread_id"),
        # and its steps say thread_1 (the first snapshot of each is on the page of steps)
        ("step_run_mismatch", ("body", STEPS), "/data/0/thread_id"),
        ("step_run_mismatch", ("body", STEPS), "/data/1/thread_id"),
    ]


def a_step_of_another_run(s: list[Exchange]) -> Expected:
    s[STEP].answer["run_id"] = "run_9"
    return [
        ("id_mismatch", ("body", STEP), "/run_id"),
        ("fixed_field_changed", ("body", STEP), "/run_id"),  # its history says so too
    ]


def settings_not_applied(s: list[Exchange]) -> Expected:
    everywhere(s, "run_1", temperature=1.0)
    return [("request_not_applied", ("body", CREATE), "/temperature")]


def metadata_not_applied(s: list[Exchange]) -> Expected:
    s[CREATE].answer["metadata"] = {}
    return [("request_not_applied", ("body", CREATE), "/metadata")]


def streamed_settings_not_applied(s: list[Exchange]) -> Expected:
    s[STREAM].body["temperature"] = 0.2
    return [("request_not_applied", ("event", STREAM, 0), "/temperature")]


def modify_not_applied(s: list[Exchange]) -> Expected:
    s[MODIFY].answer["metadata"] = {"k": "v"}
    return [("request_not_applied", ("body", MODIFY), "/metadata")]


def cancel_not_cancelling(s: list[Exchange]) -> Expected:
    s[CANCEL].status, s[CANCEL].answer = 200, s[MODIFY].answer
    return [("cancel_answer_status", ("body", CANCEL), "/status")]


def submit_still_waiting(s: list[Exchange]) -> Expected:
    s[SUBMIT].answer = s[WAITING].answer
    return [("submit_answer_status", ("body", SUBMIT), "/status")]


def page_over_limit(s: list[Exchange]) -> Expected:
    s[RUNS].path = s[RUNS].path.replace("limit=2", "limit=1")
    return [("page_over_limit", ("body", RUNS), "/data")]


def page_out_of_order(s: list[Exchange]) -> Expected:
    s[STEPS].path = s[STEPS].path.replace("asc", "desc")
    return [("page_out_of_order", ("body", STEPS), "/data/1/created_at")]


def page_holding_its_cursor(s: list[Exchange]) -> Expected:
    s[RUNS].path += "&before=run_1"
    return [("page_cursor_ignored", ("body", RUNS), "/data/1/id")]


def page_beyond_its_cursor(s: list[Exchange]) -> Expected:
    s[RUNS].path += "&after=run_9"  # no such run was seen: only the runs seen place a cursor
    s[STEPS].path += "&after=step_1"
    s[STEPS].answer["data"].reverse()  # step_1 first: the page holds its cursor
    return [
        ("page_cursor_ignored", ("body", STEPS), "/data/1/id"),
        ("page_out_of_order", ("body", STEPS), "/data/1/created_at"),
        ("page_ids_mismatch", ("body", STEPS), "/first_id"),
        ("page_ids_mismatch", ("body", STEPS), "/last_id"),
    ]


def first_id_wrong(s: list[Exchange]) -> Expected:
    s[RUNS].answer["first_id"] = "run_1"
    return [("page_ids_mismatch", ("body", RUNS), "/first_id")]


CASES: list[Callable[[list[Exchange]], Expected]] = [
    accepted_invalid_body,
    accepted_create_without_a_body,
    accepted_invalid_query,
    accepted_body_that_is_not_json,
    answer_that_is_not_json,
    created_with_201,
    refused_with_409,
    error_body_with_200,
    run_with_400,
    error_body_not_full,
    a_step_for_a_run,
    stream_not_answered,
    stream_not_asked,
    another_run,
    another_thread,
    a_step_of_another_run,
    settings_not_applied,
    metadata_not_applied,
    streamed_settings_not_applied,
    modify_not_applied,
    cancel_not_cancelling,
    submit_still_waiting,
    page_over_limit,
    page_out_of_order,
    page_holding_its_cursor,
    page_beyond_its_cursor,
    first_id_wrong,
]


@pytest.mark.parametrize("inject", CASES, ids=[case.__name__ for case in CASES])
def test_each_defect_gives_exactly_its_finding(
    inject: Callable[..., Expected], tmp_path: Path
) -> None:
    session = copied()
    expected = inject(session)
    assert findings(session, tmp_path) == located(session, expected)


def test_a_refused_invalid_request_is_the_servers_right_answer(tmp_path: Path) -> None:
    session = copied()
    session[CREATE].body["temperature"] = 3  # refused with 400: what the hosted API did
    session[CREATE].status = 400
    session[CREATE].answer = {
        "error": {
            "message": "Invalid 'temperature': decimal above maximum value.",
            "type": "invalid_request_error",
            "param": "temperature",
            "code": "decimal_above_max_value",
        }
    }
    assert findings(session, tmp_path) == []


def test_token_limits_the_hosted_api_accepted_are_a_warning_under_observed(tmp_path: Path) -> None:
    session = copied()
    session[CREATE].body["max_completion_tokens"] = 16
    everywhere(session, "run_1", max_completion_tokens=16)
    where = located(
        session, [("below_minimum", ("request", CREATE), "/request/body/max_completion_tokens")]
    )
    severities = {
        profile: [
            f["severity"] for f in report(session, tmp_path, "--profile", profile)["findings"]
        ]
        for profile in ("observed", "spec")
    }
    assert findings(session, tmp_path) == where
    assert severities["observed"] == ["warning"]
    assert "error" in severities["spec"]  # and the runs' own below_minimum under spec


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("POST", "https://api.openai.com/v1/assistants"),
        ("GET", "https://api.openai.com/v1/threads/thread_1/messages"),
        ("DELETE", "https://api.openai.com/v1/threads/thread_1/runs/run_1"),
        ("GET", "https://example.com/weather?city=Lima"),
        ("POST", "https://api.openai.com/v1/files"),
    ],
)
def test_other_endpoints_are_passed_over_never_findings(
    method: str, url: str, tmp_path: Path
) -> None:
    session = copied()
    session[MESSAGE].method = method
    session[MESSAGE].path = url.removeprefix("https://api.openai.com")
    text = vcrpy(session).text.replace("https://api.openai.comhttps://", "https://")
    path = tmp_path / "session.yaml"
    path.write_text(text, encoding="utf-8")
    found = json.loads(run_cli("check", "--format", "json", str(path)).stdout)
    assert found["findings"] == [] and found["summary"]["passed_over"] == 1


def test_azures_api_version_is_not_a_list_parameter(tmp_path: Path) -> None:
    session = copied()
    session[RUNS].path += "&api-version=2024-05-01-preview"
    session[STEPS].path = session[STEPS].path.replace("/v1/", "/openai/")
    assert findings(session, tmp_path) == []


def test_only_a_cassette_of_other_endpoints_checks_nothing_and_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "assistants.yaml"
    path.write_text(vcrpy([copied()[MESSAGE]]).text, encoding="utf-8")
    result = run_cli("check", str(path))
    assert result.code == 2
    assert result.stderr == (
        "runcore: nothing was checked: no interaction is of the runs resource (1 passed over)\n"
    )
