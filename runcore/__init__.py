"""runcore: the executable contract of the OpenAI Assistants API runs resource.

Each public name is imported from its module when first used (PEP 562), so ``import runcore`` and
``runcore check`` load only what they use (decisions.md#cold-start-imports-only-what-is-used).
"""

import importlib as _importlib
from typing import TYPE_CHECKING as _TYPE_CHECKING

if _TYPE_CHECKING:
    from runcore._contract._invariants import invariant_findings
    from runcore._contract._schemas import schema
    from runcore._contract._validate import check, validate
    from runcore._errors import (
        ApiError,
        ClockSkew,
        ContractViolation,
        IllegalTransition,
        InvalidArgument,
        InvalidDetails,
        NotCancellable,
        RuncoreError,
        StatusConflict,
        ThreadBusy,
        UnknownKind,
    )
    from runcore._findings import CODES, Finding
    from runcore._kinds import KINDS, PROFILES, REQUEST_KINDS, RESPONSE_KINDS, infer_kind
    from runcore._lifecycle._active import check_thread_free, modify_run
    from runcore._lifecycle._creation import run_from_request
    from runcore._lifecycle._due import CaughtUp, catch_up
    from runcore._lifecycle._engine import (
        Advanced,
        AdvancedStep,
        advance,
        advance_step,
        legal_events,
        settle_steps,
    )
    from runcore._lifecycle._steps import answer_tool_calls, new_step, run_usage, step_delta
    from runcore._requests._answers import api_error, invalid_url, not_found
    from runcore._requests._bodies import accept_id, accept_request
    from runcore._requests._pages import page
    from runcore._requests._query import parse_list_query
    from runcore._requests._wire import ID_PREFIXES, SSE_DONE, json_body, new_id, sse_event
    from runcore._tables import (
        ACTIVE_RUN_STATUSES,
        RUN_STATUSES,
        RUN_TRANSITIONS,
        STEP_STATUSES,
        STEP_TRANSITIONS,
        TERMINAL_RUN_STATUSES,
        TERMINAL_STEP_STATUSES,
    )

__all__ = [
    "ACTIVE_RUN_STATUSES",
    "CODES",
    "ID_PREFIXES",
    "KINDS",
    "PROFILES",
    "REQUEST_KINDS",
    "RESPONSE_KINDS",
    "RUN_STATUSES",
    "RUN_TRANSITIONS",
    "SSE_DONE",
    "STEP_STATUSES",
    "STEP_TRANSITIONS",
    "TERMINAL_RUN_STATUSES",
    "TERMINAL_STEP_STATUSES",
    "Advanced",
    "AdvancedStep",
    "ApiError",
    "CaughtUp",
    "ClockSkew",
    "ContractViolation",
    "Finding",
    "IllegalTransition",
    "InvalidArgument",
    "InvalidDetails",
    "NotCancellable",
    "RuncoreError",
    "StatusConflict",
    "ThreadBusy",
    "UnknownKind",
    "accept_id",
    "accept_request",
    "advance",
    "advance_step",
    "answer_tool_calls",
    "api_error",
    "catch_up",
    "check",
    "check_thread_free",
    "infer_kind",
    "invalid_url",
    "invariant_findings",
    "json_body",
    "legal_events",
    "modify_run",
    "new_id",
    "new_step",
    "not_found",
    "page",
    "parse_list_query",
    "run_from_request",
    "run_usage",
    "schema",
    "settle_steps",
    "sse_event",
    "step_delta",
    "validate",
]

# Where each public name lives.
_MODULES = {
    "invariant_findings": "runcore._contract._invariants",
    "schema": "runcore._contract._schemas",
    "check": "runcore._contract._validate",
    "validate": "runcore._contract._validate",
    "ApiError": "runcore._errors",
    "ClockSkew": "runcore._errors",
    "ContractViolation": "runcore._errors",
    "IllegalTransition": "runcore._errors",
    "InvalidArgument": "runcore._errors",
    "InvalidDetails": "runcore._errors",
    "NotCancellable": "runcore._errors",
    "RuncoreError": "runcore._errors",
    "StatusConflict": "runcore._errors",
    "ThreadBusy": "runcore._errors",
    "UnknownKind": "runcore._errors",
    "CODES": "runcore._findings",
    "Finding": "runcore._findings",
    "KINDS": "runcore._kinds",
    "PROFILES": "runcore._kinds",
    "REQUEST_KINDS": "runcore._kinds",
    "RESPONSE_KINDS": "runcore._kinds",
    "infer_kind": "runcore._kinds",
    "check_thread_free": "runcore._lifecycle._active",
    "modify_run": "runcore._lifecycle._active",
    "run_from_request": "runcore._lifecycle._creation",
    "CaughtUp": "runcore._lifecycle._due",
    "catch_up": "runcore._lifecycle._due",
    "Advanced": "runcore._lifecycle._engine",
    "AdvancedStep": "runcore._lifecycle._engine",
    "advance": "runcore._lifecycle._engine",
    "advance_step": "runcore._lifecycle._engine",
    "legal_events": "runcore._lifecycle._engine",
    "settle_steps": "runcore._lifecycle._engine",
    "answer_tool_calls": "runcore._lifecycle._steps",
    "new_step": "runcore._lifecycle._steps",
    "run_usage": "runcore._lifecycle._steps",
    "step_delta": "runcore._lifecycle._steps",
    "api_error": "runcore._requests._answers",
    "invalid_url": "runcore._requests._answers",
    "not_found": "runcore._requests._answers",
    "accept_id": "runcore._requests._bodies",
    "accept_request": "runcore._requests._bodies",
    "page": "runcore._requests._pages",
    "parse_list_query": "runcore._requests._query",
    "ID_PREFIXES": "runcore._requests._wire",
    "SSE_DONE": "runcore._requests._wire",
    "json_body": "runcore._requests._wire",
    "new_id": "runcore._requests._wire",
    "sse_event": "runcore._requests._wire",
    "ACTIVE_RUN_STATUSES": "runcore._tables",
    "RUN_STATUSES": "runcore._tables",
    "RUN_TRANSITIONS": "runcore._tables",
    "STEP_STATUSES": "runcore._tables",
    "STEP_TRANSITIONS": "runcore._tables",
    "TERMINAL_RUN_STATUSES": "runcore._tables",
    "TERMINAL_STEP_STATUSES": "runcore._tables",
}


def __getattr__(name: str) -> object:
    if name not in _MODULES:
        raise AttributeError(f"module 'runcore' has no attribute {name!r}")
    value = getattr(_importlib.import_module(_MODULES[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
