"""runcore.strategies: every valid draw passes every check, every invalid variant gives exactly its
finding, and every docstring example runs."""

from __future__ import annotations

import doctest
import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

import runcore
import runcore.strategies as strategies
from runcore import (
    KINDS,
    PROFILES,
    RUN_STATUSES,
    STEP_STATUSES,
    UnknownKind,
    _schema_strategies,
    validate,
)
from runcore._check._corpus import Summary, checked
from runcore._check._readers import READERS
from runcore._schema_strategies import _conjunction
from runcore.strategies import (
    RULES,
    event_sequences,
    histories,
    invalid_variants,
    json_values,
    request_bodies,
    run_steps,
    runs,
    streams,
    valid_objects,
)

LEAN = settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))


def test_an_unknown_kind_is_refused_when_the_strategy_is_made() -> None:
    with pytest.raises(UnknownKind):
        valid_objects("runs")


@pytest.mark.parametrize(
    "schema",
    [{"type": "string", "format": "date-time"}, {"oneOf": [{"type": "string"}]}, {"not": {}}],
    ids=["format", "oneOf", "not"],
)
def test_a_keyword_the_strategies_do_not_know_fails_loudly(schema: dict[str, Any]) -> None:
    with pytest.raises(NotImplementedError, match="keywords"):
        find(_conjunction([(schema, "")]), lambda _: True)


def test_a_condition_other_than_a_discriminating_const_fails_loudly() -> None:
    schema = {
        "type": "object",
        "if": {"properties": {"a": {"type": "string"}}},
        "then": {"required": ["a"]},
    }
    with pytest.raises(NotImplementedError, match="branch on one property"):
        find(_conjunction([(schema, "")]), lambda _: True)


@given(json_values())
def test_json_values_are_json(value: Any) -> None:
    assert json.loads(json.dumps(value)) == value


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(runs())
def test_runs_drawn_by_walking_the_table_keep_the_whole_contract(run: dict[str, Any]) -> None:
    assert validate(run, "run", profile="spec") == []
    assert validate(run) == []


def search(strategy: Any, condition: Any) -> Any:
    return find(
        strategy,
        condition,
        settings=settings(
            max_examples=3000,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        ),
    )


@pytest.mark.parametrize("status", RUN_STATUSES)
def test_runs_reach_every_status_by_themselves(status: str) -> None:
    found = search(runs(), lambda run: run["status"] == status)
    assert validate(found, "run", profile="spec") == []


@LEAN
@pytest.mark.parametrize("status", RUN_STATUSES)
@given(data=st.data())
def test_runs_in_a_given_status_are_in_it_and_keep_the_whole_contract(
    status: str, data: Any
) -> None:
    run = data.draw(runs(status=status))
    assert run["status"] == status
    assert validate(run, "run", profile="spec") == []


@LEAN
@pytest.mark.parametrize("status", STEP_STATUSES)
@given(data=st.data())
def test_run_steps_in_a_given_status_are_in_it_and_keep_the_whole_contract(
    status: str, data: Any
) -> None:
    step = data.draw(run_steps(status=status))
    assert step["status"] == status
    assert validate(step, "run_step", profile="spec") == []


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: runs(status="paused"), "unknown run status"),
        (lambda: run_steps(status="queued"), "unknown step status"),
        (lambda: request_bodies("run"), "not a request kind"),
        (lambda: request_bodies("list_query", run={}), "run= is for"),
        (lambda: request_bodies("submit_tool_outputs_request", run={}), "no pending tool calls"),
        (lambda: event_sequences(min_events=3, max_events=2), "min_events <= max_events"),
        (
            lambda: invalid_variants("run", profile="observed", rule="token_limit_below_256"),
            "does not apply",
        ),
    ],
    ids=[
        "run-status",
        "step-status",
        "response-kind",
        "run-for-a-query",
        "no-calls",
        "lengths",
        "rule",
    ],
)
def test_arguments_that_cannot_be_met_are_refused_when_the_strategy_is_made(
    make: Any, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        make()


ASSISTANT = {"id": "asst_1", "model": "gpt-4o", "tools": [strategies._FUNCTION_TOOL]}


@LEAN
@pytest.mark.parametrize("kind", runcore.REQUEST_KINDS)
@given(data=st.data())
def test_request_bodies_of_every_kind_are_accepted_as_a_server_on_runcore_accepts_them(
    kind: str, data: Any
) -> None:
    body = data.draw(request_bodies(kind, assistant_id="asst_1"))
    accepted = runcore.accept_request(body, kind)
    if kind == "list_query":
        assert accepted == runcore.parse_list_query(body)
        assert validate(accepted, kind) == []
    else:
        assert accepted == body
    if kind in ("create_run_request", "create_thread_and_run_request"):
        run = runcore.run_from_request(body, ASSISTANT, run_id="run_1", thread_id="thread_1", now=1)
        assert validate(run, "run", profile="spec") == []


@LEAN
@given(data=st.data())
def test_tool_outputs_drawn_for_a_run_answer_it(data: Any) -> None:
    run = data.draw(runs(status="requires_action"))
    body = data.draw(request_bodies("submit_tool_outputs_request", run=run))
    now = run["started_at"] + 1 if run["expires_at"] > run["started_at"] + 1 else run["started_at"]
    queued = runcore.advance(run, "submit_tool_outputs", now=now, **body).run
    assert queued["status"] == "queued"


@LEAN
@given(event_sequences(min_events=0, max_events=60))
def test_event_sequences_replay_through_the_engine(sequence: Any) -> None:
    run = sequence.run
    assert run["status"] == "queued"
    for event in sequence.events:
        run = runcore.advance(run, event.event, now=event.now, **event.details).run
        assert validate(run, profile="spec") == []


def test_event_sequences_reach_any_length_asked_for() -> None:
    found = search(event_sequences(min_events=150, max_events=150), lambda s: True)
    assert len(found.events) == 150


@LEAN
@given(histories())
def test_histories_are_valid_snapshots_of_one_run_in_time_order(history: list[Any]) -> None:
    runs_seen = [obj for obj in history if obj["object"] == "thread.run"]
    assert runs_seen[0]["status"] == "queued"
    assert len({run["id"] for run in runs_seen}) == 1
    for obj in history:
        assert validate(obj, profile="spec") == []
    moments = [run["status"] for run in runs_seen]
    for earlier, later in zip(moments, moments[1:], strict=False):
        assert later == earlier or later in reachable_from(earlier)


def reachable_from(status: str) -> set[str]:
    from runcore._graph import reachable
    from runcore._tables import RUN_TABLE

    return reachable(RUN_TABLE, status)


EVENT = re.compile(rb"event: ([a-z_.]+)\ndata: (.*)\n\n")


@LEAN
@given(streams())
def test_streams_are_framed_events_of_valid_objects_that_end_where_a_stream_ends(
    bodies: list[bytes],
) -> None:
    for index, body in enumerate(bodies):
        events = EVENT.findall(body)
        assert (
            b"".join(runcore.sse_event(n.decode(), json.loads(d)) for n, d in events[:-1])
            + (runcore.SSE_DONE)
            == body
        )
        names = [name.decode() for name, _ in events]
        assert names[-1] == "done"
        run_events = [
            name for name in names if name.startswith("thread.run.") and ".step." not in name
        ]
        assert names[0] == ("thread.run.created" if index == 0 else "thread.run.step.completed")
        last = run_events[-1].removeprefix("thread.run.")
        assert last == "requires_action" or last in runcore.TERMINAL_RUN_STATUSES
        for name, data in events[:-1]:
            obj = json.loads(data)
            assert validate(obj, profile="spec") == []
            suffix = name.decode().rsplit(".", 1)[1]
            if suffix in (*RUN_STATUSES, *STEP_STATUSES):  # not created, not delta
                assert suffix == obj["status"]


def whole_check(files: dict[str, bytes]) -> list[Any]:
    """What runcore check finds in these files, checked together (histories across them)."""
    inputs = [
        (name, READERS[Path(name).suffix](name, io.BytesIO(data))) for name, data in files.items()
    ]
    checks = checked(inputs, kind=None, profile="spec", strict=False, summary=Summary())
    return [finding for _, cases in checks for case in cases for finding in case.findings]


@LEAN
@given(histories())
def test_histories_pass_the_whole_recording_check(history: list[Any]) -> None:
    lines = b"".join(json.dumps(obj).encode() + b"\n" for obj in history)
    assert whole_check({"poll.jsonl": lines}) == []


@LEAN
@given(streams())
def test_streams_pass_the_whole_recording_check(bodies: list[bytes]) -> None:
    assert whole_check({f"stream{index}.sse": body for index, body in enumerate(bodies)}) == []


VARIANT_CASES = [
    (rule, kind)
    for rule in RULES
    for kind in KINDS
    if any(strategies._applies(rule, kind, profile) for profile in PROFILES)
]


def test_the_rules_cover_every_kind_invariants_and_requests_too() -> None:
    assert len(RULES) >= 24
    assert {kind for _, kind in VARIANT_CASES} == set(KINDS)
    codes = {runcore.CODES[code][0] for code in ("started_at_missing", "usage_total_mismatch")}
    assert codes == {"invariant"}


@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.parametrize("rule, kind", VARIANT_CASES, ids=[f"{r}-{k}" for r, k in VARIANT_CASES])
@given(data=st.data())
def test_every_invalid_variant_gives_exactly_its_finding(rule: str, kind: str, data: Any) -> None:
    applying = [p for p in PROFILES if strategies._applies(rule, kind, p)]
    profile = data.draw(st.sampled_from(applying))
    variant = data.draw(invalid_variants(kind, profile=profile, rule=rule))
    findings = validate(variant.instance, kind, profile=profile)
    assert [(f.severity, f.code, f.pointer) for f in findings] == [
        ("error", variant.code, variant.pointer)
    ]
    assert findings[0].category == variant.category


@LEAN
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("profile", PROFILES)
@given(data=st.data())
def test_the_valid_objects_variants_break_have_no_finding(
    kind: str, profile: str, data: Any
) -> None:
    obj = data.draw(strategies._valid(runcore._kinds.PAGE_ITEM_KINDS.get(kind, kind), profile))
    assert validate(obj, profile=profile, kind=runcore._kinds.PAGE_ITEM_KINDS.get(kind, kind)) == []


def test_every_docstring_example_runs() -> None:
    profile = settings.get_current_profile_name()
    settings.register_profile("runcore-docs", max_examples=5, deadline=None)
    settings.load_profile("runcore-docs")
    try:
        results = [doctest.testmod(module) for module in (strategies, _schema_strategies)]
    finally:
        settings.load_profile(profile)
    public = [getattr(strategies, name) for name in strategies.__all__]
    documented = [f for f in public if callable(f) and not isinstance(f, type)]
    assert sum(result.failed for result in results) == 0
    assert sum(result.attempted for result in results) >= len(documented)
    for function in documented:
        assert ">>> " in (function.__doc__ or ""), function.__name__


def test_without_hypothesis_the_strategies_say_what_to_install() -> None:
    code = "import sys; sys.modules['hypothesis'] = None; import runcore.strategies"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 1
    assert "pip install 'runcore[testing]'" in done.stderr
    core = (
        "import sys; sys.modules['hypothesis'] = None; import runcore; "
        "print(runcore.validate({}, 'list_query'))"
    )
    assert (
        subprocess.run([sys.executable, "-c", core], capture_output=True, text=True).stdout
        == "[]\n"
    )
