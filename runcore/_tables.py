"""The status graphs of runs and run steps, and which fields each status carries: the one source of truth."""

from __future__ import annotations

from types import MappingProxyType
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


def _row(
    trigger: str,
    source: Iterable[str],
    dest: str | None,
    *,
    conditions: Iterable[str] = (),
    unless: Iterable[str] = (),
) -> Mapping[str, Any]:
    """One read-only row of a transition table, in the shape `transitions` takes.

    ``dest`` None is an internal transition: the event is accepted and changes nothing.
    ``conditions`` must hold and ``unless`` must not, by the names of :data:`GUARDS`.
    """
    row = {"trigger": trigger, "source": tuple(source), "dest": dest}
    row.update({"conditions": tuple(conditions)} if conditions else {})
    row.update({"unless": tuple(unless)} if unless else {})
    return MappingProxyType(row)


# What the guards named in the tables mean (each is a predicate on the run and `now`).
GUARDS = MappingProxyType(
    {
        "past_deadline": "now >= expires_at",
        "started": "started_at is set",
    }
)

# Past expires_at a run can only end (decisions.md#expiry); a run that never started cannot
# complete (decisions.md#a-run-that-never-started-cannot-complete); a repeated cancel is a no-op
# (decisions.md#cancel-is-idempotent-and-refused-once-the-run-ended-otherwise).
RUN_TRANSITIONS = (
    _row("start", ["queued"], "in_progress", unless=["past_deadline"]),
    _row("require_action", ["in_progress"], "requires_action", unless=["past_deadline"]),
    _row("submit_tool_outputs", ["requires_action"], "queued", unless=["past_deadline"]),
    _row("complete", ["in_progress", "cancelling"], "completed", conditions=["started"]),
    _row("incomplete", ["in_progress", "cancelling"], "incomplete", conditions=["started"]),
    _row("fail", LIVE_RUN_STATUSES, "failed"),
    _row(
        "cancel",
        ["queued", "in_progress", "requires_action"],
        "cancelling",
        unless=["past_deadline"],
    ),
    _row("cancel", ["cancelling", "cancelled"], None),
    _row("cancelled", ["cancelling"], "cancelled"),
    _row("expire", LIVE_RUN_STATUSES, "expired", conditions=["past_deadline"]),
)

STEP_STATUSES = ("in_progress", "cancelled", "failed", "completed", "expired")
TERMINAL_STEP_STATUSES = frozenset({"cancelled", "failed", "completed", "expired"})

STEP_TRANSITIONS = (
    _row("complete", ["in_progress"], "completed"),
    _row("fail", ["in_progress"], "failed"),
    _row("cancel", ["in_progress"], "cancelled"),
    _row("expire", ["in_progress"], "expired"),
)

# The detail keywords each event takes (all required), named after the wire fields they fill.
RUN_DETAILS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
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
)
STEP_DETAILS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "complete": ("usage",),
        "fail": ("last_error",),
        "cancel": (),
        "expire": (),
    }
)

RUN_ERROR_CODES = ("server_error", "rate_limit_exceeded", "invalid_prompt")
STEP_ERROR_CODES = ("server_error", "rate_limit_exceeded")
INCOMPLETE_REASONS = ("max_completion_tokens", "max_prompt_tokens")

# What an in_progress step does when its run ends in one of these statuses.
STEP_EVENT_ON_RUN_END = MappingProxyType({"cancelled": "cancel", "expired": "expire"})

RUN_EXPIRES_IN = 600
MAX_TIMESTAMP = 9_999_999_999  # the schemas' bound: larger values are milliseconds


def edges(table: Sequence[Mapping[str, Any]]) -> Iterator[tuple[str, str, str]]:
    """Every (source, trigger, dest) edge of a transition table, in table order.

    Rows without a ``dest`` (accepted events that change nothing) are not edges of the graph.
    """
    for row in table:
        for source in row["source"]:
            if row["dest"] is not None:
                yield source, row["trigger"], row["dest"]


def _fields(
    required: Iterable[str], allowed: Iterable[str] | None = None
) -> Mapping[str, frozenset[str]]:
    """Where a nullable field must be non-null, and where it may be (by default: only there)."""
    required = frozenset(required)
    allowed = required if allowed is None else frozenset(allowed)
    return MappingProxyType({"required": required, "allowed": allowed})


# Nullable fields: the statuses a field must be non-null in, and those it may be non-null in.
# advance() nulls a field on entering a status outside its "allowed"; the effects fill "required".
# Evidence: docs/decisions.md#fields-by-status.
RUN_FIELDS: Mapping[str, Mapping[str, frozenset[str]]] = MappingProxyType(
    {
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
)
STEP_FIELDS: Mapping[str, Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        "completed_at": _fields({"completed"}),
        "failed_at": _fields({"failed"}),
        "cancelled_at": _fields({"cancelled"}),
        "expired_at": _fields({"expired"}),
        "last_error": _fields({"failed"}),
        "usage": _fields({"completed"}, allowed=TERMINAL_STEP_STATUSES),
    }
)

# Timestamps that happened (expires_at is a deadline, not an event), earliest first.
RUN_TIMESTAMPS = ("created_at", "started_at", "completed_at", "failed_at", "cancelled_at")
STEP_TIMESTAMPS = ("created_at", "completed_at", "failed_at", "cancelled_at", "expired_at")
