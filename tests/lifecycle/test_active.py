"""What an active run forbids: a second run on its thread, and changes to it (modify)."""

from __future__ import annotations

import copy

import pytest

from runcore import (
    ACTIVE_RUN_STATUSES,
    RUN_STATUSES,
    IllegalTransition,
    InvalidDetails,
    ThreadBusy,
    check_thread_free,
    modify_run,
)
from tests.builders import make_run

ENDED = [status for status in RUN_STATUSES if status not in ACTIVE_RUN_STATUSES]


def test_the_active_statuses_are_the_live_ones() -> None:
    assert set(ACTIVE_RUN_STATUSES) == {"queued", "in_progress", "requires_action", "cancelling"}


@pytest.mark.parametrize("status", ACTIVE_RUN_STATUSES)
def test_a_thread_with_an_active_run_takes_no_other(status: str) -> None:
    with pytest.raises(ThreadBusy) as refused:
        check_thread_free([make_run("completed"), make_run(status)])
    assert (refused.value.thread_id, refused.value.run_id) == ("thread_1", "run_1")
    assert str(refused.value) == "Thread thread_1 already has an active run run_1."


def test_a_thread_whose_runs_ended_is_free() -> None:
    assert check_thread_free([make_run(status) for status in ENDED]) is None
    assert check_thread_free([]) is None


@pytest.mark.parametrize("status", ENDED)
def test_an_ended_run_takes_new_metadata_and_the_input_is_unchanged(status: str) -> None:
    run = make_run(status)
    before = copy.deepcopy(run)
    metadata = {"k": "v"}
    modified = modify_run(run, {"metadata": metadata})
    assert modified == {**before, "metadata": {"k": "v"}} and run == before
    metadata["k"] = "changed"
    assert modified["metadata"] == {"k": "v"}
    assert modify_run(run, {"metadata": None}) == run == modify_run(run, {})


@pytest.mark.parametrize("status", ACTIVE_RUN_STATUSES)
def test_an_active_run_cannot_be_modified(status: str) -> None:
    run = make_run(status)
    with pytest.raises(IllegalTransition) as refused:
        modify_run(run, {"metadata": {"k": "v"}})
    assert (refused.value.status, refused.value.event) == (status, "modify")


def test_a_run_of_unknown_status_cannot_be_modified() -> None:
    with pytest.raises(IllegalTransition):
        modify_run({**make_run("completed"), "status": "paused"}, {})


def test_a_modify_request_that_breaks_its_schema_is_refused_with_findings() -> None:
    with pytest.raises(InvalidDetails) as refused:
        modify_run(make_run("completed"), {"metadata": {"k": 1}, "name": "x"})
    assert [(f.pointer, f.code) for f in refused.value.findings] == [
        ("/metadata/k", "wrong_type"),
        ("/name", "unknown_field"),
    ]
