"""The lifecycle calls take time linear in their input: doubling the tool calls, tool outputs, steps,
or the size of a run at most about doubles the time (quadratic would be near 4)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import pytest

from runcore import InvalidDetails, advance, legal_events, run_from_request, settle_steps
from tests.builders import T0, make_run, make_step
from tests.timing import assert_time_linear

NOW = T0 + 100
IN_PROGRESS = make_run("in_progress")


def calls(n: int, name: str = "lookup") -> list[dict[str, Any]]:
    return [
        {
            "id": f"call_{i}",
            "type": "function",
            "function": {"name": name.format(i), "arguments": "{}"},
        }
        for i in range(n)
    ]


def waiting_on(n: int) -> dict[str, Any]:
    action = {"type": "submit_tool_outputs", "submit_tool_outputs": {"tool_calls": calls(n)}}
    return {**make_run("requires_action"), "required_action": action}


def outputs(n: int, prefix: str = "call") -> list[dict[str, str]]:
    return [{"tool_call_id": f"{prefix}_{i}", "output": "42"} for i in range(n)]


def refused(call: Callable[..., Any]) -> Callable[[Any], None]:
    def run(arguments: tuple[Any, dict[str, Any]]) -> None:
        with pytest.raises(InvalidDetails):
            call(*arguments[0], **arguments[1])

    return run


def applied(call: Callable[..., Any]) -> Callable[[Any], Any]:
    return lambda arguments: call(*arguments[0], **arguments[1])


CASES = [
    # Tool calls and outputs stop at 128 (decisions.md#request-arrays-hold-at-most-128-items): more
    # is refused by the details schema; at most 128 are checked against a run of any size.
    (
        "submit of too many outputs",
        refused(advance),
        lambda n: (
            (waiting_on(1), "submit_tool_outputs"),
            {"now": NOW, "tool_outputs": outputs(n)},
        ),
        4000,
    ),
    (
        "submit answering none of the pending calls",
        refused(advance),
        lambda n: (
            (waiting_on(n), "submit_tool_outputs"),
            {"now": NOW, "tool_outputs": outputs(128, "other")},
        ),
        16_000,
    ),
    (
        "require_action of too many calls",
        refused(advance),
        lambda n: ((IN_PROGRESS, "require_action"), {"now": NOW, "tool_calls": calls(n)}),
        4000,
    ),
    (
        "require_action of unknown functions",
        refused(advance),
        lambda n: (
            (
                {
                    **IN_PROGRESS,
                    "tools": [
                        {"type": "function", "function": {"name": f"f{i}"}} for i in range(n)
                    ],
                },
                "require_action",
            ),
            {"now": NOW, "tool_calls": calls(128, "g{}")},
        ),
        16_000,
    ),
    (
        "malformed tool calls",
        refused(advance),
        lambda n: (
            (IN_PROGRESS, "require_action"),
            {"now": NOW, "tool_calls": [{"id": 5, "function": {"name": [1]}}] * n},
        ),
        200,
    ),
    (
        "a large run",
        applied(advance),
        lambda n: (
            ({**IN_PROGRESS, "extra": [{"a": i} for i in range(n)]}, "cancel"),
            {"now": NOW},
        ),
        16_000,
    ),
    (
        "settle_steps",
        applied(settle_steps),
        lambda n: (
            (make_run("cancelled"), [make_step("in_progress") for _ in range(n)]),
            {"now": T0 + 10**4},
        ),
        2000,
    ),
    (
        "steps of another run",
        refused(settle_steps),
        lambda n: (
            (make_run("cancelled"), [{**make_step("in_progress"), "run_id": "x"}] * n),
            {"now": T0 + 10**4},
        ),
        4000,
    ),
    (
        "legal_events",
        applied(legal_events),
        lambda n: (({**IN_PROGRESS, "extra": list(range(n))},), {"now": NOW}),
        100_000,
    ),
    (
        "run_from_request",
        refused(run_from_request),
        lambda n: (
            (
                {
                    "assistant_id": "a",
                    "metadata": {f"k{i}": "v" for i in range(n)},
                    "tools": [{"type": "x"}] * n,
                },
                {"model": "m"},
            ),
            {"run_id": "r", "thread_id": "t", "now": T0},
        ),
        100,
    ),
]


@pytest.mark.parametrize(
    "call, make, size", [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_doubling_the_input_at_most_about_doubles_the_time(
    call: Callable[[Any], Any], make: Callable[[int], Any], size: int
) -> None:
    assert_time_linear(lambda n: partial(call, make(n)), size)
