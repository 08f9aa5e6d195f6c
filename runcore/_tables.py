"""The status graphs of runs and run steps, and which fields each status carries: the one source of truth."""

from __future__ import annotations

from typing import Any, Iterable, Iterator, Mapping, Sequence

# The tables. Everything else (Machines, docs diagram, invariants, tests) reads them.
# Evidence for each edge: docs/decisions.md#the-run-status-table.

RUN_STATUSES = (
    "queued",
    "in_progress",
    "requires_action",
    "cancelling",
    "cancelled",
    "failed",
    "completed",
    "incomplete",
    "expired",
)
TERMINAL_RUN_STATUSES = frozenset({"cancelled", "failed", "completed", "incomplete", "expired"})
LIVE_RUN_STATUSES = tuple(s for s in RUN_STATUSES if s not in TERMINAL_RUN_STATUSES)

RUN_TRANSITIONS: list[dict[str, Any]] = [
    {"trigger": "start", "source": ["queued"], "dest": "in_progress"},
    {"trigger": "require_action", "source": ["in_progress"], "dest": "requires_action"},
    {"trigger": "submit_tool_outputs", "source": ["requires_action"], "dest": "queued"},
    {"trigger": "complete", "source": ["in_progress", "cancelling"], "dest": "completed"},
    {"trigger": "incomplete", "source": ["in_progress", "cancelling"], "dest": "incomplete"},
    {"trigger": "fail", "source": list(LIVE_RUN_STATUSES), "dest": "failed"},
    {
        "trigger": "cancel",
        "source": ["queued", "in_progress", "requires_action"],
        "dest": "cancelling",
    },
    {"trigger": "cancelled", "source": ["cancelling"], "dest": "cancelled"},
    {"trigger": "expire", "source": list(LIVE_RUN_STATUSES), "dest": "expired"},
]

STEP_STATUSES = ("in_progress", "cancelled", "failed", "completed", "expired")
TERMINAL_STEP_STATUSES = frozenset({"cancelled", "failed", "completed", "expired"})

STEP_TRANSITIONS: list[dict[str, Any]] = [
    {"trigger": "complete", "source": ["in_progress"], "dest": "completed"},
    {"trigger": "fail", "source": ["in_progress"], "dest": "failed"},
    {"trigger": "cancel", "source": ["in_progress"], "dest": "cancelled"},
    {"trigger": "expire", "source": ["in_progress"], "dest": "expired"},
]

# The detail keywords each event takes (all required), named after the wire fields they fill.
RUN_DETAILS: dict[str, tuple[str, ...]] = {
    "start": (),
    "require_action": ("tool_calls",),
    "submit_tool_outputs": ("tool_outputs",),
    "complete": ("usage",),
    "incomplete": ("usage", "incomplete_details"),
    "fail": ("last_error",),
    "cancel": (),
    "cancelled": (),
    "expire": (),
}
STEP_DETAILS: dict[str, tuple[str, ...]] = {
    "complete": ("usage",),
    "fail": ("last_error",),
    "cancel": (),
    "expire": (),
}

RUN_ERROR_CODES = ("server_error", "rate_limit_exceeded", "invalid_prompt")
STEP_ERROR_CODES = ("server_error", "rate_limit_exceeded")
INCOMPLETE_REASONS = ("max_completion_tokens", "max_prompt_tokens")

# What an in_progress step does when its run ends in one of these statuses.
STEP_EVENT_ON_RUN_END = {"cancelled": "cancel", "expired": "expire"}

RUN_EXPIRES_IN = 600
MAX_TIMESTAMP = 9_999_999_999  # the schemas' bound: larger values are milliseconds


def edges(table: Sequence[Mapping[str, Any]]) -> Iterator[tuple[str, str, str]]:
    """Every (source, trigger, dest) edge of a transition table, in table order."""
    for row in table:
        for source in row["source"]:
            yield source, row["trigger"], row["dest"]


def _fields(
    required: Iterable[str], allowed: Iterable[str] | None = None
) -> dict[str, frozenset[str]]:
    """Where a nullable field must be non-null, and where it may be (by default: only there)."""
    required = frozenset(required)
    return {"required": required, "allowed": required if allowed is None else frozenset(allowed)}


# Nullable fields: the statuses a field must be non-null in, and those it may be non-null in.
# advance() nulls a field on entering a status outside its "allowed"; the effects fill "required".
# Evidence: docs/decisions.md#fields-by-status.
RUN_FIELDS: dict[str, dict[str, frozenset[str]]] = {
    # legal_events() refuses to complete a run that never started (cancelled while queued), see
    # docs/decisions.md#a-run-that-never-started-cannot-complete.
    "started_at": _fields(
        {"in_progress", "requires_action", "completed", "incomplete"}, allowed=RUN_STATUSES
    ),
    "expires_at": _fields(LIVE_RUN_STATUSES),
    "completed_at": _fields({"completed", "incomplete"}),
    "failed_at": _fields({"failed"}),
    "cancelled_at": _fields({"cancelled"}),
    "required_action": _fields({"requires_action"}),
    "last_error": _fields({"failed"}),
    "incomplete_details": _fields({"incomplete"}),
    "usage": _fields({"completed", "incomplete"}, allowed=TERMINAL_RUN_STATUSES),
}
STEP_FIELDS: dict[str, dict[str, frozenset[str]]] = {
    "completed_at": _fields({"completed"}),
    "failed_at": _fields({"failed"}),
    "cancelled_at": _fields({"cancelled"}),
    "expired_at": _fields({"expired"}),
    "last_error": _fields({"failed"}),
    "usage": _fields({"completed"}, allowed=TERMINAL_STEP_STATUSES),
}

# Timestamps that happened (expires_at is a deadline, not an event), earliest first.
RUN_TIMESTAMPS = ("created_at", "started_at", "completed_at", "failed_at", "cancelled_at")
STEP_TIMESTAMPS = ("created_at", "completed_at", "failed_at", "cancelled_at", "expired_at")
