"""Schema patterns match as ECMA-262 says, not as Python's re would: `$` is the end of the string."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runcore import validate
from runcore._contract._patterns import ecma_regex
from runcore._contract._schemas import schema_files


def patterns(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["pattern"]] if isinstance(node.get("pattern"), str) else []
        return own + [p for child in node.values() for p in patterns(child)]
    return [p for child in node for p in patterns(child)] if isinstance(node, list) else []


SCHEMA_PATTERNS = sorted({p for _, document in schema_files() for p in patterns(document)})

# (pattern, string, whether ECMA-262 finds a match), each where Python's re alone would differ.
ECMA = [
    ("^[a-z]+$", "get_weather\n", False),
    ("^[a-z_]+$", "get_weather", True),
    ("x$", "x\n", False),
    ("^.$", "\r", False),
    ("^.$", "\u2028", False),
    ("^.$", "é", True),
    (r"^\d$", "\u0663", False),
    (r"^\w$", "é", False),
    (r"^\s$", "\u00a0", True),
    (r"^\s$", "\ufeff", True),
    (r"^[\s]$", "\u3000", True),
    (r"^\S$", "\u2003", False),
    (r"\bx", "éx", True),
    (r"^[$.]+$", "$.", True),
    (r"^a\$$", "a$", True),
]


@pytest.mark.parametrize("pattern, text, matches", ECMA, ids=[f"{p} {t!r}" for p, t, _ in ECMA])
def test_a_pattern_matches_as_ecma_262_does(pattern: str, text: str, matches: bool) -> None:
    assert bool(ecma_regex(pattern).search(text)) is matches


@pytest.mark.parametrize("pattern", [r"\Z", r"a\A", "[]", "[^]", r"[\S]"])
def test_a_pattern_that_python_would_read_otherwise_is_refused(pattern: str) -> None:
    with pytest.raises(ValueError, match="no translation"):
        ecma_regex(pattern)


def test_the_schema_files_have_patterns_and_each_compiles() -> None:
    assert SCHEMA_PATTERNS
    for pattern in SCHEMA_PATTERNS:
        ecma_regex(pattern)


@pytest.mark.parametrize("pattern", SCHEMA_PATTERNS)
@given(data=st.data())
def test_a_string_matching_a_schema_pattern_stops_matching_with_a_newline_after_it(
    pattern: str, data: Any
) -> None:
    regex = ecma_regex(pattern)
    text = data.draw(st.from_regex(regex, fullmatch=True))
    assert regex.search(text)
    if pattern.endswith("$"):
        assert not regex.search(text + "\n")


@pytest.mark.parametrize(
    "kind, body",
    [
        ("create_run_request", {"assistant_id": "asst_1"}),
        ("create_thread_and_run_request", {"assistant_id": "asst_1"}),
    ],
)
def test_a_function_name_with_a_final_newline_is_a_pattern_mismatch(
    kind: str, body: dict[str, Any]
) -> None:
    tool = {"type": "function", "function": {"name": "get_weather\n"}}
    found = validate({**body, "tools": [tool]}, kind)
    assert [(f.code, f.pointer) for f in found] == [("pattern_mismatch", "/tools/0/function/name")]
