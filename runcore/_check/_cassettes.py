"""Cassettes, read without their recording libraries: vcrpy (YAML, and its JSON serializer), Ruby VCR
and R vcr (``http_interactions``), and Azure SDK test-proxy session records (``Entries``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from runcore._check._http import BodyProblem, from_base64, headers, interaction, received
from runcore._check._places import items_at_lines
from runcore._check._records import Document, Item
from runcore._check._yaml import Item as YAMLItem
from runcore._check._yaml import YAMLProblem, items


def read_yaml(name: str, stream: Iterable[bytes]) -> Iterator[Item]:
    """The interactions of a YAML cassette, an interaction at a time; a YAML file that is no
    cassette is a skipped input."""
    seen = False
    for item in items(stream):
        seen = True
        if isinstance(item, YAMLProblem):
            code = "unreadable_input" if item.whole else "invalid_yaml"
            yield Document(name, item.line, problem=str(item), code=code)
        elif isinstance(item, YAMLItem):
            yield vcr_interaction(name, item.value, item.line, item.body_line, item.body_lines)
        elif item:
            problem = (
                "skipped: YAML that is no cassette (no interactions or http_interactions list)"
            )
            yield Document(name, None, problem=problem, code="skipped_input")
        else:
            yield Document(
                name, None, problem="no YAML value in it: nothing to check", code="empty_input"
            )
    if not seen:
        yield Document(name, None, problem="a recording of no interaction", code="empty_input")


def vcr_interaction(
    file: str,
    value: Any,
    line: int | None,
    body_line: int | None = None,
    body_lines: bool = False,
) -> Item:
    """One interaction of vcrpy, Ruby VCR or R vcr: their shapes differ only in small ways (a body
    as text or ``{string}``/``{base64_string}``, a status as ``{code}`` or ``{status_code}``)."""
    request = value.get("request") if isinstance(value, dict) else None
    response = value.get("response") if isinstance(value, dict) else None
    if not isinstance(request, dict) or not isinstance(response, dict):
        problem = "an interaction without a request and a response: not checked"
        return Document(file, line, problem=problem, code="invalid_interaction")
    date = headers(response.get("headers")).get("date")
    return interaction(
        file,
        line,
        method=request.get("method"),
        url=request.get("uri", request.get("url")),
        request_headers=request.get("headers"),
        request_body=_body(request.get("body")),
        status=response.get("status"),
        response_headers=response.get("headers"),
        response_body=_body(response.get("body")),
        received_at=received(date, value.get("recorded_at")),
        body_line=body_line,
        body_lines=body_lines,
    )


def _body(raw: Any) -> Any:
    """A body as stored: text, bytes (``!!binary``), ``{string}`` or ``{base64_string}``."""
    if not isinstance(raw, dict):
        return raw
    if "base64_string" in raw:
        try:
            return from_base64(raw["base64_string"])
        except BodyProblem as problem:
            return problem
    return raw.get("string")


def azure_interactions(file: str, text: str, value: dict[str, Any], first: int) -> Iterator[Item]:
    """The entries of an Azure test-proxy session record (``Entries[]`` of ``RequestUri``,
    ``RequestMethod``, ``RequestHeaders``, ``RequestBody``, ``StatusCode``, ``ResponseHeaders``,
    ``ResponseBody``); a body is a JSON value, a text, or a stream's lines."""
    for line, entry in items_at_lines(text, ["Entries"], value["Entries"], first):
        if not isinstance(entry, dict):
            problem = "an entry that is not an object: not checked"
            yield Document(file, line, problem=problem, code="invalid_interaction")
            continue
        response_headers = entry.get("ResponseHeaders")
        yield interaction(
            file,
            line,
            method=entry.get("RequestMethod"),
            url=entry.get("RequestUri"),
            request_headers=entry.get("RequestHeaders"),
            request_body=entry.get("RequestBody"),
            status=entry.get("StatusCode"),
            response_headers=response_headers,
            response_body=entry.get("ResponseBody"),
            received_at=received(headers(response_headers).get("date")),
            body_line=line,
        )


def json_cassette(
    file: str, text: str, value: dict[str, Any], key: str, first: int
) -> Iterator[Item]:
    """A cassette that vcrpy (``interactions``) or Ruby VCR (``http_interactions``) wrote as JSON."""
    for line, entry in items_at_lines(text, [key], value[key], first):
        yield vcr_interaction(file, entry, line, line)
