"""Replayable scenarios: event paths through the run lifecycle that together take every transition
and every two consecutive transitions of the run table, and every transition of the step table.

``runcore scenarios`` writes :func:`scenarios` as JSON. Each scenario is one run's life from its
creation: a list of events, each with who makes it (the client's request, or the server's model and
clock), when (seconds after the run was created), the details the engine takes, and the run's and its
steps' statuses after it. :func:`replay` replays one through runcore's engine.

The paths are planned from the table, guards included: ``complete`` and ``incomplete`` out of
``cancelling`` need a run that started, ``expire`` a clock past ``expires_at``, and the other
events a clock before it. There are as few paths as the table allows (a path that ends a run
can hold only one pair of transitions that ends it, so there are at least as many paths as such
pairs) and, among those, the fewest events in all (decisions.md#scenarios).
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Mapping
from importlib.metadata import version
from typing import Any

from runcore._graph import Edge, Pair, exits, pairs
from runcore._life import Moment, created, guarded, lived, next_moment
from runcore._lifecycle._creation import run_from_request
from runcore._tables import RUN_EXPIRES_IN, RUN_TABLE

__all__ = ["ASSISTANT", "CREATE", "T0", "Moment", "dumps", "replay", "scenarios"]

T0 = 1_732_233_600  # when replays start: 2024-11-22T00:00:00Z
ASSISTANT = {
    "id": "asst_scenarios",
    "model": "gpt-4o",
    "tools": [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
            },
        }
    ],
}
# Every scenario creates its run with a thread in one request, so none needs a thread first.
CREATE: dict[str, Any] = {
    "method": "POST",
    "path": "/v1/threads/runs",
    "body": {"assistant_id": ASSISTANT["id"]},
}
_RUN_PATH = "/v1/threads/{thread_id}/runs/{run_id}"
# The events a client makes with a request; the server makes the others (its model, its clock).
_REQUESTS = {
    "submit_tool_outputs": ("POST", _RUN_PATH + "/submit_tool_outputs"),
    "cancel": ("POST", _RUN_PATH + "/cancel"),
}


def scenarios() -> dict[str, Any]:
    """The scenarios document: the same for the same runcore version, byte for byte."""
    walks = _cover()
    return {
        "description": (
            "Event paths through the OpenAI Assistants API run lifecycle, written by runcore: "
            "together they take every transition and every two consecutive transitions of the "
            "run status table, and every transition of the step table. Create the run with "
            "`create` on a server whose `assistant` exists, then make each event at `at` seconds "
            "after the run's created_at (`expire` at its expires_at): the client's with its "
            "`request`, the server's through its test double of the model and the clock. After "
            "each event the run and its steps (in creation order) have `status` and `steps`."
        ),
        "runcore": version("runcore"),
        "assistant": ASSISTANT,
        "create": CREATE,
        "expires_in": RUN_EXPIRES_IN,
        "scenarios": [_scenario(index, walk) for index, walk in enumerate(walks, start=1)],
    }


def replay(scenario: Mapping[str, Any], *, now: int = T0) -> list[Moment]:
    """The moments of one scenario replayed through runcore's engine from a run created at ``now``:
    the creation first, then one per event. Raises what the engine raises if it refuses an event."""
    moments = [_created(str(scenario["id"]), now)]
    for event in scenario["events"]:
        moments.append(
            lived(moments[-1], event["event"], now=now + event["at"], details=event["details"])
        )
    return moments


# -- planning ------------------------------------------------------------------------------------


def _cover() -> list[tuple[str, ...]]:
    """Walks that take every pair of the run table: one per pair that ends a run, ending with it,
    and among those the fewest events in all.

    A breadth-first search over (the run's status and guards, the last edge, the pairs that keep
    the run live taken so far) gives the shortest walk ending with each ending pair for each set
    of live pairs it takes; then the cheapest choice of one walk per ending pair that takes every
    live pair. The run table has six live pairs: 64 sets.
    """
    every = pairs(RUN_TABLE)
    live = [pair for pair in every if pair[1][2] not in RUN_TABLE.terminal]
    bits = {pair: 1 << index for index, pair in enumerate(live)}
    moves, start = _moves()
    ends: dict[Pair, dict[int, tuple[str, ...]]] = {}
    queue: deque[tuple[Any, tuple[str, ...], Edge | None, int]] = deque([(start, (), None, 0)])
    seen: set[tuple[Any, ...]] = set()
    while queue:
        state, walk, last, taken = queue.popleft()
        for edge, after in moves[state]:
            if last is not None and edge[2] in RUN_TABLE.terminal:
                ends.setdefault((last, edge), {}).setdefault(taken, (*walk, edge[1]))
            elif edge[2] not in RUN_TABLE.terminal:
                now_taken = taken | bits.get((last, edge), 0) if last is not None else taken
                if (after, edge, now_taken) not in seen:
                    seen.add((after, edge, now_taken))
                    queue.append((after, (*walk, edge[1]), edge, now_taken))
    best: dict[int, tuple[int, tuple[tuple[str, ...], ...]]] = {0: (0, ())}
    for pair in (pair for pair in every if pair not in bits):
        if pair not in ends:
            raise ValueError(f"no legal walk takes {pair}")
        chosen: dict[int, tuple[int, tuple[tuple[str, ...], ...]]] = {}
        for mask, (length, walks) in best.items():
            for taken, walk in ends[pair].items():
                candidate = (length + len(walk), (*walks, walk))
                if mask | taken not in chosen or candidate[0] < chosen[mask | taken][0]:
                    chosen[mask | taken] = candidate
        best = chosen
    return list(best[(1 << len(live)) - 1][1])


def _moves() -> tuple[dict[Any, list[tuple[Edge, Any]]], Any]:
    """The engine's legal moves between states (a status and the guards that hold), each found
    by replaying an event on the first run seen in that state, and the new run's state."""
    start = _created("plan", T0)
    found = {guarded(start): start}
    moves: dict[Any, list[tuple[Edge, Any]]] = {}
    queue = deque([guarded(start)])
    while queue:
        state = queue.popleft()
        moves[state] = []
        for edge in exits(RUN_TABLE, found[state].run["status"]):
            after = next_moment(found[state], edge[1])
            if after is not None:
                moves[state].append((edge, guarded(after)))
                if guarded(after) not in found:
                    found[guarded(after)] = after
                    queue.append(guarded(after))
    return moves, guarded(start)


def _created(name: str, now: int) -> Moment:
    run = run_from_request(
        CREATE["body"], ASSISTANT, run_id=f"run_{name}", thread_id=f"thread_{name}", now=now
    )
    return created(run)


# -- the document --------------------------------------------------------------------------------


def _scenario(index: int, walk: tuple[str, ...]) -> dict[str, Any]:
    name = f"s{index:02d}"
    moments = [_created(name, T0)]
    for event in walk:
        after = next_moment(moments[-1], event)
        assert after is not None, f"the planned walk {walk} is refused at {event!r}"
        moments.append(after)
    return {
        "id": name,
        "statuses": [moment.run["status"] for moment in moments],
        "events": [
            _event(before, after) for before, after in zip(moments, moments[1:], strict=False)
        ],
    }


def _event(before: Moment, after: Moment) -> dict[str, Any]:
    event = after.event
    assert event is not None
    entry: dict[str, Any] = {
        "event": event,
        "by": "client" if event in _REQUESTS else "server",
        "at": after.now - before.run["created_at"],
        "details": after.details,
    }
    if event in _REQUESTS:
        method, path = _REQUESTS[event]
        body = entry["details"] or None
        entry["request"] = {"method": method, "path": path, "body": body}
    entry["status"] = after.run["status"]
    entry["steps"] = [step["status"] for step in after.steps]
    return entry


def dumps(document: Mapping[str, Any]) -> str:
    """The scenarios document as ``runcore scenarios`` writes it: 2-space indent, a final newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
