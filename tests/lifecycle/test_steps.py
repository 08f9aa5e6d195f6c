"""Run steps: advance_step() on every edge, and settle_steps() when their run ends."""

from __future__ import annotations

import pytest

from runcore import (
    TERMINAL_STEP_STATUSES,
    ClockSkew,
    IllegalTransition,
    InvalidDetails,
    advance_step,
    settle_steps,
    validate,
)
from runcore._graph import edges
from runcore._tables import STEP_TABLE
from tests.builders import T0, at
from tests.hostile import containers

STEP_EDGES = edges(STEP_TABLE)


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
    with pytest.raises(InvalidDetails, match="belongs to run") as raised:
        settle_steps(
            run_in("cancelled"),
            [step_in("completed"), {**step_in("in_progress"), "run_id": "run_2"}],
            now=1_800_000_000,
        )
    assert [(f.code, f.pointer) for f in raised.value.findings] == [
        ("step_of_another_run", "/steps/1/run_id")
    ]


def test_settle_steps_refuses_a_clock_before_the_run_and_steps_left_running_under_a_finished_run(
    run_in, step_in
) -> None:
    cancelled = run_in("cancelled")
    with pytest.raises(ClockSkew, match="clock skew"):
        settle_steps(cancelled, [step_in("in_progress")], now=T0)
    with pytest.raises(
        InvalidDetails, match="complete or fail the step before the run ends"
    ) as raised:
        settle_steps(run_in("completed"), [step_in("in_progress")], now=T0 + 10)
    assert [(f.code, f.pointer) for f in raised.value.findings] == [
        ("step_left_running", "/steps/0/status")
    ]
    assert settle_steps(run_in("completed"), [step_in("completed")], now=T0 + 10)[0].events == ()


def test_settled_steps_share_no_dict_or_list_with_the_steps_given(run_in, step_in) -> None:
    run = run_in("cancelled")
    steps = [step_in("in_progress"), step_in("completed")]
    settled = settle_steps(run, steps, now=at(run, "cancel") + 1)
    assert [s.step["status"] for s in settled] == ["cancelled", "completed"]
    assert not containers([s.step for s in settled]) & containers(steps)
    settled[1].step["step_details"]["message_creation"]["message_id"] = "changed"
    assert steps[1]["step_details"]["message_creation"]["message_id"] == "msg_1"
