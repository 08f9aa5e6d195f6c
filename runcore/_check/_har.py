"""HAR 1.2 archives (browser devtools, mitmproxy and proxy exports): ``log.entries[]``, each a
``request`` and its ``response``, whose ``content.text`` is base64 when ``encoding`` says so."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from runcore._check._http import BodyProblem, from_base64, interaction, received
from runcore._check._places import items_at_lines
from runcore._check._records import Document, Item


def har_interactions(file: str, text: str, value: dict[str, Any], first: int) -> Iterator[Item]:
    """Each entry of a HAR log (whose text starts at line ``first``); its time is
    ``startedDateTime``."""
    entries = value["log"]["entries"]
    for line, entry in items_at_lines(text, ["log", "entries"], entries, first):
        request = entry.get("request") if isinstance(entry, dict) else None
        response = entry.get("response") if isinstance(entry, dict) else None
        if not isinstance(request, dict) or not isinstance(response, dict):
            problem = "an entry without a request and a response: not checked"
            yield Document(file, line, problem=problem, code="invalid_interaction")
            continue
        posted = request.get("postData")
        status = response.get("status")
        yield interaction(
            file,
            line,
            method=request.get("method"),
            url=request.get("url"),
            request_headers=request.get("headers"),
            request_body=posted.get("text") if isinstance(posted, dict) else None,
            status=None if status in (0, -1) else status,  # 0: no answer was received
            response_headers=response.get("headers"),
            response_body=_content(response.get("content")),
            received_at=received(entry.get("startedDateTime")),
            body_line=line,
        )


def _content(content: Any) -> Any:
    if not isinstance(content, dict):
        return None
    text = content.get("text")
    if content.get("encoding") == "base64" and text is not None:
        try:
            return from_base64(text)
        except BodyProblem as problem:
            return problem
    return text
