"""The list endpoints' query string, read into typed JSON and checked against list_query."""

from __future__ import annotations

import json
from functools import partial

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runcore import ContractViolation, parse_list_query, validate
from tests.timing import assert_time_linear

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


def test_the_documented_defaults_fill_what_the_query_leaves_out() -> None:
    assert parse_list_query("") == {"limit": 20, "order": "desc"}
    assert parse_list_query("?after=run_1") == {"limit": 20, "order": "desc", "after": "run_1"}
    assert parse_list_query("limit=5&order=asc") == {"limit": 5, "order": "asc"}


@pytest.mark.parametrize(
    ("query", "value", "code"),
    [
        ("limit=--5", "--5", "wrong_type"),
        ("limit=-5", -5, "below_minimum"),
        ("limit=%2B5", "+5", "wrong_type"),
        ("limit=1_0", "1_0", "wrong_type"),
        ("limit=" + "9" * 5000, "9" * 5000, "wrong_type"),
        ("limit=" + "0" * 4999 + "7", 7, None),
    ],
    ids=["double-minus", "negative", "plus", "underscore", "5000-digits", "leading-zeros"],
)
def test_a_limit_that_python_cannot_read_as_written_is_a_finding_not_an_exception(
    query: str, value: object, code: str | None
) -> None:
    parsed = parse_list_query(query)
    assert parsed["limit"] == value
    assert [f.code for f in validate(parsed, "list_query")] == ([code] if code else [])


def test_percent_escapes_that_are_not_utf8_are_kept_as_sent() -> None:
    assert parse_list_query("after=%FF%FE&order=%E2%82%AC") == {
        "limit": 20,
        "order": "€",
        "after": "%FF%FE",
    }


def test_a_query_that_is_not_text_is_a_contract_violation_at_the_root() -> None:
    with pytest.raises(ContractViolation) as refused:
        parse_list_query(b"limit=5")  # type: ignore[arg-type]
    assert [(f.pointer, f.code) for f in refused.value.findings] == [("", "wrong_type")]


@settings(max_examples=200)
@given(
    st.one_of(
        st.text(),
        st.lists(
            st.tuples(
                st.sampled_from(["limit", "order", "after", "before", "include[]", "x", ""]),
                st.text(),
            )
        ).map(lambda fields: "&".join(f"{name}={value}" for name, value in fields)),
    )
)
def test_fuzz_any_query_reads_into_json_that_validates_without_an_exception(query: str) -> None:
    parsed = parse_list_query(query)
    json.dumps(parsed, allow_nan=False)
    findings = validate(parsed, "list_query")
    assert all(f.pointer.startswith("/") for f in findings)


def test_a_repeated_parameter_costs_linear_time() -> None:
    # Doubling the repetitions of one parameter about doubles the time (it was quadratic).
    assert_time_linear(lambda n: partial(parse_list_query, "&".join(["order=asc"] * n)), 20_000)
