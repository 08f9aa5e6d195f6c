"""validate, check and invariant_findings take time linear in their input: doubling the input at most
about doubles the time (a bound of 3 tells linear from quadratic, which is near 4)."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest

from runcore import ContractViolation, check, invariant_findings, validate
from tests.builders import make_run
from tests.timing import assert_time_linear

RUN = make_run("in_progress")
CALL = {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{"}}


def unknown_fields(n: int) -> dict[str, Any]:
    return {"assistant_id": "asst_1", **{f"field_{i}": i for i in range(n)}}


def checked(kind: str, **options: Any) -> Callable[[Any], Any]:
    return lambda value: validate(value, kind, **options)


def refused(value: Any) -> None:
    with pytest.raises(ContractViolation):
        check(value, "create_run_request")


CASES = [
    # One object with many findings: placing each in document order searched the object again.
    ("unknown fields", checked("create_run_request"), unknown_fields, 2000),
    ("check", refused, unknown_fields, 2000),
    (
        "strict unknown fields",
        checked("run", strict=True),
        lambda n: {**RUN, **{f"field_{i}": {"a": i} for i in range(n)}},
        2000,
    ),
    (
        "bad tool outputs",
        checked("submit_tool_outputs_request"),
        lambda n: {"tool_outputs": [{"tool_call_id": i, "output": [i]} for i in range(n)]},
        400,
    ),
    (
        "bad messages",
        checked("create_run_request"),
        lambda n: {
            "assistant_id": "asst_1",
            "additional_messages": [{"role": "x", "content": [{"type": "text", "text": 5}]}] * n,
        },
        100,
    ),
    (
        "page of runs",
        checked("run_list"),
        lambda n: {
            "object": "list",
            "data": [RUN] * n,
            "first_id": "a",
            "last_id": "b",
            "has_more": False,
        },
        16,
    ),
    ("NaN", checked("run"), lambda n: {**RUN, "extra": [math.nan] * n}, 2000),
    (
        "invariants",
        invariant_findings,
        lambda n: {
            **make_run("requires_action"),
            "required_action": {
                "type": "submit_tool_outputs",
                "submit_tool_outputs": {"tool_calls": [CALL] * n},
            },
        },
        1000,
    ),
]


@pytest.mark.parametrize(
    "call, make, size", [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_doubling_the_input_at_most_about_doubles_the_time(
    call: Callable[[Any], Any], make: Callable[[int], Any], size: int
) -> None:
    assert_time_linear(lambda n: partial(call, make(n)), size)
