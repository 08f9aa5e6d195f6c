"""The lifecycle engine: tables, advance(), advance_step(), run_from_request(), their refusals."""

from __future__ import annotations

import copy
import json
import re
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from runcore import IllegalTransition, InvalidDetails, NotCancellable, StatusConflict, validate
from runcore._creation import run_from_request
from runcore._diagram import render_mermaid
from runcore._invariants import invariant_findings
from runcore._lifecycle import (
    GUARD_CHECKS,
    RUN_MACHINE,
    STEP_MACHINE,
    Advanced,
    advance,
    advance_step,
    legal_events,
    settle_steps,
)
from runcore._tables import (
    GUARDS,
    INCOMPLETE_REASONS,
    MAX_TIMESTAMP,
    RUN_DETAILS,
    RUN_ERROR_CODES,
    RUN_FIELDS,
    RUN_STATUSES,
    RUN_TRANSITIONS,
    STEP_ERROR_CODES,
    STEP_STATUSES,
    STEP_TRANSITIONS,
    TERMINAL_RUN_STATUSES,
    TERMINAL_STEP_STATUSES,
    edges,
)
from tests.conftest import T0, new_run, new_step

ROOT = Path(__file__).resolve().parents[1]
TABLES = {
    "run": (RUN_TRANSITIONS, RUN_STATUSES, TERMINAL_RUN_STATUSES, "queued"),
    "step": (STEP_TRANSITIONS, STEP_STATUSES, TERMINAL_STEP_STATUSES, "in_progress"),
}
RUN_EDGES = list(edges(RUN_TRANSITIONS))
ILLEGAL = [
    (status, event)
    for status in RUN_STATUSES
    for event in RUN_DETAILS
    if (status, event) not in {(s, e) for s, e, _ in RUN_EDGES}
    and not (event == "cancel" and status in ("cancelling", "cancelled"))
]


def reachable(table: list[dict[str, Any]], start: str) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        here = todo.pop()
        for source, _, dest in edges(table):
            if source == here and dest not in seen:
                seen.add(dest)
                todo.append(dest)
    return seen


def at(run: dict[str, Any], event: str) -> int:
    """A clock reading at which ``event`` is legal on ``run`` (timestamps advance by one)."""
    latest = max(
        run[name]
        for name in ("created_at", "started_at", "completed_at", "failed_at", "cancelled_at")
        if isinstance(run.get(name), int)
    )
    return run["expires_at"] if event == "expire" and run["expires_at"] else latest + 1


# Proofs on the tables.


@pytest.mark.parametrize("kind", TABLES)
def test_every_status_is_in_the_table_and_reachable_from_the_start(kind: str) -> None:
    table, statuses, _, initial = TABLES[kind]
    assert {s for s, _, _ in edges(table)} | {d for _, _, d in edges(table)} == set(statuses)
    assert reachable(table, initial) == set(statuses)


@pytest.mark.parametrize("kind", TABLES)
def test_every_live_status_can_end_and_has_an_expire_edge(kind: str) -> None:
    table, statuses, terminal, _ = TABLES[kind]
    for status in set(statuses) - terminal:
        assert reachable(table, status) & terminal, status
        assert (status, "expire", "expired") in set(edges(table)), status


@pytest.mark.parametrize("kind", TABLES)
def test_terminal_statuses_have_no_exits(kind: str) -> None:
    table, _, terminal, _ = TABLES[kind]
    assert [edge for edge in edges(table) if edge[0] in terminal] == []


def test_the_machines_are_built_from_the_tables_with_no_model_attached() -> None:
    for machine, table in ((RUN_MACHINE, RUN_TRANSITIONS), (STEP_MACHINE, STEP_TRANSITIONS)):
        built = [
            (source, name, t.dest, sorted((c.func, c.target) for c in t.conditions))
            for name, event in machine.events.items()
            for source, ts in event.transitions.items()
            for t in ts
        ]
        rows = [
            (
                source,
                row["trigger"],
                row["dest"],
                sorted(
                    [(g, True) for g in row.get("conditions", ())]
                    + [(g, False) for g in row.get("unless", ())]
                ),
            )
            for row in table
            for source in row["source"]
        ]
        assert sorted(built, key=repr) == sorted(rows, key=repr)
        assert machine.models == []


def test_every_guard_the_tables_name_is_defined_and_checked() -> None:
    named = {
        g
        for row in RUN_TRANSITIONS + STEP_TRANSITIONS
        for g in (*row.get("conditions", ()), *row.get("unless", ()))
    }
    assert named == set(GUARDS) == set(GUARD_CHECKS)


def test_the_tables_are_read_only() -> None:
    with pytest.raises(TypeError):
        RUN_TRANSITIONS[0]["source"] = ("failed",)  # type: ignore[index]
    with pytest.raises(AttributeError):
        RUN_TRANSITIONS[0]["source"].append("failed")  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        RUN_FIELDS["usage"]["allowed"] = frozenset()  # type: ignore[index]


def status_enum(node: Any) -> list[str] | None:
    """The enum of the first ``status`` property found walking a JSON Schema."""
    if isinstance(node, dict):
        status = node.get("status")
        if isinstance(status, dict) and "enum" in status:
            return status["enum"]
        children = node.values()
    elif isinstance(node, list):
        children = node
    else:
        return None
    return next((found for child in children if (found := status_enum(child)) is not None), None)


@pytest.mark.parametrize("kind, name", [("run", "run.json"), ("step", "run_step.json")])
def test_the_schema_status_enum_equals_the_table_states(kind: str, name: str) -> None:
    schema = json.loads((ROOT / "schemas" / name).read_text(encoding="utf-8"))
    assert set(status_enum(schema)) == set(TABLES[kind][1])


PARTS = json.loads((ROOT / "schemas" / "parts.json").read_text(encoding="utf-8"))["$defs"]


def test_the_clock_bound_is_the_schemas_timestamp_bound() -> None:
    assert MAX_TIMESTAMP == PARTS["unix_timestamp"]["maximum"]


@pytest.mark.parametrize(
    "values, part, field",
    [
        (RUN_ERROR_CODES, "run_last_error", "code"),
        (STEP_ERROR_CODES, "step_last_error", "code"),
        (INCOMPLETE_REASONS, "incomplete_details", "reason"),
    ],
    ids=["run-error-codes", "step-error-codes", "incomplete-reasons"],
)
def test_the_details_the_engine_accepts_are_the_schemas_enums(
    values: tuple, part: str, field: str
) -> None:
    assert list(values) == PARTS[part]["properties"][field]["enum"]


@pytest.mark.parametrize("kind, marker", [("run", "run-diagram"), ("step", "step-diagram")])
def test_the_committed_diagram_is_the_one_rendered_from_the_table(kind: str, marker: str) -> None:
    text = (ROOT / "docs" / "lifecycle.md").read_text(encoding="utf-8")
    found = re.search(
        rf"<!-- BEGIN {marker}.*?-->\n```mermaid\n(.*?)```\n<!-- END {marker} -->", text, re.DOTALL
    )
    table, _, terminal, initial = TABLES[kind]
    assert found and found.group(1) == render_mermaid(table, initial=initial, terminal=terminal)


# advance(): every legal edge, every illegal pair.


@pytest.mark.parametrize(
    "source, event, dest", RUN_EDGES, ids=[f"{s}-{e}" for s, e, _ in RUN_EDGES]
)
def test_every_edge_of_the_table_moves_the_run_and_names_its_stream_event(
    run_in, event_details, source, event, dest
) -> None:
    run = run_in(source)
    before = copy.deepcopy(run)
    result = advance(run, event, now=at(run, event), **event_details.get(event, {}))
    assert (result.run["status"], result.events, result.changed) == (
        dest,
        (f"thread.run.{dest}",),
        True,
    )
    assert run == before
    assert validate(result.run, "run", profile="spec") == []


@pytest.mark.parametrize("status, event", ILLEGAL, ids=[f"{s}-{e}" for s, e in ILLEGAL])
def test_an_illegal_event_raises_naming_status_event_and_legal_events(
    run_in, event_details, status, event
) -> None:
    run = run_in(status)
    before = copy.deepcopy(run)
    with pytest.raises(IllegalTransition) as raised:
        advance(run, event, now=at(run, event), **event_details.get(event, {}))
    assert (raised.value.status, raised.value.event) == (status, event)
    assert raised.value.allowed == legal_events(run, now=at(run, event))
    assert status in str(raised.value) and event in str(raised.value)
    assert run == before


@pytest.mark.parametrize("status", sorted(TERMINAL_RUN_STATUSES - {"cancelled"}))
def test_cancel_on_a_finished_run_is_refused_as_not_cancellable_and_run_is_unchanged(
    run_in, status
) -> None:
    run = run_in(status)
    with pytest.raises(NotCancellable, match="not legal"):
        advance(run, "cancel", now=at(run, "cancel"))
    assert run == run_in(status)


@pytest.mark.parametrize("status", ["cancelling", "cancelled"])
def test_cancel_on_a_cancelling_or_cancelled_run_is_an_idempotent_no_op(run_in, status) -> None:
    run = run_in(status)
    result = advance(run, "cancel", now=at(run, "cancel"))
    assert result == Advanced(run, (), changed=False)
    assert result.run is not run


def test_an_unknown_event_or_status_is_illegal(run_in) -> None:
    with pytest.raises(IllegalTransition, match="unknown event"):
        advance(run_in("queued"), "finish", now=at(run_in("queued"), "start"))
    with pytest.raises(IllegalTransition, match="not one of"):
        advance(
            {**run_in("queued"), "status": "paused"}, "start", now=at(run_in("queued"), "start")
        )


# Fields and timestamps across a walk.


def test_a_tool_call_round_trip_keeps_expires_at_and_restarts_started_at(
    run_in, event_details
) -> None:
    run = run_in("requires_action")
    queued = advance(
        run,
        "submit_tool_outputs",
        now=run["started_at"] + 5,
        **event_details["submit_tool_outputs"],
    ).run
    assert (queued["status"], queued["required_action"], queued["started_at"]) == (
        "queued",
        None,
        run["started_at"],
    )
    assert queued["expires_at"] == run["expires_at"] == run["created_at"] + 600
    restarted = advance(queued, "start", now=run["started_at"] + 9).run
    assert restarted["started_at"] == run["started_at"] + 9


def test_cancelled_at_is_set_at_cancelled_not_at_cancelling(run_in) -> None:
    assert run_in("cancelling")["cancelled_at"] is None
    assert isinstance(run_in("cancelled")["cancelled_at"], int)


@pytest.mark.parametrize("status", RUN_STATUSES)
def test_usage_and_expires_at_are_null_exactly_as_the_table_says(run_in, status) -> None:
    run = run_in(status)
    assert (run["expires_at"] is None) == (status in TERMINAL_RUN_STATUSES)
    assert (run["usage"] is not None) == (status in ("completed", "incomplete"))
    assert (run["required_action"] is not None) == (status == "requires_action")
    assert (run["last_error"] is not None) == (status == "failed")
    assert (run["incomplete_details"] is not None) == (status == "incomplete")


def test_a_cancelled_request_may_still_complete_but_only_if_the_run_started(
    run_in, event_details
) -> None:
    cancelling = run_in("cancelling")
    assert (
        advance(
            cancelling, "complete", now=at(cancelling, "complete"), **event_details["complete"]
        ).run["status"]
        == "completed"
    )
    never_started = advance(run_in("queued"), "cancel", now=at(run_in("queued"), "cancel")).run
    with pytest.raises(IllegalTransition, match="never started"):
        advance(
            never_started,
            "complete",
            now=at(never_started, "complete"),
            **event_details["complete"],
        )


def test_expire_waits_for_expires_at_and_then_only_ending_events_are_legal(
    run_in, event_details
) -> None:
    run = run_in("requires_action")
    with pytest.raises(IllegalTransition, match="expires at"):
        advance(run, "expire", now=run["expires_at"] - 1)
    assert legal_events(run, now=run["expires_at"]) == ["fail", "expire"]
    with pytest.raises(IllegalTransition, match="expired at"):
        advance(
            run,
            "submit_tool_outputs",
            now=run["expires_at"],
            **event_details["submit_tool_outputs"],
        )
    assert advance(run, "expire", now=run["expires_at"] + 60).run["status"] == "expired"


# The clock.


@pytest.mark.parametrize(
    "now",
    [1_700_000_005.0, True, "1700000005", None, 1_700_000_005_000, -1],
    ids=["float", "bool", "string", "none", "milliseconds", "negative"],
)
def test_now_must_be_integer_unix_seconds(run_in, now) -> None:
    with pytest.raises(InvalidDetails, match="integer Unix seconds"):
        advance(run_in("queued"), "start", now=now)


def test_now_before_the_latest_timestamp_is_refused_as_clock_skew(run_in, event_details) -> None:
    run = run_in("in_progress")
    with pytest.raises(InvalidDetails, match="clock skew"):
        advance(run, "complete", now=run["started_at"] - 1, **event_details["complete"])


# Details.

CALL = {"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": "{}"}}
CALL_2 = {**CALL, "id": "call_2"}
OUT = {"tool_call_id": "call_1", "output": "42"}
BAD_DETAILS = [
    ("requires_action", "submit_tool_outputs", {"tool_outputs": []}, "missing \\['call_1'\\]"),
    (
        "requires_action",
        "submit_tool_outputs",
        {"tool_outputs": [OUT, {**OUT, "tool_call_id": "call_9"}]},
        "unknown \\['call_9'\\]",
    ),
    (
        "requires_action",
        "submit_tool_outputs",
        {"tool_outputs": [OUT, OUT]},
        "repeated \\['call_1'\\]",
    ),
    (
        "requires_action",
        "submit_tool_outputs",
        {"tool_outputs": [{"tool_call_id": "call_1"}]},
        "tool_call_id, output",
    ),
    (
        "requires_action",
        "submit_tool_outputs",
        {"tool_outputs": [{**OUT, "output": 42}]},
        "tool_call_id, output",
    ),
    ("in_progress", "require_action", {"tool_calls": []}, "non-empty list"),
    ("in_progress", "require_action", {"tool_calls": [CALL, CALL]}, "repeated"),
    (
        "in_progress",
        "require_action",
        {"tool_calls": [{**CALL, "function": {"name": "nope", "arguments": "{}"}}]},
        "not one of the run's functions",
    ),
    (
        "in_progress",
        "require_action",
        {"tool_calls": [{**CALL, "function": {"name": "lookup", "arguments": "{x"}}]},
        "not JSON",
    ),
    (
        "in_progress",
        "require_action",
        {"tool_calls": [{**CALL, "type": "code_interpreter"}]},
        "must be",
    ),
    ("in_progress", "require_action", {"tool_calls": [{**CALL, "id": ""}]}, "non-empty string"),
    (
        "in_progress",
        "complete",
        {"usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 4}},
        "prompt \\+ completion",
    ),
    (
        "in_progress",
        "complete",
        {"usage": {"prompt_tokens": -1, "completion_tokens": 2, "total_tokens": 1}},
        "non-negative",
    ),
    (
        "in_progress",
        "complete",
        {"usage": {"prompt_tokens": True, "completion_tokens": 0, "total_tokens": 1}},
        "non-negative",
    ),
    ("in_progress", "complete", {"usage": None}, "usage must be"),
    (
        "in_progress",
        "incomplete",
        {
            "usage": {"prompt_tokens": 1, "completion_tokens": 0, "total_tokens": 1},
            "incomplete_details": {"reason": "max_tokens"},
        },
        "incomplete_details must be",
    ),
    (
        "in_progress",
        "fail",
        {"last_error": {"code": "timeout", "message": "x"}},
        "last_error must be",
    ),
    ("in_progress", "fail", {"last_error": {"code": "server_error"}}, "last_error must be"),
    ("in_progress", "complete", {}, "missing \\['usage'\\]"),
    ("queued", "start", {"usage": None}, "unknown \\['usage'\\]"),
    ("in_progress", "cancel", {"reason": "user"}, "unknown \\['reason'\\]"),
]


@pytest.mark.parametrize(
    "status, event, details, message",
    BAD_DETAILS,
    ids=[f"{event}-{i}" for i, (_, event, _, _) in enumerate(BAD_DETAILS)],
)
def test_details_that_break_the_contract_raise_and_change_nothing(
    run_in, status, event, details, message
) -> None:
    run = run_in(status)
    before = copy.deepcopy(run)
    with pytest.raises(InvalidDetails, match=message):
        advance(run, event, now=at(run, event), **details)
    assert run == before


def test_parallel_tool_calls_false_allows_one_call_at_a_time(run_in) -> None:
    run = {**run_in("in_progress"), "parallel_tool_calls": False}
    with pytest.raises(InvalidDetails, match="parallel_tool_calls"):
        advance(run, "require_action", now=at(run, "start"), tool_calls=[CALL, CALL_2])
    assert (
        advance(run, "require_action", now=at(run, "start"), tool_calls=[CALL]).run["status"]
        == "requires_action"
    )


def test_the_new_run_shares_no_detail_object_with_the_caller(run_in) -> None:
    calls = [copy.deepcopy(CALL)]
    run = advance(
        run_in("in_progress"),
        "require_action",
        now=at(run_in("in_progress"), "start"),
        tool_calls=calls,
    ).run
    calls[0]["id"] = "changed"
    assert run["required_action"]["submit_tool_outputs"]["tool_calls"][0]["id"] == "call_1"


# Compare-and-set.


def test_expected_status_that_differs_raises_status_conflict_first(run_in, event_details) -> None:
    run = run_in("completed")
    with pytest.raises(StatusConflict) as raised:
        advance(run, "cancel", now=at(run, "cancel"), expected_status="in_progress")
    assert (raised.value.expected, raised.value.actual) == ("in_progress", "completed")
    running = run_in("in_progress")
    result = advance(
        running,
        "complete",
        now=at(running, "complete"),
        expected_status="in_progress",
        **event_details["complete"],
    )
    assert result.run["status"] == "completed"


# run_from_request().

ASSISTANT = {
    "id": "asst_1",
    "model": "gpt-4o",
    "instructions": "Be brief.",
    "tools": [{"type": "code_interpreter"}],
}


def make(
    request: dict[str, Any], assistant: dict[str, Any] = ASSISTANT, **options: Any
) -> dict[str, Any]:
    return run_from_request(
        {"assistant_id": "asst_1", **request},
        assistant,
        run_id="run_1",
        thread_id="thread_1",
        now=1_700_000_000,
        **options,
    )


def test_a_new_run_is_queued_with_the_documented_defaults() -> None:
    run = make({})
    assert validate(run, "run", profile="spec") == []
    assert {
        key: run[key]
        for key in (
            "status",
            "temperature",
            "top_p",
            "tool_choice",
            "parallel_tool_calls",
            "response_format",
            "truncation_strategy",
            "expires_at",
            "usage",
        )
    } == {
        "status": "queued",
        "temperature": 1,
        "top_p": 1,
        "tool_choice": "auto",
        "parallel_tool_calls": True,
        "response_format": "auto",
        "truncation_strategy": {"type": "auto", "last_messages": None},
        "expires_at": 1_700_000_600,
        "usage": None,
    }
    assert (run["model"], run["instructions"], run["tools"]) == (
        "gpt-4o",
        "Be brief.",
        [{"type": "code_interpreter"}],
    )


def test_explicit_request_values_win_even_when_falsy() -> None:
    run = make(
        {
            "temperature": 0,
            "top_p": 0,
            "parallel_tool_calls": False,
            "tools": [],
            "instructions": "",
            "model": "gpt-4.1",
            "tool_choice": "none",
            "metadata": {"k": "v"},
        }
    )
    assert (run["temperature"], run["top_p"], run["parallel_tool_calls"], run["tools"]) == (
        0,
        0,
        False,
        [],
    )
    assert (run["instructions"], run["model"], run["tool_choice"], run["metadata"]) == (
        "",
        "gpt-4.1",
        "none",
        {"k": "v"},
    )


def test_null_in_the_request_means_not_set() -> None:
    run = make({"temperature": None, "instructions": None, "tools": None})
    assert (run["temperature"], run["instructions"], run["tools"]) == (
        1,
        "Be brief.",
        [{"type": "code_interpreter"}],
    )


def test_the_assistant_settings_fill_what_the_request_leaves_out() -> None:
    run = make(
        {},
        {**ASSISTANT, "temperature": 0.2, "top_p": 0.5, "response_format": {"type": "json_object"}},
    )
    assert (run["temperature"], run["top_p"], run["response_format"]) == (
        0.2,
        0.5,
        {"type": "json_object"},
    )


def test_instructions_default_to_empty_and_additional_instructions_are_appended() -> None:
    assert make({}, {"model": "gpt-4o"})["instructions"] == ""
    assert make({"additional_instructions": "Cite."})["instructions"] == "Be brief.\n\nCite."
    assert (
        make({"additional_instructions": "Cite."}, {"model": "gpt-4o"})["instructions"] == "Cite."
    )


def test_expires_in_is_configurable_and_the_request_is_not_aliased() -> None:
    request = {"tools": [{"type": "file_search"}], "metadata": {"a": "b"}}
    run = make(request, expires_in=60)
    run["tools"].append({"type": "code_interpreter"})
    assert (run["expires_at"], request["tools"]) == (1_700_000_060, [{"type": "file_search"}])


@pytest.mark.parametrize(
    "request_, assistant, options, message",
    [
        ({}, {"model": None}, {}, "model"),
        ({"assistant_id": "asst_2"}, ASSISTANT, {}, "asst_2"),
        ({}, ASSISTANT, {"expires_in": 0}, "expires_in"),
        ({}, ASSISTANT, {"now": 1.5}, "integer Unix seconds"),
    ],
    ids=["no-model", "other-assistant", "expires-in-zero", "float-now"],
)
def test_a_run_that_could_not_be_valid_is_refused(request_, assistant, options, message) -> None:
    arguments = {"run_id": "run_1", "thread_id": "thread_1", "now": 1_700_000_000, **options}
    with pytest.raises(InvalidDetails, match=message):
        run_from_request({"assistant_id": "asst_1", **request_}, assistant, **arguments)


# Run steps.

STEP_EDGES = list(edges(STEP_TRANSITIONS))


@pytest.mark.parametrize("source, event, dest", STEP_EDGES, ids=[e for _, e, _ in STEP_EDGES])
def test_every_step_edge_sets_its_timestamp_and_validates(
    step_in, event_details, source, event, dest
) -> None:
    step = step_in(source)
    details = {"fail": {"last_error": {"code": "rate_limit_exceeded", "message": "slow down"}}}.get(
        event, event_details.get(event, {})
    )
    result = advance_step(step, event, now=step["created_at"] + 1, **details)
    assert (result.step["status"], result.events) == (dest, (f"thread.run.step.{dest}",))
    assert result.step[f"{dest}_at"] == step["created_at"] + 1
    assert validate(result.step, "run_step", profile="spec") == []
    assert step == step_in(source)


@pytest.mark.parametrize("status", sorted(TERMINAL_STEP_STATUSES))
def test_a_finished_step_does_not_move(step_in, status) -> None:
    with pytest.raises(IllegalTransition, match="terminal"):
        advance_step(step_in(status), "cancel", now=1_800_000_000)


def test_a_step_cannot_fail_with_a_run_only_error_code(step_in) -> None:
    with pytest.raises(InvalidDetails, match="server_error, rate_limit_exceeded"):
        advance_step(
            step_in("in_progress"),
            "fail",
            now=1_800_000_000,
            last_error={"code": "invalid_prompt", "message": "x"},
        )


@pytest.mark.parametrize(
    "run_status, step_status", [("cancelled", "cancelled"), ("expired", "expired")]
)
def test_a_step_left_in_progress_ends_with_its_run(
    run_in, step_in, run_status, step_status
) -> None:
    run, done = run_in(run_status), step_in("completed")
    settled = settle_steps(run, [step_in("in_progress"), done], now=at(run, "fail"))
    assert [(s.step["status"], s.events) for s in settled] == [
        (step_status, (f"thread.run.step.{step_status}",)),
        ("completed", ()),
    ]


def test_settle_steps_leaves_steps_of_other_statuses_alone_and_refuses_foreign_steps(
    run_in, step_in
) -> None:
    assert (
        settle_steps(run_in("in_progress"), [step_in("in_progress")], now=1_800_000_000)[0].events
        == ()
    )
    with pytest.raises(InvalidDetails, match="belongs to run"):
        settle_steps(
            run_in("cancelled"), [{**step_in("in_progress"), "run_id": "run_2"}], now=1_800_000_000
        )


# Threads.


def test_advance_is_safe_from_many_threads_at_once(run_in, event_details) -> None:
    walk = ["start", "require_action", "submit_tool_outputs", "start", "complete"]
    base = run_in("queued")

    def drive(run: dict[str, Any]) -> dict[str, Any]:
        for event in walk:
            run = advance(run, event, now=at(run, event), **event_details.get(event, {})).run
        return run

    expected = drive(base)
    barrier, results = threading.Barrier(8), []

    def worker() -> None:
        barrier.wait()
        results.extend(drive(base) for _ in range(300))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 2400 and all(result == expected for result in results)
    assert RUN_MACHINE.models == [] and all(
        set(event.transitions) <= set(RUN_STATUSES) for event in RUN_MACHINE.events.values()
    )


# A random walk: random events, random details (valid or not), random clock steps.

EVENTS = list(RUN_DETAILS)
LIVE_EVENTS = {
    event for _, event, dest in edges(RUN_TRANSITIONS) if dest not in TERMINAL_RUN_STATUSES
}


def oracle_legal(run: dict[str, Any], now: int) -> set[str]:
    """The legal events, read straight off the table plus the documented clock and start rules."""
    legal = set()
    for source, event, dest in edges(RUN_TRANSITIONS):
        deadline = run["expires_at"]
        if source != run["status"]:
            continue
        if (
            event == "expire"
            and now < deadline
            or now >= deadline
            and dest not in TERMINAL_RUN_STATUSES
        ):
            continue
        if dest in ("completed", "incomplete") and run["started_at"] is None:
            continue
        legal.add(event)
    return legal


@st.composite
def details_for(draw: st.DrawFn, event: str, run: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Details for ``event`` on ``run`` and whether they keep the contract."""
    valid = draw(st.integers(0, 7)) < 7
    if event == "require_action":
        count = draw(st.integers(1, 3))
        calls = [
            {
                "id": f"call_{i}",
                "type": "function",
                "function": {"name": "lookup", "arguments": f'{{"i": {i}}}'},
            }
            for i in range(count)
        ]
        if not valid:
            calls[-1] = draw(
                st.sampled_from(
                    [
                        {**calls[0], "function": {"name": "lookup", "arguments": "{"}},
                        {**calls[-1], "function": {"name": "other", "arguments": "{}"}},
                    ]
                )
            )
        valid = valid and (run["parallel_tool_calls"] or count == 1)
        return {"tool_calls": calls}, valid
    if event == "submit_tool_outputs":
        action = run["required_action"] or {
            "submit_tool_outputs": {"tool_calls": [{"id": "call_0"}]}
        }
        outputs = [
            {"tool_call_id": call["id"], "output": "ok"}
            for call in action["submit_tool_outputs"]["tool_calls"]
        ]
        outputs = draw(st.permutations(outputs))
        if not valid:
            outputs = draw(
                st.sampled_from(
                    [
                        outputs[1:],
                        outputs + outputs[:1],
                        outputs + [{"tool_call_id": "x", "output": ""}],
                    ]
                )
            )
        return {"tool_outputs": outputs}, valid
    if event in ("complete", "incomplete"):
        prompt, completion = draw(st.integers(0, 10_000)), draw(st.integers(0, 10_000))
        usage = {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion + (not valid),
        }
        if event == "complete":
            return {"usage": usage}, valid
        reason = draw(st.sampled_from(["max_completion_tokens", "max_prompt_tokens"]))
        return {"usage": usage, "incomplete_details": {"reason": reason}}, valid
    if event == "fail":
        code = draw(
            st.sampled_from(["server_error", "rate_limit_exceeded", "invalid_prompt"])
            if valid
            else st.just("timeout")
        )
        return {"last_error": {"code": code, "message": draw(st.text(max_size=20))}}, valid
    return ({} if valid else {"note": "unexpected"}), valid


class RunWalk(RuleBasedStateMachine):
    """One run (and its steps) driven by random events, details and clock steps.

    A single rule draws what to do next: hypothesis picks among rules unevenly, so one rule keeps
    the walk mostly on events, deep enough to reach every edge.
    """

    def __init__(self) -> None:
        super().__init__()
        self.now = T0
        self.run = new_run()
        self.steps: list[dict[str, Any]] = []
        self.validated: dict[str, Any] | None = None

    @initialize(parallel=st.booleans())
    def parallel_tool_calls(self, parallel: bool) -> None:
        self.run = {**self.run, "parallel_tool_calls": parallel}

    @rule(data=st.data())
    def act(self, data: st.DataObject) -> None:
        action = data.draw(
            st.sampled_from(
                ["event"] * 6 + ["any_event", "skew", "deadline", "new_step", "finish_step"]
            )
        )
        if action == "event":
            self.now += data.draw(st.integers(0, 120))
            legal_now = sorted(oracle_legal(self.run, self.now), key=EVENTS.index)
            onward = [event for event in legal_now if event in LIVE_EVENTS]
            # Mostly events that keep the run live, so that walks get deep.
            pool = onward if onward and data.draw(st.integers(0, 2)) else legal_now or EVENTS
            self.apply(data.draw(st.sampled_from(pool)), data)
        elif action == "any_event":
            self.apply(data.draw(st.sampled_from(EVENTS)), data)
        elif action == "skew":
            self.skewed_clock_is_refused(data.draw(st.sampled_from(EVENTS)))
        elif action == "deadline":
            self.now = max(self.now, self.run["expires_at"] or 0)
        elif action == "new_step":
            self.new_step()
        else:
            self.finish_a_step(data.draw(st.integers(0, 100)))

    def apply(self, event: str, data: st.DataObject) -> None:
        """Apply an event with drawn details; the table and the details say if it must succeed."""
        details, valid = data.draw(details_for(event, self.run))
        legal = event in oracle_legal(self.run, self.now)
        noop = event == "cancel" and self.run["status"] in ("cancelling", "cancelled")
        if legal and event in ("complete", "incomplete", "fail"):
            self.end_running_steps(event)  # a server ends its steps before it ends the run
        before = copy.deepcopy(self.run)
        try:
            result = advance(self.run, event, now=self.now, **details)
        except IllegalTransition:
            assert not (legal or noop), (event, self.run["status"])
        except InvalidDetails:
            assert (legal or noop) and not valid, (event, details)
        else:
            assert (legal or noop) and valid, (event, details)
            assert (result.changed, len(result.events)) == ((False, 0) if noop else (True, 1))
            assert self.run == before
            self.run = result.run
            self.steps = [
                self.checked(s.step) if s.events else s.step
                for s in settle_steps(self.run, self.steps, now=self.now)
            ]
            return
        assert self.run == before

    def end_running_steps(self, event: str) -> None:
        outcome = {"fail": ("fail", {"last_error": {"code": "server_error", "message": "x"}})}.get(
            event, ("complete", {"usage": {"prompt_tokens": 1, "completion_tokens": 0, "total_tokens": 1}})
        )
        self.steps = [
            self.checked(advance_step(step, outcome[0], now=self.now, **outcome[1]).step)
            if step["status"] == "in_progress"
            else step
            for step in self.steps
        ]

    def skewed_clock_is_refused(self, event: str) -> None:
        latest = max(
            v
            for k, v in self.run.items()
            if k.endswith("_at") and k != "expires_at" and isinstance(v, int)
        )
        before = copy.deepcopy(self.run)
        with pytest.raises(InvalidDetails, match="clock skew"):
            advance(self.run, event, now=latest - 1)
        assert self.run == before

    def checked(self, step: dict[str, Any]) -> dict[str, Any]:
        assert validate(step, "run_step", profile="spec") == []
        return step

    def new_step(self) -> None:
        if self.run["status"] == "in_progress" and len(self.steps) < 3:
            step = {**new_step(), "id": f"step_{len(self.steps)}", "created_at": self.now}
            self.steps.append(self.checked(step))

    def finish_a_step(self, usage: int) -> None:
        running = [i for i, step in enumerate(self.steps) if step["status"] == "in_progress"]
        if running and self.run["status"] not in TERMINAL_RUN_STATUSES:
            tokens = {"prompt_tokens": usage, "completion_tokens": 0, "total_tokens": usage}
            step = advance_step(self.steps[running[0]], "complete", now=self.now, usage=tokens).step
            self.steps[running[0]] = self.checked(step)

    @invariant()
    def the_run_keeps_the_contract(self) -> None:
        if self.run is not self.validated:  # a refused event left the very same (validated) run
            assert validate(self.run, "run", profile="spec") == []
            assert [
                f for f in invariant_findings(self.run, profile="spec") if f.severity == "error"
            ] == []
            self.validated = self.run

    @invariant()
    def steps_end_with_their_run(self) -> None:
        if self.run["status"] in ("cancelled", "expired"):
            assert all(
                step["status"] == self.run["status"]
                for step in self.steps
                if step["status"] != "completed"
            )


RunWalk.TestCase.settings = settings(max_examples=40, stateful_step_count=30, deadline=None)
test_random_walks_keep_every_invariant = RunWalk.TestCase


BROKEN_SETTINGS = [
    ({"max_prompt_tokens": 100}, {}, "/max_prompt_tokens"),
    ({"metadata": {"k" * 65: "v"}}, {}, "/metadata/" + "k" * 65),
    ({}, {"tools": [{"type": "code_interpreter"}] * 21}, "/tools"),
    (
        {"tools": [{"type": "function", "function": {"name": "bad name!"}}]},
        {},
        "/tools/0/function/name",
    ),
    ({"response_format": "none"}, {}, "/response_format"),
    (
        {"truncation_strategy": {"type": "last_messages", "last_messages": 0}},
        {},
        "/truncation_strategy/last_messages",
    ),
    ({"temperature": "hot"}, {}, "/temperature"),
    ({"tool_choice": "sometimes"}, {}, "/tool_choice"),
    ({"parallel_tool_calls": "yes"}, {}, "/parallel_tool_calls"),
]


@pytest.mark.parametrize(
    "request_, assistant, where",
    BROKEN_SETTINGS,
    ids=[
        "tokens",
        "metadata-key",
        "assistant-tools",
        "function-name",
        "response-format",
        "last-messages",
        "temperature",
        "tool-choice",
        "parallel",
    ],
)
def test_settings_that_break_the_contract_create_no_run(
    request_: dict, assistant: dict, where: str
) -> None:
    with pytest.raises(InvalidDetails, match="breaks the contract") as raised:
        run_from_request(
            {"assistant_id": "asst_1", **request_},
            {"id": "asst_1", "model": "gpt-4o", **assistant},
            run_id="run_1",
            thread_id="thread_1",
            now=T0,
        )
    assert [finding.pointer for finding in raised.value.findings] == [where]


@pytest.mark.parametrize("arguments", ["NaN", '{"x": Infinity}', '{"a": 1, "a": 2}'], ids=["nan", "inf", "dup"])
def test_function_arguments_are_strict_json_like_every_other_input(run_in, arguments: str) -> None:
    call = {"id": "c", "type": "function", "function": {"name": "lookup", "arguments": arguments}}
    with pytest.raises(InvalidDetails, match="not JSON"):
        advance(run_in("in_progress"), "require_action", now=T0 + 5, tool_calls=[call])
    run = run_in("requires_action")
    run["required_action"]["submit_tool_outputs"]["tool_calls"][0]["function"]["arguments"] = arguments
    assert [f.code for f in invariant_findings(run, profile="spec")] == ["tool_call_arguments_not_json"]


def test_settle_steps_refuses_a_clock_before_the_run_and_steps_left_running_under_a_finished_run(
    run_in, step_in
) -> None:
    cancelled = run_in("cancelled")
    with pytest.raises(InvalidDetails, match="clock skew"):
        settle_steps(cancelled, [step_in("in_progress")], now=T0)
    with pytest.raises(InvalidDetails, match="complete or fail the step before the run ends"):
        settle_steps(run_in("completed"), [step_in("in_progress")], now=T0 + 10)
    assert settle_steps(run_in("completed"), [step_in("completed")], now=T0 + 10)[0].events == ()


def test_legal_events_refuses_a_clock_that_advance_would_refuse(run_in) -> None:
    for now in (0, 1.5, None, T0 * 1000):
        with pytest.raises(InvalidDetails):
            legal_events(run_in("in_progress"), now=now)


@pytest.mark.parametrize("event", [["start"], None, 3], ids=["list", "none", "int"])
def test_an_event_that_is_not_a_name_is_an_illegal_transition(run_in, event) -> None:
    with pytest.raises(IllegalTransition, match="unknown event"):
        advance(run_in("queued"), event, now=T0 + 1)


def test_an_unknown_status_is_named_as_it_is(run_in) -> None:
    run = {**run_in("queued"), "status": "paused"}
    with pytest.raises(IllegalTransition) as raised:
        advance(run, "start", now=T0 + 1)
    assert raised.value.status == "paused" and "terminal" not in str(raised.value)
