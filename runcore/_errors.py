"""The exceptions runcore raises.

::

    RuncoreError
    ├── ContractViolation   an object or request broke the contract; carries .findings
    ├── InvalidArgument     an argument runcore cannot take: a profile or flag of the wrong type,
    │   │                   a run or step that is not a JSON object; carries .pointer
    │   └── UnknownKind     an unknown kind name, or an object whose kind cannot be inferred
    ├── IllegalTransition   an event not legal in the run's status (names both, and what was legal)
    │   └── NotCancellable  cancel on a run that is not live, or is already cancelling
    ├── StatusConflict      compare-and-set: the run's status is not the one the caller read
    ├── ThreadBusy          a second run on a thread whose run is still active
    ├── InvalidDetails      an event's details break the contract; carries .findings
    │   └── ClockSkew       the server's clock: `now` is not integer seconds, or earlier than the object
    └── ApiError            the hosted API's answer to a request: .status, .body, .findings

InvalidDetails is the caller's input (a client's tool outputs, a worker's usage); ClockSkew is the
server's own bug. Both carry findings whose pointers name the keyword argument at fault
(``/tool_outputs/1/tool_call_id``, ``/now``). InvalidArgument is a programming error of the
caller (a stored run that is not a dict, a misspelt profile); its pointer names the argument the
same way (``/profile``, ``/steps/3``). Messages quote values with runcore._json.brief, so a
value of any size or shape makes a short message. ``runcore.api_error(error)`` turns any of them
into the ApiError a server answers with (docs/server.md lists which answer each gets).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from runcore._json import brief

if TYPE_CHECKING:
    from runcore._findings import Finding


class RuncoreError(Exception):
    """Base class of every error runcore raises on purpose."""


class ContractViolation(RuncoreError):
    """An object broke the contract. ``findings`` holds every problem, errors first as found."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        self.findings = list(findings)
        errors = [f for f in self.findings if f.severity == "error"]
        lines = "\n".join(f"  {f}" for f in errors[:20])
        more = f"\n  ... and {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(f"{len(errors)} contract error(s):\n{lines}{more}")


class InvalidArgument(RuncoreError, ValueError):
    """An argument runcore cannot take; ``pointer`` names it in the call (``/steps/3``)."""

    def __init__(self, pointer: str, message: str) -> None:
        self.pointer = pointer
        super().__init__(message)


class UnknownKind(InvalidArgument):
    """A kind name runcore does not know, or an object whose kind cannot be inferred."""

    def __init__(self, message: str) -> None:
        super().__init__("/kind", message)


class IllegalTransition(RuncoreError):
    """An event that is not legal in the object's current status. The object is unchanged.

    ``status`` and ``event`` name both; ``allowed`` lists the events legal instead; ``subject`` is
    ``"run"`` or ``"step"``; ``guards`` names the table's guards that closed the event's row
    (``("past_deadline",)`` when the run's deadline refused it), empty when no row leaves the status.
    """

    def __init__(
        self,
        status: Any,
        event: str,
        allowed: Sequence[str],
        reason: str = "",
        *,
        subject: str = "run",
        guards: Sequence[str] = (),
    ) -> None:
        self.status = status
        self.event = event
        self.allowed = list(allowed)
        self.subject = subject
        self.guards = tuple(guards)
        legal = ", ".join(self.allowed) if self.allowed else "none"
        why = f" ({reason})" if reason else ""
        where = f"event {brief(event)} is not legal in {subject} status {brief(status)}"
        super().__init__(f"{where}{why}; legal events: {legal}")


class NotCancellable(IllegalTransition):
    """A cancel the table refuses: the run is already ``cancelling``, has ended, or is past its
    deadline (then ``guards`` is ``("past_deadline",)``)."""


class ThreadBusy(RuncoreError):
    """A run asked for on a thread whose run ``run_id`` is still active (queued, in_progress,
    requires_action or cancelling)."""

    def __init__(self, thread_id: Any, run_id: Any) -> None:
        self.thread_id = thread_id
        self.run_id = run_id
        super().__init__(f"Thread {thread_id} already has an active run {run_id}.")


class StatusConflict(RuncoreError):
    """Compare-and-set failed: the run's status is not the status the caller read."""

    def __init__(self, expected: str, actual: Any) -> None:
        self.expected = expected
        self.actual = actual
        read = f"the run is {brief(actual)}, not the {brief(expected)} the caller read"
        super().__init__(f"{read}; re-read it and retry")


class InvalidDetails(RuncoreError, ValueError):
    """The details given with an event break the contract; nothing was changed.

    ``findings`` holds every problem, each with a pointer into the call's keyword arguments
    (``/usage/total_tokens``) or, for run_from_request, into the run it would have made. When
    ``advance`` or ``advance_step`` refused the details, ``subject`` (``"run"`` or ``"step"``),
    ``event``, ``target`` (the object as given) and ``details`` (its keyword arguments) say what
    was refused; otherwise they are None.
    """

    def __init__(
        self,
        findings: Sequence[Finding],
        summary: str = "invalid details",
        *,
        subject: str | None = None,
        event: str | None = None,
        target: Mapping[str, Any] | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        self.findings = list(findings)
        self.summary = summary
        self.subject = subject
        self.event = event
        self.target = target
        self.details = details
        problems = "; ".join(f"{f.pointer or '(root)'}: {f.message}" for f in self.findings[:20])
        more = f"; ... and {len(self.findings) - 20} more" if len(self.findings) > 20 else ""
        super().__init__(f"{summary}: {problems}{more}" if problems else summary)


class ClockSkew(InvalidDetails):
    """The ``now`` given is not integer Unix seconds, or is earlier than one of the object's
    timestamps: a bug of the server's clock, not of its client's input."""


class ApiError(RuncoreError):
    """The hosted API's answer to a request runcore refuses: what a server sends back.

    ``status`` is the HTTP status (400, 404 or 500: the hosted API never answered 409 or 422);
    ``body`` the error envelope ``{"error": {"message", "type", "param", "code"}}`` as a dict, keys in
    the API's order; ``findings`` every problem found (the body reports the first, as the API did).
    ``runcore.json_body(error.body)`` is its wire form.
    """

    def __init__(
        self, status: int, body: Mapping[str, Any], findings: Sequence[Finding] = ()
    ) -> None:
        self.status = status
        self.body = dict(body)
        self.findings = list(findings)
        envelope = self.body.get("error")
        super().__init__(
            f"{status}: {envelope.get('message') if isinstance(envelope, dict) else ''}"
        )
