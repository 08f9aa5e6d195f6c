"""Proofs on the status tables: totality, reachability, terminal statuses, guards, and their drift."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from runcore._diagram import render_mermaid
from runcore._graph import edges, reachable
from runcore._lifecycle._engine import RUN_MACHINE, STEP_MACHINE
from runcore._tables import (
    GUARDS,
    INCOMPLETE_REASONS,
    MAX_TIMESTAMP,
    RUN_ERROR_CODES,
    RUN_FIELDS,
    RUN_TABLE,
    RUN_TRANSITIONS,
    STEP_ERROR_CODES,
    STEP_TABLE,
    STEP_TRANSITIONS,
    StatusTable,
    _row,
)

ROOT = Path(__file__).resolve().parents[2]
TABLES = {"run": RUN_TABLE, "step": STEP_TABLE}


@pytest.mark.parametrize("kind", TABLES)
def test_every_status_is_in_the_table_and_reachable_from_the_start(kind: str) -> None:
    table = TABLES[kind]
    assert {s for s, _, _ in edges(table)} | {d for _, _, d in edges(table)} == set(table.statuses)
    assert reachable(table) == set(table.statuses)


@pytest.mark.parametrize("kind", TABLES)
def test_every_live_status_can_end_and_has_an_expire_edge(kind: str) -> None:
    table = TABLES[kind]
    for status in set(table.statuses) - table.terminal:
        assert reachable(table, status) & table.terminal, status
        assert (status, "expire", "expired") in set(edges(table)), status


@pytest.mark.parametrize("kind", TABLES)
def test_terminal_statuses_have_no_exits(kind: str) -> None:
    table = TABLES[kind]
    assert [edge for edge in edges(table) if edge[0] in table.terminal] == []


@pytest.mark.parametrize("kind", TABLES)
def test_the_initial_status_is_table_data_and_a_live_status(kind: str) -> None:
    table = TABLES[kind]
    assert table.initial in table.statuses and table.initial not in table.terminal
    assert {"run": "queued", "step": "in_progress"}[kind] == table.initial


def test_the_machines_are_built_from_the_tables_with_no_model_attached() -> None:
    for machine, table in ((RUN_MACHINE, RUN_TRANSITIONS), (STEP_MACHINE, STEP_TRANSITIONS)):
        built = [
            (source, name, t.dest, sorted((c.func, c.target) for c in t.conditions))
            for name, event in machine.events.items()
            for source, ts in event.transitions.items()
            for t in ts
        ]
        rows = [
            (
                source,
                row["trigger"],
                row["dest"],
                sorted(
                    [(g, True) for g in row.get("conditions", ())]
                    + [(g, False) for g in row.get("unless", ())]
                ),
            )
            for row in table
            for source in row["source"]
        ]
        assert sorted(built, key=repr) == sorted(rows, key=repr)
        assert machine.models == []
    assert (RUN_MACHINE.initial, STEP_MACHINE.initial) == (RUN_TABLE.initial, STEP_TABLE.initial)


def test_every_guard_the_tables_name_is_one_entry_with_its_predicate_and_explanations() -> None:
    named = {
        g
        for row in RUN_TRANSITIONS + STEP_TRANSITIONS
        for g in (*row.get("conditions", ()), *row.get("unless", ()))
    }
    assert named == set(GUARDS)
    run = {"status": "queued", "expires_at": 100, "started_at": None}
    for guard in GUARDS.values():
        assert isinstance(guard.meaning, str) and guard.meaning
        assert isinstance(guard.holds(run, 150), bool)
        assert guard.why_not(run, 50) and guard.why({**run, "started_at": 10}, 150)


def test_a_row_that_names_an_undefined_guard_is_refused() -> None:
    with pytest.raises(ValueError, match="does not define"):
        _row("start", ["queued"], "in_progress", unless=["past_lunch"])


def test_the_tables_are_read_only() -> None:
    with pytest.raises(TypeError):
        RUN_TRANSITIONS[0]["source"] = ("failed",)  # type: ignore[index]
    with pytest.raises(AttributeError):
        RUN_TRANSITIONS[0]["source"].append("failed")  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        RUN_FIELDS["usage"]["allowed"] = frozenset()  # type: ignore[index]
    with pytest.raises(AttributeError):
        RUN_TABLE.initial = "completed"  # type: ignore[misc]


def status_enum(node: Any) -> list[str] | None:
    """The enum of the first ``status`` property found walking a JSON Schema."""
    if isinstance(node, dict):
        status = node.get("status")
        if isinstance(status, dict) and "enum" in status:
            return status["enum"]
        children = node.values()
    elif isinstance(node, list):
        children = node
    else:
        return None
    return next((found for child in children if (found := status_enum(child)) is not None), None)


@pytest.mark.parametrize("kind, name", [("run", "run.json"), ("step", "run_step.json")])
def test_the_schema_status_enum_equals_the_table_states(kind: str, name: str) -> None:
    schema = json.loads((ROOT / "schemas" / name).read_text(encoding="utf-8"))
    assert set(status_enum(schema)) == set(TABLES[kind].statuses)


PARTS = json.loads((ROOT / "schemas" / "parts.json").read_text(encoding="utf-8"))["$defs"]
DETAILS = json.loads((ROOT / "schemas" / "details.json").read_text(encoding="utf-8"))["$defs"]


def test_the_clock_bound_is_the_schemas_timestamp_bound() -> None:
    assert MAX_TIMESTAMP == PARTS["unix_timestamp"]["maximum"]


@pytest.mark.parametrize(
    "values, part, field",
    [
        (RUN_ERROR_CODES, "run_last_error", "code"),
        (STEP_ERROR_CODES, "step_last_error", "code"),
        (INCOMPLETE_REASONS, "incomplete_details", "reason"),
    ],
    ids=["run-error-codes", "step-error-codes", "incomplete-reasons"],
)
def test_the_details_the_engine_accepts_are_the_schemas_enums(
    values: tuple, part: str, field: str
) -> None:
    assert list(values) == PARTS[part]["properties"][field]["enum"]


@pytest.mark.parametrize("table", [RUN_TABLE, STEP_TABLE], ids=["run", "step"])
def test_the_details_schema_names_exactly_the_keywords_of_each_event(table: StatusTable) -> None:
    for event, keywords in table.details.items():
        entry = DETAILS[f"{table.name}_{event}"]
        assert entry["additionalProperties"] is False
        assert set(entry.get("required", ())) == set(entry.get("properties", {})) == set(keywords)
    assert set(table.details) == set(table.events)


@pytest.mark.parametrize("kind, marker", [("run", "run-diagram"), ("step", "step-diagram")])
def test_the_committed_diagram_is_the_one_rendered_from_the_table(kind: str, marker: str) -> None:
    text = (ROOT / "docs" / "lifecycle.md").read_text(encoding="utf-8")
    found = re.search(
        rf"<!-- BEGIN {marker}.*?-->\n```mermaid\n(.*?)```\n<!-- END {marker} -->", text, re.DOTALL
    )
    table = TABLES[kind]
    rendered = render_mermaid(table.transitions, initial=table.initial, terminal=table.terminal)
    assert found and found.group(1) == rendered
