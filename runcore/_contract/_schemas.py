"""The schema files, the registry that links them, the same with every $ref inlined, and the
compiled validators per kind and profile."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterator
from contextvars import ContextVar
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from referencing import Registry

from runcore._contract._patterns import pattern
from runcore._findings import unescape_pointer
from runcore._json import is_integer
from runcore._kinds import Profile, require_kind, require_profile

SCHEMA_BASE = "https://runcore.dev/schemas/"
DIALECT = "https://json-schema.org/draft/2020-12/schema"
# The details the lifecycle engine takes with each event (not a kind: nothing sends them on the wire).
DETAILS_URI = SCHEMA_BASE + "details.json"


# The schema files, installed beside the package's modules. Read by path, not importlib.resources
# (runcore is never imported from a zip): that import alone took 5 ms of a 50 ms cold start
# (decisions.md#cold-start-imports-only-what-is-used).
SCHEMA_FOLDER = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "schemas")


def schema_files() -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema file shipped in the package, as (file name, parsed document)."""
    for name in sorted(os.listdir(SCHEMA_FOLDER)):
        if name.endswith(".json"):
            with open(os.path.join(SCHEMA_FOLDER, name), encoding="utf-8") as file:
                yield name, json.load(file)


@cache
def documents() -> dict[str, dict[str, Any]]:
    """Every schema file's document by its ``$id``, without ``$schema``."""
    found = {}
    for name, document in schema_files():
        if document.get("$schema") != DIALECT:
            raise ValueError(
                f"{name}: runcore's schemas are Draft 2020-12, not {document.get('$schema')!r}"
            )
        # `$schema` has chosen the dialect; left in, jsonschema would swap runcore's validator class for
        # the stock one wherever a $ref enters a document root, dropping the integer rule and strict mode.
        found[document["$id"]] = {key: value for key, value in document.items() if key != "$schema"}
    return found


@cache
def registry() -> Registry:
    """All schema files, linked by their ``$id`` so ``$ref`` between files resolves offline."""
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    return Registry().with_resources(
        (uri, DRAFT202012.create_resource(contents)) for uri, contents in documents().items()
    )


def resolve(ref: str, base: str) -> tuple[Any, str]:
    """The schema a ``$ref`` names from the document at ``base``, and that schema's document
    (runcore's refs are a file name, an absolute URI or neither, and a JSON Pointer fragment)."""
    uri, _, fragment = ref.partition("#")
    if not uri:
        uri = base
    elif "://" not in uri:
        uri = base[: base.rfind("/") + 1] + uri
    node: Any = documents()[uri]
    for token in unescape_pointer(fragment):
        node = node[int(token) if isinstance(node, list) else token]
    return node, uri


@cache
def inlined(uri: str) -> Any:
    """The schema at ``uri`` with every ``$ref`` replaced by the schema it names, so that jsonschema
    never resolves a reference while it validates (decisions.md#speed-never-changes-a-verdict).

    A ``$ref`` alone becomes its schema; one with other keywords becomes an ``allOf`` of its schema
    in the same place, so that errors keep their order and each keeps its own schema.
    """
    return _inline(*resolve(uri, ""), 0)


# Keywords whose value is a schema, a list of schemas, or schemas by name.
_ONE = frozenset(
    "additionalProperties items contains propertyNames if then else not unevaluatedItems "
    "unevaluatedProperties".split()
)
_LIST = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
_NAMED = frozenset({"properties", "patternProperties", "dependentSchemas"})


def _inline(schema: Any, base: str, depth: int) -> Any:
    if depth > 64:
        raise ValueError("the schemas refer to themselves (a recursive $ref)")
    if not isinstance(schema, dict):
        return schema
    if set(schema) == {"$ref"}:
        return _inline(*resolve(schema["$ref"], base), depth + 1)
    if "$ref" in schema and "allOf" in schema:
        raise ValueError("a $ref beside an allOf cannot be inlined in its place")
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "$ref":
            out["allOf"] = [_inline(*resolve(value, base), depth + 1)]
        elif key in _ONE:
            out[key] = _inline(value, base, depth + 1)
        elif key in _LIST:
            out[key] = [_inline(item, base, depth + 1) for item in value]
        elif key in _NAMED:
            out[key] = {name: _inline(item, base, depth + 1) for name, item in value.items()}
        elif key not in ("$defs", "$id"):
            out[key] = value
    return out


def schema(kind: str) -> dict[str, Any]:
    """The schema document of a kind (its top level is the ``spec`` profile), as a copy of its own."""
    return copy.deepcopy(_contents(SCHEMA_BASE + require_kind(kind) + ".json"))


def _contents(uri: str) -> Any:
    return documents()[uri]


# Strict mode reports response fields that no schema declares. The `properties` keyword records
# which keys each object was checked against; keys never declared anywhere are unknown. This reads
# jsonschema's own evaluation instead of re-implementing it
# (decisions.md#response-objects-are-open-strict-mode).
DECLARED: ContextVar[dict[int, tuple[Any, set[str]]]] = ContextVar("runcore_declared")


@cache
def validator_classes() -> tuple[Any, Any]:
    """runcore's dialect of Draft 2020-12 (integers without a fraction, patterns read as ECMA-262),
    and the same recording the properties each object was checked against. Built when first used:
    jsonschema is the explaining engine's, and ``runcore check`` on clean input never needs it."""
    from jsonschema import Draft202012Validator, validators

    types = Draft202012Validator.TYPE_CHECKER.redefine(
        "integer", lambda _checker, value: is_integer(value)
    )
    dialect = validators.extend(Draft202012Validator, {"pattern": pattern}, type_checker=types)
    properties = Draft202012Validator.VALIDATORS["properties"]

    def recording_properties(validator, declared, instance, schema_):  # type: ignore[no-untyped-def]
        if isinstance(instance, dict):
            seen = DECLARED.get()
            seen.setdefault(id(instance), (instance, set()))[1].update(declared)
        yield from properties(validator, declared, instance, schema_)

    return dialect, validators.extend(dialect, {"properties": recording_properties})


def validator(kind: str, profile: Profile = "observed", strict: bool = False) -> Any:
    """The compiled validator of a kind under a profile, built once and cached."""
    return _validator(require_kind(kind), require_profile(profile), strict is True)


@cache
def _validator(kind: str, profile: Profile, strict: bool) -> Any:
    cls = validator_classes()[1 if strict else 0]
    return cls({"$ref": root_uri(kind, profile)}, registry=registry())


def root_uri(kind: str, profile: str) -> str:
    """The URI of the schema a kind is checked against under a profile."""
    uri = SCHEMA_BASE + kind + ".json"
    if profile == "observed" and "observed" in _contents(uri).get("$defs", {}):
        uri += "#/$defs/observed"
    return uri


@cache
def details_validator(name: str) -> Any:
    """The compiled validator of one event's details, ``details.json#/$defs/<name>``."""
    return validator_classes()[0]({"$ref": f"{DETAILS_URI}#/$defs/{name}"}, registry=registry())
