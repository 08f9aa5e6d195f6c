"""advance(): every edge of the run table, every refusal, the clock, and compare-and-set."""

from __future__ import annotations

import copy
import threading
from typing import Any

import pytest

from runcore import (
    RUN_STATUSES,
    TERMINAL_RUN_STATUSES,
    ClockSkew,
    IllegalTransition,
    InvalidDetails,
    NotCancellable,
    StatusConflict,
    advance,
    legal_events,
    validate,
)
from runcore._graph import edges
from runcore._lifecycle._engine import RUN_MACHINE
from runcore._tables import RUN_TABLE
from tests.builders import T0, at
from tests.hostile import containers

RUN_EDGES = edges(RUN_TABLE)
ILLEGAL = [
    (status, event)
    for status in RUN_STATUSES
    for event in RUN_TABLE.events
    if (status, event) not in {(s, e) for s, e, _ in RUN_EDGES}
]


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
    assert (result.run["status"], result.events) == (dest, (f"thread.run.{dest}",))
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
    assert (raised.value.subject, raised.value.guards) == ("run", ())
    assert isinstance(raised.value, NotCancellable) == (event == "cancel")
    assert raised.value.allowed == legal_events(run, now=at(run, event))
    assert status in str(raised.value) and event in str(raised.value)
    assert run == before


@pytest.mark.parametrize("status", sorted(TERMINAL_RUN_STATUSES | {"cancelling"}))
def test_cancel_on_a_cancelling_or_ended_run_is_refused_as_not_cancellable_and_run_is_unchanged(
    run_in, status
) -> None:
    # The hosted API answered a repeated cancel with 400 "Cannot cancel run with status
    # 'cancelling'." (errors.md §3): it is refused, not a no-op.
    run = run_in(status)
    with pytest.raises(NotCancellable, match="not legal") as raised:
        advance(run, "cancel", now=at(run, "cancel"))
    assert (raised.value.status, raised.value.guards) == (status, ())
    assert run == run_in(status)


def test_a_refusal_by_the_deadline_names_the_guard(run_in) -> None:
    for status, event in [
        ("requires_action", "cancel"),
        ("requires_action", "submit_tool_outputs"),
        ("queued", "start"),
    ]:
        run = run_in(status)
        with pytest.raises(IllegalTransition) as raised:
            advance(run, event, now=run["expires_at"])
        assert raised.value.guards == ("past_deadline",), event
    run = run_in("queued")
    with pytest.raises(IllegalTransition) as early:
        advance(run, "expire", now=run["expires_at"] - 1)
    assert early.value.guards == ("past_deadline",)


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
    running = run_in("in_progress")
    cancelling = advance(running, "cancel", now=at(running, "cancel")).run
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
    with pytest.raises(ClockSkew, match="integer Unix seconds") as raised:
        advance(run_in("queued"), "start", now=now)
    assert [(f.code, f.pointer) for f in raised.value.findings] == [("clock_invalid", "/now")]


def test_now_before_the_latest_timestamp_is_refused_as_clock_skew(run_in, event_details) -> None:
    run = run_in("in_progress")
    with pytest.raises(ClockSkew, match="clock skew") as raised:
        advance(run, "complete", now=run["started_at"] - 1, **event_details["complete"])
    assert [(f.code, f.pointer) for f in raised.value.findings] == [("clock_skew", "/now")]


def test_a_clock_problem_is_told_apart_from_bad_details_of_a_client(run_in) -> None:
    assert issubclass(ClockSkew, InvalidDetails)
    run = run_in("requires_action")
    with pytest.raises(InvalidDetails) as raised:
        advance(run, "submit_tool_outputs", now=at(run, "start"), tool_outputs=[])
    assert not isinstance(raised.value, ClockSkew)


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


def test_legal_events_refuses_a_clock_that_advance_would_refuse(run_in) -> None:
    for now in (0, 1.5, None, T0 * 1000):
        with pytest.raises(ClockSkew):
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


# The new run shares nothing with its input (decisions.md#the-new-run-shares-nothing-with-its-input).


@pytest.mark.parametrize(
    "source, event, dest", RUN_EDGES, ids=[f"{s}-{e}" for s, e, _ in RUN_EDGES]
)
def test_the_new_run_shares_no_dict_or_list_with_the_run_or_the_details(
    run_in, event_details, source, event, dest
) -> None:
    run = {**run_in(source), "metadata": {"k": "v"}, "extra": [{"deep": [1]}]}
    details = event_details.get(event, {})
    new = advance(run, event, now=at(run, event), **details).run
    assert not containers(new) & (containers(run) | containers(details))
    new["metadata"]["k"] = "changed"
    new["tools"].append({"type": "code_interpreter"})
    new["extra"][0]["deep"].append(2)
    assert run["metadata"] == {"k": "v"} and run["extra"] == [{"deep": [1]}]
    assert len(run["tools"]) == 1
