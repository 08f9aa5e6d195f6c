"""The hosted API's answers: each refusal runcore raises as the HTTP status and error body it got.

The statuses, templates and ``param`` spelling are those of ``errors.md``; where it marks a case as
an inference, decisions.md#the-apis-answers says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from jsonschema import ValidationError

from runcore._contract._schemas import details_validator, validator
from runcore._contract._translate import SCHEMA_CODES
from runcore._errors import (
    ApiError,
    ClockSkew,
    IllegalTransition,
    InvalidDetails,
    ThreadBusy,
    UnknownKind,
)
from runcore._findings import Finding, found, pointer, unescape_pointer
from runcore._json import is_integer, json_type
from runcore._lifecycle._effects import function_names, pending_call_ids
from runcore._tables import RUN_STATUSES

SERVER_ERROR = "The server had an error while processing your request. Sorry about that!"
NOT_PARSED = "We could not parse the JSON body of your request."

# Who the API's not-found messages name, by the object's name in runcore.
_NOT_FOUND = {
    "thread": "thread",
    "run": "run",
    "run_step": "run step",
    "message": "message",
    "assistant": "assistant",
}
# The refusals of a client's request on a run by its status (errors.md §3). The quoting differs
# between the templates, as it did on the wire.
_STATE_REFUSALS = {
    "cancel": "Cannot cancel run with status '{status}'.",
    "submit_tool_outputs": 'Runs in status "{status}" do not accept tool outputs.',
    "modify": "Cannot update run with status '{status}'.",
}
# The schemas a refused request or the run it makes is checked against, to read a rule's bounds.
_SETTINGS_KINDS = ("run", "create_run_request", "modify_run_request")
# Codes of findings about the server's own input (its clock, its store), whatever call raised them.
_SERVERS_OWN = {
    "clock_invalid",
    "clock_skew",
    "expires_in_invalid",
    "assistant_mismatch",
    "step_of_another_run",
    "step_left_running",
    "no_pending_tool_calls",
}


def answer(
    status: int,
    message: str,
    *,
    param: str | None = None,
    code: str | None = None,
    findings: Sequence[Finding] = (),
) -> ApiError:
    """The ApiError with this status and message, in the API's envelope (type by status)."""
    kind = "server_error" if status >= 500 else "invalid_request_error"
    envelope = {"message": message, "type": kind, "param": param, "code": code}
    return ApiError(status, {"error": envelope}, findings)


def not_found(what: str, object_id: Any) -> ApiError:
    """404 ``No run found with id 'run_x'.``: ``what`` is thread, run, run_step, message or
    assistant; the id is echoed as given."""
    if what not in _NOT_FOUND:
        raise UnknownKind(f"unknown object {what!r}; objects: {', '.join(_NOT_FOUND)}")
    return answer(404, f"No {_NOT_FOUND[what]} found with id '{object_id}'.")


def invalid_url(method: str, path: str) -> ApiError:
    """404 ``Invalid URL (POST /v1/assistants)``: a route the API does not have."""
    return answer(404, f"Invalid URL ({method} {path})")


def api_error(error: BaseException) -> ApiError:
    """The ApiError for any refusal runcore raises: what the hosted API answered in its place.

    The client's mistakes are 400s with the API's texts (a refused cancel, submit or modify, tool
    outputs that do not answer the pending calls, a second active run, settings no run can have);
    everything that is the server's own (its clock, a worker's event, a lost compare-and-set, a
    ContractViolation of an object it made, an exception runcore did not raise) is the API's 500
    ``server_error``, with the findings kept.
    """
    if isinstance(error, ApiError):
        return error
    if isinstance(error, ThreadBusy):
        return answer(400, str(error))
    if isinstance(error, IllegalTransition):
        return _state_answer(error)
    if isinstance(error, ClockSkew):
        return server_error(error.findings)
    if isinstance(error, InvalidDetails):
        return _details_answer(error)
    # ContractViolation included: a client's body is checked by accept_request, whose ApiError is
    # the 400; a violation that reaches here is of an object the server made or checked itself.
    return server_error(getattr(error, "findings", ()))


def server_error(findings: Sequence[Finding] = ()) -> ApiError:
    """500 ``server_error``: the hosted API's answer when the fault was its own."""
    return answer(500, SERVER_ERROR, findings=findings)


def not_parsed(problem: str, findings: Sequence[Finding] = ()) -> ApiError:
    """400: a body that is not JSON (the hint names the problem)."""
    hint = problem if problem.endswith(".") else problem + "."
    problems = findings or [found("invalid_json", "input", [], problem)]
    return answer(400, f"{NOT_PARSED} (HINT: {hint})", findings=problems)


def wrong_id(name: str, value: Any, prefix: str, findings: Sequence[Finding] = ()) -> ApiError:
    """400: an id that does not begin with its object's prefix."""
    message = f"Invalid '{name}': '{value}'. Expected an ID that begins with '{prefix}'."
    return answer(400, message, param=name, code="invalid_value", findings=findings)


def _state_answer(error: IllegalTransition) -> ApiError:
    template = _STATE_REFUSALS.get(error.event)
    if error.subject != "run" or template is None or error.status not in RUN_STATUSES:
        return server_error()
    # A refusal by the deadline is a run that is expired by the clock: the API had expired it.
    status = "expired" if "past_deadline" in error.guards else error.status
    return answer(400, template.format(status=status))


def _details_answer(error: InvalidDetails) -> ApiError:
    first = _first_error(error.findings)
    if first is None or first.code in _SERVERS_OWN:
        return server_error(error.findings)
    if error.subject == "run" and error.event == "submit_tool_outputs":
        return _tool_outputs_answer(error, first)
    if error.subject is None and error.event is None:  # a request's settings, or the run they make
        sources = [(validator(kind, "spec", False), error.target) for kind in _SETTINGS_KINDS]
        return validation_answer(error.findings, error.target, sources)
    return server_error(error.findings)


def _tool_outputs_answer(error: InvalidDetails, first: Finding) -> ApiError:
    if first.category == "schema":
        shape = details_validator(f"{error.subject}_{error.event}")
        return validation_answer(error.findings, error.details, [(shape, error.details)])
    outputs = (error.details or {}).get("tool_outputs") or []
    submitted = [item.get("tool_call_id") for item in outputs if isinstance(item, dict)]
    codes = {finding.code for finding in error.findings}
    # Python's repr of the lists, no full stop: the recorded texts (errors.md §3).
    if "tool_output_repeated" in codes:
        return answer(400, f"Duplicate call_ids submitted: {submitted!r}", findings=error.findings)
    pending = pending_call_ids(error.target or {})
    message = f"Expected tool outputs for call_ids {pending!r}, got {submitted!r}"
    return answer(400, message, findings=error.findings)


def validation_answer(
    findings: Sequence[Finding], instance: Any = None, sources: Iterable[tuple[Any, Any]] = ()
) -> ApiError:
    """400 for the first error of a body, in the v2 validator's words, with every finding.

    ``instance`` is the checked object, so that ``param`` tells list items from members; ``sources``
    are (validator, instance) pairs to read the rule's bounds from (without them the message
    quotes the finding).
    """
    first = _first_error(findings)
    if first is None:
        return server_error(findings)
    if first.code == "non_finite_number":
        where = param_of(first.pointer, instance) or "the body"
        return not_parsed(f"{first.value!r} at '{where}' is not a JSON number", findings)
    cause = _cause(first, sources)
    code, message = _v2(first, instance, cause)
    return answer(
        400, message, param=param_of(first.pointer, instance), code=code, findings=findings
    )


def _first_error(findings: Iterable[Finding]) -> Finding | None:
    return next((finding for finding in findings if finding.severity == "error"), None)


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


def _cause(finding: Finding, sources: Iterable[tuple[Any, Any]]) -> ValidationError | None:
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


def _v2(finding: Finding, instance: Any, cause: ValidationError | None) -> tuple[str, str]:
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
