"""Strict JSON: what the parser refuses, the integer rule, type names, and values in memory: what JSON
cannot carry in them, their copies, and short descriptions of them."""

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
    brief,
    checkable,
    copied,
    decode,
    is_integer,
    is_json_text,
    json_type,
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


def nested_text(depth: int, inner: str = "") -> str:
    return "[" * depth + inner + "]" * depth


def test_nesting_is_read_to_max_depth_and_refused_one_level_deeper_at_its_bracket() -> None:
    assert parse(nested_text(MAX_DEPTH)) is not None
    assert parse('{"a": ' + nested_text(MAX_DEPTH - 1) + "}") == {
        "a": parse(nested_text(MAX_DEPTH - 1))
    }
    with pytest.raises(JSONProblem, match=f"nested deeper than {MAX_DEPTH} levels") as raised:
        parse('{"a":\n  ' + nested_text(MAX_DEPTH))
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


def non_finite(value: Any) -> list[tuple[list[Any], Any]]:
    return [(p.path, p.value) for p in checkable(value)[1] if p.code == "non_finite_number"]


@given(finite_json)
def test_a_finite_value_has_no_problem_and_is_its_own_checkable_version(value: Any) -> None:
    subject, problems = checkable(value)
    assert subject is value and problems == []


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
    found = non_finite(holder)
    assert [p for p, _ in found] == [path]
    assert math.isnan(found[0][1]) if math.isnan(number) else found[0][1] == number
    assert checkable(holder)[0] is holder  # NaN needs no stand-in: it describes itself


def nested(depth: int, inner: Any = None) -> Any:
    """``inner`` inside ``depth`` lists."""
    value = inner
    for _ in range(depth):
        value = [value]
    return value


def test_a_value_that_contains_itself_is_a_problem_where_it_reappears_and_is_cut_there() -> None:
    loop: dict[str, Any] = {"x": float("nan"), "list": []}
    loop["self"] = loop
    loop["list"].append(loop["list"])
    subject, problems = checkable(loop)
    assert [(p.path, p.code) for p in problems] == [
        (["x"], "non_finite_number"),
        (["list", 0], "circular_reference"),
        (["self"], "circular_reference"),
    ]
    assert subject["self"] is None and subject["list"] == [None] and loop["self"] is loop


def test_a_value_shared_twice_is_not_a_cycle() -> None:
    shared = {"a": [1]}
    assert checkable({"one": shared, "two": shared, "x": math.inf})[1][0].path == ["x"]
    assert [p.code for p in checkable([shared, shared, math.nan])[1]] == ["non_finite_number"]


@pytest.mark.parametrize("depth", [MAX_DEPTH, MAX_DEPTH + 1, 50_000])
def test_nesting_deeper_than_max_depth_is_one_problem_where_it_gets_too_deep(depth: int) -> None:
    value = nested(depth, math.inf)  # the root list is level 1, the innermost list level `depth`
    subject, problems = checkable(value)
    if depth <= MAX_DEPTH:
        assert [p.path for p in problems] == [[0] * depth]  # only the infinity
        return
    ((path, code, _),) = problems
    assert (path, code) == ([0] * MAX_DEPTH, "nesting_too_deep")
    assert subject == nested(MAX_DEPTH)


def test_values_that_are_not_json_are_walked_too() -> None:
    assert [p for p, _ in non_finite({"when": object(), "t": (1.0,), "n": [math.nan]})] == [
        ["n", 0]
    ]
    assert json.dumps({"k": 1}, allow_nan=False)  # the fast path's own precondition


@given(finite_json, st.integers(min_value=0, max_value=MAX_DEPTH + 40))
def test_parse_reads_what_json_reads_unless_it_nests_deeper_than_max_depth(
    value: Any, extra: int
) -> None:
    text = nested_text(extra, json.dumps(value))
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


def test_an_integer_too_long_for_str_stands_in_as_an_equal_integer_that_describes_itself() -> None:
    huge = 10**5000
    subject, problems = checkable({"n": [huge], huge: 1})
    assert problems == [] and subject == {"n": [huge], huge: 1}
    (key,) = [k for k in subject if k != "n"]
    for stand_in in (subject["n"][0], key):
        assert is_integer(stand_in) and stand_in == huge
        assert repr(stand_in) == str(stand_in) == "<an integer of about 5001 digits>"


BRIEF = [
    ("text", "a" * 100, "'" + "a" * 56 + "..."),
    ("short", {"a": [1, None, True]}, "{'a': [1, None, True]}"),
    ("tuple", (1,), "(1,)"),
    ("huge", 10**5000, "<an integer of about 5001 digits>"),
    (
        "big list",
        list(range(10**6)),
        "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16...",
    ),
    ("deep", nested(100_000), "[" * 57 + "..."),
]


@pytest.mark.parametrize("value, text", [b[1:] for b in BRIEF], ids=[b[0] for b in BRIEF])
def test_brief_is_repr_cut_short_and_bounded_whatever_the_value(value: Any, text: str) -> None:
    assert brief(value) == text


def test_brief_cuts_a_value_that_contains_itself_and_names_an_object_whose_repr_fails() -> None:
    loop: list[Any] = [1]
    loop.append(loop)

    class Broken:
        def __repr__(self) -> str:
            raise RuntimeError("no")

    assert brief(loop, 20) == "[1, [1, [1, [1, [..."
    assert brief([Broken()]) == "[<Broken>]"


@given(finite_json)
def test_brief_of_a_short_value_is_its_repr(value: Any) -> None:
    assert brief(value, 10_000) == repr(value)


@given(finite_json)
def test_a_copy_is_equal_and_shares_no_dict_or_list(value: Any) -> None:
    copy = copied(value)
    assert copy == value
    containers = {id(node) for node in walk(value) if isinstance(node, (dict, list))}
    assert not any(id(node) in containers for node in walk(copy) if isinstance(node, (dict, list)))


def walk(value: Any) -> list[Any]:
    nodes, stack = [], [value]
    while stack:
        node = stack.pop()
        nodes.append(node)
        stack.extend(
            node.values() if isinstance(node, dict) else node if isinstance(node, list) else []
        )
    return nodes


def test_a_copy_keeps_key_order_and_refuses_what_contains_itself_or_nests_too_deep() -> None:
    assert list(copied({"b": 1, "a": {"d": 1, "c": 2}})["a"]) == ["d", "c"]
    assert copied(nested(MAX_DEPTH)) == nested(MAX_DEPTH)
    loop: dict[str, Any] = {}
    loop["self"] = loop
    for refused in (nested(MAX_DEPTH + 1), loop):
        with pytest.raises(ValueError, match="deeper than 512 levels or contains itself"):
            copied(refused)
