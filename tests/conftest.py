"""Shared test helpers: runs and run steps in every status, made by the lifecycle engine."""

from __future__ import annotations

import copy
from typing import Any, Callable

import pytest

from runcore._creation import run_from_request
from runcore._lifecycle import advance, advance_step

T0 = 1_700_000_000
TOOLS = [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}]
TOOL_CALL = {
    "id": "call_1",
    "type": "function",
    "function": {"name": "lookup", "arguments": '{"q": 1}'},
}
USAGE = {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}
DETAILS: dict[str, dict[str, Any]] = {
    "require_action": {"tool_calls": [TOOL_CALL]},
    "submit_tool_outputs": {"tool_outputs": [{"tool_call_id": "call_1", "output": "42"}]},
    "complete": {"usage": USAGE},
    "incomplete": {"usage": USAGE, "incomplete_details": {"reason": "max_prompt_tokens"}},
    "fail": {"last_error": {"code": "server_error", "message": "boom"}},
}
# A shortest walk from queued into each status.
WALKS = {
    "queued": [],
    "in_progress": ["start"],
    "requires_action": ["start", "require_action"],
    "cancelling": ["start", "cancel"],
    "cancelled": ["start", "cancel", "cancelled"],
    "failed": ["start", "fail"],
    "completed": ["start", "complete"],
    "incomplete": ["start", "incomplete"],
    "expired": ["start", "expire"],
}


def new_run() -> dict[str, Any]:
    assistant = {"id": "asst_1", "model": "gpt-4o", "tools": TOOLS}
    request = {"assistant_id": "asst_1"}
    return run_from_request(request, assistant, run_id="run_1", thread_id="thread_1", now=T0)


def make_run(status: str) -> dict[str, Any]:
    run, now = new_run(), T0
    for event in WALKS[status]:
        now = run["expires_at"] if event == "expire" else now + 1
        run = advance(run, event, now=now, **DETAILS.get(event, {})).run
    return run


def new_step() -> dict[str, Any]:
    return {
        "id": "step_1",
        "object": "thread.run.step",
        "created_at": T0 + 1,
        "run_id": "run_1",
        "assistant_id": "asst_1",
        "thread_id": "thread_1",
        "type": "message_creation",
        "status": "in_progress",
        "cancelled_at": None,
        "completed_at": None,
        "expired_at": None,
        "failed_at": None,
        "last_error": None,
        "metadata": {},
        "usage": None,
        "step_details": {"type": "message_creation", "message_creation": {"message_id": "msg_1"}},
    }


STEP_EVENTS = {
    "completed": "complete",
    "failed": "fail",
    "cancelled": "cancel",
    "expired": "expire",
}


def make_step(status: str) -> dict[str, Any]:
    if status == "in_progress":
        return new_step()
    event = STEP_EVENTS[status]
    return advance_step(new_step(), event, now=T0 + 2, **DETAILS.get(event, {})).step


@pytest.fixture
def run_in() -> Callable[[str], dict[str, Any]]:
    return make_run


@pytest.fixture
def step_in() -> Callable[[str], dict[str, Any]]:
    return make_step


@pytest.fixture
def event_details() -> dict[str, dict[str, Any]]:
    """Valid details for each event that takes some (a fresh copy per test)."""
    return copy.deepcopy(DETAILS)
