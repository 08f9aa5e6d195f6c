"""The same recorded session in every format runcore check reads, as the recording libraries write
them: a helper for the tests, and the writer of tests/check/fixtures (``python -m tests.check.formats``).
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Callable
from datetime import datetime, timezone
from email.utils import formatdate
from http import HTTPStatus
from pathlib import Path
from typing import Any

import yaml

import runcore
from tests.check.session import HOST, Exchange, copied, sse, vcrpy

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The interactions of the session the fixtures hold: a create, the completed poll, its steps, a
# message (passed over), a streamed run, and a refused cancel.
PICKED = (0, 4, 5, 6, 7, 10)
# Each format's interaction in the text, to say where an interaction starts.
MARKERS = {
    "vcrpy.yaml": "- request:",
    "vcrpy-gzip.yaml": "- request:",
    "vcrpy.json": '"request": {',
    "ruby-vcr.yml": "- request:",
    "r-vcr.yml": "- request:",
    "har": '"startedDateTime"',
    "azure.json": '"RequestUri"',
}


def fixture_session() -> list[Exchange]:
    session = copied()
    return [session[i] for i in PICKED]


def body(exchange: Exchange) -> str:
    return (
        sse(exchange.stream)
        if exchange.stream is not None
        else runcore.json_body(exchange.answer).decode()
    )


def kind(exchange: Exchange) -> str:
    return "text/event-stream; charset=utf-8" if exchange.stream is not None else "application/json"


def request_text(exchange: Exchange) -> str | None:
    return None if exchange.body is None else json.dumps(exchange.body)


def date(exchange: Exchange) -> str:
    return formatdate(exchange.date, usegmt=True)


def iso(exchange: Exchange) -> str:
    moment = datetime.fromtimestamp(exchange.date or 0, tz=timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def dumped(value: Any) -> str:
    return yaml.safe_dump(value, sort_keys=False, width=100, allow_unicode=True)


def vcrpy_gzip(exchanges: list[Exchange]) -> str:
    """vcrpy with the server's gzip bytes kept: ``!!binary`` bodies and Content-Encoding gzip."""
    interactions = [
        {
            "request": {
                "body": request_text(e),
                "headers": {"accept-encoding": ["gzip, deflate"]},
                "method": e.method,
                "uri": HOST + e.path,
            },
            "response": {
                "body": {"string": gzip.compress(body(e).encode(), mtime=0)},
                "headers": {
                    "Content-Encoding": ["gzip"],
                    "Content-Type": [kind(e)],
                    "Date": [date(e)],
                },
                "status": {"code": e.status, "message": HTTPStatus(e.status).phrase},
            },
        }
        for e in exchanges
    ]
    return dumped({"interactions": interactions, "version": 1})


def vcrpy_json(exchanges: list[Exchange]) -> str:
    """vcrpy's JSON serializer."""
    interactions = [
        {
            "request": {
                "body": request_text(e),
                "headers": {},
                "method": e.method,
                "uri": HOST + e.path,
            },
            "response": {
                "body": {"string": body(e)},
                "headers": {"Content-Type": [kind(e)], "Date": [date(e)]},
                "status": {"code": e.status, "message": HTTPStatus(e.status).phrase},
            },
        }
        for e in exchanges
    ]
    return json.dumps({"interactions": interactions, "version": 1}, indent=4) + "\n"


def ruby_vcr(exchanges: list[Exchange]) -> str:
    """Ruby VCR: ``http_interactions``, a stream body as ``base64_string``, ``recorded_at``."""

    def text(content: str | None, binary: bool = False) -> dict[str, str]:
        if binary:
            return {
                "encoding": "ASCII-8BIT",
                "base64_string": base64.b64encode((content or "").encode()).decode(),
            }
        return {"encoding": "UTF-8", "string": content or ""}

    interactions = [
        {
            "request": {
                "method": e.method.lower(),
                "uri": HOST + e.path,
                "body": text(request_text(e)),
                "headers": {"Content-Type": ["application/json"], "Openai-Beta": ["assistants=v2"]},
            },
            "response": {
                "status": {"code": e.status, "message": HTTPStatus(e.status).phrase},
                "headers": {"Date": [date(e)], "Content-Type": [kind(e)]},
                "body": text(body(e), binary=e.stream is not None),
            },
            "recorded_at": date(e),
        }
        for e in exchanges
    ]
    return "---\n" + dumped({"http_interactions": interactions, "recorded_with": "VCR 6.2.0"})


def r_vcr(exchanges: list[Exchange]) -> str:
    """R vcr: scalar headers, a gzip Content-Encoding over text already decoded, and no Date: its
    time is ``recorded_at``."""

    def recorded(e: Exchange) -> str:
        return datetime.fromtimestamp(e.date or 0, tz=timezone.utc).strftime(
            "%Y-%m-%d %H:%M:%S GMT"
        )

    interactions = [
        {
            "request": {
                "method": e.method.lower(),
                "uri": HOST + e.path,
                "body": {"encoding": "", "string": request_text(e) or ""},
                "headers": {"Accept": "application/json", "OpenAI-Beta": "assistants=v2"},
            },
            "response": {
                "status": {
                    "status_code": e.status,
                    "category": "Success" if e.status < 300 else "Client error",
                    "reason": HTTPStatus(e.status).phrase,
                    "message": f"{HTTPStatus(e.status).phrase} ({e.status})",
                },
                "headers": {"content-type": kind(e), "content-encoding": "gzip"},
                "body": {"encoding": "", "file": False, "string": body(e)},
            },
            "recorded_at": recorded(e),
            "recorded_with": "vcr/1.2.2, webmockr/0.9.0",
        }
        for e in exchanges
    ]
    return dumped({"http_interactions": interactions})


def har(exchanges: list[Exchange]) -> str:
    """HAR 1.2, as devtools export it: a stream's content base64-encoded."""

    def content(e: Exchange) -> dict[str, Any]:
        text = body(e)
        if e.stream is not None:
            return {
                "size": len(text),
                "mimeType": kind(e),
                "text": base64.b64encode(text.encode()).decode(),
                "encoding": "base64",
            }
        return {"size": len(text), "mimeType": kind(e), "text": text}

    entries = [
        {
            "startedDateTime": iso(e),
            "time": 120,
            "request": {
                "method": e.method,
                "url": HOST + e.path,
                "httpVersion": "HTTP/1.1",
                "headers": [{"name": "Content-Type", "value": "application/json"}],
                "queryString": [],
                **(
                    {"postData": {"mimeType": "application/json", "text": request_text(e)}}
                    if e.body is not None
                    else {}
                ),
                "headersSize": -1,
                "bodySize": -1,
            },
            "response": {
                "status": e.status,
                "statusText": HTTPStatus(e.status).phrase,
                "httpVersion": "HTTP/1.1",
                "headers": [{"name": "Content-Type", "value": kind(e)}],
                "content": content(e),
                "redirectURL": "",
                "headersSize": -1,
                "bodySize": -1,
            },
            "cache": {},
            "timings": {"send": 0, "wait": 120, "receive": 0},
        }
        for e in exchanges
    ]
    log = {
        "version": "1.2",
        "creator": {"name": "runcore tests", "version": "1"},
        "entries": entries,
    }
    return json.dumps({"log": log}, indent=2) + "\n"


def azure(exchanges: list[Exchange]) -> str:
    """An Azure SDK test-proxy session record: JSON bodies as values, a stream as its lines."""
    entries = [
        {
            "RequestUri": HOST.replace("api.openai.com", "example.openai.azure.com")
            + e.path.replace("/v1/", "/openai/"),
            "RequestMethod": e.method,
            "RequestHeaders": {"Content-Type": "application/json"},
            "RequestBody": e.body,
            "StatusCode": e.status,
            "ResponseHeaders": {"Content-Type": kind(e), "Date": date(e)},
            "ResponseBody": body(e).split("\n")[:-1] if e.stream is not None else e.answer,
        }
        for e in exchanges
    ]
    return json.dumps({"Entries": entries, "Variables": {}}, indent=2) + "\n"


WRITERS: dict[str, Callable[[list[Exchange]], str]] = {
    "vcrpy.yaml": lambda exchanges: vcrpy(exchanges).text,
    "vcrpy-gzip.yaml": vcrpy_gzip,
    "vcrpy.json": vcrpy_json,
    "ruby-vcr.yml": ruby_vcr,
    "r-vcr.yml": r_vcr,
    "har": har,
    "azure.json": azure,
}


def written() -> dict[str, str]:
    """Every fixture's name and text: the session in each format, and its stream alone."""
    session = fixture_session()
    files = {f"session.{name}": write(session) for name, write in WRITERS.items()}
    stream = next(e for e in session if e.stream is not None)
    files["stream.sse"] = sse(stream.stream or [])
    return files


if __name__ == "__main__":
    FIXTURES.mkdir(exist_ok=True)
    for name, text in written().items():
        (FIXTURES / name).write_text(text, encoding="utf-8")
        print(FIXTURES / name)
