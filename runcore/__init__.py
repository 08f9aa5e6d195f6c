"""runcore: the executable contract of the OpenAI Assistants API runs resource."""

from runcore._creation import run_from_request
from runcore._errors import (
    ContractViolation,
    IllegalTransition,
    InvalidDetails,
    NotCancellable,
    RuncoreError,
    StatusConflict,
    UnknownKind,
)
from runcore._findings import Finding
from runcore._invariants import invariant_findings
from runcore._lifecycle import (
    Advanced,
    AdvancedStep,
    advance,
    advance_step,
    legal_events,
    settle_steps,
)
from runcore._query import parse_list_query
from runcore._schemas import KINDS, PROFILES, REQUEST_KINDS, RESPONSE_KINDS, schema
from runcore._tables import (
    RUN_STATUSES,
    RUN_TRANSITIONS,
    STEP_STATUSES,
    STEP_TRANSITIONS,
    TERMINAL_RUN_STATUSES,
    TERMINAL_STEP_STATUSES,
)
from runcore._validate import check, infer_kind, validate

__all__ = [
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
    "ContractViolation",
    "Finding",
    "IllegalTransition",
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
