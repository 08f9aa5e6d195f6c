"""Kinds, profiles, object tags, and what a list page is: the names every checker shares."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Literal

from runcore._errors import InvalidArgument, UnknownKind
from runcore._json import brief

Profile = Literal["observed", "spec"]

# `observed` is what the hosted API really sent; `spec` the documented contract, strictly
# (decisions.md#two-profiles-spec-and-observed).
PROFILES: tuple[Profile, ...] = ("observed", "spec")
RESPONSE_KINDS = ("run", "run_step", "run_step_delta", "run_list", "run_step_list", "error")
REQUEST_KINDS = (
    "create_run_request",
    "create_thread_and_run_request",
    "modify_run_request",
    "submit_tool_outputs_request",
    "list_query",
)
KINDS = RESPONSE_KINDS + REQUEST_KINDS

# The kind of a response object by its `object` tag.
OBJECT_KINDS: Mapping[str, str] = MappingProxyType(
    {
        "thread.run": "run",
        "thread.run.step": "run_step",
        "thread.run.step.delta": "run_step_delta",
    }
)
# The kinds whose objects have a lifecycle (a status table and its invariants), by their tag.
LIFECYCLE_TAGS: Mapping[str, str] = MappingProxyType(
    {"run": "thread.run", "run_step": "thread.run.step"}
)
# A page kind and the kind of its items.
PAGE_ITEM_KINDS: Mapping[str, str] = MappingProxyType(
    {"run_list": "run", "run_step_list": "run_step"}
)
_PAGE_KINDS = {item: page for page, item in PAGE_ITEM_KINDS.items()}


def require_kind(kind: Any) -> str:
    """``kind`` if runcore knows it, else UnknownKind naming the known kinds."""
    if not isinstance(kind, str) or kind not in KINDS:
        raise UnknownKind(f"unknown kind {brief(kind)}; known kinds: {', '.join(KINDS)}")
    return kind


def require_profile(profile: Any) -> Profile:
    """``profile`` if it is one of :data:`PROFILES`, else InvalidArgument naming them."""
    if not isinstance(profile, str) or profile not in PROFILES:
        message = f"unknown profile {brief(profile)}; profiles: {', '.join(PROFILES)}"
        raise InvalidArgument("/profile", message)
    return profile


def require_flag(name: str, value: Any) -> bool:
    """``value`` if it is a bool, else InvalidArgument: a truthy string must not pass for True."""
    if not isinstance(value, bool):
        raise InvalidArgument(f"/{name}", f"{name} must be True or False, got {brief(value)}")
    return value


def is_page(value: Any) -> bool:
    """A list page: ``{"object": "list", "data": [...]}``."""
    return (
        isinstance(value, dict)
        and value.get("object") == "list"
        and isinstance(value.get("data"), list)
    )


def page_items(value: Any) -> list[Any]:
    """The items of a value checked as a page (its ``data`` list), or nothing when it has none."""
    data = value.get("data") if isinstance(value, dict) else None
    return data if isinstance(data, list) else []


def page_kind(value: Any, kind: str) -> str:
    """The kind to check ``value`` as: a page named by the kind of its items is its page kind."""
    return _PAGE_KINDS[kind] if kind in _PAGE_KINDS and is_page(value) else kind


def page_item(where: str) -> int | None:
    """The index of the page item a pointer lands in (``/data/3/...`` -> 3), if it does."""
    tokens = where.split("/", 3)
    if len(tokens) > 2 and tokens[1] == "data" and tokens[2].isdigit():
        return int(tokens[2])
    return None


def infer_kind(instance: Any) -> str:
    """The kind of a response object, read from its ``object`` field (or its ``error`` key)."""
    if not isinstance(instance, dict):
        raise UnknownKind(f"cannot infer the kind of a {type(instance).__name__}; pass a kind")
    tag = instance.get("object")
    if not isinstance(tag, (str, type(None))):
        raise UnknownKind(
            f"cannot infer the kind from a non-string object field {brief(tag)}; pass a kind"
        )
    if isinstance(tag, str) and tag in OBJECT_KINDS:
        return OBJECT_KINDS[tag]
    if tag == "list":
        data = instance.get("data")
        first = data[0] if isinstance(data, list) and data else None
        # An empty page validates the same way under both list kinds.
        is_steps = isinstance(first, dict) and first.get("object") == LIFECYCLE_TAGS["run_step"]
        return "run_step_list" if is_steps else "run_list"
    if tag is None and "error" in instance:
        return "error"
    raise UnknownKind(
        f"cannot infer the kind from object={brief(tag)}; pass one of: {', '.join(KINDS)}"
    )
