"""Hypothesis strategies for property tests of your own server, client or validator.

Needs the ``testing`` extra (``pip install 'runcore[testing]'``), which brings hypothesis.

- objects and requests: :func:`json_values`, :func:`valid_objects`, :func:`request_bodies`;
- lifecycles, built by walking the status table with runcore's engine as a server on runcore
  does: :func:`runs`, :func:`run_steps`, :func:`event_details`, :func:`event_sequences`, and what a
  client records, :func:`histories` (polling) and :func:`streams` (streaming);
- verdicts: :func:`invalid_variants` breaks one rule of :data:`RULES` and says which finding it gives.

Every strategy takes its options as keyword arguments with defaults, and its docstring shows an
example that runcore's test suite runs.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import quote

try:
    from hypothesis import strategies as st
except ImportError as missing:  # pragma: no cover - exercised in a venv without the extra
    raise ImportError(
        "runcore.strategies needs hypothesis: pip install 'runcore[testing]'"
    ) from missing

from runcore._contract._schemas import validator
from runcore._findings import CODES, Category, pointer
from runcore._graph import exits, reachable
from runcore._kinds import PAGE_ITEM_KINDS, REQUEST_KINDS, Profile, require_kind, require_profile
from runcore._life import Moment, created, guarded, lived, stream, walk_until
from runcore._lifecycle._creation import run_from_request
from runcore._lifecycle._effects import function_names, pending_call_ids
from runcore._lifecycle._engine import legal_events
from runcore._lifecycle._steps import run_usage
from runcore._requests._pages import page
from runcore._schema_strategies import from_schema, json_values
from runcore._tables import (
    INCOMPLETE_REASONS,
    LIVE_RUN_STATUSES,
    RUN_ERROR_CODES,
    RUN_STATUSES,
    RUN_TABLE,
    STEP_ERROR_CODES,
    STEP_STATUSES,
)
from runcore._variant_rules import RULES, Rule

__all__ = [
    "RULES",
    "Event",
    "EventSequence",
    "Rule",
    "Variant",
    "event_details",
    "event_sequences",
    "histories",
    "invalid_variants",
    "json_values",
    "request_bodies",
    "run_steps",
    "runs",
    "streams",
    "valid_objects",
]


def valid_objects(kind: str, *, profile: Profile = "spec") -> st.SearchStrategy[Any]:
    """Objects of ``kind`` that the schema of ``profile`` accepts (unknown fields are never added).

    They are schema-valid only: ``validate(obj, kind, profile=profile, invariants=False)`` finds
    nothing. For runs and steps that also keep the lifecycle, use :func:`runs` and :func:`run_steps`.

    >>> import runcore
    >>> from hypothesis import given
    >>> @given(valid_objects("run_step_delta"))
    ... def test_deltas_are_valid(delta):
    ...     assert runcore.validate(delta, "run_step_delta") == []
    >>> test_deltas_are_valid()
    """
    entry = validator(require_kind(kind), require_profile(profile)).schema["$ref"]
    return from_schema(entry)


# -- requests ------------------------------------------------------------------------------------

_CREATE_KINDS = ("create_run_request", "create_thread_and_run_request")
_FUNCTION_TOOL = {
    "type": "function",
    "function": {"name": "lookup", "parameters": {"type": "object"}},
}
# Ids in the API's form: a prefix, an underscore and 24 letters or digits.
_IDS = st.text(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=24, max_size=24
)
_ASSISTANT_IDS = _IDS.map("asst_".__add__)


def request_bodies(
    kind: str, *, assistant_id: str | None = None, run: Mapping[str, Any] | None = None
) -> st.SearchStrategy[Any]:
    """Requests of a request ``kind`` that a server on runcore accepts (``accept_request``).

    Create bodies name ``assistant_id`` (drawn when None) and make a run with an assistant that
    has a model and a function tool named ``lookup`` (``run_from_request`` accepts them); a
    ``tool_choice`` names one of the body's own functions. ``submit_tool_outputs_request`` bodies
    answer every pending tool call of ``run`` once, in any order, when a run is given. A
    ``list_query`` is the query string a client sends (``limit=5&order=asc``).

    >>> import runcore
    >>> from hypothesis import given
    >>> @given(request_bodies("create_run_request", assistant_id="asst_1"))
    ... def test_my_server_takes_them(body):
    ...     assert runcore.accept_request(body, "create_run_request")["assistant_id"] == "asst_1"
    >>> test_my_server_takes_them()
    """
    require_kind(kind)
    if kind not in REQUEST_KINDS:
        raise ValueError(
            f"{kind!r} is not a request kind; request kinds: {', '.join(REQUEST_KINDS)}"
        )
    if run is not None and kind != "submit_tool_outputs_request":
        raise ValueError("run= is for submit_tool_outputs_request bodies")
    if kind == "list_query":
        return valid_objects(kind).map(_query_string)
    if kind in _CREATE_KINDS:
        return _creations(kind, assistant_id)
    if run is not None:
        if not pending_call_ids(run):
            raise ValueError("the run has no pending tool calls to answer")
        return _answers(run)
    return valid_objects(kind)


@st.composite
def _creations(draw: st.DrawFn, kind: str, assistant_id: str | None) -> dict[str, Any]:
    request = draw(valid_objects(kind))
    request["assistant_id"] = assistant_id if assistant_id is not None else draw(_ASSISTANT_IDS)
    # A tool_choice that names a function names one the run has (decisions.md#creating-a-run).
    choice = request.get("tool_choice")
    if isinstance(choice, dict) and choice["type"] == "function":
        tools = request.get("tools")  # an explicit [] is the run's tools: no function then
        names = _functions([_FUNCTION_TOOL] if tools is None else tools)
        if names:
            request["tool_choice"] = {**choice, "function": {"name": draw(st.sampled_from(names))}}
        else:
            request["tool_choice"] = "auto"
    return request


def _functions(tools: list[dict[str, Any]]) -> list[str]:
    return [tool["function"]["name"] for tool in tools if tool.get("type") == "function"]


@st.composite
def _answers(draw: st.DrawFn, run: Mapping[str, Any]) -> dict[str, Any]:
    pending = draw(st.permutations(pending_call_ids(run)))
    return {
        "tool_outputs": [
            {"tool_call_id": call_id, "output": draw(st.text(max_size=20))} for call_id in pending
        ]
    }


def _query_string(query: Mapping[str, Any]) -> str:
    fields = [
        f"include[]={quote(value, safe='')}"
        if name == "include"
        else f"{name}={quote(str(value), safe='')}"
        for name, values in query.items()
        for value in (values if name == "include" else [values])
    ]
    return "&".join(fields)


# -- lives: runs and steps walked through the table ----------------------------------------------

_ONWARD = {row["trigger"] for row in RUN_TABLE.transitions if row["dest"] in LIVE_RUN_STATUSES}


def runs(*, status: str | None = None, max_events: int = 8) -> st.SearchStrategy[dict[str, Any]]:
    """Runs as a server on runcore makes them, in ``status`` (any status when None).

    A new run from a drawn create-run request is walked through up to ``max_events`` random legal
    events of the status table with valid details and clock steps, then, for a given ``status``,
    along a shortest legal walk into it. Each run validates under ``spec`` with no finding,
    lifecycle invariants included.

    >>> import runcore
    >>> from hypothesis import given
    >>> @given(runs(status="requires_action"))
    ... def test_a_run_in_requires_action_waits_on_calls(run):
    ...     assert run["required_action"]["submit_tool_outputs"]["tool_calls"]
    ...     assert runcore.validate(run, profile="spec") == []
    >>> test_a_run_in_requires_action_waits_on_calls()
    """
    _known(status, RUN_STATUSES, "run status")
    target = None if status is None else ("run", status)
    return _lives(max_events, target).map(lambda moments: moments[-1].run)


def run_steps(
    *, status: str | None = None, max_events: int = 8
) -> st.SearchStrategy[dict[str, Any]]:
    """Run steps as a server on runcore makes them, in ``status`` (any status when None).

    Each comes from a run's life, as :func:`runs` draws it, walked on until it has such a step:
    a tool-calls step made at ``require_action`` and answered by ``submit_tool_outputs``, a message
    step made when the run completes, steps failed, cancelled or expired with their run.

    >>> import runcore
    >>> from hypothesis import given
    >>> @given(run_steps(status="completed"))
    ... def test_completed_steps_have_usage(step):
    ...     assert step["usage"]["total_tokens"] >= 0
    ...     assert runcore.validate(step, profile="spec") == []
    >>> test_completed_steps_have_usage()
    """
    _known(status, STEP_STATUSES, "step status")

    def fits(step: Mapping[str, Any]) -> bool:
        return status is None or step["status"] == status

    return _lives(max_events, ("step", status)).flatmap(
        lambda moments: st.sampled_from([s for s in moments[-1].steps if fits(s)])
    )


def _known(value: str | None, known: tuple[str, ...], what: str) -> None:
    if value is not None and value not in known:
        raise ValueError(f"unknown {what} {value!r}; {what}es: {', '.join(known)}")


# What a life is walked on to: ("run", status), ("step", status or None: any), ("pause", None):
# a run waiting for tool outputs or ended, where a stream ends.
_Target = tuple[str, str | None]


def _reached(target: _Target) -> Callable[[Moment], bool]:
    kind, status = target
    if kind == "run":
        return lambda moment: moment.run["status"] == status
    if kind == "step":
        return lambda moment: any(status in (None, s["status"]) for s in moment.steps)
    return lambda moment: moment.run["status"] in ("requires_action", *RUN_TABLE.terminal)


_WALKS: dict[tuple[Any, ...], list[str] | None] = {}


def _events_to(start: Moment, target: _Target) -> list[str] | None:
    """The events of a shortest legal walk from ``start`` to ``target``, or None if there is none.

    Remembered by what decides them: the guarded state, the steps' statuses, the time left before
    the deadline (walks are a few events long: more than 16 seconds left is as good as any).
    """
    deadline = start.run["expires_at"]
    left = min(deadline - start.now, 16) if isinstance(deadline, int) else None
    key = (guarded(start), tuple(step["status"] for step in start.steps), left, target)
    if key not in _WALKS:
        try:
            walk = walk_until(_reached(target), start)
            _WALKS[key] = [moment.event for moment in walk[1:] if moment.event is not None]
        except LookupError:
            _WALKS[key] = None
    return _WALKS[key]


@st.composite
def _lives(
    draw: st.DrawFn,
    max_events: int,
    target: _Target | None,
    streamed: bool = False,
) -> list[Moment]:
    """A run's moments: up to ``max_events`` random legal events, then a walk to ``target``.

    ``streamed``: a run in requires_action waits for its tool outputs, as a streaming client's
    does (its stream has ended; the next one answers the outputs).
    """
    moments = [draw(_births())]
    for _ in range(max_events):
        if draw(st.integers(0, 3)) == 0:  # stop anywhere, so every status shows up
            break
        moment, now = moments[-1], moments[-1].now + draw(st.integers(0, 90))
        deadline = moment.run["expires_at"]
        if draw(st.integers(0, 9)) == 0 and isinstance(deadline, int):
            now = max(now, deadline)
        legal = legal_events(moment.run, now=now)
        if streamed and moment.run["status"] == "requires_action":
            legal = [event for event in legal if event == "submit_tool_outputs"]
        if not legal:
            break
        onward = [event for event in legal if event in _ONWARD]
        # Mostly events that keep the run live, so that walks reach every status.
        pool = onward if onward and draw(st.integers(0, 2)) > 0 else legal
        moments.append(draw(_lived(moment, draw(st.sampled_from(pool)), now)))
    if target is None or _reached(target)(moments[-1]):
        return moments
    walked = draw(_walked(moments[-1], target))
    if walked is None:  # no walk from here (an ended run): the new run takes one
        walked = draw(_walked(moments[0], target))
        assert walked is not None, "no legal walk gets a new run there"
        return walked
    return [*moments, *walked[1:]]


@st.composite
def _walked(draw: st.DrawFn, start: Moment, target: _Target) -> list[Moment] | None:
    """A shortest legal walk from ``start`` to ``target``, replayed with drawn details."""
    events = _events_to(start, target)
    if events is None:
        return None
    moments = [start]
    for event in events:
        deadline = moments[-1].run["expires_at"]
        now = deadline if event == "expire" else moments[-1].now + 1
        moments.append(draw(_lived(moments[-1], event, now)))
    return moments


@st.composite
def _births(draw: st.DrawFn) -> Moment:
    """A new run from a drawn create-run request, at a drawn time."""
    request = draw(_creations("create_run_request", None))
    # Without a function tool a run never reaches requires_action: keep the assistant's then.
    if request.get("tools") is not None and not _functions(request["tools"]):
        request = {**request, "tools": None}
    assistant = {"id": request["assistant_id"], "model": "gpt-4o", "tools": [_FUNCTION_TOOL]}
    now = draw(st.integers(1_600_000_000, 1_900_000_000))
    run_id, thread_id = draw(_IDS.map("run_".__add__)), draw(_IDS.map("thread_".__add__))
    run = run_from_request(request, assistant, run_id=run_id, thread_id=thread_id, now=now)
    return created(run)


@st.composite
def _lived(draw: st.DrawFn, moment: Moment, event: str, now: int) -> Moment:
    """The moment after ``event`` at ``now`` with drawn details: a completing run's usage is its
    steps' and a message step's."""
    details = draw(event_details(event, obj=moment.run))
    if event in ("complete", "incomplete"):
        spent = run_usage(list(moment.steps))
        details["usage"] = {key: spent[key] + details["usage"][key] for key in spent}
    return lived(moment, event, now=now, details=details, step_usage=draw(_usages()))


def _usages() -> st.SearchStrategy[dict[str, int]]:
    return st.tuples(st.integers(0, 100_000), st.integers(0, 100_000)).map(
        lambda tokens: {
            "prompt_tokens": tokens[0],
            "completion_tokens": tokens[1],
            "total_tokens": tokens[0] + tokens[1],
        }
    )


# -- details and event sequences -----------------------------------------------------------------


@st.composite
def event_details(draw: st.DrawFn, event: str, *, obj: Mapping[str, Any]) -> dict[str, Any]:
    """Valid details for ``event`` on ``obj`` (a run, or a run step), named after the wire fields:
    ``advance(obj, event, now=..., **details)`` takes them when the event is legal.

    >>> import runcore
    >>> from hypothesis import given
    >>> run = runcore.run_from_request(
    ...     {"assistant_id": "asst_1"}, {"id": "asst_1", "model": "gpt-4o"},
    ...     run_id="run_1", thread_id="thread_1", now=1_700_000_000,
    ... )
    >>> run = runcore.advance(run, "start", now=1_700_000_001).run
    >>> @given(event_details("complete", obj=run))
    ... def test_complete_takes_them(details):
    ...     done = runcore.advance(run, "complete", now=1_700_000_002, **details).run
    ...     assert done["usage"] == details["usage"]
    >>> test_complete_takes_them()
    """
    is_step = obj.get("object") == "thread.run.step"
    if event == "require_action":
        names = sorted(function_names(obj))
        count = 1 if obj.get("parallel_tool_calls") is False else draw(st.integers(1, 3))
        return {
            "tool_calls": [
                {
                    "id": f"call_{draw(_IDS)}{i}",
                    "type": "function",
                    "function": {"name": draw(st.sampled_from(names)), "arguments": "{}"},
                }
                for i in range(count)
            ]
        }
    if event == "submit_tool_outputs":
        return {
            "tool_outputs": [
                {"tool_call_id": call_id, "output": draw(st.text(max_size=20))}
                for call_id in pending_call_ids(obj)
            ]
        }
    if event in ("complete", "incomplete"):
        usage = draw(_usages())
        if event == "complete":
            return {"usage": usage}
        reason = draw(st.sampled_from(INCOMPLETE_REASONS))
        return {"usage": usage, "incomplete_details": {"reason": reason}}
    if event == "fail":
        codes = STEP_ERROR_CODES if is_step else RUN_ERROR_CODES
        return {
            "last_error": {
                "code": draw(st.sampled_from(codes)),
                "message": draw(st.text(max_size=20)),
            }
        }
    return {}


@dataclass(frozen=True)
class Event:
    """One event of a run's life: its name, when it happened, and the details the engine took."""

    event: str
    now: int
    details: dict[str, Any]


@dataclass(frozen=True)
class EventSequence:
    """A new ``queued`` run and legal events applied to it one after the other."""

    run: dict[str, Any]
    events: tuple[Event, ...]


def event_sequences(
    *, min_events: int = 0, max_events: int = 20
) -> st.SearchStrategy[EventSequence]:
    """Legal event sequences of any length from ``min_events`` to ``max_events``: a new run and
    events that ``advance`` takes one after the other at their times, each with valid details.

    Long sequences loop through tool calls (``require_action``, ``submit_tool_outputs``,
    ``start``), with clock steps that keep the run before its deadline until it may end.

    >>> import runcore
    >>> from hypothesis import given
    >>> @given(event_sequences(min_events=30, max_events=40))
    ... def test_every_sequence_replays(sequence):
    ...     run = sequence.run
    ...     for event in sequence.events:
    ...         run = runcore.advance(run, event.event, now=event.now, **event.details).run
    ...     assert len(sequence.events) >= 30 and runcore.validate(run) == []
    >>> test_every_sequence_replays()
    """
    if not 0 <= min_events <= max_events:
        raise ValueError(f"need 0 <= min_events <= max_events, got {min_events} and {max_events}")
    return _sequences(min_events, max_events)


@st.composite
def _sequences(draw: st.DrawFn, min_events: int, max_events: int) -> EventSequence:
    length = draw(st.integers(min_events, max_events))
    moments = [draw(_births())]
    while len(moments) <= length:
        moment, left = moments[-1], length - len(moments)  # events left after this one
        deadline = moment.run["expires_at"]
        if not isinstance(deadline, int):
            break  # the run ended
        budget = max(0, min(90, (deadline - moment.now - 1) // (left + 1)))
        now = moment.now + draw(st.integers(0, budget))
        if left == 0 and draw(st.integers(0, 9)) == 0:
            now = deadline
        legal = [
            event
            for event in legal_events(moment.run, now=now)
            if _room()[_dest(moment.run["status"], event)] >= left
        ]
        if not legal:
            break
        moments.append(draw(_lived(moment, draw(st.sampled_from(legal)), now)))
    events = tuple(Event(m.event, m.now, m.details) for m in moments[1:] if m.event is not None)
    return EventSequence(copy.deepcopy(moments[0].run), events)


def _dest(status: str, event: str) -> str:
    return next(dest for _, trigger, dest in exits(RUN_TABLE, status) if trigger == event)


@cache
def _room() -> dict[str, float]:
    """How many more events a walk from each status can take at most (a loop: any number)."""
    looping = {
        status
        for status in RUN_TABLE.statuses
        if any(status in reachable(RUN_TABLE, dest) for _, _, dest in exits(RUN_TABLE, status))
    }

    def room(status: str) -> float:
        if reachable(RUN_TABLE, status) & looping:
            return float("inf")
        return max((1 + room(dest) for _, _, dest in exits(RUN_TABLE, status)), default=0)

    return {status: room(status) for status in RUN_TABLE.statuses}


# -- what clients record -------------------------------------------------------------------------

_BY_CLIENT = ("submit_tool_outputs", "cancel")  # a request's answer is the run it made


def histories(*, max_events: int = 8) -> st.SearchStrategy[list[dict[str, Any]]]:
    """What a client that polls records of one run's life, in the order it received them.

    The run created (the create request's answer), each answer to the client's own requests
    (``submit_tool_outputs``, ``cancel``), and polls in between: a snapshot may be fetched several
    times or never, and a page of the run's steps (``GET .../steps?order=asc``) may follow a poll.
    The objects share nothing.

    >>> import runcore
    >>> from hypothesis import given
    >>> @given(histories())
    ... def test_every_snapshot_is_valid(history):
    ...     assert history[0]["status"] == "queued"
    ...     assert all(runcore.validate(obj) == [] for obj in history)
    >>> test_every_snapshot_is_valid()
    """
    return _histories(max_events)


@st.composite
def _histories(draw: st.DrawFn, max_events: int) -> list[dict[str, Any]]:
    recorded: list[dict[str, Any]] = []
    for index, moment in enumerate(draw(_lives(max_events, None))):
        answered = index == 0 or moment.event in _BY_CLIENT
        for _ in range(int(answered) + draw(st.integers(0, 2))):
            recorded.append(copy.deepcopy(moment.run))
            if draw(st.booleans()) and moment.steps:
                recorded.append(copy.deepcopy(page(list(moment.steps), "order=asc")))
    return recorded


def streams(*, max_events: int = 8) -> st.SearchStrategy[list[bytes]]:
    """What a streaming client records of one run's life: the event streams it received, as bytes.

    The first answers the create request (``stream: true``); each later one answers a
    ``submit_tool_outputs`` request. Each ends at ``requires_action`` or the run's end, then
    ``event: done`` / ``data: [DONE]``, framed as the hosted API framed them.

    >>> from hypothesis import given
    >>> @given(streams())
    ... def test_every_stream_ends_with_done(bodies):
    ...     assert bodies[0].startswith(b"event: thread.run.created\\n")
    ...     assert all(body.endswith(b"event: done\\ndata: [DONE]\\n\\n") for body in bodies)
    >>> test_every_stream_ends_with_done()
    """
    return _streams(max_events)


@st.composite
def _streams(draw: st.DrawFn, max_events: int) -> list[bytes]:
    bodies: list[bytes] = []
    current: list[tuple[str, dict[str, Any]]] = []
    for moment in draw(_lives(max_events, ("pause", None), streamed=True)):
        if moment.event == "submit_tool_outputs":
            bodies.append(stream(tuple(current)))
            current = []
        current += moment.sent
    return [*bodies, stream(tuple(current))]


# -- invalid variants ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    """An object that breaks exactly one rule, and the one finding that rule gives."""

    instance: Any
    kind: str
    rule: str
    code: str
    pointer: str

    @property
    def category(self) -> Category:
        """The checker that finds it (``schema``, ``invariant``)."""
        return CODES[self.code][0]


def _applies(name: str, kind: str, profile: Profile) -> bool:
    rule = RULES[name]
    kinds = rule.kinds
    item = PAGE_ITEM_KINDS.get(kind)
    # A request kind has one profile: the documented one.
    spec = profile == "spec" or not rule.spec_only or kind in REQUEST_KINDS
    return spec and (kind in kinds or item in kinds)


def invalid_variants(
    kind: str, *, profile: Profile = "spec", rule: str | None = None
) -> st.SearchStrategy[Variant]:
    """Objects of ``kind`` that break exactly one rule (``rule``, or any of :data:`RULES` that
    applies), each with the one finding ``validate`` gives for it.

    ``validate(variant.instance, kind, profile=profile)`` gives exactly one finding: an error with
    ``variant.code`` at ``variant.pointer``. Runs and steps are valid ones from :func:`runs` and
    :func:`run_steps` before they are broken, so lifecycle rules are among those broken; a list
    page has one of its items broken.

    >>> import runcore
    >>> from hypothesis import given
    >>> @given(invalid_variants("run"))
    ... def test_runcore_finds_exactly_what_was_broken(variant):
    ...     findings = runcore.validate(variant.instance, "run", profile="spec")
    ...     assert [(f.code, f.pointer) for f in findings] == [(variant.code, variant.pointer)]
    >>> test_runcore_finds_exactly_what_was_broken()
    """
    require_kind(kind)
    require_profile(profile)
    rules = [name for name in RULES if _applies(name, kind, profile)]
    if rule is not None and rule not in rules:
        raise ValueError(
            f"rule {rule!r} does not apply to {kind!r} under {profile!r}; rules: {rules}"
        )
    if not rules:
        raise ValueError(f"no rule of runcore.strategies.RULES applies to {kind!r}")
    return _variants(kind, profile, [rule] if rule else rules)


@st.composite
def _variants(draw: st.DrawFn, kind: str, profile: Profile, rules: list[str]) -> Variant:
    name = draw(st.sampled_from(rules))
    rule = RULES[name]
    item_kind = PAGE_ITEM_KINDS.get(kind, kind)
    instance = draw(_valid(item_kind, profile, rule.statuses.get(item_kind)))
    path, code = rule.mutation(draw, instance, profile)
    if item_kind != kind:  # the broken item is one of a page's
        items = draw(st.lists(_valid(item_kind, profile), max_size=2))
        index = draw(st.integers(0, len(items)))
        items.insert(index, instance)
        instance, path = page(items, "order=asc&limit=100"), ["data", index, *path]
    return Variant(instance, kind, name, code, pointer(path))


def _valid(
    kind: str, profile: Profile, statuses: tuple[str, ...] | None = None
) -> st.SearchStrategy[Any]:
    """Valid objects of ``kind``: runs and steps in one of ``statuses`` (any when None)."""
    if kind == "run":
        return st.sampled_from(statuses or RUN_STATUSES).flatmap(lambda s: runs(status=s))
    if kind == "run_step":
        return st.sampled_from(statuses or STEP_STATUSES).flatmap(lambda s: run_steps(status=s))
    return valid_objects(kind, profile=profile)
