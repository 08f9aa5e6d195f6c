"""Recording the runs-resource exchanges that httpx clients make, and writing them as HAR 1.2.

``httpx`` is the transport of the official ``openai`` SDK (``httpx2`` from its 3.x releases): the
``send`` of their ``Client`` and ``AsyncClient`` is wrapped while a recorder is on, whatever the
transport (a network, a WSGI or ASGI app, a mock). A streamed response is recorded as the caller
reads it. Neither library is imported unless a recorder starts.
"""

from __future__ import annotations

import base64
import bisect
import importlib
import io
import json
import re
import threading
import time
import zlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib.metadata import version
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from runcore._check._corpus import Summary, checked
from runcore._check._places import item_lines
from runcore._check._readers import read_whole
from runcore._findings import Finding
from runcore._kinds import Profile

# The runs resource: /threads/runs, /threads/{thread_id}/runs and everything under it, after any
# prefix (/v1 on api.openai.com, /openai on Azure, none on a test server).
RUNS_PATH = re.compile(r"(?:/.*)?/threads/(?:runs|[^/]+/runs)(?:/.*)?")
CLIENT_MODULES = ("httpx", "httpx2")
# Headers that carry credentials: their values are never written (decisions.md#recording-exchanges).
SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "api-key", "x-api-key", "cookie", "set-cookie"}
)
_DECOMPRESS = {
    "gzip": 16 + zlib.MAX_WBITS,
    "x-gzip": 16 + zlib.MAX_WBITS,
    "deflate": zlib.MAX_WBITS,
}


@dataclass
class Exchange:
    """One request and its response, as the client sent and received them."""

    started: float  # time.time() when the request was sent
    method: str
    url: str
    request_headers: list[tuple[str, str]]
    request_body: bytes | None
    status: int
    response_headers: list[tuple[str, str]]
    label: str  # the test that made it
    body: bytearray = field(default_factory=bytearray)


class Recorder:
    """Collects the runs-resource exchanges made while it is on (``with recorder:``)."""

    def __init__(self, label: str = "") -> None:
        self.label = label
        self.exchanges: list[Exchange] = []

    def __enter__(self) -> Recorder:
        _start(self)
        return self

    def __exit__(self, *exc: object) -> None:
        _stop(self)

    def har(self) -> dict[str, Any]:
        """The exchanges as a HAR 1.2 log, one page per label, in the order they were sent."""
        return har(self.exchanges)

    def findings(self, profile: Profile = "observed") -> list[Finding]:
        """What ``runcore check`` finds in the exchanges so far, warnings included."""
        return [finding for finding, _ in recording_findings(self.exchanges, profile)]


_ACTIVE: list[Recorder] = []
_ORIGINALS: dict[type, Any] = {}
_LOCK = threading.Lock()


def _start(recorder: Recorder) -> None:
    with _LOCK:
        if not _ACTIVE:
            for name in CLIENT_MODULES:
                try:
                    module = importlib.import_module(name)
                except ImportError:
                    continue
                sync_tee, async_tee = _tees(module)
                _wrap(module.Client, _recorded_send(module.Client.send, sync_tee))
                _wrap(module.AsyncClient, _recorded_async_send(module.AsyncClient.send, async_tee))
        _ACTIVE.append(recorder)


def _stop(recorder: Recorder) -> None:
    with _LOCK:
        _ACTIVE.remove(recorder)
        if not _ACTIVE:
            for cls, original in _ORIGINALS.items():
                cls.send = original  # type: ignore[attr-defined]
            _ORIGINALS.clear()


def _wrap(cls: type, send: Any) -> None:
    _ORIGINALS[cls] = cls.__dict__["send"]
    cls.send = send  # type: ignore[attr-defined]


def _recorded_send(send: Any, tee: type) -> Any:
    def recorded(client: Any, request: Any, **options: Any) -> Any:
        started = time.time()
        response = send(client, request, **options)
        _record(request, response, started, tee)
        return response

    return recorded


def _recorded_async_send(send: Any, tee: type) -> Any:
    async def recorded(client: Any, request: Any, **options: Any) -> Any:
        started = time.time()
        response = await send(client, request, **options)
        _record(request, response, started, tee)
        return response

    return recorded


def _record(request: Any, response: Any, started: float, tee: type) -> None:
    if not _ACTIVE or not RUNS_PATH.fullmatch(request.url.path):
        return
    try:
        body: bytes | None = request.content
    except Exception:  # a streaming upload the client never read: no body to record
        body = None
    exchange = Exchange(
        started=started,
        method=request.method,
        url=str(request.url),
        request_headers=list(request.headers.multi_items()),
        request_body=body or None,
        status=response.status_code,
        response_headers=list(response.headers.multi_items()),
        label=next((recorder.label for recorder in reversed(_ACTIVE) if recorder.label), ""),
    )
    try:  # read already: a response not streamed, or one a mock transport made from bytes
        exchange.body += response.content
    except Exception:  # httpx's ResponseNotRead: a stream, recorded as the caller reads it
        response.stream = tee(response.stream, exchange)
    for recorder in list(_ACTIVE):
        recorder.exchanges.append(exchange)


def _tees(module: Any) -> tuple[type, type]:
    """Byte streams of ``module`` (httpx or httpx2) that write each chunk into an exchange as the
    caller reads it: what the caller never read is not recorded."""

    class Teed:
        def __init__(self, stream: Any, exchange: Exchange) -> None:
            self.stream, self.exchange = stream, exchange

        @property
        def elapsed(self) -> Any:  # httpx reads the time a response took off its stream
            return getattr(self.stream, "elapsed", None)

    class SyncTee(Teed, module.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            for chunk in self.stream:
                self.exchange.body += chunk
                yield chunk

        def close(self) -> None:
            self.stream.close()

    class AsyncTee(Teed, module.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            async for chunk in self.stream:
                self.exchange.body += chunk
                yield chunk

        async def aclose(self) -> None:
            await self.stream.aclose()

    return SyncTee, AsyncTee


# -- HAR 1.2 --------------------------------------------------------------------------------------


def har(exchanges: list[Exchange]) -> dict[str, Any]:
    """A HAR 1.2 log of ``exchanges``: one page per label (a test), entries in the order sent.

    Credentials are written as ``[redacted]``; a body that is not UTF-8 is base64.
    """
    ordered = in_order(exchanges)
    labels = list(dict.fromkeys(exchange.label for exchange in ordered))
    page_ids = {label: f"page_{index}" for index, label in enumerate(labels, start=1)}
    pages = [
        {
            "startedDateTime": _iso(next(e.started for e in ordered if e.label == label)),
            "id": page_ids[label],
            "title": label,
            "pageTimings": {},
        }
        for label in labels
    ]
    return {
        "log": {
            "version": "1.2",
            "creator": {"name": "runcore", "version": version("runcore")},
            "pages": pages,
            "entries": [_entry(exchange, page_ids[exchange.label]) for exchange in ordered],
        }
    }


def in_order(exchanges: list[Exchange]) -> list[Exchange]:
    """The exchanges in the order their requests were sent."""
    return sorted(exchanges, key=lambda exchange: exchange.started)


def _entry(exchange: Exchange, page_id: str) -> dict[str, Any]:
    request_type = _header(exchange.request_headers, "content-type")
    response_type = _header(exchange.response_headers, "content-type")
    body = _decoded(bytes(exchange.body), _header(exchange.response_headers, "content-encoding"))
    request: dict[str, Any] = {
        "method": exchange.method,
        "url": exchange.url,
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": _headers(exchange.request_headers),
        "queryString": [
            {"name": name, "value": value}
            for name, value in parse_qsl(urlsplit(exchange.url).query, keep_blank_values=True)
        ],
        "headersSize": -1,
        "bodySize": len(exchange.request_body or b""),
    }
    if exchange.request_body is not None:
        request["postData"] = {"mimeType": request_type, **_text(exchange.request_body)}
    return {
        "pageref": page_id,
        "startedDateTime": _iso(exchange.started),
        "time": 0,
        "request": request,
        "response": {
            "status": exchange.status,
            "statusText": "",
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": _headers(exchange.response_headers),
            "content": {"size": len(body), "mimeType": response_type, **_text(body)},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": len(exchange.body),
        },
        "cache": {},
        "timings": {"send": 0, "wait": 0, "receive": 0},
    }


def _headers(pairs: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [
        {"name": name, "value": "[redacted]" if name.lower() in SECRET_HEADERS else value}
        for name, value in pairs
    ]


def _header(pairs: list[tuple[str, str]], wanted: str) -> str:
    return next((value for name, value in pairs if name.lower() == wanted), "")


def _decoded(body: bytes, encoding: str) -> bytes:
    """A streamed body as read off the wire, decompressed where the header says gzip or deflate."""
    wbits = _DECOMPRESS.get(encoding.strip().lower())
    if wbits is None or not body:
        return body
    try:
        return zlib.decompress(body, wbits)
    except zlib.error:  # already decoded (a non-streamed body is): keep it as it is
        return body


def _text(body: bytes) -> dict[str, str]:
    try:
        return {"text": body.decode("utf-8")}
    except UnicodeDecodeError:
        return {"text": base64.b64encode(body).decode("ascii"), "encoding": "base64"}


def _iso(moment: float) -> str:
    return (
        datetime.fromtimestamp(moment, timezone.utc)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


# -- checking -------------------------------------------------------------------------------------

RECORDING = "<recording>"  # the name a recording's findings give as their file


def har_text(exchanges: list[Exchange]) -> str:
    """The HAR log of ``exchanges`` as ``--runcore-record`` writes it (2-space indent, a final
    newline)."""
    return json.dumps(har(exchanges), indent=2, ensure_ascii=False) + "\n"


def recording_findings(
    exchanges: list[Exchange], profile: Profile
) -> list[tuple[Finding, Exchange | None]]:
    """What ``runcore check`` finds in the HAR of ``exchanges``: every answer against its request,
    every stream, every history, every object; each finding with the exchange it is in."""
    ordered = in_order(exchanges)
    text = har_text(ordered)
    starts = item_lines(text, ["log", "entries"])
    items = read_whole(RECORDING, io.BytesIO(text.encode("utf-8")))
    checks = checked(
        [(RECORDING, items)], kind=None, profile=profile, strict=False, summary=Summary()
    )
    found: list[tuple[Finding, Exchange | None]] = []
    for _, cases in checks:
        for case in cases:
            for finding in case.findings:
                index = bisect.bisect_right(starts, finding.line or 0) - 1
                found.append((finding, ordered[index] if index >= 0 else None))
    return found
