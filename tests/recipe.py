"""The compare-and-set recipe of docs/lifecycle.md as the SQL statements tests run (a helper, not a test)."""

from __future__ import annotations

import re
from pathlib import Path

LIFECYCLE = Path(__file__).resolve().parents[1] / "docs" / "lifecycle.md"


def recipe() -> dict[str, str]:
    """The statements of the documented recipe by their first words: ``create runs``,
    ``create run_steps``, ``update runs``, ``insert run_steps``."""
    text = LIFECYCLE.read_text(encoding="utf-8")
    block = text.split("## Compare-and-set", 1)[1].split("```sql\n", 1)[1].split("```", 1)[0]
    code = re.sub(r"--[^\n]*", "", block)
    statements: dict[str, str] = {}
    for statement in (part.strip() for part in code.split(";")):
        words = statement.split()
        if len(words) > 2:
            verb, name = words[0].lower(), words[2] if words[0] != "UPDATE" else words[1]
            statements[f"{verb} {name}"] = statement
    return statements
