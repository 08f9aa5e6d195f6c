"""The status graph of a table: edges, reachability, shortest walks, and edge and pair coverage.

Guards are not looked at: a walk here is a path of the graph. Whether the engine takes it at a
given clock (a guard such as ``started`` depends on the object's history) is the engine's answer.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from runcore._tables import StatusTable

Edge = tuple[str, str, str]  # (source status, trigger, dest status)
Pair = tuple[Edge, Edge]  # two edges taken one after the other


def edges(table: StatusTable) -> list[Edge]:
    """Every (source, trigger, dest) edge, in table order."""
    return [
        (source, row["trigger"], row["dest"])
        for row in table.transitions
        for source in row["source"]
    ]


def exits(table: StatusTable, status: str) -> list[Edge]:
    """The edges out of one status, in table order."""
    return [edge for edge in edges(table) if edge[0] == status]


def reachable(table: StatusTable, start: str | None = None) -> set[str]:
    """The statuses a walk from ``start`` (the table's initial status) can reach, start included."""
    return set(shortest_walks(table, start))


def shortest_walks(table: StatusTable, start: str | None = None) -> dict[str, tuple[str, ...]]:
    """A shortest walk (its events) from ``start`` to every reachable status; ties go to table order."""
    origin = table.initial if start is None else start
    walks: dict[str, tuple[str, ...]] = {origin: ()}
    queue = deque([origin])
    while queue:
        status = queue.popleft()
        for _, trigger, dest in exits(table, status):
            if dest not in walks:
                walks[dest] = (*walks[status], trigger)
                queue.append(dest)
    return walks


def pairs(table: StatusTable) -> list[Pair]:
    """Every two edges that can be taken one after the other (the first ends where the second starts)."""
    return [(first, second) for first in edges(table) for second in exits(table, first[2])]


def walk_edges(table: StatusTable, events: Iterable[str], start: str | None = None) -> list[Edge]:
    """The edges a walk of events takes from ``start``; ValueError at an event with no edge."""
    status = table.initial if start is None else start
    taken: list[Edge] = []
    for event in events:
        edge = next((e for e in exits(table, status) if e[1] == event), None)
        if edge is None:
            raise ValueError(f"{event!r} has no edge out of {status!r}")
        taken.append(edge)
        status = edge[2]
    return taken


@dataclass(frozen=True)
class Coverage:
    """Which edges and pairs of consecutive edges some walks took, and which they never did."""

    edges: tuple[Edge, ...]
    missed_edges: tuple[Edge, ...]
    pairs: tuple[Pair, ...]
    missed_pairs: tuple[Pair, ...]


def coverage(table: StatusTable, walks: Iterable[Sequence[Edge]]) -> Coverage:
    """The edges and pairs of ``walks`` (each a sequence of edges) against all the table has."""
    taken: set[Edge] = set()
    taken_pairs: set[Pair] = set()
    for walk in walks:
        taken.update(walk)
        taken_pairs.update(zip(walk, walk[1:], strict=False))
    all_edges, all_pairs = edges(table), pairs(table)
    return Coverage(
        tuple(e for e in all_edges if e in taken),
        tuple(e for e in all_edges if e not in taken),
        tuple(p for p in all_pairs if p in taken_pairs),
        tuple(p for p in all_pairs if p not in taken_pairs),
    )
