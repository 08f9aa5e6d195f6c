"""Reading the objects to check from .json and .jsonl files, directories and standard input."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

SUFFIXES = (".json", ".jsonl")


@dataclass(frozen=True)
class Document:
    """One JSON value read from a file at a line, or the reason it could not be read.

    ``fatal`` problems mean the whole input could not be read (exit code 2); a bad line of a JSONL
    file is not fatal: it is reported and the rest of the file is still read.
    """

    file: str
    line: int
    value: Any = None
    problem: str | None = None
    fatal: bool = False


class InputProblem(ValueError):
    """A JSON text that is not acceptable as it is (invalid syntax, a duplicate key, NaN)."""

    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.line = line


def documents(paths: list[str]) -> Iterator[Document]:
    """Every document under the given paths, in order; ``-`` is standard input."""
    for path in paths:
        if path == "-":
            yield from _documents_of("<stdin>", sys.stdin.read(), None)
        elif Path(path).is_dir():
            found = sorted(
                p for p in Path(path).rglob("*")
                if p.suffix in SUFFIXES and p.is_file() and not _hidden(p.relative_to(path))
            )
            if not found:
                yield Document(path, 0, problem="no .json or .jsonl files in this directory", fatal=True)
            for file in found:
                yield from _read_file(file)
        else:
            yield from _read_file(Path(path))


def _read_file(path: Path) -> Iterator[Document]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        yield Document(str(path), 0, problem=f"cannot read the file: {reason}", fatal=True)
        return
    yield from _documents_of(str(path), text, path.suffix)


def _documents_of(name: str, text: str, suffix: str | None) -> Iterator[Document]:
    if suffix == ".jsonl":
        yield from _lines(name, text)
        return
    try:
        yield Document(name, 1, parse(text))
    except InputProblem as problem:
        if suffix is None and _looks_like_lines(text):
            yield from _lines(name, text)
        else:
            yield Document(name, problem.line, problem=str(problem), fatal=True)


def _lines(name: str, text: str) -> Iterator[Document]:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                yield Document(name, number, parse(line))
            except InputProblem as problem:
                yield Document(name, number, problem=str(problem))


def _looks_like_lines(text: str) -> bool:
    """Standard input has no suffix: several lines that each open an object make it JSONL."""
    lines = [line for line in text.splitlines() if line.strip()]
    return len(lines) > 1 and all(line.lstrip().startswith("{") for line in lines)


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def parse(text: str) -> Any:
    """Parse JSON, refusing what would silently change the data: duplicate keys, NaN, Infinity."""
    try:
        return json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        message = f"invalid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
        raise InputProblem(message, error.lineno) from None


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        duplicate = next(key for key, _ in pairs if key in seen or seen.add(key))  # type: ignore[func-returns-value]
        raise InputProblem(f"invalid JSON: duplicate key {duplicate!r} (the value would be lost)")
    return result


def _no_constant(name: str) -> Any:
    raise InputProblem(f"invalid JSON: {name} is not a JSON number")

