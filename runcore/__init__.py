"""runcore: the executable contract of the OpenAI Assistants API runs resource."""

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
