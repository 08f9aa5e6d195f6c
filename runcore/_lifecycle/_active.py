"""What an active run forbids: a second run on its thread, and changes to the run itself."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from runcore._contract._validate import validate
from runcore._errors import IllegalTransition, InvalidDetails, ThreadBusy
from runcore._tables import ACTIVE_RUN_STATUSES, RUN_STATUSES


def check_thread_free(runs: Iterable[Mapping[str, Any]]) -> None:
    """Raise ThreadBusy naming the first of a thread's runs that is still active.

    Active is ``queued``, ``in_progress``, ``requires_action`` or ``cancelling``
    (decisions.md#a-thread-has-one-active-run). Bring the runs to now first (``catch_up``): a run
    past its deadline is expired, not active.
    """
    for run in runs:
        if isinstance(run, Mapping) and run.get("status") in ACTIVE_RUN_STATUSES:
            raise ThreadBusy(run.get("thread_id"), run.get("id"))


def modify_run(run: Mapping[str, Any], request: Mapping[str, Any]) -> dict[str, Any]:
    """The run with the ``metadata`` of a modify-run request (a new dict; the run is unchanged).

    ``metadata`` replaces the run's; null or absent leaves it
    (decisions.md#modifying-an-active-run). An active run raises IllegalTransition (event
    ``modify``), as the hosted API refused it; a request that breaks its schema raises
    InvalidDetails with the findings.
    """
    status = run.get("status") if isinstance(run, Mapping) else None
    if status in ACTIVE_RUN_STATUSES or status not in RUN_STATUSES:
        why = "the run is active: it can be modified once it has ended"
        raise IllegalTransition(status, "modify", [], why if status in RUN_STATUSES else "")
    broken = [f for f in validate(request, "modify_run_request") if f.severity == "error"]
    if broken:
        raise InvalidDetails(broken, "the modify request breaks the contract", target=request)
    modified = dict(run)
    if request.get("metadata") is not None:  # a valid request is a dict
        modified["metadata"] = copy.deepcopy(request["metadata"])
    return modified
