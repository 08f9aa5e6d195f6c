"""List pages: the empty page the hosted API sent, and page() over sorted items with its cursors."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runcore import PROFILES, ApiError, ContractViolation, page, validate
from tests.builders import make_run
from tests.recorded import RECORDINGS

EMPTY = {"object": "list", "data": [], "first_id": None, "last_id": None, "has_more": False}


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("kind", ["run_list", "run_step_list"])
def test_an_empty_page_with_null_cursors_is_valid(kind: str, profile: str) -> None:
    assert validate(EMPTY, kind, profile=profile) == []


def test_the_empty_page_recorded_from_the_hosted_api_is_valid() -> None:
    cassette = RECORDINGS / "cassettes" / "ruby-vcr" / "run_steps_list.yml"
    if not cassette.is_file():
        pytest.skip("../shared/recordings is not here")
    text = cassette.read_text(encoding="utf-8")
    bodies = re.findall(r"\n        (\{\n(?:          .*\n)*        \})", text)
    empty = [json.loads(body) for body in bodies if '"data": []' in body]
    assert empty == [EMPTY, EMPTY]
    for profile in PROFILES:
        assert validate(empty[0], "run_step_list", profile=profile) == []


def test_cursors_are_null_exactly_when_the_page_is_empty() -> None:
    run = make_run("completed")
    full = {"object": "list", "data": [run], "first_id": None, "last_id": None, "has_more": False}
    assert [(f.pointer, f.code) for f in validate(full, profile="spec")] == [
        ("/first_id", "wrong_type"),
        ("/last_id", "wrong_type"),
    ]
    named = dict(EMPTY, first_id="run_1", last_id="run_1")
    assert [(f.pointer, f.code) for f in validate(named)] == [
        ("/first_id", "wrong_type"),
        ("/last_id", "wrong_type"),
    ]


def items_of(count: int) -> list[dict[str, Any]]:
    return [{"id": f"run_{index:04d}", "created_at": index} for index in range(count)]


def listing(items: list[dict[str, Any]], order: str) -> list[dict[str, Any]]:
    return items if order == "asc" else items[::-1]


@settings(max_examples=60)
@given(count=st.integers(0, 250), limit=st.integers(1, 100), order=st.sampled_from(["asc", "desc"]))
def test_paging_with_after_yields_every_item_once_in_order(
    count: int, limit: int, order: str
) -> None:
    items = items_of(count)
    query: dict[str, Any] = {"limit": limit, "order": order}
    seen: list[dict[str, Any]] = []
    while True:
        one = page(items, query)
        assert len(one["data"]) <= limit
        assert (one["first_id"], one["last_id"]) == (
            (one["data"][0]["id"], one["data"][-1]["id"]) if one["data"] else (None, None)
        )
        seen += one["data"]
        if not one["has_more"]:
            break
        assert len(one["data"]) == limit
        query = {**query, "after": one["last_id"]}
    assert seen == listing(items, order)


@settings(max_examples=60)
@given(count=st.integers(1, 250), limit=st.integers(1, 100), order=st.sampled_from(["asc", "desc"]))
def test_paging_back_with_before_yields_every_item_once_in_order(
    count: int, limit: int, order: str
) -> None:
    items = items_of(count)
    wanted = listing(items, order)
    last = wanted[-1]["id"]
    pages = [page(items, {"limit": limit, "order": order, "before": last})]
    pages[0]["data"].append(wanted[-1])  # the cursor item itself ends the listing
    while pages[0]["has_more"]:
        before = pages[0]["first_id"]
        pages.insert(0, page(items, {"limit": limit, "order": order, "before": before}))
        assert len(pages[0]["data"]) == limit or not pages[0]["has_more"]
    assert [item for one in pages for item in one["data"]] == wanted


def test_a_page_names_its_first_and_last_item_and_whether_more_follow() -> None:
    items = items_of(5)
    assert page(items, "limit=2&order=asc") == {
        "object": "list",
        "data": items[:2],
        "first_id": "run_0000",
        "last_id": "run_0001",
        "has_more": True,
    }
    newest = page(items, {"limit": 2})
    assert [item["id"] for item in newest["data"]] == ["run_0004", "run_0003"]
    assert page(items, {"order": "asc", "after": "run_0004"}) == EMPTY
    assert page([], "") == EMPTY
    between = page(items, {"order": "asc", "after": "run_0000", "before": "run_0004"})
    assert [item["id"] for item in between["data"]] == ["run_0001", "run_0002", "run_0003"]


def test_a_page_of_runs_is_a_valid_run_list() -> None:
    runs = [make_run(status) for status in ("completed", "cancelled", "in_progress")]
    for index, run in enumerate(runs):
        run["id"] = f"run_{index}"
    assert validate(page(runs, {}), "run_list", profile="spec") == []


@pytest.mark.parametrize("cursor", ["after", "before"])
def test_a_cursor_that_names_no_item_is_a_400(cursor: str) -> None:
    with pytest.raises(ApiError) as refused:
        page(items_of(3), {cursor: "run_gone"})
    assert (refused.value.status, refused.value.body["error"]["param"]) == (400, cursor)
    assert [(f.pointer, f.code) for f in refused.value.findings] == [
        (f"/{cursor}", "invalid_value")
    ]


def test_an_invalid_query_is_the_400_of_accept_request() -> None:
    with pytest.raises(ApiError) as refused:
        page(items_of(3), "limit=0")
    assert refused.value.body["error"]["code"] == "integer_below_min_value"


@pytest.mark.parametrize("items", [[{"id": 1}], [{}], ["run_1"]], ids=["int-id", "no-id", "str"])
def test_an_item_without_a_string_id_is_the_servers_contract_violation(items) -> None:
    with pytest.raises(ContractViolation) as refused:
        page(items, "")
    assert [(f.pointer, f.code) for f in refused.value.findings] == [("/data/0/id", "wrong_type")]
