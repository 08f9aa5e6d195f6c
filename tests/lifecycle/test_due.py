"""catch_up(): what a run owes at now (expiry, the end of a cancel, its steps) is paid at once."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runcore import (
    TERMINAL_RUN_STATUSES,
    ClockSkew,
    catch_up,
    new_step,
    validate,
)
from runcore.strategies import runs
from tests.builders import at, make_run


def running_step(run: dict) -> dict:
    return new_step(run, step_id="step_1", now=at(run, "x"), message_id="msg_1").step


def test_a_live_run_past_its_deadline_expires_and_its_steps_follow_first() -> None:
    run = make_run("in_progress")
    step = running_step(run)
    caught = catch_up(run, [step], now=run["expires_at"])
    assert caught.run["status"] == "expired" and caught.steps[0]["status"] == "expired"
    assert [name for name, _ in caught.events] == ["thread.run.step.expired", "thread.run.expired"]
    assert caught.events[0][1] is caught.steps[0] and caught.events[1][1] is caught.run
    assert caught.changed


def test_a_cancelling_run_is_cancelled_with_its_steps_unless_the_worker_ends_it() -> None:
    run = make_run("cancelling")
    step = running_step(run)
    caught = catch_up(run, [step], now=at(run, "x"))
    assert (caught.run["status"], caught.steps[0]["status"]) == ("cancelled", "cancelled")
    assert [name for name, _ in caught.events] == [
        "thread.run.step.cancelled",
        "thread.run.cancelled",
    ]
    waiting = catch_up(run, [step], now=at(run, "x"), finish_cancel=False)
    assert (waiting.run, waiting.steps, waiting.changed) == (run, [step], False)


def test_a_cancelling_run_past_its_deadline_expires() -> None:
    run = make_run("cancelling")
    assert catch_up(run, now=run["expires_at"]).run["status"] == "expired"


@pytest.mark.parametrize("status", ["queued", "in_progress", "requires_action", "completed"])
def test_nothing_due_returns_copies_and_no_events(status: str) -> None:
    run = make_run(status)
    caught = catch_up(run, now=at(run, "x"))
    assert (caught.run, caught.steps, caught.events, caught.changed) == (run, [], (), False)
    assert caught.run is not run


def test_a_clock_earlier_than_the_run_is_the_servers_bug() -> None:
    run = make_run("queued")
    with pytest.raises(ClockSkew):
        catch_up(run, now=run["created_at"] - 1)


@settings(max_examples=40)
@given(run=runs(), later=st.integers(0, 2_000))
def test_caught_up_no_run_is_live_past_its_deadline_and_it_is_idempotent(run, later: int) -> None:
    before = copy.deepcopy(run)
    happened = ("created_at", "started_at", "completed_at", "failed_at", "cancelled_at")
    now = max(run[key] for key in happened if run[key] is not None) + later
    caught = catch_up(run, now=now)
    assert run == before
    assert validate(caught.run, "run", profile="spec") == []
    status, deadline = caught.run["status"], caught.run["expires_at"]
    assert status in TERMINAL_RUN_STATUSES or (deadline is not None and now < deadline)
    assert status != "cancelling"
    assert catch_up(caught.run, now=now).changed is False
