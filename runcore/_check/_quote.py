"""How a report quotes what it found: values and text cut to a bounded size, text made printable.

A recording is untrusted input, and a report must stay small and safe to print whatever the input
(decisions.md#reports-quote-values-cut-to-size).
"""

from __future__ import annotations

import math
from typing import Any

# A quoted value keeps at most this many levels of arrays and objects, items of each, values in
# all, and characters of each string; what is cut ends in, or is replaced by, "…".
VALUE_DEPTH = 8
VALUE_ITEMS = 20
VALUE_NODES = 100
VALUE_CHARACTERS = 200
# Object ids, pointers and messages are cut at this many characters (file names never are).
TEXT_CHARACTERS = 500
CUT = "…"

# Integers of up to about 200 digits are quoted (Python refuses to print more than 4300 digits).
_INTEGER_BITS = 664
_NON_FINITE = {math.inf: "Infinity", -math.inf: "-Infinity"}


def cut(text: str, limit: int = TEXT_CHARACTERS) -> tuple[str, bool]:
    """``text`` cut to ``limit`` characters (ending in "…"), and whether it was cut."""
    return (text, False) if len(text) <= limit else (text[: limit - 1] + CUT, True)


def quoted(value: Any) -> tuple[Any, bool]:
    """A copy of ``value`` that JSON can carry and that is cut to size, and whether it differs.

    NaN and infinities (possible only in values checked in memory) are named as the strings
    "NaN", "Infinity" and "-Infinity"; other values that are not JSON by their type (``<tuple>``).
    """
    quote = _Quote()
    return quote.value(value, 0), quote.changed


class _Quote:
    def __init__(self) -> None:
        self.budget = VALUE_NODES
        self.changed = False

    def value(self, value: Any, depth: int) -> Any:
        self.budget -= 1
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, int):
            if value.bit_length() <= _INTEGER_BITS:
                return value
            self.changed = True
            return CUT
        if isinstance(value, float):
            if math.isfinite(value):
                return value
            self.changed = True
            return _NON_FINITE.get(value, "NaN")
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, (list, dict)):
            if depth >= VALUE_DEPTH or self.budget < 0:
                self.changed = True
                return CUT
            return self.container(value, depth + 1)
        self.changed = True
        return f"<{type(value).__name__}>"

    def text(self, text: str) -> str:
        text, was_cut = cut(text, VALUE_CHARACTERS)
        self.changed |= was_cut
        return text

    def container(self, value: list[Any] | dict[Any, Any], depth: int) -> Any:
        pairs = value.items() if isinstance(value, dict) else enumerate(value)
        kept: list[tuple[Any, Any]] = []
        for key, item in pairs:
            if len(kept) == VALUE_ITEMS or self.budget <= 0:
                self.changed = True
                kept.append((CUT, CUT))
                break
            kept.append((key, self.value(item, depth)))
        if isinstance(value, list):
            return [item for _, item in kept]
        return {self.key(key): item for key, item in kept}

    def key(self, key: Any) -> str:
        if isinstance(key, str):
            return self.text(key)
        self.changed = True
        return f"<{type(key).__name__}>"


def one_line(text: str) -> str:
    """``text`` cut to size and printable: safe to print as (part of) one line of a report."""
    return printable(cut(text)[0])


def printable(text: str) -> str:
    """``text`` with every character that is not printable escaped as Python would write it.

    Control characters (newlines, ESC), format characters (bidirectional overrides), separators
    and lone surrogates could forge report lines or drive a terminal.
    """
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else _escape(char) for char in text)


_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(char: str) -> str:
    if char in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[char]
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
