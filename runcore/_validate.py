"""Validation of one object: schema errors turned into findings, plus the lifecycle invariants."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Iterable, Iterator

from jsonschema import ValidationError

from runcore._errors import ContractViolation, UnknownKind
from runcore._findings import Finding, pointer, unescape_pointer
from runcore._invariants import invariant_findings
from runcore._schemas import (
    DECLARED,
    KINDS,
    OBJECT_KINDS,
    PAGE_ITEM_KINDS,
    RESPONSE_KINDS,
    Profile,
    validator,
)

# Stable finding codes of the schema checker, by JSON Schema keyword.
SCHEMA_CODES = {
    "required": "missing_field",
    "additionalProperties": "unknown_field",
    "type": "wrong_type",
    "enum": "invalid_value",
    "const": "invalid_value",
    "minimum": "below_minimum",
    "exclusiveMinimum": "below_minimum",
    "maximum": "above_maximum",
    "exclusiveMaximum": "above_maximum",
    "minLength": "too_short",
    "maxLength": "too_long",
    "pattern": "pattern_mismatch",
    "minItems": "too_few_items",
    "maxItems": "too_many_items",
    "maxProperties": "too_many_properties",
    "anyOf": "no_matching_variant",
    "oneOf": "no_matching_variant",
}


def infer_kind(instance: Any) -> str:
    """The kind of a response object, read from its ``object`` field (or its ``error`` key)."""
    if not isinstance(instance, dict):
        raise UnknownKind(f"cannot infer the kind of a {type(instance).__name__}; pass a kind")
    tag = instance.get("object")
    if not isinstance(tag, (str, type(None))):
        raise UnknownKind(
            f"cannot infer the kind from a non-string object field {tag!r}; pass a kind"
        )
    if tag in OBJECT_KINDS:
        return OBJECT_KINDS[tag]
    if tag == "list":
        data = instance.get("data")
        first = data[0] if isinstance(data, list) and data else None
        # An empty page validates the same way under both list kinds.
        return (
            "run_step_list"
            if isinstance(first, dict) and first.get("object") == "thread.run.step"
            else "run_list"
        )
    if tag is None and "error" in instance:
        return "error"
    raise UnknownKind(f"cannot infer the kind from object={tag!r}; pass one of: {', '.join(KINDS)}")


def validate(
    instance: Any,
    kind: str | None = None,
    *,
    profile: Profile = "observed",
    strict: bool = False,
    invariants: bool = True,
) -> list[Finding]:
    """Every finding for one object of a kind (inferred from ``object`` when not given).

    Findings come in the order of the document itself (a missing field after its siblings).
    ``strict`` reports response fields that no schema declares, as warnings (request kinds reject
    them anyway). ``invariants`` adds the lifecycle checks of runs and run steps (status against
    fields and timestamps) to the schema checks.
    """
    kind = kind or infer_kind(instance)
    strict = strict and kind in RESPONSE_KINDS
    schema_validator = validator(kind, profile, strict)
    token = DECLARED.set({}) if strict else None
    try:
        found = _without_repeats(_schema_findings(schema_validator.iter_errors(instance)))
        if token is not None:
            found += _unknown_fields(instance, DECLARED.get())
    finally:
        if token is not None:
            DECLARED.reset(token)
    if invariants:
        found += _invariant_findings(instance, kind, profile)
    found.sort(key=lambda finding: _document_place(instance, finding.pointer))
    return _with_object_ids(found, instance)


def check(
    instance: Any, kind: str | None = None, *, profile: Profile = "observed", strict: bool = False
) -> list[Finding]:
    """Like :func:`validate`, but raise :class:`ContractViolation` when any finding is an error.

    Returns the warnings when there is no error.
    """
    findings = validate(instance, kind, profile=profile, strict=strict)
    if any(finding.severity == "error" for finding in findings):
        raise ContractViolation(findings)
    return findings


# The object each kind's lifecycle invariants apply to; a page kind applies them to each item.
INVARIANT_OBJECTS = {
    kind: tag for tag, kind in OBJECT_KINDS.items() if kind in PAGE_ITEM_KINDS.values()
}


def _invariant_findings(instance: Any, kind: str, profile: Profile) -> list[Finding]:
    """Lifecycle findings for a run or step, or each item of a page; other objects are the schema's."""
    if kind in PAGE_ITEM_KINDS:
        data = instance.get("data") if isinstance(instance, dict) else None
        return [
            replace(finding, pointer=f"/data/{index}{finding.pointer}")
            for index, item in enumerate(data if isinstance(data, list) else [])
            for finding in _invariant_findings(item, PAGE_ITEM_KINDS[kind], profile)
        ]
    wanted = INVARIANT_OBJECTS.get(kind)
    if wanted and isinstance(instance, dict) and instance.get("object") == wanted:
        return invariant_findings(instance, profile=profile)
    return []


def _schema_findings(errors: Iterable[ValidationError]) -> Iterator[Finding]:
    for error in errors:
        if error.validator in ("anyOf", "oneOf"):
            branch = _matching_branch(error)
            if branch is not None:
                yield from _schema_findings(branch)
                continue
        yield from _findings_of(error)


def _matching_branch(error: ValidationError) -> list[ValidationError] | None:
    """The errors of the one branch whose type fits the instance, if exactly one does.

    A branch that fails on ``type`` at the instance itself was never meant for this value (the
    ``null`` branch of a nullable field, the string branch of a string-or-object field).
    """
    branches: dict[int, list[ValidationError]] = {}
    for sub in error.context or ():
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    fitting = [
        subs
        for subs in branches.values()
        if not any(sub.validator == "type" and not sub.relative_path for sub in subs)
    ]
    return fitting[0] if len(fitting) == 1 else None


def _findings_of(error: ValidationError) -> Iterator[Finding]:
    path = list(error.absolute_path)
    keyword = str(error.validator)
    code = SCHEMA_CODES.get(keyword, keyword)
    if keyword == "required":
        for name in error.validator_value:
            if isinstance(error.instance, dict) and name not in error.instance:
                yield _error(code, path + [name], f"required field {name!r} is missing", None)
        return
    if keyword == "additionalProperties" and isinstance(error.instance, dict):
        declared = error.schema.get("properties", {})
        for name in error.instance:
            if name not in declared:
                message = (
                    f"field {name!r} is not part of this request; allowed: {', '.join(declared)}"
                )
                yield _error(code, path + [name], message, error.instance[name])
        return
    if "propertyNames" in error.relative_schema_path:
        key = error.instance
        longest = error.validator_value
        message = f"key {_short(key)} is {len(key)} characters long; keys are at most {longest} characters"
        yield _error(code, path + [key], message, key)
        return
    yield _error(code, path, _message(error), error.instance)


def _message(error: ValidationError) -> str:
    keyword, expected, value = error.validator, error.validator_value, error.instance
    subject = error.schema.get("title") if isinstance(error.schema, dict) else None
    if keyword == "type":
        wanted = " or ".join(expected) if isinstance(expected, list) else expected
        what = f" ({subject})" if subject else ""
        got = "null" if value is None else f"{json_type(value)} {_short(value)}"
        return f"expected {wanted}{what}, got {got}"
    if keyword in ("enum", "const"):
        allowed = expected if keyword == "enum" else [expected]
        return f"{_short(value)} is not one of {', '.join(_short(item) for item in allowed)}"
    if keyword in ("minimum", "exclusiveMinimum"):
        return f"{_short(value)} is below the minimum {expected}"
    if keyword in ("maximum", "exclusiveMaximum"):
        hint = (
            " (a timestamp in milliseconds? expected integer Unix seconds)"
            if subject and "Unix" in subject
            else ""
        )
        return f"{_short(value)} is above the maximum {expected}{hint}"
    if keyword in ("maxLength", "minLength"):
        bound = "at most" if keyword == "maxLength" else "at least"
        return f"{len(value)} characters long; expected {bound} {expected}"
    if keyword in ("maxItems", "minItems"):
        bound = "at most" if keyword == "maxItems" else "at least"
        return f"{len(value)} items; expected {bound} {expected}"
    if keyword == "maxProperties":
        return f"{len(value)} keys; expected at most {expected}"
    if keyword == "pattern":
        return f"{_short(value)} does not match {expected}"
    if keyword in ("anyOf", "oneOf"):
        return f"{_short(value)} matches none of the allowed forms"
    return error.message


def json_type(value: Any) -> str:
    """The JSON Schema type name of a value (or what it is, when it is not JSON)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else f"{type(value).__name__} (not a JSON value)"


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _error(code: str, path: list[Any], message: str, value: Any) -> Finding:
    return Finding("error", code, pointer(path), message, value)


def _unknown_fields(instance: Any, declared: dict[int, tuple[Any, set[str]]]) -> Iterator[Finding]:
    """Warnings for fields that no schema declares, in document order."""
    stack: list[tuple[Any, list[Any]]] = [(instance, [])]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            names = declared.get(id(node), (None, None))[1]
            for key, child in node.items():
                if names is not None and key not in names:
                    message = f"field {key!r} is not in the documented contract"
                    yield Finding("warning", "unknown_field", pointer(path + [key]), message, child)
            stack.extend((child, path + [key]) for key, child in reversed(node.items()))
        elif isinstance(node, list):
            stack.extend(
                (child, path + [index]) for index, child in reversed(list(enumerate(node)))
            )


def _without_repeats(findings: Iterable[Finding]) -> list[Finding]:
    """Schema findings once each: the profiles overlap, so a value can break the same rule twice."""
    unique: dict[tuple[str, str], Finding] = {}
    for finding in findings:
        unique.setdefault((finding.pointer, finding.code), finding)
    return list(unique.values())


def _document_place(instance: Any, where: str) -> list[tuple[int, str]]:
    """Where a pointer lands in the document's own order; a missing member sorts after its siblings."""
    place: list[tuple[int, str]] = []
    node = instance
    for token in unescape_pointer(where):
        if isinstance(node, dict) and token in node:
            place.append((list(node).index(token), ""))
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            place.append((int(token), ""))
            node = node[int(token)]
        else:
            place.append((len(node) if isinstance(node, (dict, list)) else 0, token))
            node = None
    return place


def page_item(where: str) -> int | None:
    """The index of the page item a pointer lands in (``/data/3/...`` -> 3), if it does."""
    tokens = where.split("/", 3)
    if len(tokens) > 2 and tokens[1] == "data" and tokens[2].isdigit():
        return int(tokens[2])
    return None


def _with_object_ids(findings: list[Finding], instance: Any) -> list[Finding]:
    """Name the object each finding is about: a page item's own id, else the object's id."""
    if not isinstance(instance, dict):
        return findings
    data = instance.get("data") if isinstance(instance.get("data"), list) else []

    def object_id(finding: Finding) -> str | None:
        index = page_item(finding.pointer)
        owner = data[index] if index is not None and index < len(data) else instance
        return (
            owner.get("id")
            if isinstance(owner, dict) and isinstance(owner.get("id"), str)
            else None
        )

    return [replace(finding, object_id=object_id(finding)) for finding in findings]
