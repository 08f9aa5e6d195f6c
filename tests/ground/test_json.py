"""Strict JSON: what the parser refuses, the integer rule, type names, and non-finite numbers."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runcore._json import (
    JSONProblem,
    decode,
    is_integer,
    is_json_text,
    json_type,
    non_finite,
    parse,
)

REFUSED = [
    ('{"a": 1, "a": 2}', "duplicate key 'a'"),
    ('{"x": NaN}', "NaN is not a JSON number"),
    ("[Infinity]", "Infinity is not a JSON number"),
    ("-Infinity", "-Infinity is not a JSON number"),
    ("[" * 100_000 + "]" * 100_000, "nested deeper than 512 levels"),
    ("1" * 5000, "invalid JSON"),
    ('{"a": }', "line 1, column 7"),
]


@pytest.mark.parametrize(
    "text, message", REFUSED, ids=["dup", "nan", "inf", "-inf", "deep", "huge", "syntax"]
)
def test_what_would_change_the_data_silently_is_refused(text: str, message: str) -> None:
    with pytest.raises(JSONProblem, match=message):
        parse(text)
    assert not is_json_text(text)


def test_a_problem_names_its_line_or_none_when_no_line_is_to_blame() -> None:
    with pytest.raises(JSONProblem) as raised:
        parse('{\n"a": 1,\n"b": }')
    assert raised.value.line == 3
    with pytest.raises(JSONProblem) as raised:
        parse("[" * 100_000)
    assert raised.value.line in (None, 1)


def test_text_that_is_not_utf8_names_its_byte_offset_line_or_column() -> None:
    with pytest.raises(JSONProblem, match="byte 0xff at offset 3") as raised:
        decode(b"{}\n\xff")
    assert raised.value.line == 2
    with pytest.raises(JSONProblem, match="byte 0xff at column 2"):
        decode(b"{\xff}", one_line=True)
    assert decode("\ufeff{}".encode()) == "{}"
    assert decode("\ufeff{}".encode(), first=False) == "\ufeff{}"


@given(st.integers())
def test_an_int_is_an_integer(value: int) -> None:
    assert is_integer(value) and json_type(value) == "integer"


@pytest.mark.parametrize("value", [True, False, 1.0, -0.0, 1e3, "1", None])
def test_bools_and_integral_floats_are_not_integers(value: Any) -> None:
    assert not is_integer(value)


def test_json_type_names_every_json_type_and_says_what_is_not_json() -> None:
    values = [None, True, 1, 1.5, "s", [], {}]
    assert [json_type(v) for v in values] == [
        "null",
        "boolean",
        "integer",
        "number",
        "string",
        "array",
        "object",
    ]
    assert json_type((1,)) == "tuple (not a JSON value)"


finite_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=4),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=12,
)


@given(finite_json)
def test_a_finite_value_has_no_non_finite_number(value: Any) -> None:
    assert list(non_finite(value)) == []


@given(data=st.data(), value=finite_json, number=st.sampled_from([math.nan, math.inf, -math.inf]))
def test_every_non_finite_number_is_found_at_its_path(data: Any, value: Any, number: float) -> None:
    holder = {"before": 1, "value": value}
    node: Any = holder
    path: list[Any] = ["value"]
    node = holder["value"]
    while isinstance(node, (dict, list)) and node and data.draw(st.booleans()):
        key = data.draw(st.sampled_from(list(node) if isinstance(node, dict) else range(len(node))))
        path.append(key)
        if not isinstance(node[key], (dict, list)):
            break
        node = node[key]
    parent: Any = holder
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = number
    found = list(non_finite(holder))
    assert [p for p, _ in found] == [path]
    assert math.isnan(found[0][1]) if math.isnan(number) else found[0][1] == number


def test_values_that_contain_themselves_and_deep_nesting_are_walked_without_end() -> None:
    loop: dict[str, Any] = {"x": float("nan")}
    loop["self"] = loop
    assert [path for path, _ in non_finite(loop)] == [["x"]]
    deep: Any = float("inf")
    for _ in range(50_000):
        deep = [deep]
    ((path, value),) = non_finite(deep)
    assert len(path) == 50_000 and value == math.inf


def test_values_that_are_not_json_are_walked_too() -> None:
    assert [p for p, _ in non_finite({"when": object(), "t": (1.0,), "n": [math.nan]})] == [
        ["n", 0]
    ]
    assert json.dumps({"k": 1}, allow_nan=False)  # the fast path's own precondition
