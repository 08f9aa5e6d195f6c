"""Which edges of the run and step tables the recordings exercised, and which pairs of edges in a
row, against all the tables have (decisions.md#coverage)."""

from __future__ import annotations

from typing import Any

from runcore._graph import Coverage, Edge, coverage, edges
from runcore._tables import StatusTable


class Walks:
    """The edges and pairs one table's histories took: an edge is two snapshots in a row one edge
    apart; snapshots further apart (a poller missed statuses) take no edge they could prove."""

    def __init__(self, table: StatusTable) -> None:
        self.table = table
        self.by_ends = {
            (source, dest): (source, trigger, dest) for source, trigger, dest in edges(table)
        }
        self.taken: set[Edge] = set()
        self.pairs: set[tuple[Edge, Edge]] = set()

    def edge(self, source: Any, dest: Any) -> Edge | None:
        """The table's edge from one status to another, if there is one (never more than one)."""
        return self.by_ends.get((source, dest))

    def took(self, previous: Edge | None, edge: Edge | None) -> None:
        if edge is None:
            return
        self.taken.add(edge)
        if previous is not None and previous[2] == edge[0]:
            self.pairs.add((previous, edge))

    def coverage(self) -> Coverage:
        walks = [[edge] for edge in self.taken] + [list(pair) for pair in self.pairs]
        return coverage(self.table, walks)


def as_dict(name: str, found: Coverage) -> dict[str, Any]:
    """One table's coverage as the JSON report gives it: edges as ``source -trigger-> dest``."""

    def edge(e: Edge) -> str:
        return f"{e[0]} -{e[1]}-> {e[2]}"

    return {
        "table": name,
        "edges": [edge(e) for e in found.edges],
        "missed_edges": [edge(e) for e in found.missed_edges],
        "pairs": [f"{edge(a)} then {edge(b)}" for a, b in found.pairs],
        "missed_pairs": [f"{edge(a)} then {edge(b)}" for a, b in found.missed_pairs],
    }
