"""The fast parse path: orjson never accepts a text the strict parser refuses, and never reads a value
otherwise (a type, a sign, a digit, a key); every text it is unsure of is the strict parser's.

Without the ``[fast]`` extra, parse is the strict parser (CI runs the suite both ways).
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runcore._json import (
    _UNSURE,
    MAX_DEPTH,
    JSONProblem,
    _fast_parse,
    optional_orjson,
    parse,
    strict_parse,
)
from tests.hostile import fuzz

FAST = optional_orjson() is not None
needs_fast = pytest.mark.skipif(not FAST, reason="the [fast] extra is not installed")


def read_alike(text: str) -> None:
    """parse and strict_parse give identical values, or refuse with the same message."""
    try:
        expected = strict_parse(text)
    except JSONProblem as refused:
        with pytest.raises(JSONProblem) as caught:
            parse(text)
        assert (str(caught.value), caught.value.line) == (str(refused), refused.line)
        assert _fast_parse(text) is _UNSURE
        return
    # repr tells apart what == does not: 1, 1.0 and True; -0.0 and 0.0; the order of keys
    assert repr(parse(text)) == repr(expected), text


JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=20,
)


@fuzz(400)
@given(
    value=JSON_VALUES,
    indent=st.sampled_from([None, 2]),
    ascii_only=st.booleans(),
    separators=st.sampled_from([None, (",", ":"), (" , ", " : ")]),
)
def test_json_texts_are_read_alike(
    value: Any, indent: int | None, ascii_only: bool, separators: Any
) -> None:
    text = json.dumps(value, indent=indent, ensure_ascii=ascii_only, separators=separators)
    read_alike(text)
    if FAST and not _left_to_strict(value) and "\\u003" not in text:
        assert _fast_parse(text) is not _UNSURE, "a plain text should be read fast"


def _left_to_strict(value: Any) -> bool:
    """Whether orjson would write ``e+`` for ``value``: an integer beyond 64 bits (read as a float),
    a float of 1e16 or more, or a string with those letters."""
    if isinstance(value, dict):
        return any(_left_to_strict(key) or _left_to_strict(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_left_to_strict(item) for item in value)
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, int):
        return not -(2**63) <= value < 2**64
    if isinstance(value, float):
        return abs(value) >= 1e16
    return "e+" in value


@fuzz(400)
@given(st.text(alphabet='{}[]":,0123456789.eE+-\\u tnrfalsxud83ab \n\t', max_size=40))
def test_fuzzed_texts_are_read_alike(text: str) -> None:
    read_alike(text)


@fuzz(200)
@given(
    pairs=st.lists(
        st.tuples(st.sampled_from(["a", "b", "a:", "\\u003a", "\\u003A", ":"]), st.integers(0, 9)),
        max_size=5,
    ),
    nested=st.booleans(),
)
def test_duplicate_keys_anywhere_are_refused_alike(
    pairs: list[tuple[str, int]], nested: bool
) -> None:
    body = "{" + ",".join(f'"{key}":{value}' for key, value in pairs) + "}"
    read_alike(f'{{"outer": [1, {body}], "x": "a:b"}}' if nested else body)


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1, "a": 2}',
        '{"a": {"b": 1, "b": 1}}',
        '{"k\\u003a": 1, "k:": 2}',
        '{"a:": 1, "a:": 2}',
        '{"x": "a:b:c", "x": "a"}',
        '{"x": NaN}',
        "[Infinity]",
        "1e400",
        "-1e400",
        "[0.1e310]",
        "1.7976931348623159e308",
        "9223372036854775807",
        "-9223372036854775808",
        "-9223372036854775809",
        "18446744073709551615",
        "18446744073709551616",
        "123456789012345678901234567890",
        "1" * 4301,
        "1.00000000000000000001",
        "1e-400",
        "-0",
        "-0.0",
        "1E2",
        "[1.0, 1, true, 1e0]",
        '"\\ud800"',
        '"\\ud83d\\ude00"',
        '"\\u0000"',
        '"\x01"',
        "\ufeff{}",
        "[1,]",
        "",
        " ",
        "1 2",
        '{"a" : 1 }',
        "[" * MAX_DEPTH + "]" * MAX_DEPTH,
        "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),
        "[" * 300 + "]" * 300,
        '"\ud800"',
    ],
)
def test_texts_at_the_edges_are_read_alike(text: str) -> None:
    read_alike(text)


@needs_fast
@pytest.mark.parametrize(
    "text", ['{"a": 1, "a": 2}', "18446744073709551616", "[" * 300 + "]" * 300]
)
def test_what_orjson_would_read_otherwise_is_left_to_the_strict_parser(text: str) -> None:
    assert _fast_parse(text) is _UNSURE


@fuzz(300)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_floats_are_read_to_the_same_bit(number: float) -> None:
    for text in (repr(number), f"{number:.17e}", f"{number:.6g}"):
        if math.isfinite(float(text)):
            read_alike(text)


@fuzz(300)
@given(
    st.integers(min_value=-(2**80), max_value=2**80)
    | st.sampled_from([2**63, -(2**63) - 1, 2**64, 2**64 - 1, -(2**64)])
)
def test_integers_of_any_size_are_read_alike(number: int) -> None:
    """orjson reads an integer beyond 64 bits as a float: the strict parser reads those."""
    for text in (str(number), f'{{"n": {number}, "s": "e"}}', f"[{number}, 1.5]"):
        read_alike(text)


@needs_fast
@pytest.mark.parametrize("text", ['{"id": "1234567890123456789012"}', '["e", "+", 1e15]'])
def test_long_digit_runs_in_strings_and_short_floats_are_read_fast(text: str) -> None:
    assert _fast_parse(text) is not _UNSURE
