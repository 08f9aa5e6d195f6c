"""The list endpoints' query string, read into typed JSON and checked against list_query."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runcore import parse_list_query, validate

CONTENT = "step_details.tool_calls[*].file_search.results[*].content"


def test_a_query_string_becomes_the_typed_json_of_list_query() -> None:
    query = "?limit=5&order=asc&after=run_1&include[]=" + CONTENT.replace("[", "%5B").replace(
        "]", "%5D"
    )
    assert parse_list_query(query) == {
        "limit": 5,
        "order": "asc",
        "after": "run_1",
        "include": [CONTENT],
    }
    assert validate(parse_list_query(query), "list_query") == []


@pytest.mark.parametrize(
    ("query", "pointer", "code"),
    [
        ("limit=0", "/limit", "below_minimum"),
        ("limit=101", "/limit", "above_maximum"),
        ("limit=ten", "/limit", "wrong_type"),
        ("limit=1.5", "/limit", "wrong_type"),
        ("order=up", "/order", "invalid_value"),
        ("order=asc&order=desc", "/order", "invalid_value"),
        ("include[]=step_details", "/include/0", "invalid_value"),
        ("page=2", "/page", "unknown_field"),
    ],
    ids=[
        "limit-0",
        "limit-101",
        "limit-word",
        "limit-float",
        "order",
        "order-twice",
        "include",
        "unknown",
    ],
)
def test_a_bad_query_is_reported_at_its_parameter(query: str, pointer: str, code: str) -> None:
    assert [(f.pointer, f.code) for f in validate(parse_list_query(query), "list_query")] == [
        (pointer, code)
    ]


@given(limit=st.integers(1, 100), order=st.sampled_from(["asc", "desc"]), after=st.text(min_size=1))
def test_every_valid_query_reads_back_valid(limit: int, order: str, after: str) -> None:
    from urllib.parse import urlencode

    query = urlencode({"limit": limit, "order": order, "after": after})
    assert parse_list_query(query) == {"limit": limit, "order": order, "after": after}
    assert validate(parse_list_query(query), "list_query") == []
