"""Processes race ``cancel`` -> ``cancelled`` against ``complete`` on the same runs in SQLite.

Run as a script, this file is one worker process; under pytest it sets up the database with the
tables of docs/lifecycle.md, starts four workers that write with its compare-and-set statement, and
proves from the append-only history that exactly one outcome won.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # run as a script, a worker reads the recipe from tests.recipe

from tests.recipe import recipe  # noqa: E402

RUNS = 50
ROLES = ("cancel", "complete", "cancel", "complete")
T0 = 1_700_000_000
NOW = T0 + 10
USAGE = {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7}


def connect(path: str) -> sqlite3.Connection:
    # isolation_level=None: transactions are the explicit BEGIN IMMEDIATE / COMMIT below.
    return sqlite3.connect(path, timeout=30, isolation_level=None)


def create_database(path: str) -> None:
    from runcore import advance, run_from_request

    db = connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(recipe()["create runs"])
    db.executescript(
        """
        CREATE TABLE history (seq INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL,
                              from_status TEXT NOT NULL, to_status TEXT NOT NULL,
                              actor TEXT NOT NULL);
        CREATE TRIGGER history_no_update BEFORE UPDATE ON history
            BEGIN SELECT RAISE(ABORT, 'append-only'); END;
        CREATE TRIGGER history_no_delete BEFORE DELETE ON history
            BEGIN SELECT RAISE(ABORT, 'append-only'); END;
        """
    )
    for index in range(RUNS):
        run = run_from_request(
            {"assistant_id": "asst_1"},
            {"model": "gpt-4o"},
            run_id=f"run_{index}",
            thread_id="thread_1",
            now=T0,
        )
        run = advance(run, "start", now=T0 + 1).run
        db.execute(
            "INSERT INTO runs (id, thread_id, created_at, revision, body) VALUES (?, ?, ?, 1, ?)",
            (run["id"], run["thread_id"], run["created_at"], json.dumps(run)),
        )
    db.close()


def write_if_unchanged(
    db: sqlite3.Connection, revision: int, read_status: str, run: dict[str, Any], actor: str
) -> bool:
    """The compare-and-set of docs/lifecycle.md: write only if the revision is still the one read."""
    db.execute("BEGIN IMMEDIATE")
    cursor = db.execute(
        recipe()["update runs"], {"body": json.dumps(run), "id": run["id"], "revision": revision}
    )
    if cursor.rowcount != 1:
        db.execute("ROLLBACK")
        return False
    db.execute(
        "INSERT INTO history (run_id, from_status, to_status, actor) VALUES (?, ?, ?, ?)",
        (run["id"], read_status, run["status"], actor),
    )
    db.execute("COMMIT")
    return True


def apply(db: sqlite3.Connection, run_id: str, event: str, actor: str, **details: Any) -> str:
    """Read, advance, compare-and-set; re-read after a lost race. Returns done or refused."""
    from runcore import IllegalTransition, advance

    while True:
        read = db.execute("SELECT revision, body FROM runs WHERE id = ?", (run_id,))
        revision, body = read.fetchone()
        run = json.loads(body)
        try:
            result = advance(run, event, now=NOW, **details)
        except IllegalTransition:
            return "refused"
        if write_if_unchanged(db, revision, run["status"], result.run, actor):
            return "done"


def work(path: str, role: str, seed: int, go: float) -> None:
    db = connect(path)
    order = [f"run_{index}" for index in range(RUNS)]
    random.Random(seed).shuffle(order)
    time.sleep(max(0.0, go - time.time()))
    actor = f"{role}-{seed}"
    for run_id in order:
        if role == "complete":
            apply(db, run_id, "complete", actor, usage=USAGE)
        elif apply(db, run_id, "cancel", actor) != "refused":
            apply(db, run_id, "cancelled", actor)


def test_racing_processes_leave_every_run_in_exactly_one_terminal_status(tmp_path: Path) -> None:
    from runcore import TERMINAL_RUN_STATUSES

    path = str(tmp_path / "runs.sqlite")
    create_database(path)
    go = time.time() + 1.5  # every worker has imported runcore by then, so they really race
    path_entries = [str(ROOT), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path_entries)}
    workers = [
        subprocess.Popen(
            [sys.executable, __file__, path, role, str(seed), repr(go)],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed, role in enumerate(ROLES)
    ]
    for worker in workers:
        _, stderr = worker.communicate(timeout=60)
        assert worker.returncode == 0, stderr

    db = connect(path)
    stored = list(db.execute("SELECT id, revision, body FROM runs"))
    final = {run_id: json.loads(body)["status"] for run_id, _, body in stored}
    revisions = {run_id: revision for run_id, revision, _ in stored}
    history: dict[str, list[tuple[str, str]]] = {}
    rows = db.execute("SELECT run_id, from_status, to_status FROM history ORDER BY seq")
    for run_id, source, dest in rows:
        history.setdefault(run_id, []).append((source, dest))
    assert len(final) == RUNS
    for run_id, status in final.items():
        chain = history[run_id]
        assert status in TERMINAL_RUN_STATUSES, (run_id, chain)
        assert chain[0][0] == "in_progress" and chain[-1][1] == status, (run_id, chain)
        assert revisions[run_id] == 1 + len(chain), (run_id, chain)
        assert all(prev[1] == nxt[0] for prev, nxt in zip(chain, chain[1:], strict=False)), (
            run_id,
            chain,
        )
        ends = [dest for _, dest in chain if dest in TERMINAL_RUN_STATUSES]
        assert ends == [status], (run_id, chain)
        assert not any(source in TERMINAL_RUN_STATUSES for source, _ in chain), (run_id, chain)
    assert set(final.values()) <= {"completed", "cancelled"}


if __name__ == "__main__":
    work(sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
