"""The cases of recorded traffic: an interaction (a request and its answer, checked against each
other) and a stream (its events, each object, and the stream's own rules). Imported when a
recording is met: a check of objects alone starts without the exchange and stream rules
(decisions.md#cold-start-imports-only-what-is-used)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from runcore._check._cases import (
    Case,
    Check,
    case_name,
    id_of,
    input_finding,
    placed,
    remember,
    validated,
)
from runcore._check._exchange import (
    answer_findings,
    answer_kind,
    request_findings,
    route,
    run_answer_findings,
    succeeded,
)
from runcore._check._history import Place
from runcore._check._records import Document, Exchange, Interaction, Record, Stream
from runcore._check._stream import KINDS_BY_TAG, StreamRules
from runcore._findings import Finding, found
from runcore._kinds import is_page

# -- interactions ---------------------------------------------------------------------------------


def interaction(item: Interaction, check: Check) -> Iterator[Case]:
    """A request and its answer: the pair's case, and the stream's when the answer is one."""
    exchange = item.exchange
    streamed = isinstance(item.body, Stream)
    requested = request_findings(exchange, streamed=streamed, profile=check.profile)
    if item.problem is not None:
        requested.append(found("undecodable_body", "input", ["response", "body"], item.problem))
    name = f"{case_name(None, item.line)}: {exchange.method} {exchange.path} -> {exchange.status}"
    pair = Case(item.file, item.line, name, placed(requested, item.file, item.line, None), 0)
    _submitted(exchange, check.place(item.file, item.line, item.received_at), check)
    if isinstance(item.body, Stream):
        answer = stream(item.body, check, pair)
        yield pair
        yield answer
        return
    if isinstance(item.body, Record):
        _answered(pair, item.body, exchange, check)
    yield pair


def _submitted(exchange: Exchange, place: Place, check: Check) -> None:
    """Tool outputs a server accepted: the run's steps are to carry them from now on."""
    found_route = route(exchange.method, exchange.url)
    run_id = found_route.ids.get("run_id") if found_route else None
    if found_route and found_route.endpoint.name == "submit_tool_outputs" and run_id:
        if succeeded(exchange) and isinstance(exchange.body, dict):
            check.histories.submitted(run_id, exchange.body.get("tool_outputs"), place)


def _answered(pair: Case, record: Record, exchange: Exchange, check: Check) -> None:
    """A JSON answer: checked as its kind, against its request, and remembered in the histories."""
    value, file, line = record.value, record.file, record.line
    kind = answer_kind(exchange, value)
    pair.findings += validated(value, kind, check, file, line)
    answered = answer_findings(exchange, value, created_at=check.histories.created_at)
    pair.findings += placed(answered, file, line, id_of(value))
    pair.objects = 1 + (len(value["data"]) if is_page(value) else 0)
    if kind in ("run", "run_step", "run_list", "run_step_list"):
        remember(value, check.place(file, line, record.received_at), check)
    if id_of(value):
        pair.name += f": {id_of(value)}"


# -- streams --------------------------------------------------------------------------------------


def stream(stream: Stream, check: Check, pair: Case | None = None) -> Case:
    """One stream's case: its rules and each event's object. The first run event of a streamed
    answer is also the answer to its request: those findings go to the request's ``pair``."""
    check.summary.streams += 1
    rules = StreamRules(stream.exchange, check.profile)
    case = Case(stream.file, stream.line, f"{case_name(None, stream.line)}: stream", [], objects=0)
    for event in stream.events:
        if isinstance(event, Document):
            problem = input_finding(event.code, event.problem or "", event.file, event.line)
            case.findings.append(problem)
            continue
        data = event.value
        case.findings += placed(rules.event(event), event.file, event.line, id_of(data))
        case.objects += event.event != "done"
        kind = _event_kind(event)
        if kind is not None:
            case.findings += _event_findings(data, kind, check, event)
        if isinstance(data, dict) and data.get("object") in ("thread.run", "thread.run.step"):
            check.histories.snapshot(data, check.place(event.file, event.line, event.received_at))
        if pair is not None and stream.exchange and _is_run(data):
            answered = _run_answer(stream.exchange, data)
            pair.findings += placed(answered, event.file, event.line, id_of(data))
            pair = None  # the first run event answers the request
    ended = rules.end()
    case.findings += placed(ended, stream.file, rules.last_line, id_of({"id": rules.run_id}))
    if isinstance(rules.run_id, str):
        case.name += f" of run {rules.run_id}"
    return case


def _is_run(data: Any) -> bool:
    return isinstance(data, dict) and data.get("object") == "thread.run"


def _run_answer(exchange: Exchange, run: dict[str, Any]) -> list[Finding]:
    found_route = route(exchange.method, exchange.url)
    return list(run_answer_findings(found_route, exchange, run, [])) if found_route else []


def _event_kind(event: Record) -> str | None:
    """The kind an event's data is checked as: by its tag (runs, steps, step deltas), or an error."""
    if event.event == "error":
        return "error"
    data = event.value
    tag = data.get("object") if isinstance(data, dict) else None
    return KINDS_BY_TAG.get(tag) if isinstance(tag, str) else None


def _event_findings(data: Any, kind: str, check: Check, event: Record) -> list[Finding]:
    """An event's object checked alone; an error event's data as an error body, which the API
    sent as ``{"error": {...}}`` or as the bare error (contract §3.1)."""
    if kind == "error" and isinstance(data, dict) and "error" not in data:
        wrapped = validated({"error": data}, kind, check, event.file, event.line)
        return [replace(f, pointer=f.pointer.removeprefix("/error")) for f in wrapped]
    return validated(data, kind, check, event.file, event.line)
