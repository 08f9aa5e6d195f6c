"""A conforming session of the runs endpoints made by the lifecycle engine, and the writers that put
it in a recording with known lines: a helper for the tests of whole recordings, not a test module.

Tests copy the session, inject one defect, write it, and expect exactly that finding at its line.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any

import runcore

T0 = 1_767_225_600
TOOLS = [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}]
ASSISTANT = {"id": "asst_1", "model": "gpt-4o", "tools": TOOLS}
USAGE = {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}
HOST = "https://api.openai.com"


@dataclass
class Exchange:
    """One request and its answer: a JSON value, or a stream as (event, data) pairs."""

    method: str
    path: str
    body: Any = None  # JSON, or a Raw text as the recording holds it
    status: int = 200
    answer: Any = None
    stream: list[tuple[str, Any]] | None = None
    date: int | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:  # each exchange its own objects, to change one alone
        self.body, self.answer = copy.deepcopy(self.body), copy.deepcopy(self.answer)
        self.stream = copy.deepcopy(self.stream)


@dataclass(frozen=True)
class Raw:
    """A body written as it is, not as JSON."""

    text: str


def session() -> list[Exchange]:
    """A run that calls a function, is answered, completes and is listed, a streamed second run,
    a page of runs, metadata added, a refused cancel, and a message passed over."""
    now = T0
    request = {"assistant_id": "asst_1", "temperature": 0.5, "metadata": {"k": "v"}}
    run = runcore.run_from_request(
        request, ASSISTANT, run_id="run_1", thread_id="thread_1", now=now
    )
    path = "/v1/threads/thread_1/runs/run_1"
    done = [Exchange("POST", "/v1/threads/thread_1/runs", request, answer=run, date=now)]
    run = runcore.advance(run, "start", now=now + 1).run
    done.append(Exchange("GET", path, answer=run, date=now + 1))
    call = {"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": "{}"}}
    tool_step = runcore.new_step(run, step_id="step_1", now=now + 2, tool_calls=[call]).step
    run = runcore.advance(run, "require_action", now=now + 2, tool_calls=[call]).run
    done.append(Exchange("GET", path, answer=run, date=now + 2))
    outputs = [{"tool_call_id": "call_1", "output": "42"}]
    run = runcore.advance(run, "submit_tool_outputs", now=now + 3, tool_outputs=outputs).run
    tool_step = runcore.answer_tool_calls(tool_step, outputs, now=now + 3, usage=USAGE).step
    done.append(
        Exchange(
            "POST",
            path + "/submit_tool_outputs",
            {"tool_outputs": outputs},
            answer=run,
            date=now + 3,
        )
    )
    run = runcore.advance(run, "start", now=now + 4).run
    message = runcore.new_step(run, step_id="step_2", now=now + 4, message_id="msg_1").step
    message = runcore.advance_step(message, "complete", now=now + 5, usage=USAGE).step
    steps = [tool_step, message]
    run = runcore.advance(run, "complete", now=now + 5, usage=runcore.run_usage(steps)).run
    done.append(Exchange("GET", path, answer=run, date=now + 5))
    done.append(
        Exchange(
            "GET", path + "/steps?order=asc", answer=runcore.page(steps, "order=asc"), date=now + 6
        )
    )
    note = {"role": "user", "content": "thanks"}
    done.append(
        Exchange(
            "POST",
            "/v1/threads/thread_1/messages",
            note,
            answer={"id": "msg_2", "object": "thread.message"},
            date=now + 7,
        )
    )
    second, events = _streamed(now + 8)
    done.append(
        Exchange(
            "POST",
            "/v1/threads/thread_1/runs",
            {"assistant_id": "asst_1", "stream": True},
            stream=events,
            date=now + 8,
            headers={"Content-Type": "text/event-stream; charset=utf-8"},
        )
    )
    done.append(
        Exchange(
            "GET",
            "/v1/threads/thread_1/runs?limit=2",
            answer=runcore.page([run, second], "limit=2"),
            date=now + 9,
        )
    )
    modified = runcore.modify_run(run, {"metadata": {"k": "w"}})
    done.append(Exchange("POST", path, {"metadata": {"k": "w"}}, answer=modified, date=now + 10))
    refused = runcore.api_error(_refusal(modified, now + 11))
    done.append(
        Exchange(
            "POST", path + "/cancel", status=refused.status, answer=refused.body, date=now + 11
        )
    )
    done.append(Exchange("GET", path + "/steps/step_2", answer=message, date=now + 12))
    return done


def _refusal(run: dict[str, Any], now: int) -> Exception:
    try:
        runcore.advance(run, "cancel", now=now)
    except runcore.NotCancellable as error:
        return error
    raise AssertionError("a completed run cannot be cancelled")


def _streamed(now: int) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
    """A second run streamed from its creation to its completion, as the hosted API framed it."""
    run = runcore.run_from_request(
        {"assistant_id": "asst_1", "stream": True},
        ASSISTANT,
        run_id="run_2",
        thread_id="thread_1",
        now=now,
    )
    events: list[tuple[str, Any]] = [("thread.run.created", run), ("thread.run.queued", run)]
    run = runcore.advance(run, "start", now=now).run
    events.append(("thread.run.in_progress", run))
    made = runcore.new_step(run, step_id="step_3", now=now, message_id="msg_3")
    events += [(name, made.step) for name in made.events]
    message = {
        "id": "msg_3",
        "object": "thread.message",
        "thread_id": "thread_1",
        "run_id": "run_2",
        "status": "in_progress",
    }
    events += [("thread.message.created", message), ("thread.message.in_progress", message)]
    delta = {
        "id": "msg_3",
        "object": "thread.message.delta",
        "delta": {"content": [{"index": 0, "type": "text", "text": {"value": "Hi"}}]},
    }
    events += [
        ("thread.message.delta", delta),
        ("thread.message.completed", dict(message, status="completed")),
    ]
    step = runcore.advance_step(made.step, "complete", now=now + 1, usage=USAGE).step
    events.append(("thread.run.step.completed", step))
    run = runcore.advance(run, "complete", now=now + 1, usage=USAGE).run
    events += [("thread.run.completed", run), ("done", "[DONE]")]
    return run, events


def copied() -> list[Exchange]:
    return copy.deepcopy(SESSION)


SESSION = session()


def sse(events: list[tuple[str, Any]]) -> str:
    """A stream as the hosted API framed it: each event on three lines, data on the second."""
    return "".join(
        f"event: {name}\ndata: {data}\n\n"
        if data == "[DONE]"
        else runcore.sse_event(name, data).decode()
        for name, data in events
    )


def event_line(first: int, index: int) -> int:
    """The line of the data of the ``index``-th event of a stream whose first line is ``first``."""
    return first + 3 * index + 1


@dataclass
class Written:
    """A recording's text, and the line of each interaction and of each interaction's body."""

    text: str
    interactions: list[int]
    bodies: list[int]


def vcrpy(exchanges: list[Exchange]) -> Written:
    """A vcrpy cassette with bodies as literal blocks, so that a body's lines are the file's."""
    lines = ["interactions:"]
    starts, bodies = [], []
    for exchange in exchanges:
        starts.append(len(lines) + 1)
        lines.append("- request:")
        if exchange.body is None:
            lines.append("    body: null")
        else:
            text = (
                exchange.body.text if isinstance(exchange.body, Raw) else json.dumps(exchange.body)
            )
            lines.append("    body: '" + text.replace("'", "''") + "'")
        lines += ["    headers:", "      Content-Type:", "      - application/json"]
        lines += [f"    method: {exchange.method}", f"    uri: {HOST}{exchange.path}"]
        lines += ["  response:", "    body:"]
        if exchange.stream is not None:
            text = sse(exchange.stream)
        elif isinstance(exchange.answer, Raw):
            text = exchange.answer.text
        else:
            text = runcore.json_body(exchange.answer).decode()
        lines.append("      string: |+" if exchange.stream is not None else "      string: |-")
        bodies.append(len(lines) + 1)
        lines += [("        " + line) if line else "" for line in text.split("\n")]
        if exchange.stream is not None:
            lines.pop()  # the literal block keeps the stream's last newline
        headers = {"Content-Type": "application/json", **exchange.headers}
        if exchange.date is not None:
            headers["Date"] = formatdate(exchange.date, usegmt=True)
        lines.append("    headers:")
        for name, value in headers.items():
            lines += [f"      {name}:", f"      - {value}"]
        lines += ["    status:", f"      code: {exchange.status}", "      message: OK"]
    lines.append("version: 1")
    return Written("\n".join(lines) + "\n", starts, bodies)
