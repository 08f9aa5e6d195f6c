"""The new run: a queued run built from a create-run request and its assistant's settings."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from runcore._contract._validate import validate
from runcore._errors import InvalidDetails
from runcore._findings import Finding, found
from runcore._json import brief, copied, is_integer, json_type
from runcore._lifecycle._effects import (
    check_clock,
    function_names,
    lifecycle_finding,
    require_object,
)
from runcore._tables import RUN_EXPIRES_IN, RUN_INITIAL


def run_from_request(
    request: Mapping[str, Any],
    assistant: Mapping[str, Any],
    *,
    run_id: str,
    thread_id: str,
    now: int,
    expires_in: int = RUN_EXPIRES_IN,
) -> dict[str, Any]:
    """The new ``queued`` run for a create-run request (or create-thread-and-run) and its assistant.

    An explicit request value wins, even a falsy one such as ``temperature: 0``; then the
    assistant's; then the documented default. ``null`` in the request means "not set". The server
    emits ``thread.run.created`` and ``thread.run.queued`` with it. The run shares no dict or list
    with the request or the assistant.
    """
    require_object("/request", request, "the request")
    require_object("/assistant", assistant, "the assistant")
    check_clock({}, now, ())
    if not is_integer(expires_in) or expires_in <= 0:
        message = f"expires_in must be a positive number of seconds, got {brief(expires_in)}"
        raise InvalidDetails(
            [lifecycle_finding("expires_in_invalid", ["expires_in"], message, expires_in)]
        )
    named = request.get("assistant_id")
    if assistant.get("id") is not None and assistant["id"] != named:
        message = f"the request names assistant {brief(named)}, not {brief(assistant['id'])}"
        raise InvalidDetails(
            [lifecycle_finding("assistant_mismatch", ["assistant_id"], message, named)]
        )
    model = _setting("model", None, request, assistant)
    if not isinstance(model, str):
        message = "neither the request nor the assistant names a model"
        raise InvalidDetails([lifecycle_finding("no_model", ["model"], message, model)])
    instructions, broken = _instructions(request, assistant)
    run = {
        "id": run_id,
        "object": "thread.run",
        "created_at": now,
        "assistant_id": named,
        "thread_id": thread_id,
        "status": RUN_INITIAL,
        "started_at": None,
        "expires_at": now + expires_in,
        "cancelled_at": None,
        "failed_at": None,
        "completed_at": None,
        "required_action": None,
        "last_error": None,
        "model": model,
        "instructions": instructions,
        "tools": _setting("tools", [], request, assistant),
        "metadata": _setting("metadata", {}, request),
        "temperature": _setting("temperature", 1, request, assistant),
        "top_p": _setting("top_p", 1, request, assistant),
        "max_prompt_tokens": _setting("max_prompt_tokens", None, request),
        "max_completion_tokens": _setting("max_completion_tokens", None, request),
        "truncation_strategy": _setting("truncation_strategy", _AUTO_TRUNCATION, request),
        "incomplete_details": None,
        "usage": None,
        "response_format": _setting("response_format", "auto", request, assistant),
        "tool_choice": _setting("tool_choice", "auto", request),
        "parallel_tool_calls": _setting("parallel_tool_calls", True, request),
    }
    # The request and the assistant are the server's input: a run built from them must keep the
    # documented contract (token limits, metadata, tools, names...), its settings the limits of a
    # request (an assistant's temperature 7 too), and a tool_choice must name one of its
    # functions, or nothing is created (decisions.md#creating-a-run).
    settings = {"assistant_id": named, **{name: run[name] for name in _REQUEST_SETTINGS}}
    unique: dict[tuple[str, str], Finding] = {}
    for finding in (
        *broken,
        *validate(run, "run", profile="spec", invariants=False),  # they hold by construction
        *validate(settings, "create_run_request"),
        *_tool_choice_findings(run),
    ):
        unique.setdefault((finding.pointer, finding.code), finding)
    if unique:
        raise InvalidDetails(
            list(unique.values()),
            "the request and the assistant's settings make a run that breaks the contract",
            target=run,
        )
    return copied(run)  # checked first: a value that contains itself or nests too deep is refused


_AUTO_TRUNCATION = {"type": "auto", "last_messages": None}
# The run's fields that a create-run request also sets, under the same names.
_REQUEST_SETTINGS = (
    "model",
    "instructions",
    "tools",
    "metadata",
    "temperature",
    "top_p",
    "max_prompt_tokens",
    "max_completion_tokens",
    "truncation_strategy",
    "response_format",
    "tool_choice",
    "parallel_tool_calls",
)


def _tool_choice_findings(run: Mapping[str, Any]) -> Iterator[Finding]:
    """A tool_choice that names a function the run does not have."""
    choice = run.get("tool_choice")
    if not isinstance(choice, dict) or choice.get("type") != "function":
        return
    function = choice.get("function")
    name = function.get("name") if isinstance(function, dict) else None
    names = function_names(run)
    if isinstance(name, str) and name not in names:
        message = f"tool_choice names {brief(name)}, which is not one of the run's functions {sorted(names)}"
        yield lifecycle_finding(
            "unknown_function", ["tool_choice", "function", "name"], message, name
        )


def _setting(name: str, default: Any, *sources: Mapping[str, Any]) -> Any:
    """The first non-null value of ``name`` among the sources, else the default."""
    for source in sources:
        if source.get(name) is not None:
            return source[name]
    return default


def _instructions(
    request: Mapping[str, Any], assistant: Mapping[str, Any]
) -> tuple[Any, list[Finding]]:
    """The run's instructions, with additional_instructions appended, and what refuses them."""
    # RunObject.instructions is a non-null string, so "" when nobody gives any
    # (decisions.md#creating-a-run).
    base = _setting("instructions", "", request, assistant)
    extra = request.get("additional_instructions")
    if not isinstance(extra, (str, type(None))):
        message = f"expected string or null, got {json_type(extra)} {brief(extra)}"
        return base, [found("wrong_type", "schema", ["additional_instructions"], message, extra)]
    if not extra or not isinstance(base, str):  # a base that is not a string is the run's finding
        return base, []
    return (f"{base}\n\n{extra}" if base else extra), []
