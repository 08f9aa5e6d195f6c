"""Reading the objects to check from .json and .jsonl files, directories and standard input."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runcore._json import JSONProblem, decode, parse

SUFFIXES = (".json", ".jsonl")


@dataclass(frozen=True)
class Document:
    """One JSON value read from a file at a line, or the reason it could not be read.

    ``fatal`` problems mean the whole input could not be read (exit code 2; ``line`` is ``None`` when
    no line is to blame); a bad line of a JSONL file is not fatal: it is reported and the rest of the
    file is still read. ``empty`` marks a file that holds no JSON value at all.
    """

    file: str
    line: int | None
    value: Any = None
    problem: str | None = None
    fatal: bool = False
    empty: bool = False


def documents(paths: list[str]) -> Iterator[Document]:
    """Every document under the given paths, in order; ``-`` is standard input."""
    for path in paths:
        if path == "-":
            yield from _decoded("<stdin>", sys.stdin.buffer.read(), None)
        elif Path(path).is_dir():
            found = sorted(
                p
                for p in Path(path).rglob("*")
                if p.suffix in SUFFIXES and p.is_file() and not _hidden(p.relative_to(path))
            )
            if not found:
                yield Document(
                    path, None, problem="no .json or .jsonl files in this directory", fatal=True
                )
            for file in found:
                yield from _read_file(file)
        else:
            yield from _read_file(Path(path))


def _read_file(path: Path) -> Iterator[Document]:
    try:
        if path.suffix == ".jsonl":
            with path.open("rb") as lines:  # line by line: a corpus need not fit in memory
                yield from _lines(str(path), lines)
        else:
            yield from _decoded(str(path), path.read_bytes(), path.suffix)
    except OSError as error:
        problem = f"cannot read the file: {error.strerror or error}"
        yield Document(str(path), None, problem=problem, fatal=True)


def _decoded(name: str, data: bytes, suffix: str | None) -> Iterator[Document]:
    try:
        text = decode(data)
    except JSONProblem as problem:
        yield Document(name, problem.line, problem=str(problem), fatal=True)
        return
    if not text.strip():
        yield Document(name, None, empty=True)
    elif suffix is None and _looks_like_lines(text):
        yield from _lines(name, iter(data.split(b"\n")))
    else:
        try:
            yield Document(name, 1, parse(text))
        except JSONProblem as problem:
            yield Document(name, problem.line, problem=str(problem), fatal=True)


def _lines(name: str, lines: Iterable[bytes]) -> Iterator[Document]:
    """One document per JSONL line; a bad line is a finding and the next lines are still read.

    Only "\\n" ends a line: str.splitlines() would also split inside strings at U+2028, U+2029 or
    U+0085, which JSON allows raw.
    """
    seen = False
    for number, raw in enumerate(lines, start=1):
        try:
            line = decode(raw, first=number == 1, one_line=True)
        except JSONProblem as problem:
            seen = True
            yield Document(name, number, problem=str(problem))
            continue
        if line.strip():
            seen = True
            try:
                yield Document(name, number, parse(line))
            except JSONProblem as problem:
                yield Document(name, number, problem=str(problem))
    if not seen:
        yield Document(name, None, empty=True)


def _looks_like_lines(text: str) -> bool:
    """Standard input has no suffix: it is JSONL when its first line is a whole JSON value."""
    lines = [line for line in text.split("\n") if line.strip()]
    if len(lines) < 2:
        return False
    try:
        parse(lines[0])
    except JSONProblem:
        return False
    return True


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)
