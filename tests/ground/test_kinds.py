"""Kinds, profiles, object tags and list pages: the names every checker shares."""

from __future__ import annotations

from typing import Any

import pytest

from runcore import KINDS, PROFILES, UnknownKind, infer_kind
from runcore._kinds import (
    LIFECYCLE_TAGS,
    OBJECT_KINDS,
    PAGE_ITEM_KINDS,
    is_page,
    page_item,
    page_items,
    page_kind,
    require_kind,
    require_profile,
)


@pytest.mark.parametrize(
    "body, kind",
    [
        ({"object": "thread.run"}, "run"),
        ({"object": "thread.run.step"}, "run_step"),
        ({"object": "thread.run.step.delta"}, "run_step_delta"),
        ({"object": "list", "data": []}, "run_list"),
        ({"object": "list", "data": [{"object": "thread.run.step"}]}, "run_step_list"),
        ({"error": {"message": "x"}}, "error"),
    ],
)
def test_the_kind_of_a_response_is_read_from_its_tag(body: dict[str, Any], kind: str) -> None:
    assert infer_kind(body) == kind


@pytest.mark.parametrize("body", [[], "x", {"object": ["thread.run"]}, {"object": "thread"}, {}])
def test_a_kind_that_cannot_be_inferred_is_refused(body: Any) -> None:
    with pytest.raises(UnknownKind):
        infer_kind(body)


def test_every_tag_and_page_names_a_known_kind() -> None:
    assert set(OBJECT_KINDS.values()) | set(PAGE_ITEM_KINDS) | set(PAGE_ITEM_KINDS.values()) <= set(
        KINDS
    )
    assert all(OBJECT_KINDS[tag] == kind for kind, tag in LIFECYCLE_TAGS.items())


def test_a_page_is_a_list_object_with_data() -> None:
    assert is_page({"object": "list", "data": []})
    assert not is_page({"object": "list"}) and not is_page({"object": "lists", "data": []})
    assert page_items({"object": "list", "data": [1]}) == [1] and page_items([1]) == []
    assert page_kind({"object": "list", "data": []}, "run") == "run_list"
    assert page_kind({"object": "thread.run"}, "run") == "run"
    assert page_kind({"object": "list", "data": []}, "run_step_list") == "run_step_list"


@pytest.mark.parametrize(
    "where, index",
    [("/data/3/id", 3), ("/data/12", 12), ("/data", None), ("/first_id", None), ("/data/x", None)],
)
def test_the_page_item_a_pointer_lands_in(where: str, index: int | None) -> None:
    assert page_item(where) == index


def test_unknown_kinds_and_profiles_are_refused_by_name() -> None:
    assert [require_kind(kind) for kind in KINDS] == list(KINDS)
    assert [require_profile(profile) for profile in PROFILES] == list(PROFILES)
    with pytest.raises(UnknownKind, match="known kinds"):
        require_kind("runs")
    with pytest.raises(ValueError, match="profiles: observed, spec"):
        require_profile("strict")
