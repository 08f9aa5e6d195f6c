"""Lifecycle engine figures: advance() per call, what copying the run costs, memory per live run,
building the Machine once.

Run: python bench/lifecycle.py   (prints figures; nothing is asserted)
"""

from __future__ import annotations

import copy
import json
import time
import timeit
import tracemalloc

from transitions import Machine

from runcore import advance, run_from_request
from runcore._json import copied
from runcore._lifecycle._engine import _machine
from runcore._tables import RUN_STATUSES, RUN_TABLE, RUN_TRANSITIONS

T0 = 1_700_000_000
TOOLS = [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}]
ASSISTANT = {"id": "asst_1", "model": "gpt-4o", "instructions": "Be brief.", "tools": TOOLS}
CALL = {"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": '{"q": 1}'}}
WALK = [
    ("start", {}),
    ("require_action", {"tool_calls": [CALL]}),
    ("submit_tool_outputs", {"tool_outputs": [{"tool_call_id": "call_1", "output": "42"}]}),
    ("start", {}),
    ("complete", {"usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}}),
]


def create(index: int) -> dict:
    return run_from_request(
        {"assistant_id": "asst_1"}, ASSISTANT, run_id=f"run_{index}", thread_id="thread_1", now=T0
    )


TEMPLATE = create(0)


def new_run(index: int) -> dict:
    """A run as run_from_request makes it, without paying its contract check 100,000 times."""
    return {**copy.deepcopy(TEMPLATE), "id": f"run_{index}"}


def per_created_run(count: int = 500) -> float:
    """µs per run_from_request (defaults, then the new run checked against the spec profile)."""
    start = time.perf_counter()
    for index in range(count):
        create(index)
    return (time.perf_counter() - start) / count * 1e6


def per_call_of_a_walk(walks: int = 20_000) -> float:
    """µs per advance() call over a typical walk (tool call round trip, then complete)."""
    runs = [new_run(i) for i in range(walks)]
    start = time.perf_counter()
    for run in runs:
        for offset, (event, details) in enumerate(WALK, 1):
            run = advance(run, event, now=T0 + offset, **details).run
    return (time.perf_counter() - start) / (walks * len(WALK)) * 1e6


def memory_per_live_run(count: int = 100_000) -> float:
    """Bytes per in_progress run held in memory (the run dicts are all the engine needs)."""
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    runs = [advance(new_run(i), "start", now=T0 + 1).run for i in range(count)]
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert len(runs) == count
    return held / count


def build_once(repeat: int = 200) -> float:
    """µs to build the run Machine from the table (done once, at import)."""
    start = time.perf_counter()
    for _ in range(repeat):
        _machine(RUN_TABLE)
    return (time.perf_counter() - start) / repeat * 1e6


# A run with 20 function tools with described parameters and 16 metadata entries (about 24 KB of
# JSON): the largest the contract allows of what a run carries unchanged from event to event.
LARGE_TOOLS = [
    {
        "type": "function",
        "function": {
            "name": f"tool_{i}",
            "description": "d" * 200,
            "parameters": {
                "type": "object",
                "properties": {
                    f"p{j}": {"type": "string", "description": "x" * 50} for j in range(8)
                },
                "required": ["p0"],
            },
        },
    }
    for i in range(20)
]


def best_µs(work, number: int) -> float:  # type: ignore[no-untyped-def]
    return min(timeit.repeat(work, number=number, repeat=5)) / number * 1e6


def copy_costs() -> list[tuple[str, float, float, float, float]]:
    """µs per copy of a run, by copied() and copy.deepcopy, against advance() itself and a plain
    dict update (the same fields set, nothing checked, nothing copied)."""
    typical = advance(new_run(0), "start", now=T0 + 1).run
    large = {**typical, "tools": LARGE_TOOLS, "metadata": {f"k{i}": "v" * 100 for i in range(16)}}
    usage = {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}

    def plain(run: dict) -> dict:
        new = dict(run)
        new.update(status="completed", completed_at=T0 + 2, expires_at=None, usage=dict(usage))
        return new

    figures = []
    for name, run, number in (("typical run", typical, 20_000), ("large run", large, 2_000)):
        figures.append(
            (
                f"{name} ({len(json.dumps(run)) / 1024:.1f} KiB)",
                best_µs(lambda run=run: copied(run), number),
                best_µs(lambda run=run: copy.deepcopy(run), number),
                best_µs(lambda run=run: advance(run, "complete", now=T0 + 2, usage=usage), number),
                best_µs(lambda run=run: plain(run), number),
            )
        )
    return figures


def machine_per_run(repeat: int = 200) -> float:
    """µs to build a Machine with a model per run, the design the engine avoids."""
    start = time.perf_counter()
    for _ in range(repeat):
        rows = [dict(row) for row in RUN_TRANSITIONS]
        Machine(
            model=type("Run", (), {})(),
            states=list(RUN_STATUSES),
            transitions=rows,
            initial="queued",
            auto_transitions=False,
        )
    return (time.perf_counter() - start) / repeat * 1e6


if __name__ == "__main__":
    print(f"advance(), typical walk:        {per_call_of_a_walk():8.1f} µs per call")
    for name, fast, deep, call, plain in copy_costs():
        print(
            f"{name}: copied() {fast:.1f} µs, copy.deepcopy {deep:.1f} µs;"
            f" advance(complete) {call:.1f} µs, a plain dict update {plain:.2f} µs"
        )
    print(f"run_from_request (checked):     {per_created_run():8.1f} µs per run")
    print(f"memory per live run (100,000):  {memory_per_live_run() / 1024:8.2f} KiB")
    print(f"build the run Machine once:     {build_once():8.1f} µs")
    print(f"(a Machine per run would cost:  {machine_per_run():8.1f} µs each, plus its memory)")
