"""The snapshot checker: status against fields and timestamps, on engine-made and real objects."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from runcore import RUN_STATUSES, STEP_STATUSES, UnknownKind, invariant_findings, validate
from runcore._contract._tolerances import OBSERVED_QUIRKS
from tests.recorded import REAL_FILES, bodies, lifecycle_objects, needs_recordings


def recorded(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line, object) for every run and run step in a recording, list items included."""
    for number, body in bodies(path):
        for obj in lifecycle_objects(body):
            yield number, obj


def errors(findings: list) -> list:
    return [finding for finding in findings if finding.severity == "error"]


@needs_recordings
@pytest.mark.parametrize("path", REAL_FILES, ids=[path.name for path in REAL_FILES])
def test_every_real_object_has_no_error_under_observed(path: Path) -> None:
    objects = list(recorded(path))
    assert objects, f"{path.name} holds no run or run step"
    for line, obj in objects:
        assert errors(invariant_findings(obj, profile="observed")) == [], f"{path.name}:{line}"


@needs_recordings
def test_observed_tolerates_exactly_the_quirks_the_real_recordings_show() -> None:
    seen = set()
    for path in REAL_FILES:
        for _, obj in recorded(path):
            for finding in invariant_findings(obj, profile="observed"):
                assert finding.code.endswith("_unexpected"), finding
                seen.add((obj["object"], finding.pointer.lstrip("/"), obj["status"]))
    assert seen == OBSERVED_QUIRKS


@needs_recordings
def test_the_real_quirks_are_errors_under_spec() -> None:
    codes = {
        finding.code
        for path in REAL_FILES
        for _, obj in recorded(path)
        for finding in errors(invariant_findings(obj, profile="spec"))
    }
    assert codes == {"completed_at_unexpected", "incomplete_details_unexpected"}


@pytest.mark.parametrize("status", RUN_STATUSES)
def test_engine_runs_in_every_status_have_no_findings(run_in, status: str) -> None:
    assert invariant_findings(run_in(status), profile="spec") == []


@pytest.mark.parametrize("status", STEP_STATUSES)
def test_engine_steps_in_every_status_have_no_findings(step_in, status: str) -> None:
    assert invariant_findings(step_in(status), profile="spec") == []


USAGE = {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}
ERROR = {"code": "server_error", "message": "boom"}
ACTION = {"type": "submit_tool_outputs", "submit_tool_outputs": {"tool_calls": []}}

# (status of the good run, field, bad value, expected code, pointer)
BAD_RUNS = [
    ("in_progress", "started_at", None, "started_at_missing", "/started_at"),
    ("requires_action", "started_at", None, "started_at_missing", "/started_at"),
    ("completed", "started_at", None, "started_at_missing", "/started_at"),
    ("completed", "completed_at", None, "completed_at_missing", "/completed_at"),
    ("incomplete", "completed_at", None, "completed_at_missing", "/completed_at"),
    ("failed", "failed_at", None, "failed_at_missing", "/failed_at"),
    ("cancelled", "cancelled_at", None, "cancelled_at_missing", "/cancelled_at"),
    ("queued", "expires_at", None, "expires_at_missing", "/expires_at"),
    ("completed", "expires_at", 1_800_000_000, "expires_at_unexpected", "/expires_at"),
    ("completed", "usage", None, "usage_missing", "/usage"),
    ("in_progress", "usage", USAGE, "usage_unexpected", "/usage"),
    ("requires_action", "required_action", None, "required_action_missing", "/required_action"),
    ("completed", "required_action", ACTION, "required_action_unexpected", "/required_action"),
    ("failed", "last_error", None, "last_error_missing", "/last_error"),
    ("completed", "last_error", ERROR, "last_error_unexpected", "/last_error"),
    ("incomplete", "incomplete_details", None, "incomplete_details_missing", "/incomplete_details"),
    ("cancelling", "cancelled_at", 1_700_000_009, "cancelled_at_unexpected", "/cancelled_at"),
    ("in_progress", "completed_at", 1_700_000_009, "completed_at_unexpected", "/completed_at"),
    ("expired", "completed_at", 1_700_000_009, "completed_at_unexpected", "/completed_at"),
    (
        "completed",
        "incomplete_details",
        {"reason": "max_prompt_tokens"},
        "incomplete_details_unexpected",
        "/incomplete_details",
    ),
    ("in_progress", "started_at", 1_600_000_000, "timestamp_order", "/started_at"),
    ("completed", "completed_at", 1_700_000_000, "timestamp_order", "/completed_at"),
    ("queued", "expires_at", 1_600_000_000, "timestamp_order", "/expires_at"),
    (
        "completed",
        "usage",
        {**USAGE, "total_tokens": 4},
        "usage_total_mismatch",
        "/usage/total_tokens",
    ),
]


@pytest.mark.parametrize(
    "status, field, value, code, where", BAD_RUNS, ids=[f"{row[3]}-in-{row[0]}" for row in BAD_RUNS]
)
def test_one_broken_field_is_reported_at_its_pointer(
    run_in, status, field, value, code, where
) -> None:
    run = {**run_in(status), field: value}
    found = [(finding.code, finding.pointer) for finding in invariant_findings(run, profile="spec")]
    assert found == [(code, where)]


QUIRKS = [(field, status) for _, field, status in sorted(OBSERVED_QUIRKS)]
QUIRK_VALUES = {
    "completed_at": 1_700_000_009,
    "incomplete_details": {"reason": "max_prompt_tokens"},
}


@pytest.mark.parametrize("field, status", QUIRKS)
def test_observed_quirks_warn_under_observed_and_are_errors_under_spec(run_in, field, status):
    value = QUIRK_VALUES[field]
    run = {**run_in(status), field: value}
    assert [f.severity for f in invariant_findings(run, profile="observed")] == ["warning"]
    assert [f.severity for f in invariant_findings(run, profile="spec")] == ["error"]


def test_repeated_tool_call_ids_and_non_json_arguments_are_reported(run_in) -> None:
    run = run_in("requires_action")
    call = run["required_action"]["submit_tool_outputs"]["tool_calls"][0]
    bad = {**call, "function": {**call["function"], "arguments": "{not json"}}
    run["required_action"]["submit_tool_outputs"]["tool_calls"] = [call, bad]
    found = [(finding.code, finding.pointer) for finding in invariant_findings(run, profile="spec")]
    assert found == [
        ("tool_call_id_repeated", "/required_action/submit_tool_outputs/tool_calls/1/id"),
        (
            "tool_call_arguments_not_json",
            "/required_action/submit_tool_outputs/tool_calls/1/function/arguments",
        ),
    ]


@pytest.mark.parametrize(
    "status, field, profile, expected",
    [
        ("requires_action", "required_action", "observed", [("error", "required_action_missing")]),
        ("incomplete", "incomplete_details", "observed", [("error", "incomplete_details_missing")]),
        ("completed", "usage", "observed", []),  # API v1 runs have no usage key
        ("requires_action", "required_action", "spec", [("error", "missing_field")]),
        ("in_progress", "started_at", "observed", [("error", "missing_field")]),
    ],
    ids=[
        "required-action",
        "incomplete-details",
        "v1-usage",
        "spec-schema-reports",
        "observed-schema-reports",
    ],
)
def test_a_field_the_status_needs_may_be_absent_only_where_the_hosted_api_left_it_out(
    run_in, status: str, field: str, profile: str, expected: list
) -> None:
    run = run_in(status)
    del run[field]
    findings = validate(run, "run", profile=profile)
    assert [(f.severity, f.code) for f in findings] == expected
    assert all(f.pointer == "/" + field for f in findings)


def test_absent_fields_and_wrong_types_are_left_to_the_schema(run_in) -> None:
    run = run_in("completed")
    for name in ("usage", "started_at", "incomplete_details"):
        del run[name]
    run["completed_at"] = "soon"
    assert invariant_findings(run, profile="spec") == []


@pytest.mark.parametrize(
    "status, field, code",
    [
        ("completed", "completed_at", "completed_at_missing"),
        ("failed", "last_error", "last_error_missing"),
        ("cancelled", "cancelled_at", "cancelled_at_missing"),
        ("expired", "expired_at", "expired_at_missing"),
        ("in_progress", "usage", "usage_unexpected"),
        ("completed", "created_at", "timestamp_order"),
    ],
)
def test_steps_are_checked_against_their_own_table(step_in, status, field, code) -> None:
    step = step_in(status)
    step[field] = {"usage": USAGE, "created_at": 1_800_000_000}.get(field)
    assert [finding.code for finding in invariant_findings(step, profile="spec")] == [code]


@pytest.mark.parametrize("status", ["paused", None, ["completed"]], ids=["unknown", "null", "list"])
def test_a_status_outside_the_table_is_left_to_the_schema(run_in, status) -> None:
    assert invariant_findings({**run_in("completed"), "status": status}, profile="spec") == []


def test_findings_name_the_object(run_in) -> None:
    run = {**run_in("completed"), "completed_at": None}
    assert {finding.object_id for finding in invariant_findings(run)} == {"run_1"}


def test_other_objects_and_profiles_are_refused(run_in) -> None:
    with pytest.raises(UnknownKind):
        invariant_findings({"object": "thread.message"})
    with pytest.raises(ValueError):
        invariant_findings(run_in("queued"), profile="strict")
