"""Reading one input: a .json file whole (an object, or a recording: HAR, Azure session records, a
cassette in JSON), a .jsonl file line by line, a .sse stream, a YAML cassette an interaction at a
time, and anything else (standard input, pipes) sniffed from its first line.

The readers of recordings (and YAML, HTTP and dates with them) are imported when a recording is
met: a check of JSON Lines starts without them (decisions.md#cold-start-imports-only-what-is-used).
"""

from __future__ import annotations

import json
import re
from codecs import BOM_UTF8
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from typing import Any, BinaryIO

from runcore._check._records import Document, Item, Stream
from runcore._check._sse import events, looks_like_a_stream
from runcore._json import JSONProblem, decode, parse, parse_bytes

Reader = Callable[[str, BinaryIO], Iterator[Item]]

# What JSON counts as whitespace (RFC 8259 §2); a line of other spaces is a bad line, not a blank one.
_WHITESPACE = " \t\r\n"
BLANK = _WHITESPACE.encode()


def read_whole(name: str, stream: BinaryIO) -> Iterator[Item]:
    """One JSON document (a .json file): a problem anywhere makes the whole input unreadable. A
    recording (HAR, an Azure session record, a cassette in JSON) gives its interactions."""
    return _whole(name, stream.read())


def _whole(name: str, data: bytes) -> Iterator[Item]:
    try:
        text = decode(data)
    except JSONProblem as problem:
        yield Document(name, problem.line, problem=str(problem), code="unreadable_input")
        return
    if not text.strip(_WHITESPACE):
        yield _empty(name)
        return
    try:
        value = parse(text)
    except JSONProblem as problem:
        yield Document(name, problem.line, problem=str(problem), code="unreadable_input")
        return
    interactions = recording(name, text, value)
    if interactions is None:
        yield Document(name, 1, value)
        return
    seen = False
    for item in interactions:
        seen = True
        yield item
    if not seen:
        yield Document(name, None, problem="a recording of no interaction", code="empty_input")


def recording(name: str, text: str | bytes, value: Any, first: int = 1) -> Iterator[Item] | None:
    """The interactions of a JSON document that is a recording, recognised by its content (its
    text, or its UTF-8 bytes, starting at line ``first``); None for any other document."""
    if not isinstance(value, dict) or value.keys().isdisjoint(_RECORDING_KEYS):
        return None
    log = value.get("log")
    if isinstance(log, dict) and isinstance(log.get("entries"), list):
        from runcore._check._har import har_interactions

        return har_interactions(name, _text(text), value, first)
    if isinstance(value.get("Entries"), list):
        from runcore._check._cassettes import azure_interactions

        return azure_interactions(name, _text(text), value, first)
    for key in ("interactions", "http_interactions"):
        if isinstance(value.get(key), list):
            from runcore._check._cassettes import json_cassette

            return json_cassette(name, _text(text), value, key, first)
    return None


# The keys a recording's document has at its top (HAR, Azure session records, cassettes in JSON).
_RECORDING_KEYS = frozenset({"log", "Entries", "interactions", "http_interactions"})


def _text(text: str | bytes) -> str:
    return text if isinstance(text, str) else text.decode("utf-8")


def read_lines(name: str, stream: Iterable[bytes], first: int = 1) -> Iterator[Item]:
    """One document per JSONL line (the first numbered ``first``); a bad line is a finding and the
    next lines are still read. A line that is a recording (a HAR written on one line) gives its
    interactions.

    Only "\\n" ends a line: str.splitlines() would also split inside strings at U+2028, U+2029 or
    U+0085, which JSON allows raw.
    """
    seen = False
    for number, raw in enumerate(stream, start=first):
        if number == 1 and raw.startswith(BOM_UTF8):
            raw = raw[len(BOM_UTF8) :]
        if not blank(raw):
            seen = True
            try:
                value, plain = parse_bytes(raw, one_line=True)
            except JSONProblem as problem:
                yield Document(name, number, problem=str(problem))
                continue
            found = recording(name, raw, value, number)
            if found is None:
                yield Document(name, number, value, plain=plain)
            else:
                yield from found
    if not seen:
        yield _empty(name)


def blank(raw: bytes) -> bool:
    """Whether a JSONL line holds nothing but JSON whitespace (most lines open an object: that is
    looked at first)."""
    return raw[:1] != b"{" and not raw.strip(BLANK)


def read_sniffed(name: str, stream: BinaryIO) -> Iterator[Item]:
    """JSONL, read line by line, unless the first line that is not blank opens an event stream or
    a YAML cassette, or is an unfinished JSON value: then the input is one document spread over
    lines, and is read whole.

    A first line that is bad in itself cannot start a valid document, so it is a bad JSONL line
    and the lines after it are still read.
    """
    lines = iter(stream)
    head: list[bytes] = []
    text: str | None = ""
    for raw in lines:
        head.append(raw)
        try:
            text = decode(raw, first=len(head) == 1, one_line=True)
        except JSONProblem:
            text = None
        if text is None or text.strip(_WHITESPACE):
            break
    if text and looks_like_a_stream(text):
        return _stream(name, chain(head, lines))
    if text and _YAML_START.match(text):
        return read_yaml(name, chain(head, lines))
    if text and text.strip(_WHITESPACE) and _unfinished(text):
        return _whole(name, b"".join(head) + b"".join(lines))
    return read_lines(name, chain(head, lines))


# The first line of a YAML cassette: a document start, or a key at the left margin.
_YAML_START = re.compile(r"(?:\ufeff)?(?:---|[A-Za-z_][\w-]*:(?:\s|$))")


def read_sse(name: str, stream: BinaryIO) -> Iterator[Item]:
    """A server-sent event stream (.sse): one stream, its events read as they come."""
    return _stream(name, iter(stream))


def _stream(name: str, lines: Iterator[bytes]) -> Iterator[Item]:
    read = events(name, lines)
    first = next(read, None)
    if first is None:
        yield _empty(name)
        return
    yield Stream(name, first.line, chain([first], read))


def _unfinished(text: str) -> bool:
    """Whether ``text`` is the start of a JSON value that goes on after it."""
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        return error.pos >= len(text.rstrip(_WHITESPACE))
    except (ValueError, RecursionError):
        return False
    return False


def read_yaml(name: str, stream: Iterable[bytes]) -> Iterator[Item]:
    """A YAML cassette (vcrpy, Ruby VCR, R vcr), an interaction at a time."""
    from runcore._check._cassettes import read_yaml as read

    return read(name, stream)


def _empty(name: str) -> Document:
    return Document(name, None, problem="no JSON value in it: nothing to check", code="empty_input")


READERS: dict[str, Reader] = {
    ".json": read_whole,
    ".jsonl": read_lines,
    ".sse": read_sse,
    ".yaml": read_yaml,
    ".yml": read_yaml,
    ".har": read_whole,
}
