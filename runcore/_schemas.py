"""The schema files, the registry that links them, and one compiled validator per kind and profile."""

from __future__ import annotations

import json
from contextvars import ContextVar
from functools import cache
from importlib import resources
from typing import Any, Iterator, Literal

from jsonschema import Draft202012Validator, validators
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from runcore._errors import UnknownKind

Profile = Literal["observed", "spec"]

PROFILES: tuple[Profile, ...] = ("observed", "spec")
SCHEMA_BASE = "https://runcore.dev/schemas/"
DIALECT = "https://json-schema.org/draft/2020-12/schema"
RESPONSE_KINDS = ("run", "run_step", "run_step_delta", "run_list", "run_step_list", "error")
REQUEST_KINDS = (
    "create_run_request",
    "create_thread_and_run_request",
    "modify_run_request",
    "submit_tool_outputs_request",
    "list_query",
)
KINDS = RESPONSE_KINDS + REQUEST_KINDS
# The kind of a response object by its `object` tag, and the kind of the items of each page kind.
OBJECT_KINDS = {
    "thread.run": "run",
    "thread.run.step": "run_step",
    "thread.run.step.delta": "run_step_delta",
}
PAGE_ITEM_KINDS = {"run_list": "run", "run_step_list": "run_step"}


def schema_files() -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema file shipped in the package, as (file name, parsed document)."""
    folder = resources.files("runcore") / "schemas"
    for entry in sorted(folder.iterdir(), key=lambda entry: entry.name):
        if entry.name.endswith(".json"):
            yield entry.name, json.loads(entry.read_text(encoding="utf-8"))


@cache
def registry() -> Registry:
    """All schema files, linked by their ``$id`` so ``$ref`` between files resolves offline."""
    resources_ = []
    for name, document in schema_files():
        if document.get("$schema") != DIALECT:
            raise ValueError(
                f"{name}: runcore's schemas are Draft 2020-12, not {document.get('$schema')!r}"
            )
        # `$schema` has chosen the dialect; left in, jsonschema would swap runcore's validator class for
        # the stock one wherever a $ref enters a document root, dropping the integer rule and strict mode.
        contents = {key: value for key, value in document.items() if key != "$schema"}
        resources_.append(DRAFT202012.create_resource(contents))
    return Registry().with_resources((resource.id(), resource) for resource in resources_)


def schema(kind: str) -> dict[str, Any]:
    """The schema document of a kind (its top level is the ``spec`` profile)."""
    _require_kind(kind)
    return registry().contents(SCHEMA_BASE + kind + ".json")


def _require_kind(kind: str) -> None:
    if kind not in KINDS:
        raise UnknownKind(f"unknown kind {kind!r}; known kinds: {', '.join(KINDS)}")


# JSON Schema counts 1.0 as an integer. The contract's integers (timestamps, token counts, limits) are
# integers on the wire, and 1714433726.0 is a defect typed clients choke on
# (decisions.md#timestamps-are-integer-seconds-below-1010).
def is_integer(value: Any) -> bool:
    """A JSON integer as runcore reads the contract: an int, not a bool, not a float like 1.0."""
    return isinstance(value, int) and not isinstance(value, bool)


_TYPES = Draft202012Validator.TYPE_CHECKER.redefine(
    "integer", lambda _checker, value: is_integer(value)
)
_Validator = validators.extend(Draft202012Validator, type_checker=_TYPES)

# Strict mode reports response fields that no schema declares. The `properties` keyword records
# which keys each object was checked against; keys never declared anywhere are unknown. This reads
# jsonschema's own evaluation instead of re-implementing it
# (decisions.md#response-objects-are-open-strict-mode).
DECLARED: ContextVar[dict[int, tuple[Any, set[str]]]] = ContextVar("runcore_declared")
_PROPERTIES = Draft202012Validator.VALIDATORS["properties"]


def _recording_properties(validator, properties, instance, schema_):  # type: ignore[no-untyped-def]
    if isinstance(instance, dict):
        declared = DECLARED.get()
        declared.setdefault(id(instance), (instance, set()))[1].update(properties)
    yield from _PROPERTIES(validator, properties, instance, schema_)


_RecordingValidator = validators.extend(_Validator, {"properties": _recording_properties})


@cache
def validator(kind: str, profile: Profile = "observed", strict: bool = False) -> Any:
    """The compiled validator of a kind under a profile, built once and cached."""
    _require_kind(kind)
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; profiles: {', '.join(PROFILES)}")
    uri = SCHEMA_BASE + kind + ".json"
    if profile == "observed" and "observed" in schema(kind).get("$defs", {}):
        uri += "#/$defs/observed"
    cls = _RecordingValidator if strict else _Validator
    return cls({"$ref": uri}, registry=registry())
