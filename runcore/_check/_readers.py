"""Reading JSON values from one input: a .json file whole, a .jsonl file line by line, and anything
else (standard input, pipes) sniffed from its first line."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from typing import Any, BinaryIO

from runcore._json import JSONProblem, decode, parse


@dataclass(frozen=True)
class Document:
    """One JSON value read from an input at a line, or the reason it could not be read.

    ``code`` is the finding a problem makes: ``invalid_json`` for a bad line of a JSONL input (the
    rest is still read); ``unreadable_input`` when the input could not be read (exit code 2;
    ``line`` is ``None`` when no line is to blame); ``empty_input`` or ``skipped_input`` when there
    was nothing to read or it was left alone (a FIFO in a directory, a link to a folder already
    walked).
    """

    file: str
    line: int | None
    value: Any = None
    problem: str | None = None
    code: str = "invalid_json"


Reader = Callable[[str, BinaryIO], Iterator[Document]]

# What JSON counts as whitespace (RFC 8259 §2); a line of other spaces is a bad line, not a blank one.
_WHITESPACE = " \t\r\n"


def read_whole(name: str, stream: BinaryIO) -> Iterator[Document]:
    """One JSON document (a .json file): a problem anywhere makes the whole input unreadable."""
    return _whole(name, stream.read())


def _whole(name: str, data: bytes) -> Iterator[Document]:
    try:
        text = decode(data)
    except JSONProblem as problem:
        yield Document(name, problem.line, problem=str(problem), code="unreadable_input")
        return
    if not text.strip(_WHITESPACE):
        yield _empty(name)
        return
    try:
        yield Document(name, 1, parse(text))
    except JSONProblem as problem:
        yield Document(name, problem.line, problem=str(problem), code="unreadable_input")


def read_lines(name: str, stream: Iterable[bytes]) -> Iterator[Document]:
    """One document per JSONL line; a bad line is a finding and the next lines are still read.

    Only "\\n" ends a line: str.splitlines() would also split inside strings at U+2028, U+2029 or
    U+0085, which JSON allows raw.
    """
    seen = False
    for number, raw in enumerate(stream, start=1):
        try:
            line = decode(raw, first=number == 1, one_line=True)
        except JSONProblem as problem:
            seen = True
            yield Document(name, number, problem=str(problem))
            continue
        if line.strip(_WHITESPACE):
            seen = True
            try:
                yield Document(name, number, parse(line))
            except JSONProblem as problem:
                yield Document(name, number, problem=str(problem))
    if not seen:
        yield _empty(name)


def read_sniffed(name: str, stream: BinaryIO) -> Iterator[Document]:
    """JSONL, read line by line, unless the first line that is not blank is an unfinished JSON
    value: then the input is one document spread over lines, and is read whole.

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
    if text and text.strip(_WHITESPACE) and _unfinished(text):
        return _whole(name, b"".join(head) + b"".join(lines))
    return read_lines(name, chain(head, lines))


def _unfinished(text: str) -> bool:
    """Whether ``text`` is the start of a JSON value that goes on after it."""
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        return error.pos >= len(text.rstrip(_WHITESPACE))
    except (ValueError, RecursionError):
        return False
    return False


def _empty(name: str) -> Document:
    return Document(name, None, problem="no JSON value in it: nothing to check", code="empty_input")


READERS: dict[str, Reader] = {".json": read_whole, ".jsonl": read_lines}
