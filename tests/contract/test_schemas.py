"""The schema files: well-formed Draft 2020-12 documents, linked by $ref, one per kind, shipped as data."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from runcore import KINDS, PROFILES, schema, validate
from runcore._contract._schemas import SCHEMA_BASE, _validator, registry, schema_files, validator
from runcore.strategies import valid_objects

SOURCE = Path(__file__).resolve().parents[2] / "schemas"
FILES = dict(schema_files())


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def test_the_package_reads_the_top_level_schemas_folder_itself() -> None:
    # One source: runcore/schemas is a link to schemas/ (the wheel build copies the files; .ci/run
    # installs the wheel alone and loads them from site-packages).
    link = SOURCE.parent / "runcore" / "schemas"
    assert link.is_symlink() and link.resolve() == SOURCE.resolve()
    assert sorted(FILES) == sorted(path.name for path in SOURCE.glob("*.json"))


def test_there_is_one_schema_file_per_kind_plus_the_shared_parts_and_the_event_details() -> None:
    expected = [f"{kind}.json" for kind in KINDS] + ["parts.json", "details.json"]
    assert sorted(FILES) == sorted(expected)


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_schema_file_is_a_valid_draft_2020_12_schema_with_a_stable_id(name: str) -> None:
    document = FILES[name]
    Draft202012Validator.check_schema(document)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert document["$id"] == SCHEMA_BASE + name
    assert document.get("title")


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_ref_resolves(name: str) -> None:
    resolver = registry().resolver(SCHEMA_BASE + name)
    for ref in refs(FILES[name]):
        assert resolver.lookup(ref).contents is not None, ref


@pytest.mark.parametrize("kind", ["run", "run_step", "run_list", "run_step_list"])
def test_response_kinds_have_an_observed_profile_and_are_open(kind: str) -> None:
    document = schema(kind)
    assert "observed" in document["$defs"] and document["$ref"] == "#/$defs/spec"
    assert "additionalProperties" not in json.dumps(document)


@pytest.mark.parametrize("kind", [k for k in KINDS if k.endswith("_request") or k == "list_query"])
def test_request_kinds_are_closed(kind: str) -> None:
    assert schema(kind)["additionalProperties"] is False


def test_validators_are_built_once_and_reused() -> None:
    _validator.cache_clear()
    for _ in range(50):
        validate({"object": "thread.run"}, profile="spec")
        validate({"object": "thread.run"}, profile="observed", strict=True)
    info = _validator.cache_info()
    assert info.misses == 2 and info.hits == 98
    assert validator("run", "spec") is validator("run", "spec")


def test_a_validator_is_built_once_however_it_is_asked_for() -> None:
    _validator.cache_clear()
    built = {
        id(validator("run")),
        id(validator("run", "observed")),
        id(validator("run", "observed", False)),
        id(validator("run", profile="observed", strict=False)),
    }
    assert len(built) == 1 and _validator.cache_info().misses == 1


def test_the_schema_of_a_kind_is_a_copy_that_cannot_change_later_verdicts() -> None:
    document = schema("create_run_request")
    document["properties"]["temperature"]["maximum"] = 100
    document["required"] = ["assistant_id", "model"]
    assert schema("create_run_request") != document
    assert validate({"assistant_id": "a", "temperature": 50}, "create_run_request")[0].code == (
        "above_maximum"
    )


DRAWS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("kind", KINDS)
@DRAWS
@given(data=st.data())
def test_objects_drawn_from_each_schema_validate_with_no_findings(
    kind: str, profile: str, data: Any
) -> None:
    instance = data.draw(valid_objects(kind, profile=profile))
    assert validate(instance, kind, profile=profile, strict=True, invariants=False) == []


@pytest.mark.parametrize("kind", KINDS)
@DRAWS
@given(data=st.data())
def test_what_the_spec_accepts_the_observed_profile_accepts(kind: str, data: Any) -> None:
    instance = data.draw(valid_objects(kind, profile="spec"))
    assert validate(instance, kind, profile="observed", invariants=False) == []
