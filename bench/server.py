"""Server kit figures: requests in, answers out, pages, catch_up, and the repeated-parameter ratio.

Run: python bench/server.py   (prints figures; nothing is asserted)
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import runcore

T0 = 1_700_000_000
TOOLS = [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}]
BODY = json.dumps(
    {
        "assistant_id": "asst_1",
        "instructions": "Be brief.",
        "tools": TOOLS,
        "metadata": {"user": "u_1"},
        "temperature": 0.7,
    }
).encode()
BAD_BODY = BODY.replace(b"0.7", b"2.7")


def best(call: Callable[[], Any], runs: int = 5, count: int = 1) -> float:
    """The best of ``runs`` timings of ``count`` calls, in µs per call."""
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        for _ in range(count):
            call()
        timings.append((time.perf_counter() - start) / count * 1e6)
    return min(timings)


def refused(body: bytes) -> None:
    try:
        runcore.accept_request(body, "create_run_request")
    except runcore.ApiError as error:
        runcore.json_body(error.body)


def main() -> None:
    def accepted() -> Any:
        return runcore.accept_request(BODY, "create_run_request")

    print(f"accept_request, valid create body ({len(BODY)} B): {best(accepted, count=2000):.1f} µs")
    answered = best(lambda: refused(BAD_BODY), count=500)
    print(f"accept_request, refused body, and json_body of its answer: {answered:.1f} µs")

    run = runcore.run_from_request(
        {"assistant_id": "asst_1"},
        {"model": "gpt-4o", "tools": TOOLS},
        run_id="run_1",
        thread_id="thread_1",
        now=T0,
    )
    for label, now in (("nothing due", T0 + 1), ("expiry due", T0 + 600)):
        took = best(lambda: runcore.catch_up(run, now=now), count=5000)  # noqa: B023
        print(f"catch_up, {label}: {took:.1f} µs")

    for size in (1_000, 10_000, 100_000):
        items = [{"id": f"run_{index:06d}"} for index in range(size)]
        query = {"after": items[size // 2]["id"]}
        took = best(lambda: runcore.page(items, query), count=10) / 1000  # noqa: B023
        print(f"page of 20 from {size:,} items, after a cursor in the middle: {took:.2f} ms")

    for repeats in (20_000, 40_000, 80_000):
        text = "&".join(["order=asc"] * repeats)
        took = best(lambda: runcore.parse_list_query(text)) / 1000  # noqa: B023
        print(f"parse_list_query, {repeats:,} repeats of one parameter: {took:.1f} ms")


if __name__ == "__main__":
    main()
