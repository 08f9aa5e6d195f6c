"""`runcore check` takes time linear in its input on every path in, whole recordings included:
doubling the input keeps the time under three times as long (tests/timing.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.builders import RUN, make_run
from tests.check.formats import WRITERS
from tests.check.session import copied, sse, vcrpy
from tests.cli import run_cli
from tests.timing import assert_time_linear

GOOD = json.dumps(RUN).encode()
BAD = json.dumps(dict(RUN, model=1, status="paused", metadata={"k": 1})).encode()
RUN_QUEUED = make_run("queued")


def lines(n: int) -> bytes:
    """n JSONL lines: good objects, objects with findings, and lines that are not JSON."""
    cycle = [GOOD, BAD, b"{not json", b'{"object": 1}']
    return b"\n".join(cycle[i % len(cycle)] for i in range(n)) + b"\n"


@pytest.mark.parametrize("output", ["text", "json", "junit"])
def test_a_jsonl_file_in_every_format(tmp_path: Path, output: str) -> None:
    def make(n: int) -> Callable[[], Any]:
        path = tmp_path / f"{n}.jsonl"
        path.write_bytes(lines(n))
        return lambda: run_cli("check", "--format", output, str(path))

    assert_time_linear(make, 400)


def test_standard_input_as_json_lines() -> None:
    def make(n: int) -> Callable[[], Any]:
        data = lines(n)
        return lambda: run_cli("check", "--format", "json", "--strict", "-", stdin=data)

    assert_time_linear(make, 400)


@pytest.mark.parametrize("where", ["stdin", "file"])
def test_one_document_spread_over_lines(tmp_path: Path, where: str) -> None:
    def make(n: int) -> Callable[[], Any]:
        items = [dict(RUN, id=f"run_{i}", model=i % 2 or "gpt-4o") for i in range(n)]
        page = {"object": "list", "data": items, "first_id": "a", "last_id": "b", "has_more": False}
        data = json.dumps(page, indent=2).encode()
        if where == "stdin":
            return lambda: run_cli("check", "--format", "junit", "-", stdin=data)
        path = tmp_path / f"{n}.json"
        path.write_bytes(data)
        return lambda: run_cli("check", "--format", "junit", str(path))

    assert_time_linear(make, 300)


def test_a_directory_of_many_files(tmp_path: Path) -> None:
    def make(n: int) -> Callable[[], Any]:
        root = tmp_path / str(n)
        for i in range(n):
            folder = root / f"f{i % 7}"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{i}.jsonl").write_bytes(GOOD if i % 2 else BAD)
        return lambda: run_cli("check", "--format", "junit", str(root))

    assert_time_linear(make, 200)


def deep_lines(depth: int) -> bytes:
    line = json.dumps(dict(RUN, metadata={"k": "HERE"})).encode()
    return (line.replace(b'"HERE"', b"[" * depth + b"1" + b"]" * depth) + b"\n") * 20


@pytest.mark.parametrize(
    ("line", "n"),
    [
        (lambda n: json.dumps(dict(RUN, status="x" * n)).encode(), 200_000),
        (lambda n: json.dumps(dict(RUN, metadata={"k": list(range(n))})).encode(), 20_000),
        (lambda n: json.dumps({"id": "run_" + "x" * n, "object": "thread.run"}).encode(), 200_000),
        (lambda n: b"[" * n + b"]" * n, 100_000),
        (deep_lines, 200),
    ],
    ids=["long-string", "long-list", "long-id", "too-deep", "deep-lines"],
)
def test_long_and_deep_lines(line: Callable[[int], bytes], n: int) -> None:
    def make(n: int) -> Callable[[], Any]:
        data = line(n)
        return lambda: [
            run_cli("check", "--kind", "run", "--format", output, "-", stdin=data)
            for output in ("text", "json", "junit")
        ]

    assert_time_linear(make, n)


# Whole recordings: cassettes, archives, streams and histories


def renamed(text: str, copy: int) -> str:
    """A session's text with its ids made its own, so that copies are other runs and threads."""
    for prefix in ("run_", "thread_", "step_", "msg_", "call_"):
        text = text.replace(f'"{prefix}', f'"{prefix}{copy}x').replace(
            f"/{prefix}", f"/{prefix}{copy}x"
        )
    return text


def cassette(n: int) -> bytes:
    """A vcrpy cassette of n copies of the conforming session (12 interactions each)."""
    body = vcrpy(copied()).text.removeprefix("interactions:\n").removesuffix("version: 1\n")
    return (
        "interactions:\n" + "".join(renamed(body, i) for i in range(n)) + "version: 1\n"
    ).encode()


def archive(n: int) -> bytes:
    """A HAR archive of n copies of the session."""
    entries = json.loads(WRITERS["har"](copied()))["log"]["entries"]
    copies = [json.loads(renamed(json.dumps(entries), i)) for i in range(n)]
    return json.dumps({"log": {"version": "1.2", "entries": sum(copies, [])}}, indent=2).encode()


def long_stream(n: int) -> bytes:
    """One stream of a run with n message deltas."""
    events = copied()[7].stream or []
    delta = events[6]
    return sse([*events[:6], *[delta] * n, *events[7:]]).encode()


@pytest.mark.parametrize(
    ("make", "suffix", "n"),
    [(cassette, ".yaml", 10), (archive, ".har", 10), (long_stream, ".sse", 10_000)],
    ids=["vcrpy-cassette", "har-archive", "long-stream"],
)
def test_recordings_of_every_format(
    tmp_path: Path, make: Callable[[int], bytes], suffix: str, n: int
) -> None:
    def run(n: int) -> Callable[[], Any]:
        path = tmp_path / f"{n}{suffix}"
        path.write_bytes(make(n))
        return lambda: run_cli("check", "--format", "junit", "--coverage", str(path))

    assert_time_linear(run, n)


def test_many_runs_of_one_thread_and_many_histories(tmp_path: Path) -> None:
    def make(n: int) -> Callable[[], Any]:
        run = RUN_QUEUED
        lines = []
        for i in range(n):
            created = run["created_at"] + 10 * i
            queued = dict(run, id=f"run_{i}", created_at=created, expires_at=created + 600)
            done = dict(
                queued,
                status="completed",
                started_at=created + 1,
                completed_at=created + 2,
                expires_at=None,
                usage={"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            )
            lines += [json.dumps(queued), json.dumps(done)]
        path = tmp_path / f"{n}.jsonl"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return lambda: run_cli("check", "--format", "json", str(path))

    assert_time_linear(make, 200)
