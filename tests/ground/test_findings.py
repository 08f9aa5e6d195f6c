"""JSON Pointers (RFC 6901) and the finding format."""

from __future__ import annotations

from typing import get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runcore import CODES, Finding
from runcore._findings import Category, escape_token, pointer, unescape_pointer


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ([], ""),
        ([""], "/"),
        (["a/b"], "/a~1b"),
        (["m~n"], "/m~0n"),
        (["~1"], "/~01"),
        (["data", 3, "id"], "/data/3/id"),
    ],
    ids=["root", "empty-key", "slash", "tilde", "tilde-then-one", "index"],
)
def test_pointers_escape_tilde_before_slash(path: list, expected: str) -> None:
    assert pointer(path) == expected


@given(st.lists(st.text()))
def test_a_pointer_reads_back_as_the_path_it_was_built_from(path: list[str]) -> None:
    assert unescape_pointer(pointer(path)) == path


def test_a_pointer_must_start_with_a_slash() -> None:
    with pytest.raises(ValueError, match="starts with '/'"):
        unescape_pointer("metadata")


def test_escape_token_accepts_indexes() -> None:
    assert escape_token(7) == "7"


def test_a_finding_says_where_what_and_why() -> None:
    finding = Finding(
        severity="error",
        code="too_long",
        category="schema",
        pointer="/metadata/k",
        message="513 characters long; expected at most 512",
        value="x",
        file="a.jsonl",
        line=3,
        object_id="run_1",
    )
    assert (
        str(finding)
        == "a.jsonl:3: error too_long at /metadata/k: 513 characters long; expected at most 512"
    )
    assert finding.to_dict()["object_id"] == "run_1"


def test_a_finding_is_built_by_keyword_only() -> None:
    with pytest.raises(TypeError):
        Finding("error", "too_long", "schema", "/x", "message")  # type: ignore[misc]


def test_every_code_in_the_catalogue_names_one_category() -> None:
    assert CODES["missing_field"][0] == "schema"
    assert CODES["started_at_missing"][0] == "invariant"
    assert CODES["clock_skew"][0] == "lifecycle"
    assert {category for category, _ in CODES.values()} == set(get_args(Category))
