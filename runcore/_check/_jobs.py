"""``--jobs N``: a large JSONL file read and checked by N worker processes, a slice of lines each,
while this process gives what they found to the histories in the order of the file: the report is
the one a single process writes, byte for byte (decisions.md#jobs).

A worker checks each line that is one object alone (:func:`~runcore._check._corpus.alone`: not a
page, not a recording, of a kind it can tell). Any other line (a bad one, a page, a recording)
comes back as its bytes, and is read here as :func:`read_lines` reads it.

What a worker found in a slice comes back in a file of the check's own folder (in memory, under
/dev/shm, where there is one), not through the pool's pipe: a worker sending through the pipe waits
until this process, busy with the histories, reads it all (decisions.md#jobs).
"""

from __future__ import annotations

import os
import signal
from codecs import BOM_UTF8
from collections import deque
from collections.abc import Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any, BinaryIO

from runcore._check._corpus import alone
from runcore._check._readers import blank, read_lines, recording
from runcore._check._records import Checked, Item
from runcore._errors import UnknownKind
from runcore._json import JSONProblem, parse_bytes
from runcore._kinds import Profile, infer_kind, is_page

if TYPE_CHECKING:  # the processes are imported when a large file is met
    from concurrent.futures import Future, ProcessPoolExecutor

# A file smaller than this is read by one process: starting workers would cost more.
LARGE = 8 << 20
# The bytes of a task: about 3,000 lines of recorded runs, a few milliseconds of work.
SLICE = 2 << 20

# The check's options: kind, profile, strict.
Options = tuple[str | None, Profile, bool]
# A line a worker did not check: its number in the slice and its bytes, read again here.
Line = tuple[int, bytes]
# What a worker found in a slice: each line's result in order, and the number of lines.
Found = tuple[list[tuple[Any, ...] | Line], int]
# Where the workers' files go: memory, where the system has it.
SHARED_MEMORY = "/dev/shm"
# Workers are forked, so they share this process's hash seed: the digests of long values in what
# they send back (runcore._check._history) are this process's. Where a process cannot fork
# (Windows), each spawned worker would hash with a seed of its own, and one process reads.
FORK = hasattr(os, "fork")


class Workers:
    """N worker processes, started when the first large JSONL file is read, for one check."""

    def __init__(self, jobs: int, kind: str | None, profile: Profile, strict: bool) -> None:
        self.jobs = jobs
        self.options: Options = (kind, profile, strict)
        self.pool: ProcessPoolExecutor | None = None
        self.folder: str | None = None  # the workers' files, while they run

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
        if self.folder is not None:
            import shutil

            shutil.rmtree(self.folder, ignore_errors=True)

    def read_lines(self, name: str, stream: BinaryIO) -> Iterator[Item]:
        """:func:`read_lines`'s items for ``stream``, checked in the workers when it is a large
        file that can be read at any offset, and workers can be forked (see FORK)."""
        try:
            large = stream.seekable() and os.fstat(stream.fileno()).st_size >= LARGE
        except (OSError, ValueError):
            large = False
        if not large or not FORK:
            return read_lines(name, stream)
        return self._read(name, stream)

    def _read(self, name: str, stream: BinaryIO) -> Iterator[Item]:
        if self.pool is None:
            # A worker that dies (killed, out of memory) fails the check (WorkerLost): with
            # ProcessPoolExecutor the result says so; multiprocessing.Pool would wait forever.
            import multiprocessing
            import tempfile
            from concurrent.futures import ProcessPoolExecutor

            context = multiprocessing.get_context("fork")
            self.pool = ProcessPoolExecutor(self.jobs, context, initializer=_start)
            memory = SHARED_MEMORY if os.path.isdir(SHARED_MEMORY) else None
            self.folder = tempfile.mkdtemp(prefix="runcore-jobs-", dir=memory)
        folder, path = self.folder, stream.name
        assert folder is not None
        pending: deque[Future[str]] = deque()
        slices = _slices(stream)
        first_line, seen = 1, False
        while True:
            while len(pending) < 4 * self.jobs:
                span = next(slices, None)
                if span is None:
                    break
                pending.append(self.pool.submit(_examine, path, *span, self.options, folder))
            if not pending:
                break
            results, lines = _taken(_result(pending.popleft()))
            for result in results:
                seen = True
                if len(result) == 2:
                    number, raw = result
                    yield from read_lines(name, [raw], first=first_line + number)
                else:
                    number, label, findings, sighted = result
                    yield Checked(name, first_line + number, label, findings, sighted)
            first_line += lines
        if not seen:
            yield from read_lines(name, [])


class WorkerLost(Exception):
    """A worker process stopped before it finished its slice: the report cannot be complete."""


def _result(future: Future[str]) -> str:
    from concurrent.futures.process import BrokenProcessPool

    try:
        return future.result()
    except BrokenProcessPool:
        raise WorkerLost(
            "a worker process of --jobs stopped before it finished (killed, or out of memory)"
        ) from None


def _slices(stream: BinaryIO) -> Iterator[tuple[int, int]]:
    """(start, end) offsets of slices of about SLICE bytes that end where a line does."""
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    start = 0
    while start < size:
        stream.seek(min(start + SLICE, size))
        stream.readline()
        end = min(stream.tell(), size)
        yield start, end
        start = end


def _start() -> None:
    """A worker's start: an interrupt is the main process's to handle, and the main process
    (which alone feeds the histories) comes first for the processors."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(os, "nice"):
        os.nice(10)


def _taken(name: str) -> Found:
    """What a worker found, read from the file it wrote (and the file removed)."""
    import pickle  # like the processes, imported when a large file is met

    with open(name, "rb") as file:
        found: Found = pickle.loads(file.read())
    os.unlink(name)
    return found


def _examine(path: str, start: int, end: int, options: Options, folder: str) -> str:
    """Each line of ``path`` from ``start`` to ``end`` checked alone, or its bytes, written to a
    new file in ``folder``: its name."""
    import pickle
    import tempfile

    descriptor, name = tempfile.mkstemp(dir=folder)
    with os.fdopen(descriptor, "wb") as file:
        file.write(pickle.dumps(_examined(path, start, end, options), pickle.HIGHEST_PROTOCOL))
    return name


def _examined(path: str, start: int, end: int, options: Options) -> Found:
    """Each line of ``path`` from ``start`` to ``end`` checked alone, or its bytes."""
    with open(path, "rb") as file:
        file.seek(start)
        data = file.read(end - start)
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    kind, profile, strict = options
    results: list[tuple[Any, ...] | Line] = []
    if start == 0:  # the file's first line: read_lines drops a byte-order mark there
        lines[0] = lines[0].removeprefix(BOM_UTF8)
    for number, raw in enumerate(lines):
        if blank(raw):
            continue
        read = _alone_kind(raw, kind)
        if read is None:
            results.append((number, raw))
        else:
            value, chosen, plain = read
            label, findings, seen = alone(value, chosen, profile, strict, plain)
            # a plain tuple (Histories.see takes one): pickled in half the time of the named one
            results.append((number, label, findings, None if seen is None else tuple(seen)))
    return results, len(lines)


def _alone_kind(raw: bytes, kind: str | None) -> tuple[Any, str, bool] | None:
    """A line's value, the kind it is checked as, and whether orjson read it, when it is one
    object checked alone."""
    try:
        value, plain = parse_bytes(raw, one_line=True)
        chosen = kind or infer_kind(value)
    except (JSONProblem, UnknownKind):
        return None
    if is_page(value) or recording("", raw, value) is not None:
        return None
    return value, chosen, plain
