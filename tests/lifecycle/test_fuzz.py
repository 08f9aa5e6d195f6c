"""Fuzz of the lifecycle's public entry points: advance, advance_step, settle_steps, legal_events and
run_from_request. Whatever the run, steps, details, clock and arguments: no error but runcore's
documented ones, no input changed, and what the docs promise (a new run that keeps the contract and
shares nothing with its input, legal events that advance accepts). ``RUNCORE_FUZZ=long`` tries 40
times as many examples."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

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
    validate,
)
from runcore._graph import edges
from runcore._tables import RUN_TABLE, STEP_TABLE
from runcore.strategies import event_details, runs, valid_objects
from tests.builders import DETAILS
from tests.hostile import containers, fuzz, hostile_values, odd_values, planted, same, snapshot

ADVANCE_ERRORS = (StatusConflict, IllegalTransition, InvalidDetails, InvalidArgument)
EVENTS = st.one_of(st.sampled_from(RUN_TABLE.events), odd_values())
CLOCKS = st.one_of(
    st.integers(1_600_000_000, 1_900_000_000), st.integers(-(10**12), 10**12), odd_values()
)


@st.composite
def details_for(draw: st.DrawFn, event: Any, obj: dict[str, Any] | None) -> dict[str, Any]:
    """Valid details for the event on ``obj`` (or typical ones when it is malformed: None), the same
    with a hostile value planted, or hostile ones."""
    if event not in RUN_TABLE.events:
        valid: st.SearchStrategy[dict[str, Any]] = st.just({})
    else:
        valid = st.just(DETAILS.get(event, {})) if obj is None else event_details(event, obj=obj)
    choice = draw(st.integers(0, 2))
    if choice == 0:
        return draw(valid)
    if choice == 1:
        details, _ = draw(planted(valid))
        if not isinstance(details, dict):
            return {"details": details}
        # A detail cannot take the name of the call's own keywords: Python refuses that call.
        return {k: v for k, v in details.items() if k not in ("now", "expected_status")}
    return draw(
        st.dictionaries(
            st.sampled_from(["usage", "tool_calls", "tool_outputs", "extra"]),
            hostile_values(),
            max_size=2,
        )
    )


def assert_shares_nothing(new: Any, *inputs: Any) -> None:
    assert not containers(new) & set().union(*(containers(value) for value in inputs))


@fuzz(400)
@given(data=st.data(), run=runs(), event=EVENTS)
def test_advance_on_a_valid_run_keeps_the_contract_or_refuses(
    data: Any, run: dict[str, Any], event: Any
) -> None:
    later = max(v for k, v in run.items() if k.endswith("_at") and isinstance(v, int))
    now = data.draw(st.one_of(st.integers(later, later + 700), CLOCKS))
    details = data.draw(details_for(event, run))
    expected = data.draw(
        st.one_of(st.none(), st.just(run["status"]), st.sampled_from(RUN_STATUSES), odd_values())
    )
    before = snapshot([run, details])
    try:
        result = advance(run, event, now=now, expected_status=expected, **details)
    except ADVANCE_ERRORS as error:
        assert str(error)
    else:
        assert validate(result.run, "run", profile="spec") == []
        assert result.events == (f"thread.run.{result.run['status']}",)
        assert_shares_nothing(result.run, run, details)
    assert same([run, details], before)


@fuzz(300)
@given(data=st.data(), drawn=planted(runs()), event=EVENTS, now=CLOCKS)
def test_advance_and_legal_events_on_a_malformed_run_raise_only_documented_errors(
    data: Any, drawn: tuple[Any, list[Any]], event: Any, now: Any
) -> None:
    run, _ = drawn
    details = data.draw(details_for(event, None))
    before = snapshot([run, details])
    try:
        advance(run, event, now=now, **details)
    except ADVANCE_ERRORS:
        pass
    try:
        assert set(legal_events(run, now=now)) <= set(RUN_TABLE.events)
    except (ClockSkew, InvalidArgument):
        pass
    assert same([run, details], before)


@fuzz(200)
@given(data=st.data(), run=runs())
def test_every_legal_event_is_accepted_with_valid_details(data: Any, run: dict[str, Any]) -> None:
    later = max(v for k, v in run.items() if k.endswith("_at") and isinstance(v, int))
    now = data.draw(st.integers(later, later + 700))
    for event in legal_events(run, now=now):
        result = advance(run, event, now=now, **data.draw(event_details(event, obj=run)))
        assert (run["status"], event, result.run["status"]) in edges(RUN_TABLE)
        assert validate(result.run, "run", profile="spec") == []


@fuzz(300)
@given(data=st.data(), drawn=planted(valid_objects("run_step")), now=CLOCKS)
def test_advance_step_raises_only_documented_errors(
    data: Any, drawn: tuple[Any, list[Any]], now: Any
) -> None:
    step, _ = drawn
    event = data.draw(st.one_of(st.sampled_from(STEP_TABLE.events), odd_values()))
    details = data.draw(details_for(event, None))
    before = snapshot([step, details])
    try:
        result = advance_step(step, event, now=now, **details)
    except ADVANCE_ERRORS[1:]:
        pass
    else:
        assert result.events == (f"thread.run.step.{result.step['status']}",)
        assert_shares_nothing(result.step, step, details)
    assert same([step, details], before)


@fuzz(200)
@given(
    run=st.one_of(runs(), planted(runs()).map(lambda drawn: drawn[0])),
    steps=st.one_of(
        st.lists(
            st.one_of(
                valid_objects("run_step"), planted(valid_objects("run_step")).map(lambda d: d[0])
            ),
            max_size=4,
        ),
        hostile_values(),
    ),
    now=st.one_of(st.just(1_950_000_000), CLOCKS),
)
def test_settle_steps_gives_one_step_per_step_or_a_documented_error(
    run: Any, steps: Any, now: Any
) -> None:
    before = snapshot([run, steps])
    try:
        settled = settle_steps(run, steps, now=now)
    except (InvalidDetails, InvalidArgument):
        pass
    else:
        assert len(settled) == len(steps)
        assert_shares_nothing([s.step for s in settled], run, steps)
    assert same([run, steps], before)


@fuzz(300)
@given(
    request=st.one_of(
        valid_objects("create_run_request"),
        planted(valid_objects("create_run_request")).map(lambda d: d[0]),
    ),
    assistant=st.one_of(
        st.fixed_dictionaries(
            {"model": st.just("gpt-4o")},
            optional={"instructions": st.text(max_size=5), "tools": st.just([])},
        ),
        hostile_values(),
    ),
    now=st.one_of(st.just(1_700_000_000), CLOCKS),
    expires_in=st.one_of(st.just(600), odd_values()),
)
def test_run_from_request_makes_a_valid_run_or_refuses(
    request: Any, assistant: Any, now: Any, expires_in: Any
) -> None:
    before = snapshot([request, assistant])
    try:
        run = run_from_request(
            request, assistant, run_id="run_1", thread_id="thread_1", now=now, expires_in=expires_in
        )
    except (InvalidDetails, InvalidArgument) as error:  # ClockSkew included
        assert not isinstance(error, ClockSkew) or error.findings[0].pointer == "/now"
    else:
        assert validate(run, "run", profile="spec") == []
        assert_shares_nothing(run, request, assistant)
    assert same([request, assistant], before)
