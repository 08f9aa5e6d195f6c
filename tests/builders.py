"""Runs and run steps in every status, made by the lifecycle engine through the public API.

A helper for the tests, not a test module: the walks into each status come from the table's graph.
"""

from __future__ import annotations

from typing import Any

import runcore
from runcore._graph import shortest_walks
from runcore._tables import RUN_TABLE

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
# A run in requires_action, written by hand as the hosted API sent them.
RUN: dict[str, Any] = {
    "id": "run_1",
    "object": "thread.run",
    "created_at": 1714433728,
    "thread_id": "thread_1",
    "assistant_id": "asst_1",
    "status": "requires_action",
    "required_action": {
        "type": "submit_tool_outputs",
        "submit_tool_outputs": {
            "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
            ]
        },
    },
    "last_error": None,
    "expires_at": 1714434328,
    "started_at": 1714433729,
    "cancelled_at": None,
    "failed_at": None,
    "completed_at": None,
    "incomplete_details": None,
    "model": "gpt-4o",
    "instructions": "be brief",
    "tools": [{"type": "function", "function": {"name": "f"}}],
    "metadata": {},
    "usage": None,
    "temperature": 1.0,
    "top_p": 1.0,
    "max_prompt_tokens": None,
    "max_completion_tokens": None,
    "truncation_strategy": {"type": "auto", "last_messages": None},
    "tool_choice": "auto",
    "parallel_tool_calls": True,
    "response_format": "auto",
}

# A walk into each status of a run that started: start, then a shortest walk of the table from
# in_progress (a queued run is new).
WALKS = {
    **{
        status: ("start", *walk)
        for status, walk in shortest_walks(RUN_TABLE, "in_progress").items()
    },
    "queued": (),
}
STEP_EVENTS = {
    "completed": "complete",
    "failed": "fail",
    "cancelled": "cancel",
    "expired": "expire",
}
_HAPPENED = ("created_at", "started_at", "completed_at", "failed_at", "cancelled_at")


def at(run: dict[str, Any], event: str) -> int:
    """A clock reading at which ``event`` is legal on ``run`` (timestamps advance by one)."""
    latest = max(run[name] for name in _HAPPENED if isinstance(run.get(name), int))
    return run["expires_at"] if event == "expire" and run["expires_at"] else latest + 1


def new_run() -> dict[str, Any]:
    assistant = {"id": "asst_1", "model": "gpt-4o", "tools": TOOLS}
    request = {"assistant_id": "asst_1"}
    return runcore.run_from_request(
        request, assistant, run_id="run_1", thread_id="thread_1", now=T0
    )


def make_run(status: str) -> dict[str, Any]:
    run = new_run()
    for event in WALKS[status]:
        run = runcore.advance(run, event, now=at(run, event), **DETAILS.get(event, {})).run
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


def make_step(status: str) -> dict[str, Any]:
    if status == "in_progress":
        return new_step()
    event = STEP_EVENTS[status]
    return runcore.advance_step(new_step(), event, now=T0 + 2, **DETAILS.get(event, {})).step
