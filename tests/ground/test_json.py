"""Strict JSON: what the parser refuses, the integer rule, type names, and non-finite numbers."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runcore._json import (
    MAX_DEPTH,
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


def nested(depth: int, inner: str = "") -> str:
    return "[" * depth + inner + "]" * depth


def test_nesting_is_read_to_max_depth_and_refused_one_level_deeper_at_its_bracket() -> None:
    assert parse(nested(MAX_DEPTH)) is not None
    assert parse('{"a": ' + nested(MAX_DEPTH - 1) + "}") == {"a": parse(nested(MAX_DEPTH - 1))}
    with pytest.raises(JSONProblem, match=f"nested deeper than {MAX_DEPTH} levels") as raised:
        parse('{"a":\n  ' + nested(MAX_DEPTH))
    assert raised.value.line == 2 and f"(line 2, column {MAX_DEPTH + 2})" in str(raised.value)


def test_brackets_inside_strings_do_not_count_towards_the_depth() -> None:
    text = json.dumps({"s": "[" * 5000 + '\\"[{', "t": ["{" * 600]})
    assert parse(text) == json.loads(text)


@pytest.mark.parametrize("number", ["1e400", "-1e400", "1.8e308", "1" * 400 + ".5"])
def test_a_number_that_would_become_infinity_is_refused_at_its_line(number: str) -> None:
    with pytest.raises(JSONProblem, match="too large for a float") as raised:
        parse('{"s": "1e400",\n "n": [' + number + "]}")
    assert raised.value.line == 2 and "(line 2, column 8)" in str(raised.value)
    assert parse("[1e308, 1e-400, -0.0]") == [1e308, 0.0, -0.0]


def test_an_integer_of_too_many_digits_is_refused_at_its_line() -> None:
    with pytest.raises(JSONProblem) as raised:
        parse("[1,\n -" + "9" * 5000 + "]")
    assert str(raised.value) == (
        "invalid JSON: an integer of more than 4300 digits (line 2, column 2)"
    )


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


@given(finite_json, st.integers(min_value=0, max_value=MAX_DEPTH + 40))
def test_parse_reads_what_json_reads_unless_it_nests_deeper_than_max_depth(
    value: Any, extra: int
) -> None:
    text = nested(extra, json.dumps(value))
    depth = extra + _depth(value)
    if depth <= MAX_DEPTH:
        assert parse(text) == json.loads(text)
    else:
        with pytest.raises(JSONProblem, match="nested deeper"):
            parse(text)


def _depth(value: Any) -> int:
    if isinstance(value, (list, dict)):
        children = value.values() if isinstance(value, dict) else value
        return 1 + max((_depth(child) for child in children), default=0)
    return 0
