"""Every answer against the request that produced it: the endpoints of the runs resource, and the
rules a recorded request and response keep together (decisions.md#every-answer-against-its-request).

Findings about the request and the status point into the interaction (``/request/body/temperature``,
``/request/query/limit``, ``/response/status``) at the line of the interaction; findings about the
answer point into the object answered, at its line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

from runcore._check._records import Exchange
from runcore._contract._tolerances import accepted_request_severity
from runcore._contract._validate import validate
from runcore._errors import UnknownKind
from runcore._findings import Finding, Severity, found
from runcore._json import is_integer
from runcore._kinds import Profile, infer_kind, is_page
from runcore._lifecycle._creation import _REQUEST_SETTINGS as REQUEST_SETTINGS
from runcore._requests._query import parse_list_query
from runcore._tables import RUN_TABLE

_RUN = r"/threads/(?P<thread_id>[^/]+)/runs/(?P<run_id>[^/]+)"


@dataclass(frozen=True)
class Endpoint:
    """One endpoint of the runs resource: its request kind, what a success answers, and whether it
    streams when the request says ``stream: true``."""

    name: str
    method: str
    pattern: re.Pattern[str]
    request_kind: str | None
    answer_kind: str
    streams: bool = False


def _endpoint(name: str, method: str, path: str, request: str | None, answer: str) -> Endpoint:
    streams = name in ("create_run", "create_thread_and_run", "submit_tool_outputs")
    # Any prefix before /threads: /v1 on api.openai.com, /openai on Azure, none on a test server.
    return Endpoint(name, method, re.compile(r"(?:/[^/]*)*?" + path), request, answer, streams)


ENDPOINTS = (
    _endpoint(
        "create_thread_and_run", "POST", "/threads/runs", "create_thread_and_run_request", "run"
    ),
    _endpoint(
        "create_run", "POST", "/threads/(?P<thread_id>[^/]+)/runs", "create_run_request", "run"
    ),
    _endpoint("list_runs", "GET", "/threads/(?P<thread_id>[^/]+)/runs", "list_query", "run_list"),
    _endpoint("retrieve_run", "GET", _RUN, None, "run"),
    _endpoint("modify_run", "POST", _RUN, "modify_run_request", "run"),
    _endpoint("cancel_run", "POST", _RUN + "/cancel", None, "run"),
    _endpoint(
        "submit_tool_outputs",
        "POST",
        _RUN + "/submit_tool_outputs",
        "submit_tool_outputs_request",
        "run",
    ),
    _endpoint("list_steps", "GET", _RUN + "/steps", "list_query", "run_step_list"),
    _endpoint("retrieve_step", "GET", _RUN + "/steps/(?P<step_id>[^/]+)", None, "run_step"),
)
# Statuses that answer a refusal without being the runs contract's to judge: a bad key (401), a
# region or permission (403), a rate limit (429), the server's own faults (5xx). The hosted API
# refused every request it judged with 400 or 404, never 409 or 422 (errors.md §1).
_REFUSALS = frozenset({400, 404})
_OTHER_ERRORS = frozenset({401, 403, 429, 500, 502, 503, 504})
# Settings a created run echoes from its request (the run's fields a create-run request sets);
# instructions and tools are compared on their own.
_ECHOED = tuple(
    s for s in ("assistant_id", *REQUEST_SETTINGS) if s not in ("instructions", "tools")
)
_CANCEL_LEAVES = tuple(
    sorted({row["dest"] for row in RUN_TABLE.transitions if row["trigger"] == "cancel"})
)


@dataclass(frozen=True)
class Route:
    """An exchange's endpoint and the ids its path names."""

    endpoint: Endpoint
    ids: Mapping[str, str]


def route(method: str, url: str) -> Route | None:
    """The endpoint of the runs resource a request is to, or None for anything else."""
    path = urlsplit(url).path.rstrip("/")
    for endpoint in ENDPOINTS:
        matched = endpoint.pattern.fullmatch(path)
        if endpoint.method == method and matched:
            return Route(endpoint, {k: v for k, v in matched.groupdict().items() if v})
    return None


def succeeded(exchange: Exchange) -> bool:
    return exchange.status is not None and 200 <= exchange.status < 300


def answer_kind(exchange: Exchange, value: Any) -> str:
    """The kind to check an answer as: an error body for a status that is not a success, else the
    kind its ``object`` names, else the kind the endpoint answers."""
    found_route = route(exchange.method, exchange.url)
    if not succeeded(exchange) and not _names_a_kind(value):
        return "error"
    expected = found_route.endpoint.answer_kind if found_route else "error"
    if is_page(value) and not value["data"] and expected in ("run_list", "run_step_list"):
        return expected  # an empty page is either list kind (decisions.md#list-pages)
    try:
        return infer_kind(value)
    except UnknownKind:  # no tag: the endpoint says what it should be
        return expected


def _names_a_kind(value: Any) -> bool:
    return isinstance(value, dict) and value.get("object") in (
        "thread.run",
        "thread.run.step",
        "list",
    )


def request_findings(exchange: Exchange, *, streamed: bool, profile: Profile) -> list[Finding]:
    """What is wrong with the request and the status: pointers into the interaction."""
    found_route = route(exchange.method, exchange.url)
    assert found_route is not None, "only requests of the runs resource are checked"
    endpoint = found_route.endpoint
    accepted = succeeded(exchange)
    findings: list[Finding] = []
    if accepted and exchange.body_problem is not None:
        message = f"accepted a request whose body cannot be read: {exchange.body_problem}"
        findings.append(found("undecodable_body", "input", ["request", "body"], message))
    if accepted and endpoint.request_kind == "list_query":
        query = parse_list_query(_without_api_version(exchange.query))
        findings += _accepted(validate(query, "list_query"), ["request", "query"], profile)
    elif accepted and endpoint.request_kind and exchange.body_problem is None:
        body = {} if exchange.body is None else exchange.body  # no body: no member is given
        findings += _accepted(validate(body, endpoint.request_kind), ["request", "body"], profile)
    findings += _status_findings(exchange, endpoint, streamed)
    return findings


def _without_api_version(query: str) -> str:
    """The query without Azure's ``api-version``, which names the protocol, not the list."""
    return "&".join(p for p in query.split("&") if p.split("=", 1)[0] != "api-version")


def _accepted(findings: list[Finding], at: list[str], profile: Profile) -> Iterator[Finding]:
    """A request the contract refuses that the server accepted: each finding, into the interaction."""
    for finding in findings:
        severity: Severity = accepted_request_severity(finding, profile)
        message = f"accepted, but the contract refuses it: {finding.message}"
        yield replace(
            finding,
            pointer="/" + "/".join(at) + finding.pointer,
            message=message,
            severity=severity,
        )


def _status_findings(exchange: Exchange, endpoint: Endpoint, streamed: bool) -> Iterator[Finding]:
    status = exchange.status
    if status is None:
        message = "the recording holds no status for this answer"
        yield found("invalid_interaction", "input", ["response", "status"], message)
        return
    asked = isinstance(exchange.body, dict) and exchange.body.get("stream") is True
    if 200 <= status < 300:
        if status != 200:
            message = (
                f"{status}: the hosted API answered every success of the runs endpoints with 200"
            )
            yield found("status_unexpected", "request", ["response", "status"], message, status)
        if asked and endpoint.streams and not streamed:
            message = "the request asked for a stream (stream: true); the answer is not one"
            yield found("answer_not_streamed", "request", ["response", "body"], message)
        elif streamed and not (asked and endpoint.streams):
            message = "the answer is a stream; the request did not ask for one"
            yield found("answer_streamed_unasked", "request", ["response", "body"], message)
        return
    if status not in _REFUSALS | _OTHER_ERRORS:
        message = (
            f"{status}: the hosted API refused a runs request with 400 (bad body, illegal state "
            "change) or 404 (not found), never this"
        )
        yield found("status_unexpected", "request", ["response", "status"], message, status)
    if streamed:
        message = f"a stream with status {status}: a refusal is an error body"
        yield found("status_body_mismatch", "request", ["response", "body"], message)


def answer_findings(
    exchange: Exchange, value: Any, *, created_at: Callable[[str], int | None]
) -> list[Finding]:
    """What is wrong with a JSON answer given its request: pointers into the answer.

    ``created_at`` gives the creation time of an object seen before (a page's cursor), or None.
    """
    found_route = route(exchange.method, exchange.url)
    assert found_route is not None
    endpoint = found_route.endpoint
    if not succeeded(exchange):
        if _names_a_kind(value):
            message = (
                f"a {value.get('object')} with status {exchange.status}: a refusal is an error body"
            )
            return [
                found("status_body_mismatch", "request", ["object"], message, value.get("object"))
            ]
        return []
    if isinstance(value, dict) and "error" in value and "object" not in value:
        message = f"an error body with status {exchange.status}: a success answers the object"
        return [found("status_body_mismatch", "request", ["error"], message)]
    kind = answer_kind(exchange, value)
    if kind != endpoint.answer_kind:
        message = (
            f"{endpoint.name.replace('_', ' ')} answers a {endpoint.answer_kind}, not a {kind}"
        )
        tag = value.get("object") if isinstance(value, dict) else None
        return [found("response_kind_mismatch", "request", ["object"], message, tag)]
    return list(_answers(found_route, exchange, value, created_at))


def _answers(
    found_route: Route, exchange: Exchange, value: Any, created_at: Callable[[str], int | None]
) -> Iterator[Finding]:
    endpoint, ids = found_route.endpoint, found_route.ids
    if not isinstance(value, dict):
        return
    if endpoint.answer_kind in ("run", "run_step"):
        yield from run_answer_findings(found_route, exchange, value, [])
    else:
        for index, item in enumerate(value["data"] if is_page(value) else []):
            if isinstance(item, dict):
                yield from _ids(ids, item, ["data", index], owner="thread_id", parent="run_id")
        yield from _page(value, exchange, created_at)


def run_answer_findings(
    found_route: Route, exchange: Exchange, value: dict[str, Any], at: list[str | int]
) -> Iterator[Finding]:
    """The rules for a run or step answered (a JSON body, or a run event of a streamed answer)."""
    endpoint, ids = found_route.endpoint, found_route.ids
    if endpoint.answer_kind == "run_step":
        yield from _ids(ids, value, at, own="step_id", parent="run_id", owner="thread_id")
        return
    yield from _ids(ids, value, at, own="run_id", owner="thread_id")
    request = exchange.body if isinstance(exchange.body, dict) else {}
    if endpoint.name in ("create_run", "create_thread_and_run"):
        yield from _applied(request, value, at)
    elif endpoint.name == "modify_run":
        yield from _modified(request, value, at)
    elif endpoint.name == "cancel_run" and value.get("status") not in _CANCEL_LEAVES:
        leaves = ", ".join(_CANCEL_LEAVES)
        message = f"a cancel leaves the run {leaves}; the answer is {value.get('status')!r}"
        yield found(
            "cancel_answer_status", "request", [*at, "status"], message, value.get("status")
        )
    elif endpoint.name == "submit_tool_outputs":
        yield from _submitted(request, value, at)


_ID_NAMES = {"thread_id": "thread", "run_id": "run", "step_id": "step"}


def _ids(
    ids: Mapping[str, str],
    value: Mapping[str, Any],
    at: list[str | int],
    *,
    own: str | None = None,
    parent: str | None = None,
    owner: str | None = None,
) -> Iterator[Finding]:
    """The URL's ids against the object's own ``id``, its ``run_id`` and its ``thread_id``."""
    for name, field in ((own, "id"), (parent, "run_id"), (owner, "thread_id")):
        if name is None or name not in ids or field not in value:
            continue
        if value[field] != ids[name]:
            named = f"{_ID_NAMES[name]} {ids[name]!r}"
            message = f"the URL names {named}; the answer's {field} is {value[field]!r}"
            yield found("id_mismatch", "request", [*at, field], message, value[field])


def _applied(
    request: Mapping[str, Any], run: Mapping[str, Any], at: list[str | int]
) -> Iterator[Finding]:
    """A created run carries the settings and metadata its request gave."""
    for name in _ECHOED:
        wanted = request.get(name)
        if wanted is not None and name in run and not _carries(run[name], wanted):
            message = f"the request set {name} to {_short(wanted)}; the created run has {_short(run[name])}"
            yield found("request_not_applied", "request", [*at, name], message, run[name])
    if isinstance(request.get("instructions"), str) and "instructions" in run:
        wanted = request["instructions"]
        extra = request.get("additional_instructions")
        text = run["instructions"]
        fits = isinstance(text, str) and (
            text.startswith(wanted) and text.endswith(extra)
            if isinstance(extra, str)
            else text == wanted
        )
        if not fits:
            message = "the created run's instructions are not the request's"
            yield found("request_not_applied", "request", [*at, "instructions"], message, text)
    tools = request.get("tools")
    if (
        isinstance(tools, list)
        and isinstance(run.get("tools"), list)
        and _tool_names(tools) != _tool_names(run["tools"])
    ):
        given, made = _tool_names(tools), _tool_names(run["tools"])
        message = f"the request gave tools {given}; the created run has {made}"
        yield found("request_not_applied", "request", [*at, "tools"], message)


def _modified(
    request: Mapping[str, Any], run: Mapping[str, Any], at: list[str | int]
) -> Iterator[Finding]:
    wanted = request.get("metadata")
    if isinstance(wanted, dict) and not _carries(run.get("metadata"), wanted):
        have = _short(run.get("metadata"))
        message = f"the request set metadata {_short(wanted)}; the run answered has {have}"
        yield found(
            "request_not_applied", "request", [*at, "metadata"], message, run.get("metadata")
        )


def _submitted(
    request: Mapping[str, Any], run: Mapping[str, Any], at: list[str | int]
) -> Iterator[Finding]:
    """A run answering tool outputs has left requires_action (or waits for other calls)."""
    if run.get("status") != "requires_action":
        return
    answered = _ids_of(request.get("tool_outputs"), "tool_call_id")
    pending = _ids_of(_member(run, "required_action", "submit_tool_outputs", "tool_calls"), "id")
    if answered & pending or not pending:
        message = "tool outputs answered with a run still waiting for the calls they answer"
        yield found("submit_answer_status", "request", [*at, "status"], message, "requires_action")


def _member(value: Any, *path: str) -> Any:
    """The value at a path of object keys, or None where the path leaves the objects."""
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _ids_of(items: Any, key: str) -> set[str]:
    """The text ids under ``key`` of the objects of a list."""
    listed = items if isinstance(items, list) else []
    return {
        item[key] for item in listed if isinstance(item, dict) and isinstance(item.get(key), str)
    }


def _page(
    value: Mapping[str, Any], exchange: Exchange, created_at: Callable[[str], int | None]
) -> Iterator[Finding]:
    """A page holds at most ``limit`` items, in the order asked, after or before its cursor."""
    query = parse_list_query(_without_api_version(exchange.query))
    if validate(query, "list_query"):
        return  # a query the contract refuses: its findings are the request's
    data = [item for item in value.get("data", []) if isinstance(item, dict)]
    if len(data) > query["limit"]:
        message = f"{len(data)} items; the query's limit is {query['limit']}"
        yield found("page_over_limit", "request", ["data"], message, len(data))
    order = query["order"]
    times = [item.get("created_at") for item in data]
    for index in range(1, len(times)):
        earlier, later = times[index - 1], times[index]
        if (
            is_integer(earlier)
            and is_integer(later)
            and (later < earlier if order == "asc" else later > earlier)
        ):
            message = f"created_at {later} after {earlier} in a page in {order} order"
            yield found(
                "page_out_of_order", "request", ["data", index, "created_at"], message, later
            )
    ids = [item.get("id") for item in data]
    for cursor in ("after", "before"):
        named = query.get(cursor)
        if named is None:
            continue
        if named in ids:
            at = ids.index(named)
            message = f"the page holds its own {cursor} cursor {named!r}"
            yield found("page_cursor_ignored", "request", ["data", at, "id"], message, named)
            continue
        yield from _beyond(cursor, named, created_at(named), order, times)
    if data and value.get("first_id") != ids[0]:
        message = f"first_id is {value.get('first_id')!r}; the first item is {ids[0]!r}"
        yield found("page_ids_mismatch", "request", ["first_id"], message, value.get("first_id"))
    if data and value.get("last_id") != ids[-1]:
        message = f"last_id is {value.get('last_id')!r}; the last item is {ids[-1]!r}"
        yield found("page_ids_mismatch", "request", ["last_id"], message, value.get("last_id"))


def _beyond(
    cursor: str, named: str, at: int | None, order: str, times: list[Any]
) -> Iterator[Finding]:
    """Items on the wrong side of a cursor whose creation time is known."""
    if at is None:
        return
    forward = (cursor == "after") == (order == "asc")  # the items are created after the cursor's
    for index, time in enumerate(times):
        if is_integer(time) and (time < at if forward else time > at):
            side = "after" if forward else "before"
            asked = f"{cursor}={named!r} (created at {at}) asks for items created {side} it"
            message = f"created_at {time}, but {asked}"
            yield found(
                "page_cursor_ignored", "request", ["data", index, "created_at"], message, time
            )


def _carries(have: Any, wanted: Any) -> bool:
    """Whether an answer's value carries the request's: equal numbers and text, and every member
    of a requested object (the API fills defaults into objects: ``last_messages: null``)."""
    if isinstance(wanted, dict):
        return isinstance(have, dict) and all(
            k in have and _carries(have[k], v) for k, v in wanted.items()
        )
    if isinstance(wanted, bool) or isinstance(have, bool):
        return have is wanted
    if isinstance(wanted, (int, float)) and isinstance(have, (int, float)):
        return float(have) == float(wanted)
    return bool(have == wanted)


def _tool_names(tools: list[Any]) -> list[str]:
    """Each tool as its type, or ``function:<name>``."""
    names = []
    for tool in tools:
        if not isinstance(tool, dict):
            names.append("?")
        elif tool.get("type") == "function" and isinstance(tool.get("function"), dict):
            names.append(f"function:{tool['function'].get('name')}")
        else:
            names.append(str(tool.get("type")))
    return names


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:79] + "…"
