"""The status graph of a table: edges, reachability, shortest walks, and edge and pair coverage."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runcore._graph import coverage, edges, exits, pairs, reachable, shortest_walks, walk_edges
from runcore._tables import RUN_TABLE, STEP_TABLE, StatusTable

TABLES = [RUN_TABLE, STEP_TABLE]


@pytest.mark.parametrize("table", TABLES, ids=["run", "step"])
def test_edges_are_the_rows_one_per_source(table: StatusTable) -> None:
    expected = [
        (source, row["trigger"], row["dest"])
        for row in table.transitions
        for source in row["source"]
    ]
    assert edges(table) == expected


def test_shortest_walks_reach_every_status_and_each_walk_ends_there() -> None:
    walks = shortest_walks(RUN_TABLE)
    assert set(walks) == set(RUN_TABLE.statuses) == reachable(RUN_TABLE)
    assert walks["queued"] == () and walks["completed"] == ("start", "complete")
    for status, walk in walks.items():
        taken = walk_edges(RUN_TABLE, walk)
        assert (taken[-1][2] if taken else RUN_TABLE.initial) == status


def test_no_walk_leaves_a_terminal_status() -> None:
    assert shortest_walks(RUN_TABLE, "completed") == {"completed": ()}
    assert reachable(STEP_TABLE, "failed") == {"failed"}


def test_a_walk_with_an_event_that_has_no_edge_is_refused() -> None:
    with pytest.raises(ValueError, match="'complete' has no edge out of 'queued'"):
        walk_edges(RUN_TABLE, ["complete"])


def test_pairs_are_exactly_the_consecutive_edges() -> None:
    for first, second in pairs(RUN_TABLE):
        assert first[2] == second[0]
    assert len(pairs(RUN_TABLE)) == sum(len(exits(RUN_TABLE, e[2])) for e in edges(RUN_TABLE))


@st.composite
def walks(draw: st.DrawFn, table: StatusTable) -> list[tuple[str, str, str]]:
    status, taken = table.initial, []
    for _ in range(draw(st.integers(0, 8))):
        out = exits(table, status)
        if not out:
            break
        edge = draw(st.sampled_from(out))
        taken.append(edge)
        status = edge[2]
    return taken


@given(st.lists(walks(RUN_TABLE), max_size=6))
def test_coverage_splits_the_table_into_what_the_walks_took_and_what_they_missed(
    walked: Any,
) -> None:
    found = coverage(RUN_TABLE, walked)
    taken = {edge for walk in walked for edge in walk}
    assert set(found.edges) == taken and set(found.edges) | set(found.missed_edges) == set(
        edges(RUN_TABLE)
    )
    assert not set(found.edges) & set(found.missed_edges)
    taken_pairs = {pair for walk in walked for pair in zip(walk, walk[1:], strict=False)}
    assert set(found.pairs) == taken_pairs
    assert set(found.pairs) | set(found.missed_pairs) == set(pairs(RUN_TABLE))
