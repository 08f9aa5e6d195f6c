"""The wire forms: JSON bodies, server-sent events, ids."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings

from runcore import (
    ID_PREFIXES,
    SSE_DONE,
    ContractViolation,
    UnknownKind,
    json_body,
    new_id,
    sse_event,
)
from runcore.strategies import json_values
from tests.recorded import REAL_FILES, needs_recordings


def test_a_json_body_is_indented_by_two_spaces_in_key_order_without_a_final_newline() -> None:
    body = {"error": {"message": "é", "type": "t", "param": None, "code": None}}
    assert json_body(body) == (
        b'{\n  "error": {\n    "message": "\xc3\xa9",\n    "type": "t",\n'
        b'    "param": null,\n    "code": null\n  }\n}'
    )


@settings(max_examples=50)
@given(value=json_values())
def test_any_json_value_round_trips_through_its_body_and_its_event(value) -> None:
    assert json.loads(json_body(value)) == value
    event = sse_event("thread.run.step.delta", value)
    name, data, end = event.split(b"\n", 2)
    assert (name, end) == (b"event: thread.run.step.delta", b"\n")
    assert data.startswith(b"data: ") and json.loads(data[6:]) == value


@pytest.mark.parametrize("value", [float("nan"), {"a": [1, float("inf")]}, {1, 2}])
def test_a_value_json_cannot_carry_is_a_contract_violation(value) -> None:
    with pytest.raises(ContractViolation):
        json_body(value)
    with pytest.raises(ContractViolation):
        sse_event("thread.run.created", value)


def test_a_non_finite_number_is_named_at_its_pointer() -> None:
    with pytest.raises(ContractViolation) as refused:
        json_body({"a": [1, float("inf")]})
    assert [(f.pointer, f.code) for f in refused.value.findings] == [("/a/1", "non_finite_number")]


@pytest.mark.parametrize("name", ["", "thread.run\ndata: x", "Thread.Run", "done!"])
def test_an_event_name_that_would_break_the_framing_is_refused(name: str) -> None:
    with pytest.raises(ContractViolation):
        sse_event(name, {})


@needs_recordings
def test_recorded_streams_are_framed_byte_for_byte() -> None:
    streams = [path for path in REAL_FILES if path.suffix == ".sse"]
    assert streams
    for path in streams:
        recorded = path.read_bytes()
        framed = b""
        for block in recorded.split(b"\n\n")[:-1]:
            name, data = (line.split(b": ", 1)[1] for line in block.split(b"\n"))
            framed += SSE_DONE if name == b"done" else sse_event(name.decode(), json.loads(data))
        assert framed == recorded, path.name


def test_ids_have_the_api_form_and_do_not_repeat() -> None:
    for prefix in ID_PREFIXES.values():
        made = {new_id(prefix) for _ in range(1000)}
        assert len(made) == 1000
        assert all(re.fullmatch(prefix + r"_[A-Za-z0-9]{24}", made_id) for made_id in made)
    with pytest.raises(UnknownKind):
        new_id("runs")
