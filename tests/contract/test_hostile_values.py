"""Values of any shape in memory, and arguments of any shape: validate, check, schema, infer_kind and
invariant_findings give findings or runcore's documented errors, never a traceback or a hang."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from runcore import (
    CODES,
    KINDS,
    ContractViolation,
    InvalidArgument,
    UnknownKind,
    check,
    infer_kind,
    invariant_findings,
    schema,
    validate,
)
from runcore._findings import unescape_pointer
from tests.builders import make_run
from tests.hostile import ODD, looped, nested, same, snapshot

RUN = make_run("requires_action")


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Fail, instead of hanging, when the block runs longer than ``seconds``."""

    def expire(*_: Any) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def assert_well_formed(findings: list[Any]) -> None:
    for finding in findings:
        assert CODES[finding.code][0] == finding.category
        assert finding.severity in ("error", "warning") and finding.message
        unescape_pointer(finding.pointer)


@pytest.mark.parametrize("field", sorted(RUN))
def test_a_run_with_a_field_of_any_shape_gets_findings_in_every_mode(field: str) -> None:
    for odd in ODD.values():
        run = {**RUN, field: odd}
        before = snapshot(run)
        for profile in ("observed", "spec"):
            for strict in (False, True):
                with deadline(10):
                    found = validate(run, "run", profile=profile, strict=strict)
                assert_well_formed(found)
        assert same(run, before)


def test_strict_mode_ends_on_a_run_that_contains_itself_with_a_finding_where_the_loop_closes() -> (
    None
):
    run = {**RUN, "extra": {"list": []}}
    run["self"] = run
    run["extra"]["list"].append(run["extra"])
    with deadline(10):
        found = validate(run, strict=True)
    assert [(f.code, f.pointer, f.value) for f in found if f.severity == "error"] == [
        ("circular_reference", "/extra/list/0", None),
        ("circular_reference", "/self", None),
    ]
    assert ("unknown_field", "/extra") in [(f.code, f.pointer) for f in found]


@pytest.mark.parametrize("strict", [False, True])
def test_a_value_nested_too_deep_is_a_finding_where_it_gets_too_deep(strict: bool) -> None:
    run = {**RUN, "metadata": {"deep": nested(100_000)}, "id": nested(600)}
    found = validate(run, strict=strict)
    deep = [
        (f.code, len(unescape_pointer(f.pointer))) for f in found if f.code == "nesting_too_deep"
    ]
    assert deep == [("nesting_too_deep", 512)] * 2  # the root is level 1, its members level 2
    assert ("wrong_type", "/id") in [(f.code, f.pointer) for f in found]


def test_integers_too_long_for_str_get_the_findings_of_their_place() -> None:
    huge = 10**5000
    run = {**RUN, "created_at": huge, "temperature": -huge, "status": huge, "metadata": {"k": huge}}
    found = {f.pointer: (f.code, f.message) for f in validate(run)}
    assert found["/created_at"] == (
        "above_maximum",
        "<an integer of about 5001 digits> is above the maximum 9999999999"
        " (a timestamp in milliseconds? expected integer Unix seconds)",
    )
    assert found["/status"][0] == "invalid_value" and found["/metadata/k"][0] == "wrong_type"
    with pytest.raises(ContractViolation, match="about 5001 digits"):
        check(run)


def test_a_request_body_with_an_unknown_key_too_long_for_str_is_a_finding() -> None:
    (finding,) = validate({"assistant_id": "a", 10**5000: 1}, "create_run_request")
    assert finding.code == "unknown_field" and "about 5001 digits" in finding.message


@pytest.mark.parametrize("odd", list(ODD.values()), ids=list(ODD))
def test_an_object_of_any_shape_in_every_kind_gets_findings_or_unknown_kind(odd: Any) -> None:
    for kind in (None, *KINDS):
        try:
            assert_well_formed(validate(odd, kind))
        except UnknownKind:
            assert kind is None


BAD_ARGUMENTS = [
    ("kind", {"kind": "runs"}, UnknownKind, "/kind"),
    ("kind-empty", {"kind": ""}, UnknownKind, "/kind"),
    ("kind-list", {"kind": ["run"]}, UnknownKind, "/kind"),
    ("kind-huge", {"kind": 10**5000}, UnknownKind, "/kind"),
    ("profile", {"profile": "strict"}, InvalidArgument, "/profile"),
    ("profile-list", {"profile": ["spec"]}, InvalidArgument, "/profile"),
    ("profile-none", {"profile": None}, InvalidArgument, "/profile"),
    ("strict-string", {"strict": "yes"}, InvalidArgument, "/strict"),
    ("strict-int", {"strict": 1}, InvalidArgument, "/strict"),
    ("strict-none", {"strict": None}, InvalidArgument, "/strict"),
    ("invariants-string", {"invariants": "no"}, InvalidArgument, "/invariants"),
]


@pytest.mark.parametrize(
    "arguments, error, where", [b[1:] for b in BAD_ARGUMENTS], ids=[b[0] for b in BAD_ARGUMENTS]
)
def test_a_bad_kind_profile_or_flag_is_a_documented_error_naming_the_argument(
    arguments: dict[str, Any], error: type[Exception], where: str
) -> None:
    with pytest.raises(error) as raised:
        validate(RUN, **arguments)
    assert raised.value.pointer == where and isinstance(raised.value, ValueError)
    if "invariants" not in arguments:
        with pytest.raises(error):
            check(RUN, **arguments)


@pytest.mark.parametrize("odd", list(ODD.values()), ids=list(ODD))
def test_schema_infer_kind_and_invariant_findings_take_any_argument(odd: Any) -> None:
    with pytest.raises(UnknownKind):
        schema(odd)
    with pytest.raises(InvalidArgument):
        invariant_findings(RUN, profile=odd)
    try:
        assert infer_kind(odd) in KINDS
    except UnknownKind:
        pass
    try:
        assert_well_formed(invariant_findings(odd))
    except UnknownKind:
        pass
    assert_well_formed(invariant_findings({**RUN, "status": "completed", "completed_at": odd}))
    assert_well_formed(
        invariant_findings({**RUN, "usage": {"total_tokens": odd, "prompt_tokens": 1}})
    )


def test_a_loop_in_an_open_member_of_a_response_is_found_once_per_loop() -> None:
    found = validate({**RUN, "extra": looped()}, invariants=False)
    assert [(f.code, f.pointer) for f in found] == [("circular_reference", "/extra/self")]


def test_values_that_are_not_json_are_wrong_types_whatever_they_hold() -> None:
    huge = 10**5000
    loop: list[Any] = []
    loop.append((loop,))
    run = {
        **RUN,
        "id": (None, huge),
        "model": {huge, "x"},
        "instructions": frozenset({(huge,)}),
        "x": loop,
    }
    found = {f.pointer: f for f in validate(run, strict=True)}
    for where in ("/id", "/model", "/instructions"):
        assert found[where].code == "wrong_type" and "not a JSON value" in found[where].message
    assert "about 5001 digits" in found["/id"].message
