"""The rules of one stream of server-sent events, checked event by event as the stream is read
(decisions.md#streams).

What a stream holds beyond its objects: each event's name against its data, the opening (the run's
creation, or ``thread.run.queued`` in a stream that resumes a run after tool outputs), steps and
messages created before their other events, nothing after the run's terminal or requires_action
event but ``done``, and nothing after ``done``. How the run's status moves from event to event is
its history's to judge, as for any snapshots of a run.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from runcore._check._exchange import route
from runcore._check._records import Exchange, Record
from runcore._check._sse import DONE
from runcore._contract._tolerances import misnamed_event_severity
from runcore._findings import Finding, found
from runcore._json import json_type
from runcore._kinds import Profile
from runcore._tables import (
    RUN_INITIAL,
    RUN_STATUSES,
    STEP_INITIAL,
    STEP_STATUSES,
    TERMINAL_RUN_STATUSES,
)

# What each event's data is: its object tag and the status it names (None: any or none).
_RUN_EVENTS = {f"thread.run.{s}": ("thread.run", s) for s in RUN_STATUSES}
_STEP_EVENTS = {f"thread.run.step.{s}": ("thread.run.step", s) for s in STEP_STATUSES}
_MESSAGE_EVENTS = {
    f"thread.message.{name}": ("thread.message", status)
    for name, status in (
        ("created", "in_progress"),
        ("in_progress", "in_progress"),
        ("completed", "completed"),
        ("incomplete", "incomplete"),
    )
}
EVENTS: dict[str, tuple[str, str | None]] = {
    "thread.created": ("thread", None),
    "thread.run.created": ("thread.run", RUN_INITIAL),
    **_RUN_EVENTS,
    "thread.run.step.created": ("thread.run.step", STEP_INITIAL),
    **_STEP_EVENTS,
    "thread.run.step.delta": ("thread.run.step.delta", None),
    **_MESSAGE_EVENTS,
    "thread.message.delta": ("thread.message.delta", None),
}
# The kind each event's data is checked as, by its object tag.
KINDS_BY_TAG = {
    "thread.run": "run",
    "thread.run.step": "run_step",
    "thread.run.step.delta": "run_step_delta",
}
_ENDING = TERMINAL_RUN_STATUSES | {"requires_action"}
# Objects a stream creates before their other events (unless the stream resumes a run).
_CREATED_FIRST = (
    "thread.run.step",
    "thread.message",
    "thread.run.step.delta",
    "thread.message.delta",
)


class StreamRules:
    """The rules of one stream, fed its events in order; :meth:`end` gives what the end shows."""

    def __init__(self, exchange: Exchange | None, profile: Profile) -> None:
        found_route = route(exchange.method, exchange.url) if exchange else None
        self.endpoint = found_route.endpoint.name if found_route else None
        self.profile = profile
        self.run_id: Any = None
        self.thread_id: Any = None
        self.resumes: bool | None = None  # decided by the first run event
        self.created: set[Any] = set()
        self.messages: set[str] = set()  # the messages the stream's steps say they create
        self.ended: str | None = None
        self.errored = False
        self.done = False
        self.last_line: int | None = None

    def event(self, record: Record) -> list[Finding]:
        """The findings at one event; ``record.event`` is its name and ``record.value`` its data."""
        self.last_line = record.line
        name, data = record.event or "message", record.value
        if self.done:
            message = f"event {name!r} after done: a stream ends with done"
            return [found("stream_after_done", "stream", [], message, name)]
        if name == "done":
            self.done = True
            return (
                [] if data == DONE else [self._mismatch(name, "the data of done is [DONE]", data)]
            )
        findings: list[Finding] = []
        if self.ended is not None:
            message = f"event {name!r} after the run's {self.ended!r}: only done may follow it"
            findings.append(found("stream_after_end", "stream", [], message, name))
        if name == "error":
            self.errored = True
            return findings
        if name not in EVENTS:
            message = f"unknown event {name!r}: not an event of the runs contract"
            return [
                *findings,
                found("stream_unknown_event", "stream", [], message, name, "warning"),
            ]
        findings += self._named(name, data)
        if isinstance(data, dict):
            findings += self._ids(name, data)
            findings += self._order(name, data)
        return findings

    def end(self) -> list[Finding]:
        """What the end of the stream shows: no done, or no terminal or requires_action event."""
        if (
            self.errored
        ):  # an error event ends a stream: the SDK raises on it (decisions.md#streams)
            return []
        findings = []
        if not self.done:
            message = "the stream ends without event done"
            findings.append(found("stream_done_missing", "stream", [], message))
        if self.ended is None:
            message = "the stream ends before a terminal or requires_action run event"
            findings.append(found("stream_unfinished", "stream", [], message))
        return findings

    def _mismatch(
        self, name: str, why: str, value: Any, at: list[str | int] | None = None
    ) -> Finding:
        return found("stream_event_mismatch", "stream", at or [], f"event {name!r}: {why}", value)

    def _named(self, name: str, data: Any) -> Iterator[Finding]:
        """The event's name against its data: the object tag, and the status it names."""
        tag, status = EVENTS[name]
        if not isinstance(data, dict):
            yield self._mismatch(name, f"carries {tag} objects, not {json_type(data)}", data)
        elif data.get("object") != tag:
            what = data.get("object")
            yield self._mismatch(name, f"carries {tag} objects, not {what!r}", what, ["object"])
        elif status is not None and data.get("status") != status:
            severity = misnamed_event_severity(name, data.get("status"), self.profile)
            why = f"carries a {status} object; this one is {data.get('status')!r}"
            if severity == "warning":
                why += " (as the hosted API named it before thread.run.incomplete existed)"
            message = f"event {name!r}: {why}"
            yield found(
                "stream_event_mismatch", "stream", ["status"], message, data.get("status"), severity
            )

    def _ids(self, name: str, data: dict[str, Any]) -> Iterator[Finding]:
        """Every event is about the stream's one run, on its thread."""
        tag = data.get("object")
        run_id = data.get("id") if tag == "thread.run" else data.get("run_id")
        thread_id = data.get("thread_id")
        if self.run_id is None and isinstance(run_id, str):
            self.run_id = run_id
        if self.thread_id is None and isinstance(thread_id, str):
            self.thread_id = thread_id
        field = "id" if tag == "thread.run" else "run_id"
        if run_id is not None and run_id != self.run_id:
            message = f"event {name!r} is about run {run_id!r}; the stream's run is {self.run_id!r}"
            yield found("stream_run_mismatch", "stream", [field], message, run_id)
        if thread_id is not None and thread_id != self.thread_id:
            message = f"event {name!r} is on thread {thread_id!r}; the stream's run is on {self.thread_id!r}"
            yield found("stream_run_mismatch", "stream", ["thread_id"], message, thread_id)
        details = data.get("step_details") if tag == "thread.run.step" else None
        made = details.get("message_creation") if isinstance(details, dict) else None
        if isinstance(made, dict) and isinstance(made.get("message_id"), str):
            self.messages.add(made["message_id"])
        created = data.get("id") if name == "thread.message.created" else None
        if isinstance(created, str) and created not in self.messages:
            message = f"message {data.get('id')!r} is the message of no step of the stream's run"
            yield found("stream_run_mismatch", "stream", ["id"], message, data.get("id"))

    def _order(self, name: str, data: dict[str, Any]) -> Iterator[Finding]:
        tag = data.get("object")
        if tag == "thread.run":
            yield from self._run_event(name, data)
        elif tag in _CREATED_FIRST and isinstance(data.get("id"), str):
            key = data["id"]
            if name.endswith(".created"):
                self.created.add(key)
            elif key not in self.created and not self._may_resume():
                self.created.add(key)  # said once per step or message
                what = "step" if "step" in name else "message"
                message = f"event {name!r} of {what} {key!r} before the stream created it"
                yield found("stream_not_created", "stream", ["id"], message, key)

    def _may_resume(self) -> bool:
        """Whether this stream resumes a run, so that it may carry steps made before it."""
        if self.resumes is None:  # no run event yet: a stream of tool outputs opens with steps
            return self.endpoint in (None, "submit_tool_outputs")
        return self.resumes

    def _run_event(self, name: str, data: dict[str, Any]) -> Iterator[Finding]:
        if self.resumes is None:
            submit = self.endpoint == "submit_tool_outputs"
            resumes = name == "thread.run.queued" and self.endpoint in (None, "submit_tool_outputs")
            creates = name == "thread.run.created" and not submit
            self.resumes = resumes
            if not (resumes or creates):
                expected = "thread.run.queued" if submit else "thread.run.created"
                message = f"the first run event is {name!r}; this stream opens with {expected}"
                yield found("stream_start", "stream", [], message, name)
        status = data.get("status")
        if isinstance(status, str) and status in _ENDING and self.ended is None:
            self.ended = status
