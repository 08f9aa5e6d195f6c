"""The Mermaid diagrams of the status tables, as committed in docs/lifecycle.md."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def render_mermaid(
    table: Sequence[Mapping[str, Any]], *, initial: str, terminal: frozenset[str]
) -> str:
    """The Mermaid ``stateDiagram-v2`` of a transition table: every row, with its guards.

    A guard shows as ``[name]`` (must hold) or ``[not name]``.
    """
    lines = ["stateDiagram-v2", f"    [*] --> {initial}"]
    for row in table:
        guards = [*row.get("conditions", ()), *(f"not {g}" for g in row.get("unless", ()))]
        label = row["trigger"] + "".join(f" [{guard}]" for guard in guards)
        lines += [f"    {source} --> {row['dest']}: {label}" for source in row["source"]]
    ends = sorted({row["dest"] for row in table if row["dest"] in terminal})
    lines += [f"    {status} --> [*]" for status in ends]
    return "\n".join(lines) + "\n"
