"""jsonschema's errors turned into findings: a stable code, a pointer at the offending member, a message."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema import ValidationError

from runcore._findings import Finding, found
from runcore._json import brief, json_type

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


def schema_findings(validator: Any, instance: Any) -> list[Finding]:
    """Every schema finding of ``instance``, once each.

    The profiles overlap (``spec`` is ``observed`` and more), so a value can break the same rule
    twice: the first report of a (pointer, code) is kept.
    """
    unique: dict[tuple[str, str], Finding] = {}
    for finding in _translated(validator.iter_errors(instance)):
        unique.setdefault((finding.pointer, finding.code), finding)
    return list(unique.values())


def _translated(errors: Iterable[ValidationError]) -> Iterator[Finding]:
    for error in errors:
        if error.validator in ("anyOf", "oneOf"):
            branch = _matching_branch(error)
            if branch is not None:
                yield from _translated(branch)
                continue
        yield from _findings_of(error)


def _matching_branch(error: ValidationError) -> list[ValidationError] | None:
    """The errors of the one branch whose type fits the instance, if exactly one does.

    A branch that fails on ``type`` at the instance itself was never meant for this value (the
    ``null`` branch of a nullable field, the string branch of a string-or-object field).
    """
    branches: dict[int | str, list[ValidationError]] = {}
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
    instance: Any = error.instance
    expected: Any = error.validator_value
    schema: Any = error.schema
    code = SCHEMA_CODES.get(keyword, keyword)
    if keyword == "required":
        for name in expected:
            if isinstance(instance, dict) and name not in instance:
                yield _error(code, [*path, name], f"required field {name!r} is missing", None)
        return
    if keyword == "additionalProperties" and isinstance(instance, dict):
        declared = schema.get("properties", {})
        for name in instance:
            if name not in declared:
                allowed = ", ".join(declared)
                message = f"field {brief(name)} is not part of this request; allowed: {allowed}"
                yield _error(code, [*path, name], message, instance[name])
        return
    if "propertyNames" in error.relative_schema_path:
        key, longest = instance, expected
        message = (
            f"key {brief(key)} is {len(key)} characters long; keys are at most {longest} characters"
        )
        yield _error(code, [*path, key], message, key)
        return
    yield _error(code, path, _message(error), instance)


def _message(error: ValidationError) -> str:
    keyword = error.validator
    expected: Any = error.validator_value
    value: Any = error.instance
    schema: Any = error.schema
    subject = schema.get("title") if isinstance(schema, dict) else None
    if keyword == "type":
        wanted = " or ".join(expected) if isinstance(expected, list) else expected
        what = f" ({subject})" if subject else ""
        got = "null" if value is None else f"{json_type(value)} {brief(value)}"
        return f"expected {wanted}{what}, got {got}"
    if keyword in ("enum", "const"):
        allowed = expected if keyword == "enum" else [expected]
        return f"{brief(value)} is not one of {', '.join(brief(item) for item in allowed)}"
    if keyword in ("minimum", "exclusiveMinimum"):
        return f"{brief(value)} is below the minimum {expected}"
    if keyword in ("maximum", "exclusiveMaximum"):
        hint = (
            " (a timestamp in milliseconds? expected integer Unix seconds)"
            if subject and "Unix" in subject
            else ""
        )
        return f"{brief(value)} is above the maximum {expected}{hint}"
    if keyword in ("maxLength", "minLength"):
        bound = "at most" if keyword == "maxLength" else "at least"
        return f"{len(value)} characters long; expected {bound} {expected}"
    if keyword in ("maxItems", "minItems"):
        bound = "at most" if keyword == "maxItems" else "at least"
        return f"{len(value)} items; expected {bound} {expected}"
    if keyword == "maxProperties":
        return f"{len(value)} keys; expected at most {expected}"
    if keyword == "pattern":
        return f"{brief(value)} does not match {expected}"
    if keyword in ("anyOf", "oneOf"):
        return f"{brief(value)} matches none of the allowed forms"
    return str(error.message)


def _error(code: str, path: list[Any], message: str, value: Any) -> Finding:
    return found(code, "schema", path, message, value)
