"""Where things are in a JSON text: the line each item of a list starts at, found in one pass."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from typing import Any

# Strings, brackets, and the separators between members: enough to follow a parsed text's shape.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{},]', re.DOTALL)


class _Open:
    """A container being read: its key in its parent, whether it is a list, and what comes next."""

    __slots__ = ("name", "is_list", "expects_key", "key")

    def __init__(self, name: str | None, is_list: bool) -> None:
        self.name, self.is_list = name, is_list
        self.expects_key, self.key = not is_list, None


def item_lines(text: str, path: Sequence[str]) -> list[int]:
    """The line of each item of the list at ``path`` (object keys from the root), in order.

    Linear in the text; ``[]`` when there is no such list. The text is JSON that was parsed already,
    so its shape is known to be right. Only items that are arrays or objects are counted.
    """
    lines: list[int] = []
    stack: list[_Open] = []
    line, offset = 1, 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        line += text.count("\n", offset, match.start())
        offset = match.start()
        top = stack[-1] if stack else None
        if token in "{[":
            if top is not None and top.is_list and [o.name for o in stack[1:]] == list(path):
                lines.append(line)
            stack.append(_Open(None if top is None or top.is_list else top.key, token == "["))
        elif token in "}]":
            stack.pop()
        elif token == ",":
            if top is not None and not top.is_list:
                top.expects_key = True
        elif top is not None and top.expects_key:
            top.key, top.expects_key = json.loads(token), False
    return lines


def items_at_lines(
    text: str, path: Sequence[str], items: Sequence[Any], first: int = 1
) -> Iterator[tuple[int | None, Any]]:
    """Each of ``items`` (the list at ``path`` of ``text``, which starts at line ``first``) with
    the line it starts at, or None past the items :func:`item_lines` found."""
    lines = item_lines(text, path)
    for index, item in enumerate(items):
        yield (first - 1 + lines[index] if index < len(lines) else None), item
