"""Speed never changes a verdict: the fast engine clears only what the explaining engine finds
nothing in, on generated valid objects, every single-rule mutation, integral floats and tuples where
integers and arrays belong, runs in every status with one invariant broken, the recordings and
fuzzed objects; both profiles, strict on and off, invariants on and off.

Without the ``[fast]`` extra the fast engine does not exist, and these tests check that validate is
the explaining engine (CI runs the suite both ways).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from enum import Enum, IntEnum
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runcore import (
    KINDS,
    PROFILES,
    RESPONSE_KINDS,
    RUN_STATUSES,
    STEP_STATUSES,
    infer_kind,
    validate,
)
from runcore._contract import _engines
from runcore._contract._engines import UnprovenSchema, fast_accept, plain_pattern
from runcore._contract._patterns import ecma_regex
from runcore._contract._schemas import DECLARED, validator
from runcore._contract._translate import schema_findings
from runcore._contract._validate import _unknown_fields, explained, inlined_validator
from runcore._json import checkable
from runcore.strategies import RULES, invalid_variants, runs, valid_objects
from tests.builders import TOOLS, make_run, make_step
from tests.hostile import ODD, fuzz, hostile_values, json_values, nested, planted, snapshot
from tests.recorded import REAL_FILES, UNVERIFIED_FILES, bodies, needs_recordings

FAST = fast_accept("run", "observed") is not None
needs_fast = pytest.mark.skipif(not FAST, reason="the [fast] extra is not installed")
FLAGS = st.booleans()


def verdicts_agree(instance: Any, kind: str, profile: str, strict: bool, invariants: bool) -> bool:
    """Assert that validate gives the explaining engine's findings; True when the fast engine
    cleared the object."""
    options = {"profile": profile, "strict": strict, "invariants": invariants}
    expected = explained(snapshot(instance), kind, **options)  # type: ignore[arg-type]
    accept = fast_accept(kind, profile)
    # --strict on a response is the explaining engine's alone
    explaining_only = accept is None or (strict and kind in RESPONSE_KINDS)
    cleared = not explaining_only and accept(instance, invariants)
    if cleared:
        assert expected == [], (kind, options, expected)
    found = validate(instance, kind, **options)  # type: ignore[arg-type]
    assert [(f.code, f.pointer, f.severity, f.message) for f in found] == [
        (f.code, f.pointer, f.severity, f.message) for f in expected
    ]
    return cleared


def kinds_and_profiles() -> st.SearchStrategy[tuple[str, str]]:
    return st.tuples(st.sampled_from(KINDS), st.sampled_from(PROFILES))


@fuzz(150)
@given(data=st.data(), where=kinds_and_profiles(), strict=FLAGS, invariants=FLAGS)
def test_valid_objects_get_the_same_verdict_and_are_cleared_fast(
    data: Any, where: tuple[str, str], strict: bool, invariants: bool
) -> None:
    kind, profile = where
    obj = data.draw(valid_objects(kind, profile=profile))
    cleared = verdicts_agree(obj, kind, profile, strict, invariants)
    if FAST and not invariants and not strict and not _deep_or_wide(obj):
        assert cleared, "a valid object should not need the explaining engine"


def _deep_or_wide(value: Any, depth: int = 0) -> bool:
    """What the fast engine may leave to the explaining one although it is valid: nesting past 255
    levels, integers beyond 64 bits (orjson writes neither), and floats (one at a place that some
    branch of the schema types as integer, as `tool_calls` of a message step, is not looked at
    further)."""
    if isinstance(value, dict):
        return any(_deep_or_wide(member, depth + 1) for member in value.values())
    if isinstance(value, list):
        return any(_deep_or_wide(member, depth + 1) for member in value)
    return (
        depth > 250
        or isinstance(value, float)
        or (isinstance(value, int) and not -(2**63) <= value < 2**64)
    )


@fuzz(40)
@given(data=st.data(), strict=FLAGS, invariants=FLAGS)
@pytest.mark.parametrize("rule", sorted(RULES))
def test_every_single_rule_mutation_gets_the_same_verdict(
    rule: str, data: Any, strict: bool, invariants: bool
) -> None:
    kind = data.draw(st.sampled_from(RULES[rule].kinds))
    profile = data.draw(st.sampled_from(("spec",) if RULES[rule].spec_only else PROFILES))
    variant = data.draw(invalid_variants(kind, profile=profile, rule=rule))
    cleared = verdicts_agree(variant.instance, kind, profile, strict, invariants)
    # without invariants, an object that breaks only a lifecycle invariant is valid
    assert not cleared or (variant.category == "invariant" and not invariants)


# Numbers JSON Schema counts as integers and runcore does not, and containers jsonschema-rs
# counts as arrays and runcore does not.
def integral_floats(value: int) -> st.SearchStrategy[Any]:
    return st.sampled_from([float(value), -0.0, 1e3, 1e16, float(value) * 10])


@fuzz(200)
@given(data=st.data(), where=kinds_and_profiles(), strict=FLAGS, invariants=FLAGS)
def test_integral_floats_and_tuples_anywhere_get_the_same_verdict(
    data: Any, where: tuple[str, str], strict: bool, invariants: bool
) -> None:
    kind, profile = where
    obj = snapshot(data.draw(valid_objects(kind, profile=profile)))
    places = list(_places_of(obj, (int, list)))
    if not places:
        return
    holder, key = data.draw(st.sampled_from(places))
    member = holder[key]
    holder[key] = (
        data.draw(integral_floats(member))
        if isinstance(member, int) and not isinstance(member, bool)
        else tuple(member)
    )
    verdicts_agree(obj, kind, profile, strict, invariants)


def _places_of(value: Any, types: tuple[type, ...]) -> Any:
    """(holder, key) of every member of ``value`` of one of ``types`` (bools left out)."""
    members = value.items() if isinstance(value, dict) else enumerate(value)
    for key, member in members:
        if isinstance(member, types) and not isinstance(member, bool):
            yield value, key
        if isinstance(member, (dict, list)):
            yield from _places_of(member, types)


TIMESTAMPS = ("created_at", "started_at", "expires_at", "completed_at", "failed_at", "cancelled_at")
# One invariant broken at a time: a field the status needs or forbids, the order of timestamps,
# the usage sum, the pending tool calls.
BREAKS = st.one_of(
    st.tuples(st.just("status"), st.sampled_from(RUN_STATUSES)),
    st.tuples(st.sampled_from(TIMESTAMPS), st.none() | st.integers(0, 9_999_999_999)),
    st.tuples(
        st.sampled_from(["usage"]),
        st.none() | st.just({"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 4}),
    ),
    st.tuples(
        st.sampled_from(["required_action", "last_error", "incomplete_details"]),
        st.none()
        | st.just(
            {
                "type": "submit_tool_outputs",
                "submit_tool_outputs": {
                    "tool_calls": [
                        {
                            "id": "c",
                            "type": "function",
                            "function": {"name": "f", "arguments": "{"},
                        },
                        {
                            "id": "c",
                            "type": "function",
                            "function": {"name": "f", "arguments": "{}"},
                        },
                    ]
                },
            }
        ),
    ),
)


@fuzz(300)
@given(run=runs(), breaks=st.lists(BREAKS, max_size=2), profile=st.sampled_from(PROFILES))
def test_runs_with_an_invariant_broken_get_the_same_verdict(
    run: dict[str, Any], breaks: list[tuple[str, Any]], profile: str
) -> None:
    run = snapshot(run)
    for name, value in breaks:
        run[name] = value
    verdicts_agree(run, "run", profile, False, True)
    verdicts_agree({"object": "list", "data": [run, run]}, "run_list", profile, False, True)


@fuzz(300)
@given(
    drawn=planted(st.sampled_from(KINDS).flatmap(valid_objects)),
    profile=st.sampled_from(PROFILES),
    strict=FLAGS,
    invariants=FLAGS,
)
def test_fuzzed_objects_get_the_same_verdict(
    drawn: tuple[Any, list[Any]], profile: str, strict: bool, invariants: bool
) -> None:
    instance, _ = drawn
    for kind in _kinds_of(instance):
        verdicts_agree(instance, kind, profile, strict, invariants)


@fuzz(100)
@given(value=hostile_values(), kind=st.sampled_from(KINDS), profile=st.sampled_from(PROFILES))
def test_hostile_values_get_the_same_verdict(value: Any, kind: str, profile: str) -> None:
    verdicts_agree(value, kind, profile, False, True)


def _kinds_of(instance: Any) -> list[str]:
    try:
        return [infer_kind(instance)]
    except Exception:
        return ["create_run_request"]


RECORDED = [
    (path, line, body) for path in REAL_FILES + UNVERIFIED_FILES for line, body in bodies(path)
]


@needs_recordings
@pytest.mark.parametrize("profile", PROFILES)
def test_every_recording_gets_the_same_verdict_and_clean_ones_are_cleared_fast(
    profile: str,
) -> None:
    cleared = 0
    for path, line, body in RECORDED:
        for kind in _kinds_of(body):
            for strict in (False, True):
                for invariants in (False, True):
                    fast = verdicts_agree(body, kind, profile, strict, invariants)
                    clean = explained(body, kind, profile=profile, invariants=invariants) == []  # type: ignore[arg-type]
                    if FAST and not strict and clean:
                        assert fast, f"{path.name}:{line} is clean but was not cleared fast"
                    cleared += fast
    assert cleared > 0 or not FAST


@needs_fast
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("profile", PROFILES)
def test_the_fast_engine_is_built_for_every_kind_and_profile(kind: str, profile: str) -> None:
    assert fast_accept(kind, profile) is not None


@pytest.fixture
def unbuilt(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No fast engine built yet: the next one asked for is built again (with what is patched)."""
    monkeypatch.setattr(_engines, "_ACCEPTS", {})
    return monkeypatch


@needs_fast
def test_an_exception_in_the_fast_engine_leaves_the_verdict_to_the_explaining_one(
    unbuilt: pytest.MonkeyPatch,
) -> None:
    def broken(*_: Any) -> Any:
        raise RuntimeError("jsonschema-rs failed")

    unbuilt.setattr(_engines, "_compiled", lambda *_: type("V", (), {"is_valid": broken})())
    valid, late = make_run("completed"), {**make_run("completed"), "completed_at": 1}
    assert validate(valid) == explained(valid, "run") == []
    assert [f.code for f in validate(late)] == [f.code for f in explained(late, "run")] != []


def test_without_the_fast_extra_validate_is_the_explaining_engine(
    unbuilt: pytest.MonkeyPatch,
) -> None:
    def missing(*_: Any) -> Any:
        raise ImportError("No module named 'jsonschema_rs'")

    unbuilt.setattr(_engines, "_accept", missing)
    assert fast_accept("run", "observed") is None
    run = {"object": "thread.run", "id": "run_1", "status": "queued", "created_at": 1.0}
    assert validate(run) == explained(run, "run")


@pytest.mark.parametrize(
    "schema",
    [{"format": "date-time"}, {"uniqueItems": True}, {"pattern": "^\\d+$"}, {"pattern": "a.b"}],
    ids=["format", "uniqueItems", "digit-class", "dot"],
)
def test_a_schema_the_fast_engine_is_not_proven_on_keeps_the_explaining_engine(
    schema: dict[str, Any],
) -> None:
    with pytest.raises(UnprovenSchema):
        _engines._visit(schema, _engines._Place(), 0)


@pytest.mark.parametrize(
    ("pattern", "plain"),
    [
        ("^[a-zA-Z0-9_-]{1,64}$", True),
        ("^run_[a-z0-9]+$", True),
        ("^\\d+$", False),
        ("^.+$", False),
        ("^(a|b)$", False),
        ("^[\\w]$", False),
        ("^[a-z&&[^b]]$", False),
        ("^a{,3}$", False),
    ],
)
def test_plain_patterns_are_the_ones_without_dialect_differences(pattern: str, plain: bool) -> None:
    assert plain_pattern(pattern) is plain


@needs_fast
@fuzz(300)
@given(text=st.text(max_size=70) | st.text("abZ09_-\n\r ", max_size=70))
def test_the_shipped_pattern_reads_alike_in_both_engines(text: str) -> None:
    import jsonschema_rs

    pattern = "^[a-zA-Z0-9_-]{1,64}$"
    rust = jsonschema_rs.Draft202012Validator({"pattern": pattern})
    try:
        rust_match = rust.is_valid(text)
    except ValueError:  # a lone surrogate: orjson refuses it before jsonschema-rs sees it
        return
    assert rust_match is bool(ecma_regex(pattern).search(text))


@needs_fast
def test_non_finite_numbers_and_loops_anywhere_are_left_to_the_explaining_engine() -> None:
    run = make_run("queued")
    accept = fast_accept("run", "observed")
    assert accept is not None and accept(run, True)
    for value in (math.nan, math.inf, -math.inf, ODD["loop"], ODD["huge-int"], ODD["too-deep"]):
        for where in ({"x": value}, {"tools": [{**TOOLS[0], "x": [value]}]}):
            assert not accept({**run, **where}, True)


def _traps(member: Any) -> list[Any]:
    """Values that a member could be replaced by where the engines might read it otherwise."""
    traps: list[Any] = [*ODD.values(), 2**63, 2**64, -(2**63) - 1, 10**20, 1e400 * 0, 1e3, -0.0]
    # what orjson writes although it is not JSON
    traps += [datetime(2024, 1, 1), UUID(int=1), Color.RED, Size.LARGE, Point(1, 2), {Color.RED: 1}]
    if isinstance(member, int) and not isinstance(member, bool):
        traps += [float(member), member * 1.0 + 0.5, -member]
    if isinstance(member, list):
        traps += [tuple(member), [*member, member]]
    if isinstance(member, dict):
        traps += [{**member, "": math.nan}, type("Sub", (dict,), {})(member)]
    if isinstance(member, str):
        traps += [type("Text", (str,), {})(member), member + "\ud800", member + "\n"]
    return traps


class Color(str, Enum):
    RED = "queued"


class Size(IntEnum):
    LARGE = 1_700_000_000


@dataclass
class Point:
    x: int
    y: int


def _every_place(value: Any, path: tuple[Any, ...] = ()) -> Any:
    """The path of every member of ``value``, and of a new key in each of its dicts."""
    if isinstance(value, dict):
        yield (*path, "unknown")
        for key, member in value.items():
            yield (*path, key)
            yield from _every_place(member, (*path, key))
    elif isinstance(value, list):
        for index, member in enumerate(value):
            yield (*path, index)
            yield from _every_place(member, (*path, index))


def _planted(obj: Any, path: tuple[Any, ...], value: Any) -> Any:
    copy = snapshot(obj)
    holder = copy
    for key in path[:-1]:
        holder = holder[key]
    holder[path[-1]] = value
    return copy


BASES = {
    **{f"run-{status}": ("run", make_run(status)) for status in RUN_STATUSES},
    **{f"step-{status}": ("run_step", make_step(status)) for status in STEP_STATUSES},
    "run_list": (
        "run_list",
        {
            "object": "list",
            "data": [make_run("requires_action")],
            "first_id": "run_1",
            "last_id": "run_1",
            "has_more": False,
        },
    ),
    "request": (
        "create_run_request",
        {
            "assistant_id": "asst_1",
            "tools": TOOLS,
            "max_prompt_tokens": 300,
            "temperature": 1.0,
            "metadata": {"k": "v"},
        },
    ),
}


@pytest.mark.parametrize("base", sorted(BASES))
def test_every_trap_at_every_place_gets_the_same_verdict(base: str) -> None:
    kind, obj = BASES[base]
    for profile in PROFILES:
        verdicts_agree(obj, kind, profile, False, True)
    for path in _every_place(obj):
        member = _member(obj, path)
        for trap in _traps(member):
            changed = _planted(obj, path, trap)
            for profile in PROFILES:
                accept = fast_accept(kind, profile)
                for invariants in (False, True):
                    if accept is not None and accept(changed, invariants):
                        options = {"profile": profile, "invariants": invariants}
                        assert explained(snapshot(changed), kind, **options) == [], (path, trap)  # type: ignore[arg-type]


def _member(obj: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        if not isinstance(obj, (dict, list)) or (isinstance(obj, dict) and key not in obj):
            return None
        obj = obj[key]
    return obj


def findings_of(check: Any, instance: Any, strict: bool) -> list[Any]:
    """The schema findings of a validator, with strict mode's unknown fields."""
    token = DECLARED.set({}) if strict else None
    try:
        found = schema_findings(check, instance)
        return [*found, *(_unknown_fields(instance, DECLARED.get()) if token else [])]
    finally:
        if token is not None:
            DECLARED.reset(token)


def same_findings(instance: Any, kind: str, profile: str, strict: bool) -> None:
    subject = checkable(instance)[0]
    strict = strict and kind in RESPONSE_KINDS
    by_reference = validator(kind, profile, strict)  # type: ignore[arg-type]
    inlined = inlined_validator(kind, profile, strict)  # type: ignore[arg-type]
    assert findings_of(inlined, subject, strict) == findings_of(by_reference, subject, strict)


@fuzz(150)
@given(
    drawn=planted(st.sampled_from(KINDS).flatmap(valid_objects)),
    profile=st.sampled_from(PROFILES),
    strict=FLAGS,
)
def test_inlined_schemas_give_the_findings_of_resolved_references(
    drawn: tuple[Any, list[Any]], profile: str, strict: bool
) -> None:
    instance, _ = drawn
    for kind in _kinds_of(instance):
        same_findings(instance, kind, profile, strict)


@fuzz(40)
@given(data=st.data(), strict=FLAGS)
@pytest.mark.parametrize("rule", sorted(RULES))
def test_inlined_schemas_give_the_findings_of_every_single_rule_mutation(
    rule: str, data: Any, strict: bool
) -> None:
    kind = data.draw(st.sampled_from(RULES[rule].kinds))
    profile = data.draw(st.sampled_from(("spec",) if RULES[rule].spec_only else PROFILES))
    variant = data.draw(invalid_variants(kind, profile=profile, rule=rule))
    same_findings(variant.instance, kind, profile, strict)


@pytest.mark.parametrize("base", sorted(BASES))
def test_inlined_schemas_give_the_findings_of_every_trap_at_every_place(base: str) -> None:
    kind, obj = BASES[base]
    for path in list(_every_place(obj))[::3]:  # a third of the places keeps this under a second
        for trap in _traps(_member(obj, path))[::2]:
            for profile in PROFILES:
                same_findings(_planted(obj, path, trap), kind, profile, True)


@needs_recordings
def test_inlined_schemas_give_the_findings_of_every_recording() -> None:
    for _, _, body in RECORDED:
        for kind in _kinds_of(body):
            for profile in PROFILES:
                for strict in (False, True):
                    same_findings(body, kind, profile, strict)


@fuzz(200)
@given(
    data=st.data(),
    where=kinds_and_profiles(),
    deep=st.sampled_from([False, False, True]),  # mostly values orjson reads (plain)
    big=st.none() | st.none() | st.sampled_from([2**64, -(2**63) - 1, 10**30]),
)
def test_a_value_orjson_read_is_cleared_as_one_in_memory(
    data: Any, where: tuple[str, str], deep: bool, big: int | None
) -> None:
    """`runcore check` tells the fast engine that a value orjson read is plain JSON (it need not
    write it again to see): the verdict is the one `validate` gives the same value, and orjson
    read only what it can write (no integer beyond 64 bits, no nesting past 255 levels)."""
    import json

    from runcore._contract._validate import validate_read
    from runcore._json import optional_orjson, parse_bytes

    kind, profile = where
    obj = snapshot(data.draw(st.one_of(valid_objects(kind, profile=profile), json_objects())))
    if isinstance(obj, dict):
        if big is not None:
            obj["created_at"] = big
        if deep:
            obj["metadata"] = nested(300, 1)
    try:
        text = json.dumps(obj)
    except ValueError:  # an integer too long to write
        return
    value, plain = parse_bytes(text.encode())
    orjson = optional_orjson()
    if plain:
        orjson.dumps(value)  # raises on what is not plain JSON
    assert (big is None and not deep) or not plain or not isinstance(obj, dict)
    options = {"profile": profile, "strict": False}
    assert validate_read(value, kind, plain=plain, **options) == validate(value, kind, **options)  # type: ignore[arg-type]


def json_objects() -> st.SearchStrategy[Any]:
    return st.dictionaries(st.text(max_size=6), json_values(6).filter(_finite), max_size=4)


def _finite(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite(item) for item in value.values())
    if isinstance(value, list):
        return all(_finite(item) for item in value)
    return True
