"""Malformed runs, steps, details and arguments: the lifecycle calls raise only runcore's documented
errors, never change their input, and name what is wrong.

A table of probes: every field of a run in every status replaced by a value of every odd shape, under
every event; every member of every event's details; every argument of every call.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from runcore import (
    RUN_STATUSES,
    ClockSkew,
    IllegalTransition,
    InvalidArgument,
    InvalidDetails,
    StatusConflict,
    advance,
    advance_step,
    legal_events,
    run_from_request,
    settle_steps,
)
from runcore._tables import RUN_TABLE
from tests.builders import DETAILS, T0, make_run, make_step
from tests.hostile import ODD, looped, nested, same, snapshot

ADVANCE_ERRORS = (StatusConflict, IllegalTransition, InvalidDetails, InvalidArgument)
RUNS = {status: make_run(status) for status in RUN_STATUSES}
LATER = T0 + 10**6  # later than every timestamp of RUNS and past their expires_at
NOW = T0 + 100  # later than every timestamp of RUNS, before their expires_at
FIELDS = sorted({field for run in RUNS.values() for field in run})


def probe(
    allowed: tuple[type[Exception], ...], function: Callable[..., Any], *args: Any, **kwargs: Any
) -> Any:
    """Call, allowing only the documented errors, and prove the arguments unchanged."""
    before = snapshot([args, kwargs])
    try:
        return function(*args, **kwargs)
    except allowed as error:
        assert str(error)
        return error
    finally:
        assert same([args, kwargs], before)


@pytest.mark.parametrize("field", [*FIELDS, "(absent status)"])
def test_a_run_with_any_field_of_any_shape_is_advanced_or_refused_with_a_documented_error(
    field: str,
) -> None:
    for good in RUNS.values():
        for odd in ODD.values():
            run = dict(good)
            if field == "(absent status)":
                del run["status"]
            else:
                run[field] = odd
            for event in RUN_TABLE.events:
                details = DETAILS.get(event, {})
                probe(ADVANCE_ERRORS, advance, run, event, now=LATER, **details)
            probe((ClockSkew,), legal_events, run, now=LATER)
            probe((InvalidDetails,), settle_steps, run, [make_step("in_progress")], now=LATER)


def detail_paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every member of a details value, the whole of it first."""
    members = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else []
    )
    return [path] + [p for key, child in members for p in detail_paths(child, (*path, key))]


DETAIL_PROBES = [
    (event, path) for event, details in DETAILS.items() for path in detail_paths(details) if path
]
AT = {
    "require_action": "in_progress",
    "submit_tool_outputs": "requires_action",
    "complete": "in_progress",
}


@pytest.mark.parametrize(
    "event, path", DETAIL_PROBES, ids=["-".join(map(str, (e, *p))) for e, p in DETAIL_PROBES]
)
def test_details_of_any_shape_are_refused_with_findings_at_their_pointers(
    event: str, path: tuple[Any, ...]
) -> None:
    run = RUNS[AT.get(event, "in_progress")]
    for odd in ODD.values():
        details = copy.deepcopy(DETAILS[event])
        holder = details
        for key in path[:-1]:
            holder = holder[key]
        holder[path[-1]] = odd
        outcome = probe(ADVANCE_ERRORS, advance, run, event, now=NOW, **details)
        if isinstance(outcome, InvalidDetails):  # findings point into the keyword changed
            assert all(f.pointer.startswith(f"/{path[0]}") for f in outcome.findings)


def test_a_tool_call_name_that_is_a_list_is_a_finding_not_a_type_error() -> None:
    call = {"id": "call_1", "type": "function", "function": {"name": ["lookup"], "arguments": "{}"}}
    with pytest.raises(InvalidDetails) as raised:
        advance(RUNS["in_progress"], "require_action", now=NOW, tool_calls=[call])
    assert [(f.code, f.pointer) for f in raised.value.findings] == [
        ("wrong_type", "/tool_calls/0/function/name")
    ]


@pytest.mark.parametrize("odd", list(ODD.values()), ids=list(ODD))
def test_a_malformed_required_action_on_submit_is_refused_with_a_finding(odd: Any) -> None:
    run = {**RUNS["requires_action"], "required_action": odd}
    outputs = DETAILS["submit_tool_outputs"]["tool_outputs"]
    with pytest.raises(InvalidDetails) as raised:
        advance(run, "submit_tool_outputs", now=NOW, tool_outputs=outputs)
    assert [f.code for f in raised.value.findings] == ["no_pending_tool_calls"]


NOT_A_DICT = [
    ("/run", advance, ("start",), {"now": T0}),
    ("/run", legal_events, (), {"now": T0}),
    ("/run", settle_steps, ([],), {"now": T0}),
    ("/step", advance_step, ("complete",), {"now": T0}),
]


@pytest.mark.parametrize("odd", list(ODD.values()), ids=list(ODD))
def test_a_run_or_step_that_is_not_a_dict_is_an_invalid_argument_naming_it(odd: Any) -> None:
    if isinstance(odd, dict):
        return
    errors = [
        (where, probe((InvalidArgument,), function, odd, *args, **kwargs))
        for where, function, args, kwargs in NOT_A_DICT
    ]
    steps = [make_step("in_progress"), odd]
    errors.append(
        ("/steps/1", probe((InvalidArgument,), settle_steps, RUNS["cancelled"], steps, now=LATER))
    )
    for where, args in (
        ("/request", (odd, {"model": "m"})),
        ("/assistant", ({"assistant_id": "a"}, odd)),
    ):
        call = probe((InvalidArgument,), run_from_request, *args, run_id="r", thread_id="t", now=T0)
        errors.append((where, call))
    for where, error in errors:
        assert isinstance(error, InvalidArgument) and error.pointer == where, where
        assert "must be a JSON object" in str(error)


@pytest.mark.parametrize("odd", list(ODD.values()), ids=list(ODD))
def test_steps_that_are_not_a_list_are_an_invalid_argument(odd: Any) -> None:
    if isinstance(odd, (list, tuple)):
        return
    error = probe((InvalidArgument,), settle_steps, RUNS["cancelled"], odd, now=LATER)
    assert isinstance(error, InvalidArgument) and error.pointer == "/steps"


@pytest.mark.parametrize("odd", list(ODD.values()), ids=list(ODD))
def test_a_status_of_any_shape_gives_no_legal_event_and_settles_nothing(odd: Any) -> None:
    run = {**RUNS["cancelled"], "status": odd}
    step = make_step("in_progress")
    if odd in RUN_STATUSES:
        return
    assert legal_events(run, now=LATER) == []
    (settled,) = settle_steps(run, [step], now=LATER)
    assert (settled.step, settled.events) == (step, ())
    with pytest.raises(IllegalTransition, match="the status is not one of"):
        advance(run, "cancel", now=LATER)


@pytest.mark.parametrize("odd", list(ODD.values()), ids=list(ODD))
def test_an_event_now_or_expected_status_of_any_shape_is_a_documented_refusal(odd: Any) -> None:
    run, step = RUNS["queued"], make_step("in_progress")
    probe(ADVANCE_ERRORS, advance, run, odd, now=T0 + 1)
    probe(ADVANCE_ERRORS, advance, run, "start", now=odd)
    probe(ADVANCE_ERRORS, advance, run, "start", now=T0 + 1, expected_status=odd)
    probe(ADVANCE_ERRORS, advance, run, "start", now=T0 + 1, extra=odd)
    probe(ADVANCE_ERRORS, advance_step, step, odd, now=T0 + 2)
    probe((ClockSkew,), legal_events, run, now=odd)


def test_a_run_that_contains_itself_or_nests_too_deep_is_refused_naming_the_member() -> None:
    for odd, code in ((looped(), "circular reference"), (nested(600), "nesting too deep")):
        run = {**RUNS["queued"], "metadata": {"x": odd}}
        with pytest.raises(InvalidArgument, match=code) as raised:
            advance(run, "start", now=T0 + 1)
        assert raised.value.pointer.startswith("/run/metadata/x")
        step = {**make_step("in_progress"), "metadata": odd}
        with pytest.raises(InvalidArgument) as raised:
            settle_steps(RUNS["in_progress"], [step], now=LATER)
        assert raised.value.pointer.startswith("/steps/0/metadata")


REQUEST_FIELDS = [
    "assistant_id",
    "model",
    "instructions",
    "additional_instructions",
    "tools",
    "metadata",
    "temperature",
    "top_p",
    "max_prompt_tokens",
    "truncation_strategy",
    "tool_choice",
    "parallel_tool_calls",
    "response_format",
]


@pytest.mark.parametrize("field", REQUEST_FIELDS)
def test_a_request_or_assistant_setting_of_any_shape_makes_a_valid_run_or_a_refusal(
    field: str,
) -> None:
    assistant: dict[str, Any] = {"id": "asst_1", "model": "gpt-4o"}
    for odd in ODD.values():
        for request, settings in (
            ({"assistant_id": "asst_1", field: odd}, assistant),
            ({"assistant_id": "asst_1"}, {**assistant, field: odd}),
        ):
            ids = {"run_id": "run_1", "thread_id": "thread_1", "now": T0}
            probe((InvalidDetails,), run_from_request, request, settings, **ids)


@pytest.mark.parametrize("odd", list(ODD.values()), ids=list(ODD))
def test_run_from_request_arguments_of_any_shape_are_documented_refusals(odd: Any) -> None:
    args = ({"assistant_id": "asst_1"}, {"model": "gpt-4o"})
    probe((InvalidDetails,), run_from_request, *args, run_id=odd, thread_id="t", now=T0)
    probe((InvalidDetails,), run_from_request, *args, run_id="r", thread_id=odd, now=T0)
    probe((InvalidDetails,), run_from_request, *args, run_id="r", thread_id="t", now=odd)
    kwargs = {"run_id": "r", "thread_id": "t", "now": T0, "expires_in": odd}
    probe((InvalidDetails,), run_from_request, *args, **kwargs)


@pytest.mark.parametrize(
    "extra", [5, ["more"], {"a": 1}, True, 10**5000], ids=["int", "list", "dict", "bool", "huge"]
)
def test_additional_instructions_that_are_not_a_string_are_refused_not_written_as_str(
    extra: Any,
) -> None:
    request = {"assistant_id": "asst_1", "additional_instructions": extra}
    with pytest.raises(InvalidDetails) as raised:
        run_from_request(
            request,
            {"model": "gpt-4o", "instructions": "Be brief."},
            run_id="r",
            thread_id="t",
            now=T0,
        )
    assert [(f.code, f.pointer) for f in raised.value.findings] == [
        ("wrong_type", "/additional_instructions")
    ]


def test_instructions_that_are_not_a_string_are_refused_even_with_additional_instructions() -> None:
    request = {"assistant_id": "asst_1", "instructions": 5, "additional_instructions": "More."}
    with pytest.raises(InvalidDetails) as raised:
        run_from_request(request, {"model": "gpt-4o"}, run_id="r", thread_id="t", now=T0)
    assert [(f.code, f.pointer) for f in raised.value.findings] == [("wrong_type", "/instructions")]


def test_a_step_that_contains_itself_is_named_by_its_place_among_the_steps() -> None:
    step = {**make_step("in_progress"), "metadata": looped()}
    with pytest.raises(InvalidArgument) as raised:
        settle_steps(RUNS["cancelled"], [make_step("in_progress"), step], now=LATER)
    assert raised.value.pointer == "/steps/1/metadata/self"


@pytest.mark.parametrize("name", ["run", "event", "step"])
def test_a_detail_named_like_the_run_or_the_event_is_an_unknown_detail(name: str) -> None:
    for call, obj in ((advance, RUNS["queued"]), (advance_step, make_step("in_progress"))):
        with pytest.raises(InvalidDetails) as raised:
            call(obj, "start" if call is advance else "cancel", now=NOW, **{name: "x"})
        assert [(f.code, f.pointer) for f in raised.value.findings] == [
            ("unknown_field", f"/{name}")
        ]
