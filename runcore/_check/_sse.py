"""Server-sent event streams, read as the WHATWG rules say and as the hosted API framed them.

A stream is ``event: <name>`` and ``data: <JSON>`` lines, each event ended by a blank line; the
last is ``event: done`` with ``data: [DONE]`` (decisions.md#ids-and-the-wire-form).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from runcore._check._records import Document, Record
from runcore._json import JSONProblem, decode, parse

DONE = "[DONE]"
# A line that starts an event stream: a field the SSE rules name, or a comment.
_FIELD = re.compile(r"(?:event|data|id|retry)(?::|$)|:")


def looks_like_a_stream(text: str) -> bool:
    """Whether the first line of a text that is not blank opens an event stream."""
    return _FIELD.match(text.lstrip("\ufeff \t\r\n")) is not None


def events(
    file: str,
    lines: Iterable[bytes | str],
    *,
    first_line: int = 1,
    received_at: int | None = None,
) -> Iterator[Record | Document]:
    """The events of a stream as records (``event`` set; the data of ``done`` is the text
    ``[DONE]``, any other data is JSON), each at the line of its first ``data:`` line.

    Data that is not JSON is an ``invalid_json`` problem at its line; an event without data is
    not dispatched (the SSE rules). A stream that stops without a blank line still ends its event.
    """
    name, at = "", None
    data: list[str] = []
    for number, raw in enumerate(lines, start=first_line):
        try:
            line = (
                decode(raw, first=number == first_line, one_line=True)
                if isinstance(raw, bytes)
                else raw
            )
        except JSONProblem as problem:
            yield Document(file, number, problem=str(problem))
            continue
        line = line.rstrip("\r\n")
        if not line:
            if data:
                yield _dispatched(file, at, name, data, received_at)
            name, data, at = "", [], None
            continue
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "event":
            name = value
        elif field == "data":
            at = number if at is None else at
            data.append(value)
    if data:
        yield _dispatched(file, at, name, data, received_at)


def _dispatched(
    file: str,
    line: int | None,
    name: str,
    data: list[str],
    received_at: int | None,
) -> Record | Document:
    text = "\n".join(data)
    event = name or "message"
    if text.strip() == DONE:
        return Record(file, line, DONE, event, received_at)
    try:
        value = parse(text)
    except JSONProblem as problem:
        message = f"the data of event {event!r} is not JSON: {problem}"
        return Document(file, line, problem=message.replace("invalid JSON: ", ""))
    return Record(file, line, value, event, received_at)
