"""A stale submit_tool_outputs, retried by a client, against the store's compare-and-set.

The run waits for call A; two copies of the same submission read it; the first wins and the worker
brings the run back to requires_action, now waiting for call B. The second copy then writes. A
compare-and-set on the status (runcore's first recipe) lets it win, and B is never answered; the
documented recipe (docs/lifecycle.md) compares the revision and refuses it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from runcore import ApiError, InvalidDetails, advance, api_error, run_from_request, validate
from tests.recipe import recipe

T0 = 1_700_000_000
TOOLS = [{"type": "function", "function": {"name": "lookup"}}]
OUTPUTS_A = [{"tool_call_id": "call_A", "output": "42"}]


def call(call_id: str) -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": "lookup", "arguments": "{}"}}


def waiting_for_a() -> dict[str, Any]:
    run = run_from_request(
        {"assistant_id": "asst_1"},
        {"model": "gpt-4o", "tools": TOOLS},
        run_id="run_1",
        thread_id="thread_1",
        now=T0,
    )
    run = advance(run, "start", now=T0 + 1).run
    return advance(run, "require_action", now=T0 + 2, tool_calls=[call("call_A")]).run


def database(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute(recipe()["create runs"])
    run = waiting_for_a()
    db.execute(
        "INSERT INTO runs (id, thread_id, created_at, revision, body) VALUES (?, ?, ?, 1, ?)",
        (run["id"], run["thread_id"], run["created_at"], json.dumps(run)),
    )
    return db


def read(db: sqlite3.Connection) -> tuple[dict[str, Any], int]:
    body, revision = db.execute("SELECT body, revision FROM runs WHERE id = 'run_1'").fetchone()
    return json.loads(body), revision


def by_revision(
    db: sqlite3.Connection, new: dict[str, Any], read: dict[str, Any], revision: int
) -> bool:
    """The documented write: the revision read must still be the stored one."""
    parameters = {"body": json.dumps(new), "id": new["id"], "revision": revision}
    return db.execute(recipe()["update runs"], parameters).rowcount == 1


def by_status(
    db: sqlite3.Connection, new: dict[str, Any], read: dict[str, Any], revision: int
) -> bool:
    """runcore's first recipe: the status read must still be the stored one."""
    cursor = db.execute(
        "UPDATE runs SET body = ?, revision = revision + 1 "
        "WHERE id = ? AND json_extract(body, '$.status') = ?",
        (json.dumps(new), new["id"], read["status"]),
    )
    return cursor.rowcount == 1


def play(db: sqlite3.Connection, write: Callable[..., bool]) -> bool:
    """Both copies read; the first writes; the worker moves on to call B; the stale copy writes."""
    first, first_revision = read(db)
    stale, stale_revision = read(db)
    submitted = advance(first, "submit_tool_outputs", now=T0 + 3, tool_outputs=OUTPUTS_A).run
    assert write(db, submitted, first, first_revision)
    for event, details in [("start", {}), ("require_action", {"tool_calls": [call("call_B")]})]:
        run, revision = read(db)
        assert by_revision(db, advance(run, event, now=T0 + 4, **details).run, run, revision)
    run, _ = read(db)
    assert run["required_action"]["submit_tool_outputs"]["tool_calls"][0]["id"] == "call_B"
    late = advance(stale, "submit_tool_outputs", now=T0 + 5, tool_outputs=OUTPUTS_A).run
    return write(db, late, stale, stale_revision)


def test_with_the_status_compared_the_stale_retry_wins_and_call_b_is_lost(tmp_path) -> None:
    db = database(tmp_path / "runs.sqlite")
    assert play(db, by_status)
    run, _ = read(db)
    assert (run["status"], run["required_action"]) == ("queued", None)
    assert validate(run, "run", profile="spec") == []  # nothing looks wrong


def test_the_documented_recipe_refuses_the_stale_retry_and_the_reread_answers_it(tmp_path) -> None:
    db = database(tmp_path / "runs.sqlite")
    assert not play(db, by_revision)
    run, revision = read(db)
    assert (run["status"], revision) == ("requires_action", 4)
    with pytest.raises(InvalidDetails) as refused:
        advance(run, "submit_tool_outputs", now=T0 + 5, tool_outputs=OUTPUTS_A)
    answer = api_error(refused.value)
    assert isinstance(answer, ApiError) and answer.status == 400
    assert answer.body["error"]["message"] == (
        "Expected tool outputs for call_ids ['call_B'], got ['call_A']"
    )
