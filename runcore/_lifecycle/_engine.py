"""Run and run-step lifecycles: the Machines built once from the status tables, and advance()."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from transitions import Machine

from runcore._errors import (
    IllegalTransition,
    InvalidArgument,
    InvalidDetails,
    NotCancellable,
    StatusConflict,
)
from runcore._json import brief
from runcore._lifecycle._effects import (
    EFFECTS,
    check_clock,
    checked_details,
    copied_object,
    lifecycle_finding,
    require_object,
)
from runcore._tables import (
    GUARDS,
    RUN_TABLE,
    STEP_EVENT_ON_RUN_END,
    STEP_TABLE,
    TERMINAL_RUN_STATUSES,
    StatusTable,
)


def _machine(table: StatusTable) -> Machine:
    # model=None: a read-only index of the table; no run is ever attached to it
    # (decisions.md#one-machine-per-table-no-model-per-run).
    rows = [
        {key: list(value) if isinstance(value, tuple) else value for key, value in row.items()}
        for row in table.transitions
    ]
    return Machine(
        model=None,
        states=list(table.statuses),
        transitions=rows,
        initial=table.initial,
        auto_transitions=False,
    )


RUN_MACHINE = _machine(RUN_TABLE)
STEP_MACHINE = _machine(STEP_TABLE)
_MACHINES = {RUN_TABLE.name: RUN_MACHINE, STEP_TABLE.name: STEP_MACHINE}


@dataclass(frozen=True)
class Advanced:
    """The outcome of one run event: the new run and the stream events to emit."""

    run: dict[str, Any]
    events: tuple[str, ...]


@dataclass(frozen=True)
class AdvancedStep:
    """The outcome of one run-step event: the new step and the stream events to emit."""

    step: dict[str, Any]
    events: tuple[str, ...]


def advance(
    run: Mapping[str, Any],
    event: str,
    /,
    *,
    now: int,
    expected_status: str | None = None,
    **details: Any,
) -> Advanced:
    """Apply one event to a run (the wire dict) at ``now``; the input is never mutated, and the new
    run shares no dict or list with it.

    Raises StatusConflict when ``expected_status`` is given and differs, IllegalTransition (or
    its NotCancellable) when the event is not legal now, InvalidDetails when the details break
    the contract, ClockSkew when ``now`` does, InvalidArgument when ``run`` is not a JSON object
    (or contains itself). Nothing changes when it raises. ``run`` and ``event`` are positional, so
    a detail of any other name is the details' (an unknown one is refused with them).
    Docs: docs/lifecycle.md.
    """
    status = require_object("/run", run, "the run").get("status")
    if expected_status is not None and status != expected_status:
        raise StatusConflict(expected_status, status)
    new, dest = _apply(RUN_TABLE, run, event, now, details)
    return Advanced(new, (f"thread.run.{dest}",))


def advance_step(
    step: Mapping[str, Any], event: str, /, *, now: int, **details: Any
) -> AdvancedStep:
    """Apply one event to a run step (the wire dict) at ``now``; the input is never mutated, and
    the new step shares no dict or list with it. Raises as :func:`advance` does."""
    new, dest = _apply(STEP_TABLE, require_object("/step", step, "the step"), event, now, details)
    return AdvancedStep(new, (f"thread.run.step.{dest}",))


def _apply(
    table: StatusTable,
    obj: Mapping[str, Any],
    event: Any,
    now: int,
    details: Mapping[str, Any],
) -> tuple[dict[str, Any], str]:
    """Look up first, then check, then build the new object: a refusal changes nothing."""
    check_clock(obj, now, table.timestamps)
    _known_status(table, obj, event)
    transition = _open_transition(table, obj, event, now)
    if transition is None:
        raise _refusal(table, obj, event, now)
    try:
        checked_details(table, event, details, obj)
    except InvalidDetails as refused:  # named with what was refused, for the API's answer
        raise InvalidDetails(
            refused.findings,
            refused.summary,
            subject=table.name,
            event=event,
            target=obj,
            details=details,
        ) from None
    changes = EFFECTS[f"{table.name}_{event}"](now, **details)
    return _entered(table, obj, transition.dest, changes), transition.dest


def settle_steps(
    run: Mapping[str, Any], steps: Sequence[Mapping[str, Any]], *, now: int
) -> list[AdvancedStep]:
    """The run's steps once the run is ``cancelled`` or ``expired``: in_progress ones follow it.

    Other steps, and every step of a live run, come back unchanged with no events. A step still
    ``in_progress`` under a run that ``completed``, ended ``incomplete`` or ``failed`` is refused: the
    server completes or fails its steps before it ends the run
    (decisions.md#steps-follow-their-run). ``steps`` is a list of step dicts; anything else
    raises InvalidArgument.
    """
    check_clock(require_object("/run", run, "the run"), now, RUN_TABLE.timestamps)
    if not isinstance(steps, (list, tuple)):
        raise InvalidArgument("/steps", f"steps must be a list of run steps, got {brief(steps)}")
    # Copied first, so a step that cannot be copied is named by its place in the list.
    copies = [
        copied_object(f"/steps/{index}", require_object(f"/steps/{index}", step, f"steps[{index}]"))
        for index, step in enumerate(steps)
    ]
    status = run.get("status")
    event = STEP_EVENT_ON_RUN_END.get(status) if isinstance(status, str) else None
    ended = isinstance(status, str) and status in TERMINAL_RUN_STATUSES
    found = []
    for index, step in enumerate(copies):
        if step.get("run_id") != run.get("id"):
            owner, name = step.get("run_id"), step.get("id")
            message = (
                f"step {brief(name)} belongs to run {brief(owner)}, not {brief(run.get('id'))}"
            )
            where = ["steps", index, "run_id"]
            found.append(lifecycle_finding("step_of_another_run", where, message, owner))
        elif step.get("status") == "in_progress" and ended and not event:
            message = (
                f"step {brief(step.get('id'))} is still in_progress but its run is {status!r}: "
                "complete or fail the step before the run ends"
            )
            where = ["steps", index, "status"]
            found.append(lifecycle_finding("step_left_running", where, message, "in_progress"))
    if found:
        raise InvalidDetails(found, "steps refused")
    return [
        advance_step(step, event, now=now)
        if event and step.get("status") == "in_progress"
        else AdvancedStep(step, ())
        for step in copies
    ]


def legal_events(run: Mapping[str, Any], *, now: int) -> list[str]:
    """The events that would move this run at ``now``.

    Raises ClockSkew for a ``now`` that :func:`advance` would refuse (not integer seconds, or
    earlier than the run's latest timestamp), and InvalidArgument when ``run`` is not a JSON object.
    """
    check_clock(require_object("/run", run, "the run"), now, RUN_TABLE.timestamps)
    if run.get("status") not in RUN_TABLE.statuses:
        return []
    return _legal(RUN_TABLE, run, now)


def _legal(table: StatusTable, obj: Mapping[str, Any], now: int) -> list[str]:
    """The triggers, in table order, with an open transition out of the object's status."""
    return [event for event in table.events if _open_transition(table, obj, event, now)]


def _open_transition(table: StatusTable, obj: Mapping[str, Any], event: Any, now: int) -> Any:
    """The first transition of ``event`` out of the object's status whose guards hold, or None.

    This is how a `transitions` Machine picks among a trigger's transitions: ``_ROUTES`` holds
    them as read off the Machines once (no model attached, so shared state is never written).
    """
    routes = _ROUTES.get((table.name, event, obj["status"]), ()) if isinstance(event, str) else ()
    for transition, guards in routes:
        for guard, wanted in guards:
            if guard.holds(obj, now) != wanted:
                break
        else:
            return transition
    return None


# Each (table, event, status): the Machine's transitions of the event out of the status, each with
# its guards and whether the row wants them to hold (a condition) or not (unless): read off the
# Machines once, so advance() looks its transition up in one dict.
_ROUTES = {
    (name, event, source): tuple(
        (transition, tuple((GUARDS[str(c.func)], c.target) for c in transition.conditions))
        for transition in transitions
    )
    for name, machine in _MACHINES.items()
    for event, found in machine.events.items()
    for source, transitions in found.transitions.items()
}


def _refusal(table: StatusTable, obj: Mapping[str, Any], event: Any, now: int) -> IllegalTransition:
    """The one error for an event the table does not allow now, for runs and steps alike.

    It names the guards that closed the event's row (``past_deadline``, ``started``), if any.
    """
    status, legal = obj["status"], _legal(table, obj, now)
    found = _MACHINES[table.name].events.get(event) if isinstance(event, str) else None
    candidates = found.transitions.get(status, []) if found else []
    closed = [c for c in candidates[0].conditions if not _holds(c, obj, now)] if candidates else []
    if found is None:
        reason = "unknown event"
    elif candidates:
        reason = "; ".join(_why(c, obj, now) for c in closed)
    else:
        reason = "the status is terminal" if status in table.terminal else ""
    refusal = NotCancellable if table is RUN_TABLE and event == "cancel" else IllegalTransition
    guards = tuple(str(c.func) for c in closed)
    return refusal(status, _named(event), legal, reason, subject=table.name, guards=guards)


def _holds(condition: Any, obj: Mapping[str, Any], now: int) -> bool:
    """Whether a guard of a Machine's transition is as its row wants it (holds, or not: unless)."""
    return GUARDS[str(condition.func)].holds(obj, now) == condition.target


def _why(condition: Any, obj: Mapping[str, Any], now: int) -> str:
    guard = GUARDS[str(condition.func)]
    return guard.why_not(obj, now) if condition.target else guard.why(obj, now)


def _known_status(table: StatusTable, obj: Mapping[str, Any], event: Any) -> str:
    status: Any = obj.get("status")
    if not isinstance(status, str) or status not in table.statuses:
        known = ", ".join(table.statuses)
        raise IllegalTransition(
            status, _named(event), [], f"the status is not one of {known}", subject=table.name
        )
    return status


def _named(event: Any) -> str:
    """An event as errors name it: itself, or a short description of what is not an event name."""
    return event if isinstance(event, str) else brief(event)


def _entered(
    table: StatusTable, obj: Mapping[str, Any], dest: str, changes: Mapping[str, Any]
) -> dict[str, Any]:
    new = copied_object(f"/{table.name}", obj)
    new.update(_CLEARED[table.name, dest])
    new.update(changes)
    new["status"] = dest
    return new


# The fields each status forbids, set to null when an object enters it.
_CLEARED = {
    (table.name, status): {
        name: None for name, rule in table.fields.items() if status not in rule["allowed"]
    }
    for table in (RUN_TABLE, STEP_TABLE)
    for status in table.statuses
}
