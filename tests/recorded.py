"""The recordings of the hosted API beside the project (../shared/recordings), for tests that use them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

RECORDINGS = Path(__file__).resolve().parents[2] / "shared" / "recordings"
REAL_FILES = (
    sorted(RECORDINGS.joinpath("real").iterdir()) if RECORDINGS.joinpath("real").is_dir() else []
)
UNVERIFIED_FILES = (
    sorted(RECORDINGS.joinpath("unverified").iterdir())
    if RECORDINGS.joinpath("unverified").is_dir()
    else []
)
needs_recordings = pytest.mark.skipif(not REAL_FILES, reason="../shared/recordings is not here")


def bodies(path: Path) -> Iterator[tuple[int, Any]]:
    """(line, decoded body) for each JSONL line, or each JSON ``data:`` line of an SSE stream."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if path.suffix == ".sse":
            if not line.startswith("data:") or not line[5:].strip().startswith("{"):
                continue
            line = line[5:]
        if line.strip():
            yield number, json.loads(line)


def lifecycle_objects(node: Any) -> Iterator[dict[str, Any]]:
    """Runs and run steps in a decoded body: the object itself or the items of a list object."""
    if isinstance(node, dict) and node.get("object") in ("thread.run", "thread.run.step"):
        yield node
    elif isinstance(node, dict) and node.get("object") == "list":
        for item in node.get("data") or []:
            yield from lifecycle_objects(item)


def runs_objects(path: Path) -> Iterator[tuple[int, Any]]:
    """(line, body) for every body of the runs contract in a file (SSE streams also carry messages)."""
    for number, body in bodies(path):
        if isinstance(body, dict) and (
            body.get("object") in ("thread.run", "thread.run.step", "thread.run.step.delta", "list")
        ):
            yield number, body
