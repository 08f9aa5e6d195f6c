"""runcore: the executable contract of the OpenAI Assistants API runs resource."""

from runcore._contract._invariants import invariant_findings
from runcore._contract._schemas import schema
from runcore._contract._validate import check, validate
from runcore._errors import (
    ClockSkew,
    ContractViolation,
    IllegalTransition,
    InvalidArgument,
    InvalidDetails,
    NotCancellable,
    RuncoreError,
    StatusConflict,
    UnknownKind,
)
from runcore._findings import CODES, Finding
from runcore._kinds import KINDS, PROFILES, REQUEST_KINDS, RESPONSE_KINDS, infer_kind
from runcore._lifecycle._creation import run_from_request
from runcore._lifecycle._engine import (
    Advanced,
    AdvancedStep,
    advance,
    advance_step,
    legal_events,
    settle_steps,
)
from runcore._requests._query import parse_list_query
from runcore._tables import (
    RUN_STATUSES,
    RUN_TRANSITIONS,
    STEP_STATUSES,
    STEP_TRANSITIONS,
    TERMINAL_RUN_STATUSES,
    TERMINAL_STEP_STATUSES,
)

__all__ = [
    "CODES",
    "KINDS",
    "PROFILES",
    "REQUEST_KINDS",
    "RESPONSE_KINDS",
    "RUN_STATUSES",
    "RUN_TRANSITIONS",
    "STEP_STATUSES",
    "STEP_TRANSITIONS",
    "TERMINAL_RUN_STATUSES",
    "TERMINAL_STEP_STATUSES",
    "Advanced",
    "AdvancedStep",
    "ClockSkew",
    "ContractViolation",
    "Finding",
    "IllegalTransition",
    "InvalidArgument",
    "InvalidDetails",
    "NotCancellable",
    "RuncoreError",
    "StatusConflict",
    "UnknownKind",
    "advance",
    "advance_step",
    "check",
    "infer_kind",
    "invariant_findings",
    "legal_events",
    "parse_list_query",
    "run_from_request",
    "schema",
    "settle_steps",
    "validate",
]
