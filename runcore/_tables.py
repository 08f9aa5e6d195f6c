"""The status graphs of runs and run steps, and which fields each status carries: the one source of truth.

Everything else reads these tables: the engine's Machines, the invariant checker, the graph walks,
the docs diagrams, the strategies and the tests. Nothing else decides what is legal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from runcore._json import brief, is_integer

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
    dest: str,
    *,
    conditions: Iterable[str] = (),
    unless: Iterable[str] = (),
) -> Mapping[str, Any]:
    """One read-only row of a transition table, in the shape `transitions` takes.

    ``conditions`` must hold and ``unless`` must not, by the names of :data:`GUARDS`.
    """
    unknown = set(conditions) | set(unless)
    if not unknown <= set(GUARDS):
        raise ValueError(f"a row names guards the table does not define: {sorted(unknown)}")
    row = {"trigger": trigger, "source": tuple(source), "dest": dest}
    row.update({"conditions": tuple(conditions)} if conditions else {})
    row.update({"unless": tuple(unless)} if unless else {})
    return MappingProxyType(row)


@dataclass(frozen=True)
class Guard:
    """A condition that rows name: its predicate on (object, now), and why a refused event waited.

    ``why_not`` explains a row that needs the guard when it does not hold; ``why`` a row that
    forbids it (``unless``) when it holds.
    """

    meaning: str
    holds: Callable[[Mapping[str, Any], int], bool]
    why_not: Callable[[Mapping[str, Any], int], str]
    why: Callable[[Mapping[str, Any], int], str]


def _past_deadline(run: Mapping[str, Any], now: int) -> bool:
    return is_integer(run.get("expires_at")) and now >= run["expires_at"]


def _not_yet_due(run: Mapping[str, Any], now: int) -> str:
    if not is_integer(run.get("expires_at")):
        return "the run has no expires_at"
    return f"the run expires at {brief(run['expires_at'])}, now is {now}"


GUARDS: Mapping[str, Guard] = MappingProxyType(
    {
        "past_deadline": Guard(
            meaning="now >= expires_at",
            holds=_past_deadline,
            why_not=_not_yet_due,
            why=lambda run, now: (
                f"the run expired at {brief(run['expires_at'])}, now is {now}: expire it"
            ),
        ),
        "started": Guard(
            meaning="started_at is set",
            holds=lambda run, now: run.get("started_at") is not None,
            why_not=lambda run, now: "the run never started (started_at is null)",
            why=lambda run, now: f"the run started at {brief(run.get('started_at'))}",
        ),
    }
)

RUN_INITIAL = "queued"
# A thread holds one active run at a time, and an active run cannot be modified: the hosted API
# refused both (decisions.md#a-thread-has-one-active-run, decisions.md#modifying-an-active-run).
ACTIVE_RUN_STATUSES = LIVE_RUN_STATUSES

# Past expires_at a run can only end (decisions.md#expiry); a run that never started cannot
# complete (decisions.md#a-run-that-never-started-cannot-complete); a run is cancelled once: a
# cancel on a cancelling or ended run is refused (decisions.md#a-repeated-cancel-is-refused).
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
    _row("cancelled", ["cancelling"], "cancelled"),
    _row("expire", LIVE_RUN_STATUSES, "expired", conditions=["past_deadline"]),
)

STEP_INITIAL = "in_progress"
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


@dataclass(frozen=True)
class StatusTable:
    """Everything the tables say about one kind of object, so one engine serves runs and steps."""

    name: str  # "run" or "step", as errors and findings name the object
    tag: str  # the wire `object` value
    statuses: tuple[str, ...]
    initial: str
    terminal: frozenset[str]
    transitions: tuple[Mapping[str, Any], ...]
    details: Mapping[str, tuple[str, ...]]
    fields: Mapping[str, Mapping[str, frozenset[str]]]
    timestamps: tuple[str, ...]

    @property
    def events(self) -> tuple[str, ...]:
        """The table's triggers, once each, in table order."""
        return tuple(dict.fromkeys(row["trigger"] for row in self.transitions))


RUN_TABLE = StatusTable(
    "run",
    "thread.run",
    RUN_STATUSES,
    RUN_INITIAL,
    TERMINAL_RUN_STATUSES,
    RUN_TRANSITIONS,
    RUN_DETAILS,
    RUN_FIELDS,
    RUN_TIMESTAMPS,
)
STEP_TABLE = StatusTable(
    "step",
    "thread.run.step",
    STEP_STATUSES,
    STEP_INITIAL,
    TERMINAL_STEP_STATUSES,
    STEP_TRANSITIONS,
    STEP_DETAILS,
    STEP_FIELDS,
    STEP_TIMESTAMPS,
)
