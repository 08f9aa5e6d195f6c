"""The inputs named on the command line: files, directories (walked with their links), and ``-``."""

from __future__ import annotations

import errno
import os
import stat
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from typing import TYPE_CHECKING, BinaryIO

from runcore._check._readers import READERS, Reader, read_sniffed
from runcore._check._records import Document, Item, Record, Stream

if TYPE_CHECKING:
    from pathlib import Path

# What an input yields: its name and the items read from it (at least one).
Input = tuple[str, Iterator[Item]]
# The suffixes a directory's files are read for.
SUFFIXES = ", ".join(sorted(READERS))

STDIN = "<stdin>"


def inputs(paths: list[str], readers: Mapping[str, Reader] = READERS) -> Iterator[Input]:
    """Every input under the given paths, in order; ``-`` is standard input. A file is read by
    the reader of its suffix in ``readers`` (READERS, or the same with another for ``.jsonl``).

    A path named on the command line is read whatever it is (a FIFO, ``/dev/stdin``, a process
    substitution); in a directory only files of the suffixes READERS knows are
    (decisions.md#directories).
    """
    for path in paths:
        if path == "-":
            yield STDIN, _stdin()
            continue
        try:
            is_dir = stat.S_ISDIR(os.stat(path).st_mode)
        except (OSError, ValueError) as error:
            yield path, _unreadable(path, error)
            continue
        if is_dir:
            from pathlib import Path  # only for a directory: a file alone starts without it

            yield from _directory(Path(path), readers)
        else:
            yield path, _file(path, readers)


def _stdin() -> Iterator[Item]:
    if sys.stdin is None:  # Python's stdin when file descriptor 0 is closed
        return _fatal(STDIN, "standard input is closed")
    return _read(STDIN, lambda: nullcontext(sys.stdin.buffer), read_sniffed)


def _file(path: str, readers: Mapping[str, Reader]) -> Iterator[Item]:
    return _read(path, lambda: open(path, "rb"), readers.get(_suffix(path), read_sniffed))


def _suffix(path: str) -> str:
    """A file's suffix as pathlib gives it (``.jsonl``; none for ``.jsonl`` alone or ``x.``)."""
    name = next((part for part in reversed(path.split("/")) if part not in ("", ".")), "")
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def _read(
    name: str, opened: Callable[[], AbstractContextManager[BinaryIO]], reader: Reader
) -> Iterator[Item]:
    """The items of an input; a read that fails part way ends it with a fatal problem."""
    line: int | None = None
    try:
        with opened() as stream:
            for item in reader(name, stream):
                line = item.line or line
                if isinstance(item, Stream):  # its events are read after this yield
                    item = replace(item, events=_guarded(name, item.events))
                yield item
    except OSError as error:
        yield _failed(name, line, error)


def _guarded(name: str, events: Iterable[Record | Document]) -> Iterator[Record | Document]:
    line: int | None = None
    try:
        for event in events:
            line = event.line or line
            yield event
    except OSError as error:
        yield _failed(name, line, error)


def _failed(name: str, line: int | None, error: OSError) -> Document:
    where = f" after line {line}" if line else ""
    problem = f"cannot read{where}: {_reason(error)}"
    return Document(name, None, problem=problem, code="unreadable_input")


def _unreadable(path: str, error: OSError | ValueError) -> Iterator[Item]:
    reason = _reason(error) if isinstance(error, OSError) else str(error)
    return _fatal(path, f"cannot read the file: {reason}")


# An entry of a folder to visit: its path, what it is ("folder", "file", "skip", "unreadable"),
# and what is wrong with it.
Entry = tuple["Path", str, str]


def _directory(root: Path, readers: Mapping[str, Reader]) -> Iterator[Input]:
    """The files under ``root`` that READERS reads, in path order; hidden entries are left out.

    Links are followed and each folder is walked once: a link loop, or a second link to a folder,
    is a reported skip. A FIFO, socket or device is never opened (reading it could wait forever).
    """
    walked: set[tuple[int, int]] = set()
    found = False
    stack: list[Entry] = [(root, "folder", "")]
    while stack:
        path, kind, problem = stack.pop()
        if kind == "folder":
            try:
                info = path.stat()
                if (info.st_dev, info.st_ino) in walked:
                    kind, problem = "skip", "a link to a folder already checked: not walked again"
                else:
                    walked.add((info.st_dev, info.st_ino))
                    stack.extend(reversed(_entries(path)))
                    continue
            except OSError as error:
                kind, problem = "unreadable", f"cannot read the folder: {_reason(error)}"
        found = True
        yield str(path), _entry_documents(path, kind, problem, readers)
    if not found:
        yield str(root), _fatal(str(root), f"no {SUFFIXES} files in this directory")


def _entries(folder: Path) -> list[Entry]:
    """The entries of a folder worth visiting, in name order."""
    with os.scandir(folder) as scan:
        entries = sorted((e for e in scan if not e.name.startswith(".")), key=lambda e: e.name)
    return [
        (folder / entry.name, *kind)
        for entry in entries
        if (kind := _classified(entry)) is not None
    ]


def _classified(entry: os.DirEntry[str]) -> tuple[str, str] | None:
    """What an entry is once links are followed; None for what a check leaves alone."""
    checked = _suffix(entry.name) in READERS
    try:
        mode = entry.stat().st_mode
    except OSError as error:
        reason = _reason(error)
        return ("unreadable", f"cannot read it: {reason}") if checked else ("skip", reason)
    if stat.S_ISDIR(mode):
        return "folder", ""
    if not checked:
        return None
    if stat.S_ISREG(mode):
        return "file", ""
    what = _SPECIAL.get(stat.S_IFMT(mode), "not a regular file")
    return "skip", f"{what}: not read (reading it could wait forever)"


_SPECIAL = {
    stat.S_IFIFO: "a FIFO",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


def _reason(error: OSError) -> str:
    if error.errno == errno.ENOENT and error.filename and os.path.islink(error.filename):
        return "a link to nothing"
    if error.errno == errno.ELOOP:
        return "a loop of links"
    return error.strerror or str(error)


def _entry_documents(
    path: Path, kind: str, problem: str, readers: Mapping[str, Reader]
) -> Iterator[Item]:
    if kind == "file":
        return _file(str(path), readers)
    if kind == "skip":
        return iter(
            [Document(str(path), None, problem=f"skipped: {problem}", code="skipped_input")]
        )
    return _fatal(str(path), problem)


def _fatal(name: str, problem: str) -> Iterator[Item]:
    return iter([Document(name, None, problem=problem, code="unreadable_input")])
