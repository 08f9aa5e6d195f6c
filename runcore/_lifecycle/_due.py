"""What a run owes at a given time: expiry past its deadline, the end of a cancel, its steps settled."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from runcore._lifecycle._engine import advance, legal_events, settle_steps


@dataclass(frozen=True)
class CaughtUp:
    """A run and its steps as they are at ``now``, and the stream events of what changed.

    ``events`` are ``(event name, object)`` pairs in the order a stream sends them: the steps'
    first, then the run's (as a recorded stream ends its steps before its run).
    """

    run: dict[str, Any]
    steps: list[dict[str, Any]]
    events: tuple[tuple[str, dict[str, Any]], ...]

    @property
    def changed(self) -> bool:
        """Whether anything was due: then the run and its steps are to be stored."""
        return bool(self.events)


def catch_up(
    run: Mapping[str, Any],
    steps: Sequence[Mapping[str, Any]] = (),
    *,
    now: int,
    finish_cancel: bool = True,
) -> CaughtUp:
    """Bring a run and its steps to ``now``: call it on every read and write of a run.

    A live run past its ``expires_at`` expires (so no client sees ``queued`` with a deadline in the
    past); a ``cancelling`` run becomes ``cancelled`` (unless ``finish_cancel`` is False, for a
    server whose worker ends cancels itself); steps still ``in_progress`` under a cancelled or
    expired run follow it. Nothing due: the same run and steps (copies), no events. Raises what
    ``advance`` and ``settle_steps`` raise (ClockSkew for a ``now`` earlier than the run).
    """
    legal = legal_events(run, now=now)
    event = "expire" if "expire" in legal else None
    if event is None and finish_cancel and "cancelled" in legal:
        event = "cancelled"
    new = advance(run, event, now=now) if event else None
    current = new.run if new else dict(run)
    settled = settle_steps(current, steps, now=now)
    events = [(name, moved.step) for moved in settled for name in moved.events]
    events += [(name, current) for name in (new.events if new else ())]
    return CaughtUp(current, [moved.step for moved in settled], tuple(events))
