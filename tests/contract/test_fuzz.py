"""Fuzz of the contract's public entry points: validate, check, infer_kind, invariant_findings, schema
and the strategies. Whatever the value and the arguments: no error but runcore's documented ones, no
input changed, and findings as the docs promise them (a known code of its category, a JSON Pointer
into the object, a message). ``RUNCORE_FUZZ=long`` tries 40 times as many examples."""

from __future__ import annotations

import threading
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from runcore import (
    CODES,
    KINDS,
    PROFILES,
    ContractViolation,
    Finding,
    InvalidArgument,
    UnknownKind,
    check,
    infer_kind,
    invariant_findings,
    schema,
    validate,
)
from runcore._contract._invariants import _schema_required
from runcore._contract._patterns import ecma_regex
from runcore._contract._schemas import _validator, details_validator, registry
from runcore._findings import unescape_pointer
from runcore.strategies import invalid_variants, runs, valid_objects
from tests.hostile import fuzz, hostile_values, odd_values, planted, same, snapshot

KIND_ARGUMENTS = st.one_of(st.none(), st.sampled_from(KINDS), odd_values())
PROFILE_ARGUMENTS = st.one_of(st.sampled_from(PROFILES), odd_values())
FLAG_ARGUMENTS = st.one_of(st.booleans(), odd_values())


def objects_of_any_kind() -> st.SearchStrategy[tuple[Any, list[Any]]]:
    """Valid objects of every kind with a hostile value planted, and hostile values alone."""
    valid = st.sampled_from(KINDS).flatmap(lambda kind: valid_objects(kind))
    return st.one_of(planted(valid), hostile_values().map(lambda value: (value, [])))


def resolves(instance: Any, where: str) -> bool:
    """Whether a finding's pointer names a member of the instance, or a missing member of one."""
    node = instance
    tokens = unescape_pointer(where)
    for index, token in enumerate(tokens):
        last = index == len(tokens) - 1
        if isinstance(node, dict) and any(str(key) == token for key in node):
            node = next(value for key, value in node.items() if str(key) == token)
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return last and isinstance(node, dict)  # a missing member of an object
    return True


def assert_as_documented(findings: list[Finding], instance: Any) -> None:
    for finding in findings:
        assert isinstance(finding, Finding)
        assert CODES[finding.code][0] == finding.category, finding
        assert finding.severity in ("error", "warning")
        assert isinstance(finding.message, str) and finding.message
        assert finding.object_id is None or isinstance(finding.object_id, str)
        assert resolves(instance, finding.pointer), finding


@fuzz(500)
@given(
    drawn=objects_of_any_kind(),
    kind=KIND_ARGUMENTS,
    profile=PROFILE_ARGUMENTS,
    strict=FLAG_ARGUMENTS,
    invariants=FLAG_ARGUMENTS,
)
def test_validate_and_check_take_any_value_and_any_arguments(
    drawn: tuple[Any, list[Any]], kind: Any, profile: Any, strict: Any, invariants: Any
) -> None:
    instance, _ = drawn
    before = snapshot(instance)
    options = {"profile": profile, "strict": strict}
    try:
        findings = validate(instance, kind, invariants=invariants, **options)
    except InvalidArgument:  # UnknownKind included
        assert same(instance, before)
        return
    assert same(instance, before)
    assert_as_documented(findings, instance)
    if invariants is not True:
        return
    try:
        warnings = check(instance, kind, **options)
    except ContractViolation as violation:
        assert any(f.severity == "error" for f in findings)
        assert [(f.code, f.pointer) for f in violation.findings] == [
            (f.code, f.pointer) for f in findings
        ]
    else:
        assert [(f.code, f.pointer) for f in warnings] == [(f.code, f.pointer) for f in findings]
        assert all(f.severity == "warning" for f in warnings)
    assert same(instance, before)


@fuzz(200)
@given(drawn=objects_of_any_kind())
def test_infer_kind_names_a_kind_or_raises_unknown_kind(drawn: tuple[Any, list[Any]]) -> None:
    instance, _ = drawn
    before = snapshot(instance)
    try:
        assert infer_kind(instance) in KINDS
    except UnknownKind:
        pass
    assert same(instance, before)


@fuzz(250)
@given(
    drawn=planted(st.one_of(runs(), valid_objects("run_step"))),
    profile=PROFILE_ARGUMENTS,
)
def test_invariant_findings_take_any_run_or_step(
    drawn: tuple[Any, list[Any]], profile: Any
) -> None:
    obj, _ = drawn
    before = snapshot(obj)
    try:
        findings = invariant_findings(obj, profile=profile)
    except InvalidArgument:
        pass
    else:
        assert {f.category for f in findings} <= {"invariant"}
        assert_as_documented(findings, obj)
    assert same(obj, before)


@fuzz(60)
@given(kind=KIND_ARGUMENTS, change=hostile_values())
def test_schema_gives_a_copy_of_its_own_or_unknown_kind(kind: Any, change: Any) -> None:
    try:
        document = schema(kind)
    except UnknownKind:
        return
    document["$defs"] = change
    assert schema(kind) != document


@fuzz(100)
@given(data=st.data(), kind=st.sampled_from(KINDS), profile=st.sampled_from(PROFILES))
def test_the_strategies_give_what_they_promise(data: Any, kind: str, profile: str) -> None:
    assert (
        validate(
            data.draw(valid_objects(kind, profile=profile)), kind, profile=profile, invariants=False
        )
        == []
    )
    try:
        variant = data.draw(invalid_variants(kind, profile=profile))
    except ValueError:  # no rule applies to this kind
        return
    (finding,) = validate(variant.instance, kind, profile=profile)
    assert (finding.code, finding.pointer) == (variant.code, variant.pointer)


def test_sixteen_threads_on_cold_caches_find_what_one_thread_finds() -> None:
    objects = [
        ({"object": "thread.run", "status": "bogus", "metadata": {"k": 1}}, None),
        (
            {"assistant_id": 5, "tools": [{"type": "function", "function": {"name": "a b"}}]},
            "create_run_request",
        ),
        ({"tool_outputs": [{"tool_call_id": 1}]}, "submit_tool_outputs_request"),
        ({"object": "list", "data": [{"object": "thread.run.step", "status": 1}]}, None),
        ({"error": {"message": None}}, "error"),
    ]

    def findings() -> list[list[tuple[str, str]]]:
        return [
            [(f.code, f.pointer) for f in validate(obj, kind, profile=profile, strict=True)]
            for obj, kind in objects
            for profile in PROFILES
        ]

    expected = findings()
    for cache in (_validator, registry, details_validator, ecma_regex, _schema_required):
        cache.cache_clear()
    start = threading.Barrier(16)
    results: list[Any] = []

    def work() -> None:
        start.wait()
        try:
            results.append(findings())
        except Exception as error:  # reported below, in the test's own thread
            results.append(error)

    threads = [threading.Thread(target=work) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 16
