"""validate() and check(): kinds, profiles, strict mode, precise pointers and the findings they return."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from runcore import KINDS, ContractViolation, UnknownKind, check, infer_kind, validate
from tests.builders import RUN


def run(**changes: Any) -> dict[str, Any]:
    result = copy.deepcopy(RUN)
    result.update(changes)
    return result


def places(findings: list) -> list[tuple[str, str, str]]:
    return [(f.severity, f.code, f.pointer) for f in findings]


def test_a_complete_run_has_no_findings_under_either_profile() -> None:
    assert validate(RUN, profile="spec") == []
    assert validate(RUN) == []


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ({"object": "thread.run"}, "run"),
        ({"object": "thread.run.step"}, "run_step"),
        ({"object": "thread.run.step.delta"}, "run_step_delta"),
        ({"object": "list", "data": [{"object": "thread.run.step"}]}, "run_step_list"),
        ({"object": "list", "data": [{"object": "thread.run"}]}, "run_list"),
        ({"object": "list", "data": []}, "run_list"),
        ({"error": {"message": "x"}}, "error"),
    ],
    ids=["run", "step", "delta", "step-list", "run-list", "empty-list", "error"],
)
def test_the_kind_is_inferred_from_the_object_field(body: dict, kind: str) -> None:
    assert infer_kind(body) == kind


@pytest.mark.parametrize(
    "body",
    [{"assistant_id": "a"}, [], "thread.run", {"object": "thread.message"}],
    ids=["request", "array", "string", "message"],
)
def test_an_object_whose_kind_cannot_be_inferred_is_refused_with_the_known_kinds(body: Any) -> None:
    with pytest.raises(UnknownKind, match="pass"):
        validate(body)


def test_an_unknown_kind_or_profile_is_refused() -> None:
    with pytest.raises(UnknownKind, match="known kinds: run, run_step"):
        validate({}, "runs")
    with pytest.raises(ValueError, match="profiles: observed, spec"):
        validate(RUN, profile="strict")  # type: ignore[arg-type]


def test_check_raises_one_exception_that_carries_every_finding() -> None:
    with pytest.raises(ContractViolation) as raised:
        check(run(status="done", model=7))
    assert places(raised.value.findings) == [
        ("error", "invalid_value", "/status"),
        ("error", "wrong_type", "/model"),
    ]
    assert "/status" in str(raised.value) and "'done' is not one of 'queued'" in str(raised.value)


def test_check_returns_the_warnings_when_there_is_no_error() -> None:
    assert places(check(run(tool_resources={}), strict=True)) == [
        ("warning", "unknown_field", "/tool_resources")
    ]


def test_every_problem_is_reported_at_once_in_document_order() -> None:
    body = run(created_at="yesterday", metadata={"k": 1}, tools=[{"type": "browser"}])
    del body["model"]
    assert places(validate(body, profile="spec", invariants=False)) == [
        ("error", "wrong_type", "/created_at"),
        ("error", "invalid_value", "/tools/0/type"),
        ("error", "wrong_type", "/metadata/k"),
        ("error", "missing_field", "/model"),
    ]
    assert validate(body, invariants=False) == validate(copy.deepcopy(body), invariants=False)


def test_a_finding_carries_the_offending_value_and_the_object_id() -> None:
    (finding,) = validate(run(temperature="hot"))
    assert (finding.value, finding.object_id, finding.severity) == ("hot", "run_1", "error")
    assert finding.message == "expected number or null, got string 'hot'"


@pytest.mark.parametrize(
    ("changes", "code", "where"),
    [
        ({"tool_choice": {"type": "browser"}}, "invalid_value", "/tool_choice/type"),
        ({"tool_choice": "sometimes"}, "invalid_value", "/tool_choice"),
        ({"tool_choice": 3}, "no_matching_variant", "/tool_choice"),
        ({"response_format": "none"}, "invalid_value", "/response_format"),
        (
            {"response_format": {"type": "json_schema"}},
            "missing_field",
            "/response_format/json_schema",
        ),
        (
            {"usage": {"prompt_tokens": 1, "completion_tokens": 1}},
            "missing_field",
            "/usage/total_tokens",
        ),
        ({"last_error": {"code": "oops", "message": "m"}}, "invalid_value", "/last_error/code"),
        (
            {"truncation_strategy": {"type": "last_messages", "last_messages": 0}},
            "below_minimum",
            "/truncation_strategy/last_messages",
        ),
        (
            {
                "required_action": {
                    "type": "submit_tool_outputs",
                    "submit_tool_outputs": {"tool_calls": [{"id": "c"}]},
                }
            },
            "missing_field",
            "/required_action/submit_tool_outputs/tool_calls/0/type",
        ),
        ({"object": "thread.runs"}, "invalid_value", "/object"),
        ({"status": "paused"}, "invalid_value", "/status"),
    ],
    ids=[
        "tool-choice-type",
        "tool-choice-word",
        "tool-choice-number",
        "response-format-none",
        "json-schema-missing",
        "usage-total-missing",
        "error-code",
        "last-messages-zero",
        "tool-call-type-missing",
        "object",
        "status",
    ],
)
def test_errors_inside_nullable_and_union_fields_point_at_the_offending_member(
    changes: dict, code: str, where: str
) -> None:
    findings = validate(run(**changes), "run", profile="spec", invariants=False)
    assert (code, where) in [(f.code, f.pointer) for f in findings]
    assert all(f.pointer.startswith(where.rsplit("/", 1)[0]) for f in findings)


def test_unknown_response_fields_are_never_errors_and_strict_reports_them_as_warnings() -> None:
    body = run(tool_resources={"code_interpreter": {"file_ids": []}}, usage_extra=1)
    body["tools"][0]["function"]["x_vendor"] = True
    assert validate(body) == [] and validate(body, profile="spec") == []
    assert places(validate(body, strict=True)) == [
        ("warning", "unknown_field", "/tools/0/function/x_vendor"),
        ("warning", "unknown_field", "/tool_resources"),
        ("warning", "unknown_field", "/usage_extra"),
    ]


@pytest.mark.parametrize("profile", ["observed", "spec"])
@pytest.mark.parametrize("kind", ["run", "run_list"])
def test_strict_reports_unknown_fields_under_both_profiles_and_inside_pages(
    profile: str, kind: str
) -> None:
    body = run(vendor_field=1)
    if kind == "run_list":
        body = {
            "object": "list",
            "data": [body],
            "first_id": "run_1",
            "last_id": "run_1",
            "has_more": False,
        }
    (finding,) = validate(body, kind, profile=profile, strict=True)
    assert (finding.severity, finding.code) == ("warning", "unknown_field")
    assert finding.pointer.endswith("/vendor_field")


def test_strict_does_not_report_user_metadata_keys_or_function_parameters() -> None:
    body = run(metadata={"anything": "x"})
    body["tools"][0]["function"]["parameters"] = {
        "type": "object",
        "properties": {"q": {"type": "string"}},
    }
    assert validate(body, strict=True) == []


def test_unknown_fields_in_a_request_body_are_errors_one_per_field() -> None:
    findings = validate(
        {"assistant_id": "a", "thread_id": "t", "stream_options": {}}, "create_run_request"
    )
    assert places(findings) == [
        ("error", "unknown_field", "/thread_id"),
        ("error", "unknown_field", "/stream_options"),
    ]
    assert "not part of this request" in findings[0].message


def test_request_kinds_differ_where_the_spec_says_they_do() -> None:
    assert (
        validate({"assistant_id": "a", "additional_instructions": "x"}, "create_run_request") == []
    )
    assert places(
        validate(
            {"assistant_id": "a", "additional_instructions": "x"}, "create_thread_and_run_request"
        )
    ) == [("error", "unknown_field", "/additional_instructions")]
    assert (
        validate(
            {"assistant_id": "a", "tool_resources": {"file_search": {"vector_store_ids": ["v"]}}},
            "create_thread_and_run_request",
        )
        == []
    )


def test_a_request_without_assistant_id_is_one_error() -> None:
    assert places(validate({}, "create_run_request")) == [
        ("error", "missing_field", "/assistant_id")
    ]


def test_submit_tool_outputs_and_modify_requests() -> None:
    assert (
        validate(
            {"tool_outputs": [{"tool_call_id": "c", "output": "1"}], "stream": None},
            "submit_tool_outputs_request",
        )
        == []
    )
    assert places(validate({"tool_outputs": [{"output": 1}]}, "submit_tool_outputs_request")) == [
        ("error", "wrong_type", "/tool_outputs/0/output")
    ]
    assert places(validate({"metadata": {"k": "v"}, "status": "x"}, "modify_run_request")) == [
        ("error", "unknown_field", "/status")
    ]


def test_the_observed_profile_accepts_what_the_hosted_api_sent_and_spec_does_not() -> None:
    v1 = run(
        instructions=None, tools=[{"type": "retrieval"}], max_completion_tokens=16, file_ids=[]
    )
    for later in (
        "required_action",
        "incomplete_details",
        "usage",
        "truncation_strategy",
        "tool_choice",
        "parallel_tool_calls",
        "response_format",
        "max_prompt_tokens",
    ):
        del v1[later]
    v1["status"] = "in_progress"
    assert validate(v1) == []
    codes = {(f.code, f.pointer) for f in validate(v1, profile="spec")}
    assert ("wrong_type", "/instructions") in codes and ("invalid_value", "/tools/0/type") in codes
    assert ("below_minimum", "/max_completion_tokens") in codes and (
        "missing_field",
        "/usage",
    ) in codes


def test_the_observed_profile_still_catches_real_defects() -> None:
    assert places(
        validate(run(max_completion_tokens=0, created_at=1.5, status="running"), invariants=False)
    ) == [
        ("error", "wrong_type", "/created_at"),
        ("error", "invalid_value", "/status"),
        ("error", "below_minimum", "/max_completion_tokens"),
    ]


def test_list_findings_point_into_the_item_and_name_the_item() -> None:
    page = {
        "object": "list",
        "data": [RUN, run(id="run_2", model=None)],
        "first_id": "run_1",
        "last_id": "run_2",
        "has_more": False,
    }
    (finding,) = validate(page)
    assert (finding.pointer, finding.object_id) == ("/data/1/model", "run_2")


def test_every_kind_validates_its_own_minimal_body() -> None:
    minimal = {
        "run_step_delta": {"id": "s", "object": "thread.run.step.delta", "delta": {}},
        "error": {
            "error": {"code": None, "message": "m", "param": None, "type": "invalid_request_error"}
        },
        "create_run_request": {"assistant_id": "a"},
        "create_thread_and_run_request": {
            "assistant_id": "a",
            "thread": {"messages": [{"role": "user", "content": "hi"}]},
        },
        "modify_run_request": {},
        "submit_tool_outputs_request": {"tool_outputs": []},
        "list_query": {},
    }
    for kind, body in minimal.items():
        assert kind in KINDS and validate(body, kind) == [], kind


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (
            {
                "object": "list",
                "data": [{"object": "thread.message", "id": "m"}],
                "first_id": "m",
                "last_id": "m",
                "has_more": False,
            },
            "run_list",
        ),
        (
            {
                "object": "list",
                "data": [RUN, 3],
                "first_id": "a",
                "last_id": "b",
                "has_more": False,
            },
            "run_step_list",
        ),
        (RUN, "run_step"),
        ({"object": "thread.run", "status": ["queued"]}, "run"),
    ],
    ids=["message-in-a-page", "run-in-a-step-page", "run-as-step", "status-a-list"],
)
def test_objects_of_the_wrong_shape_are_schema_findings_not_exceptions(
    body: Any, kind: str
) -> None:
    findings = validate(body, kind)
    assert findings and all(f.severity == "error" for f in findings)


def test_findings_follow_the_order_of_the_document_itself() -> None:
    body = {"zeta": 1, **run(thread_id=5, metadata={f"k{i}": "v" for i in range(17)})}
    assert [f.pointer for f in validate(body)] == ["/thread_id", "/metadata"]


def test_two_invariant_findings_at_one_pointer_are_both_kept() -> None:
    body = run(
        status="completed",
        required_action=None,
        usage={"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        expires_at=None,
        started_at=1714433800,
        completed_at=1714433700,
    )
    order = [f for f in validate(body) if f.code == "timestamp_order"]
    assert len(order) == 2 and {f.pointer for f in order} == {"/completed_at"}


def test_a_python_value_that_is_not_json_is_named_in_the_message() -> None:
    import datetime

    (finding,) = validate(run(created_at=datetime.datetime(2024, 5, 1)), invariants=False)
    assert finding.code == "wrong_type" and "got datetime (not a JSON value)" in finding.message
