"""A run's life as a server on runcore lives it: each run event with what the server does to the
run's steps, and the stream events it sends (the order of docs/server.md#stream-events)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from runcore._lifecycle._engine import advance, advance_step, settle_steps
from runcore._lifecycle._steps import answer_tool_calls, new_step, run_usage, step_delta
from runcore._requests._wire import SSE_DONE, sse_event
from runcore._tables import STEP_ERROR_CODES

# The tokens a tool-calls step used to make its calls, unless the caller says otherwise.
STEP_USAGE = {"prompt_tokens": 20, "completion_tokens": 5, "total_tokens": 25}
Sent = tuple[tuple[str, dict[str, Any]], ...]  # stream events: (event name, data)


@dataclass(frozen=True)
class Moment:
    """A run and its steps just after one event (None: the run's creation), and what a stream sent."""

    event: str | None
    now: int
    run: dict[str, Any]
    steps: tuple[dict[str, Any], ...]
    sent: Sent


def created(run: Mapping[str, Any]) -> Moment:
    """The moment a new run (``run_from_request``'s) is created: two events with it."""
    new = dict(run)
    events = (("thread.run.created", new), ("thread.run.queued", new))
    return Moment(None, run["created_at"], new, (), events)


def lived(
    moment: Moment,
    event: str,
    *,
    now: int,
    details: Mapping[str, Any],
    step_usage: Mapping[str, int] = STEP_USAGE,
) -> Moment:
    """The moment after run ``event`` with the engine's ``details``, and what the server does to the
    steps around it.

    ``require_action`` makes the tool-calls step; ``submit_tool_outputs`` answers it (its usage is
    ``step_usage``); ``complete`` and ``incomplete`` make a message step whose usage is the rest of
    the run's; ``fail`` fails the open steps first; ``cancelled`` and ``expire`` settle them. A step
    still open when a cancelling run completes is cancelled: the cancel asked for it. Raises what
    the engine raises for an event or details it refuses.
    """
    run, steps, sent = moment.run, list(moment.steps), []
    if event == "require_action":
        made = new_step(run, step_id=_child(run, "step", steps), now=now, **details)
        steps.append(made.step)
        sent += [(name, made.step) for name in made.events]
        sent.append(("thread.run.step.delta", step_delta(made.step)))
    elif event == "submit_tool_outputs":
        index = _open_steps(steps)[-1]
        answered = answer_tool_calls(
            steps[index], details["tool_outputs"], now=now, usage=step_usage
        )
        steps[index] = answered.step
        sent += [(name, answered.step) for name in answered.events]
    elif event in ("complete", "incomplete", "fail"):
        closing = "fail" if event == "fail" else "cancel"
        for index in _open_steps(steps):
            step_details = (
                {"last_error": _step_error(details["last_error"])} if closing == "fail" else {}
            )
            ended = advance_step(steps[index], closing, now=now, **step_details)
            steps[index] = ended.step
            sent += [(name, ended.step) for name in ended.events]
        if event != "fail":
            sent += _message_step(run, steps, now, details["usage"])
    new = advance(run, event, now=now, **details).run
    if event in ("cancelled", "expire"):
        settled = settle_steps(new, steps, now=now)
        steps = [moved.step for moved in settled]
        sent += [(name, moved.step) for moved in settled for name in moved.events]
    sent.append((f"thread.run.{new['status']}", new))
    return Moment(event, now, new, tuple(steps), tuple(sent))


def _message_step(
    run: Mapping[str, Any], steps: list[dict[str, Any]], now: int, usage: Mapping[str, int]
) -> list[tuple[str, dict[str, Any]]]:
    """The message step that answers, completed with the run's tokens its other steps did not use."""
    spent = run_usage(steps)
    rest = {key: usage[key] - spent[key] for key in spent}
    made = new_step(
        run, step_id=_child(run, "step", steps), now=now, message_id=_child(run, "msg", steps)
    )
    done = advance_step(made.step, "complete", now=now, usage=rest)
    steps.append(done.step)
    return [*((name, made.step) for name in made.events), (done.events[0], done.step)]


def _open_steps(steps: list[dict[str, Any]]) -> list[int]:
    return [index for index, step in enumerate(steps) if step["status"] == "in_progress"]


def _step_error(error: Mapping[str, str]) -> dict[str, str]:
    """A step's last_error for its run's: steps have no ``invalid_prompt`` code."""
    code = error["code"] if error["code"] in STEP_ERROR_CODES else "server_error"
    return {"code": code, "message": error["message"]}


def _child(run: Mapping[str, Any], prefix: str, steps: list[dict[str, Any]]) -> str:
    """A step's or message's id, unique within the run and across runs of distinct ids."""
    return f"{prefix}_{str(run['id']).partition('_')[2] or run['id']}_{len(steps) + 1}"


def stream(sent: Sent) -> bytes:
    """One event stream as the hosted API framed it, ended by ``done``."""
    return b"".join(sse_event(name, data) for name, data in sent) + SSE_DONE
