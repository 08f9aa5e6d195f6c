"""A run's life as a server on runcore lives it: each run event with what the server does to the
run's steps, the stream events it sends (the order of docs/server.md#stream-events), and the
shortest legal walks to a wanted moment."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from runcore._graph import exits
from runcore._lifecycle._effects import function_names, pending_call_ids
from runcore._lifecycle._engine import advance, advance_step, legal_events, settle_steps
from runcore._lifecycle._steps import answer_tool_calls, new_step, run_usage, step_delta
from runcore._requests._wire import SSE_DONE, sse_event
from runcore._tables import GUARDS, RUN_TABLE, STEP_ERROR_CODES

# The tokens a tool-calls step used to make its calls, unless the caller says otherwise.
STEP_USAGE = {"prompt_tokens": 20, "completion_tokens": 5, "total_tokens": 25}
Sent = tuple[tuple[str, dict[str, Any]], ...]  # stream events: (event name, data)


@dataclass(frozen=True)
class Moment:
    """A run and its steps just after one event (None: the run's creation) with the engine's details,
    and what a stream sent."""

    event: str | None
    now: int
    details: dict[str, Any]
    run: dict[str, Any]
    steps: tuple[dict[str, Any], ...]
    sent: Sent


def created(run: Mapping[str, Any]) -> Moment:
    """The moment a new run (``run_from_request``'s) is created: two events with it."""
    new = dict(run)
    events = (("thread.run.created", new), ("thread.run.queued", new))
    return Moment(None, run["created_at"], {}, new, (), events)


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
    return Moment(event, now, dict(details), new, tuple(steps), tuple(sent))


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


# -- walks ---------------------------------------------------------------------------------------

# The tokens of the message step that answers, in canonical walks.
MESSAGE_USAGE = {"prompt_tokens": 30, "completion_tokens": 12, "total_tokens": 42}


def canonical_details(event: str, moment: Moment) -> dict[str, Any] | None:
    """The details a server's model gives the engine for ``event``, the same on every replay; None
    when the run cannot take them (``require_action`` on a run without a function tool)."""
    run, steps = moment.run, list(moment.steps)
    if event == "require_action":
        names = sorted(function_names(run))
        if not names:
            return None
        call_id = _child(run, "call", steps)
        function = {"name": names[0], "arguments": '{"city": "Paris"}'}
        return {"tool_calls": [{"id": call_id, "type": "function", "function": function}]}
    if event == "submit_tool_outputs":
        outputs = [{"tool_call_id": call, "output": "22C"} for call in pending_call_ids(run)]
        return {"tool_outputs": outputs}
    if event in ("complete", "incomplete"):
        spent = run_usage(steps)
        usage = {key: spent[key] + MESSAGE_USAGE[key] for key in spent}
        if event == "complete":
            return {"usage": usage}
        return {"usage": usage, "incomplete_details": {"reason": "max_completion_tokens"}}
    if event == "fail":
        return {"last_error": {"code": "server_error", "message": "Sorry, something went wrong."}}
    return {}


def next_moment(
    moment: Moment, event: str, details: Mapping[str, Any] | None = None
) -> Moment | None:
    """The moment after ``event`` a second later (``expire``: at the deadline) with ``details``
    (by default the canonical ones), or None when the engine would refuse it then."""
    now = moment.run["expires_at"] if event == "expire" else moment.now + 1
    if not isinstance(now, int) or event not in legal_events(moment.run, now=now):
        return None
    details = canonical_details(event, moment) if details is None else details
    return None if details is None else lived(moment, event, now=now, details=details)


def guarded(moment: Moment) -> tuple[Any, ...]:
    """What decides which events are legal a second later: the status and the guards that hold."""
    now = moment.now + 1
    return moment.run["status"], tuple(n for n, g in GUARDS.items() if g.holds(moment.run, now))


def walk_until(wanted: Callable[[Moment], bool], start: Moment) -> list[Moment]:
    """The moments of a shortest legal walk from ``start`` (included) to a ``wanted`` moment, with
    canonical details. Raises LookupError when no walk gets there."""

    def state(moment: Moment) -> tuple[Any, ...]:
        return *guarded(moment), tuple(step["status"] for step in moment.steps)

    queue, seen = deque([[start]]), {state(start)}
    while queue:
        moments = queue.popleft()
        if wanted(moments[-1]):
            return moments
        for _, event, _ in exits(RUN_TABLE, moments[-1].run["status"]):
            after = next_moment(moments[-1], event)
            if after is not None and state(after) not in seen:
                seen.add(state(after))
                queue.append([*moments, after])
    raise LookupError("no legal walk of the run table gets there")
