"""The ``pattern`` keyword as JSON Schema means it: ECMA-262 regular expressions, run by Python's re.

JSON Schema patterns are ECMA-262 regular expressions (Draft 2020-12 Validation §6.3.3), and Python's
``re`` reads a few of their tokens differently: ``$`` also matches before a final newline, so
``^[a-z]+$`` accepted ``"get_weather\\n"``. Each such token is rewritten to what ECMA-262 means
(decisions.md#patterns-are-ecma-262-regular-expressions).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

from runcore._json import brief

if TYPE_CHECKING:
    from jsonschema import ValidationError

# ECMA-262 WhiteSpace and LineTerminator, what its \s matches (Python's re.ASCII \s lacks the others).
_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
# Outside a character class: end of input only; any character but a line terminator; spaces.
_OUTSIDE = {
    "$": r"\Z",
    ".": "[^\n\r\u2028\u2029]",
    r"\s": f"[{_SPACE}]",
    r"\S": f"[^{_SPACE}]",
}
_INSIDE = {r"\s": _SPACE}
# Tokens the two dialects read differently with no rewrite here: a pattern with one is refused.
_REFUSED_OUTSIDE = {r"\A", r"\Z", r"\z"}
_REFUSED_INSIDE = {r"\S"}


@cache
def ecma_regex(pattern: str) -> re.Pattern[str]:
    """``pattern`` read as ECMA-262 (without flags), compiled for Python's re.

    re.ASCII makes ``\\d``, ``\\w`` and ``\\b`` ASCII, as in ECMA-262. Raises ValueError for a
    pattern with a token this does not translate (``\\Z``, ``\\S`` in a class, an empty class).
    """
    out: list[str] = []
    opened, in_class = False, False
    for token in _tokens(pattern):
        refused = _REFUSED_INSIDE if in_class else _REFUSED_OUTSIDE
        if (opened and token == "]") or token in refused:
            raise ValueError(f"pattern {pattern!r}: {token!r} has no translation here")
        out.append((_INSIDE if in_class else _OUTSIDE).get(token, token))
        opened = not in_class and token in ("[", "[^")
        in_class = opened or (in_class and token != "]")
    return re.compile("".join(out), re.ASCII)


def _tokens(pattern: str) -> Iterator[str]:
    """An escape with what it escapes, the opening of a negated class, or one character."""
    index = 0
    while index < len(pattern):
        size = 2 if pattern[index] == "\\" or pattern.startswith("[^", index) else 1
        yield pattern[index : index + size]
        index += size


def pattern(validator: Any, regex: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    """The ``pattern`` keyword, matching as ECMA-262 does."""
    if validator.is_type(instance, "string") and not ecma_regex(regex).search(instance):
        from jsonschema import ValidationError  # the explaining engine's, imported when it runs

        yield ValidationError(f"{brief(instance)} does not match {regex!r}")
