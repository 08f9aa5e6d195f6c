"""runcore: the executable contract of the OpenAI Assistants API runs resource."""

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
from runcore._schemas import KINDS, PROFILES, REQUEST_KINDS, RESPONSE_KINDS, schema
from runcore._validate import check, infer_kind, validate

__all__ = [
    "KINDS",
    "PROFILES",
    "REQUEST_KINDS",
    "RESPONSE_KINDS",
    "ContractViolation",
    "Finding",
    "IllegalTransition",
    "InvalidDetails",
    "NotCancellable",
    "RuncoreError",
    "StatusConflict",
    "UnknownKind",
    "check",
    "infer_kind",
    "schema",
    "validate",
]
