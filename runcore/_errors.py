"""The exceptions runcore raises.

::

    RuncoreError
    ├── ContractViolation   an object or request broke the contract; carries .findings
    ├── InvalidArgument     an argument runcore cannot take: a profile or flag of the wrong type,
    │   │                   a run or step that is not a JSON object; carries .pointer
    │   └── UnknownKind     an unknown kind name, or an object whose kind cannot be inferred
    ├── IllegalTransition   an event not legal in the run's status (names both, and what was legal)
    │   └── NotCancellable  cancel on a run that already ended (other than cancelled)
    ├── StatusConflict      compare-and-set: the run's status is not the one the caller read
    └── InvalidDetails      an event's details break the contract; carries .findings
        └── ClockSkew       the server's clock: `now` is not integer seconds, or earlier than the object

InvalidDetails is the caller's input (a client's tool outputs, a worker's usage); ClockSkew is the
server's own bug. Both carry findings whose pointers name the keyword argument at fault
(``/tool_outputs/1/tool_call_id``, ``/now``). InvalidArgument is a programming error of the
caller (a stored run that is not a dict, a misspelt profile); its pointer names the argument the
same way (``/profile``, ``/steps/3``). Messages quote values with runcore._json.brief, so a
value of any size or shape makes a short message.
"""

from __future__ import annotations

from collections.abc import Sequence
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
    """An event that is not legal in the run's current status. The run is unchanged."""

    def __init__(self, status: Any, event: str, allowed: Sequence[str], reason: str = "") -> None:
        self.status = status
        self.event = event
        self.allowed = list(allowed)
        legal = ", ".join(self.allowed) if self.allowed else "none"
        why = f" ({reason})" if reason else ""
        where = f"event {brief(event)} is not legal in status {brief(status)}"
        super().__init__(f"{where}{why}; legal events: {legal}")


class NotCancellable(IllegalTransition):
    """A cancel request on a run that already finished with a status other than ``cancelled``."""


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
    (``/usage/total_tokens``) or, for run_from_request, into the run it would have made.
    """

    def __init__(self, findings: Sequence[Finding], summary: str = "invalid details") -> None:
        self.findings = list(findings)
        problems = "; ".join(f"{f.pointer or '(root)'}: {f.message}" for f in self.findings[:20])
        more = f"; ... and {len(self.findings) - 20} more" if len(self.findings) > 20 else ""
        super().__init__(f"{summary}: {problems}{more}" if problems else summary)


class ClockSkew(InvalidDetails):
    """The ``now`` given is not integer Unix seconds, or is earlier than one of the object's
    timestamps: a bug of the server's clock, not of its client's input."""
