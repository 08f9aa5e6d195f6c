"""The v2 validator's words: a finding as the ``param``, ``code`` and message the hosted API
answered with (errors.md §2)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from jsonschema import ValidationError

from runcore._contract._translate import SCHEMA_CODES
from runcore._findings import Finding, pointer, unescape_pointer
from runcore._json import is_integer, json_type
from runcore._lifecycle._effects import function_names

_UNSEEN = object()  # a place the instance does not show


def param_of(where: str, instance: Any = _UNSEEN) -> str | None:
    """The API's ``param`` for a JSON Pointer: members joined by dots, list items in brackets
    (``tool_outputs[0].output``, ``metadata.k``); None for the whole body.

    Without an instance to look at, a token of digits is taken for a list index.
    """
    text, node = "", _UNSEEN if instance is None else instance
    for token in unescape_pointer(where):
        index = isinstance(node, list) if node is not _UNSEEN else token.isdigit()
        text += f"[{token}]" if index else (f".{token}" if text else token)
        node = _child(node, token)
    return text or None


def _child(node: Any, token: str) -> Any:
    if isinstance(node, dict):
        return node.get(token, _UNSEEN)
    if isinstance(node, list) and token.isdigit() and int(token) < len(node):
        return node[int(token)]
    return _UNSEEN


def cause_of(finding: Finding, sources: Iterable[tuple[Any, Any]]) -> ValidationError | None:
    """The schema error a finding reports, looked up again to read its rule (bounds, types)."""
    for checker, instance in sources:
        for error in _all_errors(checker.iter_errors(instance)):
            if SCHEMA_CODES.get(str(error.validator)) == finding.code and _place(error) == (
                finding.pointer
            ):
                return error
    return None


def _all_errors(errors: Iterable[ValidationError]) -> Iterator[ValidationError]:
    for error in errors:
        yield error
        yield from _all_errors(error.context or ())


def _place(error: ValidationError) -> str:
    path: list[Any] = list(error.absolute_path)
    if "propertyNames" in error.relative_schema_path:  # the key itself is at fault
        path.append(error.instance)
    return pointer(path)


_ARTICLES = {
    "null": "null",
    "boolean": "a boolean",
    "integer": "an integer",
    "number": "a decimal",
    "string": "a string",
    "array": "an array",
    "object": "an object",
}


def v2_words(finding: Finding, instance: Any, cause: ValidationError | None) -> tuple[str, str]:
    """The v2 validator's code and message for a finding (errors.md §2.1)."""
    p = param_of(finding.pointer, instance)
    value, code = finding.value, finding.code
    rule: Any = cause.validator_value if cause is not None else None
    if code in ("missing_field", "no_model"):
        return "missing_required_parameter", f"Missing required parameter: '{p}'."
    if code == "unknown_field":
        return "unknown_parameter", f"Unknown parameter: '{p}'."
    if code in ("wrong_type", "no_matching_variant"):
        where = f"'{p}'" if p else "the request body"
        wanted = _wanted(cause)
        expected = f"expected {wanted}, but got" if wanted else "got"
        return "invalid_type", f"Invalid type for {where}: {expected} {_a(value)} instead."
    if code == "unknown_function":
        names = sorted(function_names(instance)) if isinstance(instance, Mapping) else []
        return "invalid_value", f"Invalid value: '{value}'. " + (
            f"Supported values are: {_listed(names)}." if names else "The run has no functions."
        )
    if rule is None and code != "invalid_value":
        return _CODES.get(code, "invalid_value"), f"Invalid '{p}': {finding.message}."
    if code == "invalid_value":
        allowed = rule if isinstance(rule, list) else [rule] if cause is not None else []
        supported = f" Supported values are: {_listed(allowed)}." if allowed else ""
        return "invalid_value", f"Invalid value: '{_text(value)}'.{supported}"
    if code in ("above_maximum", "below_minimum"):
        number = "integer" if is_integer(value) else "decimal"
        above = code == "above_maximum"
        sign = ("<" if above else ">") + (
            "" if "exclusive" in str(cause and cause.validator) else "="
        )
        return (
            f"{number}_{'above_max' if above else 'below_min'}_value",
            f"Invalid '{p}': {number} {'above maximum' if above else 'below minimum'} value. "
            f"Expected a value {sign} {rule}, but got {_text(value)} instead.",
        )
    if code == "too_long" and cause is not None and "propertyNames" in cause.relative_schema_path:
        container = param_of(pointer(unescape_pointer(finding.pointer)[:-1]), instance)
        name = str(value)
        return "property_name_above_max_length", (
            f"Invalid property name in '{container}': '{name[:3]}...{name[-3:]}' is too long. "
            f"Expected a string with maximum length {rule}, but got a string with length "
            f"{len(name)} instead."
        )
    return _measured(code, p, value, rule)


# Finding codes -> v2 codes, for a message that quotes the finding when the rule is not at hand.
_CODES = {
    "too_long": "string_above_max_length",
    "too_many_items": "array_above_max_length",
    "too_few_items": "empty_array",
    "too_many_properties": "object_above_max_properties",
    "above_maximum": "integer_above_max_value",
    "below_minimum": "integer_below_min_value",
}


def _measured(code: str, p: str | None, value: Any, rule: Any) -> tuple[str, str]:
    """Lengths, sizes and patterns: the request schemas' only minimum size is a non-empty array."""
    size = len(value) if isinstance(value, (str, list, dict)) else 0
    if code == "too_long":
        return _CODES[code], (
            f"Invalid '{p}': string too long. Expected a string with maximum length {rule}, "
            f"but got a string with length {size} instead."
        )
    if code == "too_many_items":
        return _CODES[code], (
            f"Invalid '{p}': array too long. Expected an array with maximum length {rule}, "
            f"but got an array with length {size} instead."
        )
    if code == "too_few_items":
        return _CODES[code], (
            f"Invalid '{p}': empty array. Expected an array with minimum length {rule}, "
            "but got an empty array instead."
        )
    if code == "too_many_properties":
        return _CODES[code], (
            f"Invalid '{p}': too many properties. Expected an object with at most {rule} "
            f"properties, but got an object with {size} properties instead."
        )
    if code == "pattern_mismatch":
        return "invalid_value", (
            f"Invalid '{p}': string does not match pattern. Expected a string that matches the "
            f"pattern '{rule}'."
        )
    return "invalid_value", f"Invalid '{p}': {_text(value)}."


def _wanted(cause: ValidationError | None) -> str:
    """What a type error expected, null aside: ``a string``, ``a string or an object``."""
    if cause is None:
        return ""
    declared: Any = cause.validator_value
    types: list[str] = declared if isinstance(declared, list) else [declared]
    if cause.validator in ("anyOf", "oneOf"):  # the type each branch asks of the value itself
        types = []
        for sub in cause.context or ():
            rule: Any = sub.validator_value
            if sub.relative_path:
                continue
            if sub.validator == "type":
                types += rule if isinstance(rule, list) else [rule]
            elif sub.validator in ("enum", "const"):
                types += [json_type(item) for item in (rule if sub.validator == "enum" else [rule])]
    named = list(dict.fromkeys(_ARTICLES.get(t, t) for t in types if t != "null"))
    return " or ".join(named)


def _a(value: Any) -> str:
    kind = json_type(value)
    return _ARTICLES.get(kind, f"a {kind}")


def _listed(values: Iterable[Any]) -> str:
    """``'a'``, ``'a' and 'b'``, ``'a', 'b', and 'c'``: as the API listed supported values."""
    quoted = [f"'{_text(value)}'" for value in values if value is not None]
    if len(quoted) < 3:
        return " and ".join(quoted)
    return ", ".join(quoted[:-1]) + ", and " + quoted[-1]


def _text(value: Any) -> str:
    """A value as the API echoed it: strings as they are, numbers as sent."""
    try:
        return value if isinstance(value, str) else str(value)
    except ValueError:  # an integer of more digits than Python writes out
        return f"an integer of about {int(value.bit_length() * 0.30103)} digits"
