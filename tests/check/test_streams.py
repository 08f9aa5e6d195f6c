"""Streams: a conforming stream checks clean, what the hosted API really did is allowed, each defect
injected once gives exactly its finding at its line, and streams the engine makes (random legal
walks) check clean until one illegal change is made."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import runcore
from runcore.strategies import event_details
from tests.check.session import ASSISTANT, T0, USAGE, Exchange, copied, sse, vcrpy
from tests.cli import run_cli

Events = list[tuple[str, Any]]
STREAM = 7  # the session's streamed run


def stream() -> Events:
    return copied()[STREAM].stream or []


def line(index: int) -> int:
    """The line of the data of an event of a .sse file (three lines an event)."""
    return 3 * index + 2


def check(
    events: Events, tmp_path: Path, *args: str, text: str | None = None
) -> list[tuple[str, int, str, str]]:
    path = tmp_path / "stream.sse"
    path.write_text(text if text is not None else sse(events), encoding="utf-8")
    report = json.loads(run_cli("check", "--format", "json", *args, str(path)).stdout)
    return [(f["code"], f["line"], f["pointer"], f["severity"]) for f in report["findings"]]


def test_a_conforming_stream_checks_clean(tmp_path: Path) -> None:
    assert check(stream(), tmp_path, "--profile", "spec", "--strict") == []


# Each case changes the conforming stream once: (what it gives, at which event, pointer, severity).
Case = tuple[Callable[[Events], None], str, int, str, str]


def renamed(index: int, name: str) -> Callable[[Events], None]:
    return lambda events: events.__setitem__(index, (name, events[index][1]))


def dropped(index: int) -> Callable[[Events], None]:
    return lambda events: events.pop(index)


def inserted(index: int, name: str, data: Any) -> Callable[[Events], None]:
    return lambda events: events.insert(index, (name, data))


def changed(index: int, **fields: Any) -> Callable[[Events], None]:
    return lambda events: events.__setitem__(
        index, (events[index][0], {**events[index][1], **fields})
    )


DELTA = {"id": "msg_3", "object": "thread.message.delta", "delta": {"content": []}}
CASES: dict[str, Case] = {
    "event-named-for-another-status": (
        renamed(2, "thread.run.queued"),
        "stream_event_mismatch",
        2,
        "/status",
        "error",
    ),
    "event-named-for-another-object": (
        changed(8, object="thread.message.delta"),
        "stream_event_mismatch",
        8,
        "/object",
        "error",
    ),
    "done-without-its-data": (
        lambda e: e.__setitem__(11, ("done", {})),
        "stream_event_mismatch",
        11,
        "",
        "error",
    ),
    "unknown-event": (
        inserted(5, "thread.run.step.requires_action", {}),
        "stream_unknown_event",
        5,
        "",
        "warning",
    ),
    "an-event-of-another-run": (changed(2, id="run_9"), "stream_run_mismatch", 2, "/id", "error"),
    "a-message-of-another-thread": (
        changed(5, thread_id="thread_9"),
        "stream_run_mismatch",
        5,
        "/thread_id",
        "error",
    ),
    "a-message-of-no-step": (
        lambda e: (
            [
                e.__setitem__(
                    i,
                    (
                        e[i][0],
                        {
                            **e[i][1],
                            "step_details": {
                                "type": "message_creation",
                                "message_creation": {"message_id": "msg_9"},
                            },
                        },
                    ),
                )
                for i in (3, 4, 9)
            ]
            and None
        ),
        "stream_run_mismatch",
        5,
        "/id",
        "error",
    ),
    "a-stream-opening-mid-run": (
        lambda e: [e.pop(0), e.pop(0)] and None,
        "stream_start",
        0,
        "",
        "error",
    ),
    "a-step-event-before-its-creation": (dropped(3), "stream_not_created", 3, "/id", "error"),
    "a-message-delta-before-its-creation": (
        lambda e: [e.pop(5), e.pop(5)] and None,
        "stream_not_created",
        5,
        "/id",
        "error",
    ),
    "an-event-after-the-end": (
        inserted(11, "thread.message.delta", DELTA),
        "stream_after_end",
        11,
        "",
        "error",
    ),
    "an-event-after-done": (
        lambda e: e.append(("thread.message.delta", DELTA)),
        "stream_after_done",
        12,
        "",
        "error",
    ),
    "no-done": (dropped(11), "stream_done_missing", 10, "", "error"),
    "no-terminal-event": (dropped(10), "stream_unfinished", 10, "", "error"),
}


@pytest.mark.parametrize("name", CASES)
def test_each_defect_gives_exactly_its_finding(name: str, tmp_path: Path) -> None:
    inject, code, index, pointer, severity = CASES[name]
    events = stream()
    inject(events)
    assert check(events, tmp_path) == [(code, line(index), pointer, severity)]


def test_data_that_is_not_json_is_a_bad_line_and_the_stream_goes_on(tmp_path: Path) -> None:
    text = sse(stream()).replace(
        'data: {"id":"msg_3","object":"thread.message.delta"', "data: {oops", 1
    )
    assert check([], tmp_path, text=text) == [("invalid_json", line(7), "", "error")]


def test_an_error_event_ends_a_stream_and_is_checked_as_an_error_body(tmp_path: Path) -> None:
    error = {
        "message": "The server had an error.",
        "type": "server_error",
        "param": None,
        "code": None,
    }
    events = stream()[:8]
    assert check([*events, ("error", error)], tmp_path) == []
    assert check([*events, ("error", {"error": error})], tmp_path) == []
    bare = check([*events, ("error", {"message": "x"})], tmp_path)
    assert sorted((code, at) for code, _, at, _ in bare) == [
        ("missing_field", "/code"),
        ("missing_field", "/param"),
        ("missing_field", "/type"),
    ]


def test_an_incomplete_run_named_completed_is_what_the_hosted_api_did(tmp_path: Path) -> None:
    events = stream()
    run = events[2][1]
    ended = runcore.advance(
        run,
        "incomplete",
        now=T0 + 9,
        usage=USAGE,
        incomplete_details={"reason": "max_prompt_tokens"},
    ).run
    events[10] = ("thread.run.completed", ended)
    assert check(events, tmp_path) == [("stream_event_mismatch", line(10), "/status", "warning")]
    assert check(events, tmp_path, "--profile", "spec") == [
        ("stream_event_mismatch", line(10), "/status", "error")
    ]


# What the hosted API really did, which the rules allow


def waiting_for_a_call() -> tuple[dict[str, Any], dict[str, Any], Events]:
    """A stream that stops at requires_action, its tool-calls step left in_progress."""
    run = runcore.run_from_request(
        {"assistant_id": "asst_1"}, ASSISTANT, run_id="run_5", thread_id="thread_5", now=T0
    )
    events: Events = [("thread.run.created", run), ("thread.run.queued", run)]
    run = runcore.advance(run, "start", now=T0 + 1).run
    events.append(("thread.run.in_progress", run))
    call = {"id": "call_5", "type": "function", "function": {"name": "lookup", "arguments": "{}"}}
    step = runcore.new_step(run, step_id="step_5", now=T0 + 1, tool_calls=[call])
    run = runcore.advance(run, "require_action", now=T0 + 2, tool_calls=[call]).run
    events += [(name, step.step) for name in step.events]
    events += [
        ("thread.run.step.delta", runcore.step_delta(step.step)),
        ("thread.run.requires_action", run),
    ]
    return run, step.step, [*events, ("done", "[DONE]")]


def test_a_stream_may_stop_at_requires_action_and_the_next_resumes_the_run(tmp_path: Path) -> None:
    run, step, first = waiting_for_a_call()
    outputs = [{"tool_call_id": "call_5", "output": "7"}]
    run = runcore.advance(run, "submit_tool_outputs", now=T0 + 3, tool_outputs=outputs).run
    step = runcore.answer_tool_calls(step, outputs, now=T0 + 3, usage=USAGE).step
    # it opens with the step made in the first stream, then thread.run.queued, not created
    resumed: Events = [("thread.run.step.completed", step), ("thread.run.queued", run)]
    run = runcore.advance(run, "start", now=T0 + 4).run  # started_at is stamped again
    message = runcore.new_step(run, step_id="step_6", now=T0 + 4, message_id="msg_6")
    resumed += [("thread.run.in_progress", run), *((name, message.step) for name in message.events)]
    note = {
        "id": "msg_6",
        "object": "thread.message",
        "thread_id": "thread_5",
        "run_id": "run_5",
        "status": "incomplete",
    }
    # a message may end incomplete before its step and its run complete
    resumed += [
        ("thread.message.created", dict(note, status="in_progress")),
        ("thread.message.incomplete", note),
    ]
    done = runcore.advance_step(message.step, "complete", now=T0 + 5, usage=USAGE).step
    run = runcore.advance(run, "complete", now=T0 + 5, usage=USAGE).run
    resumed += [
        ("thread.run.step.completed", done),
        ("thread.run.completed", run),
        ("done", "[DONE]"),
    ]
    session = [
        Exchange(
            "POST",
            "/v1/threads/thread_5/runs",
            {"assistant_id": "asst_1", "stream": True},
            stream=first,
            date=T0 + 1,
        ),
        Exchange(
            "POST",
            "/v1/threads/thread_5/runs/run_5/submit_tool_outputs",
            {"tool_outputs": outputs, "stream": True},
            stream=resumed,
            date=T0 + 5,
        ),
        Exchange(
            "POST",
            "/v1/threads/thread_5/runs/run_5",
            {"metadata": {"n": "1"}},
            answer=dict(run, metadata={"n": "1"}),
            date=T0 + 6,
        ),
    ]
    path = tmp_path / "resumed.yaml"
    path.write_text(vcrpy(session).text, encoding="utf-8")
    report = json.loads(run_cli("check", "--format", "json", "--profile", "spec", str(path)).stdout)
    assert report["findings"] == [] and report["summary"]["streams"] == 2


def test_a_create_stream_may_not_open_with_queued_but_a_submit_stream_does(tmp_path: Path) -> None:
    _, _, events = waiting_for_a_call()
    exchange = Exchange(
        "POST",
        "/v1/threads/thread_5/runs",
        {"assistant_id": "asst_1", "stream": True},
        stream=events[1:],
        date=T0,
    )
    path = tmp_path / "opens.yaml"
    written = vcrpy([exchange])
    path.write_text(written.text, encoding="utf-8")
    report = json.loads(run_cli("check", "--format", "json", str(path)).stdout)
    assert [(f["code"], f["line"]) for f in report["findings"]] == [
        ("stream_start", written.bodies[0] + 1)
    ]


# Streams the engine makes


@st.composite
def engine_streams(draw: st.DrawFn) -> Events:
    """A run streamed from its creation along a random legal walk to its end or requires_action,
    with a step for each: a message step before it completes, a tool-calls step before it waits."""
    now = T0
    run = runcore.run_from_request(
        {"assistant_id": "asst_1"}, ASSISTANT, run_id="run_h", thread_id="thread_h", now=now
    )
    events: Events = [("thread.run.created", run), ("thread.run.queued", run)]
    while run["status"] not in runcore.TERMINAL_RUN_STATUSES and run["status"] != "requires_action":
        now += draw(st.integers(0, 3))
        legal = [
            e
            for e in runcore.legal_events(run, now=now)
            if e not in ("expire", "submit_tool_outputs")
        ]
        event = draw(st.sampled_from(legal))
        if event in ("complete", "incomplete", "require_action"):
            calls = (
                draw(event_details("require_action", obj=run))["tool_calls"]
                if event == "require_action"
                else None
            )
            made = runcore.new_step(
                run,
                step_id=f"step_{len(events)}",
                now=now,
                tool_calls=calls,
                message_id=None if calls else f"msg_{len(events)}",
            )
            events += [(name, made.step) for name in made.events]
            details = {"tool_calls": calls} if calls else draw(event_details(event, obj=run))
            if not calls:
                ended = runcore.advance_step(made.step, "complete", now=now, usage=USAGE)
                events.append((ended.events[0], ended.step))
        else:
            details = draw(event_details(event, obj=run))
        moved = runcore.advance(run, event, now=now, **details)
        run = moved.run
        events += [(name, run) for name in moved.events]
    return [*events, ("done", "[DONE]")]


@settings(max_examples=40, deadline=None)
@given(events=engine_streams())
def test_streams_of_legal_walks_check_clean(events: Events, tmp_path_factory: Any) -> None:
    folder = tmp_path_factory.mktemp("walk")
    assert check(events, folder, "--profile", "spec") == []


@settings(max_examples=40, deadline=None)
@given(events=engine_streams(), data=st.data())
def test_one_illegal_change_to_a_legal_stream_gives_exactly_that_finding(
    events: Events, data: st.DataObject, tmp_path_factory: Any
) -> None:
    runs = [
        i
        for i, (name, _) in enumerate(events)
        if name.startswith("thread.run.") and "step" not in name
    ]
    renamable = runs[1:]  # the first is the creation: renamed, the stream would not open with it
    defect = data.draw(st.sampled_from(["rename", "no-done", "no-end", "after-done"]))
    if defect == "rename":
        index = data.draw(st.sampled_from(renamable))
        status = events[index][1]["status"]
        other = data.draw(st.sampled_from([s for s in runcore.RUN_STATUSES if s != status]))
        events[index] = (f"thread.run.{other}", events[index][1])
        expected = ("stream_event_mismatch", line(index), "/status", "error")
    elif defect == "no-done":
        events.pop()
        expected = ("stream_done_missing", line(len(events) - 1), "", "error")
    elif defect == "no-end":
        events.pop(runs[-1])
        expected = ("stream_unfinished", line(len(events) - 1), "", "error")
    else:
        events.append(
            (
                "thread.run.step.delta",
                {"id": "step_x", "object": "thread.run.step.delta", "delta": {}},
            )
        )
        expected = ("stream_after_done", line(len(events) - 1), "", "error")
    folder = tmp_path_factory.mktemp("defect")
    assert check(events, folder, "--profile", "spec") == [expected]
