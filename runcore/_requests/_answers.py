"""The hosted API's answers: each refusal runcore raises as the HTTP status and error body it got.

The statuses, templates and ``param`` spelling are those of ``errors.md``; where it marks a case as
an inference, decisions.md#the-apis-answers says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from runcore._contract._schemas import details_validator, validator
from runcore._errors import (
    ApiError,
    ClockSkew,
    IllegalTransition,
    InvalidDetails,
    ThreadBusy,
    UnknownKind,
)
from runcore._findings import Finding, found
from runcore._lifecycle._effects import pending_call_ids
from runcore._requests._templates import cause_of, param_of, v2_words
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
    code, message = v2_words(first, instance, cause_of(first, sources))
    return answer(
        400, message, param=param_of(first.pointer, instance), code=code, findings=findings
    )


def _first_error(findings: Iterable[Finding]) -> Finding | None:
    return next((finding for finding in findings if finding.severity == "error"), None)
