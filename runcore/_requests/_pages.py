"""One page of a list endpoint: the list object for sorted items and a list query, with cursors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from runcore._errors import ContractViolation
from runcore._findings import found
from runcore._requests._answers import answer
from runcore._requests._bodies import accept_request


def page(items: Sequence[Mapping[str, Any]], query: Mapping[str, Any] | str) -> dict[str, Any]:
    """The list object (``object``, ``data``, ``first_id``, ``last_id``, ``has_more``) of one page.

    ``items`` are every object of the list (a thread's runs, a run's steps), oldest first, each
    with a unique ``id``; ``query`` is the list query (a query string or its mapping), defaults
    filled in: ``limit`` 20, ``order`` ``desc`` (newest first). ``after=X`` gives the ``limit``
    items that follow X in that order; ``before=X`` the ``limit`` items just before X (the
    previous page), and then ``has_more`` says whether more lie before them. An empty page has
    null cursors (decisions.md#an-empty-page-has-null-cursors). ``data`` holds the items
    themselves, not copies. An invalid query or a cursor that is not the id of an item raises
    ApiError (400); an item that is not an object with a string id, ContractViolation.
    """
    wanted = accept_request(query, "list_query")
    listed = list(items) if wanted["order"] == "asc" else list(reversed(items))
    nameless = [
        found("wrong_type", "schema", ["data", index, "id"], "a listed object has a string id")
        for index, item in enumerate(listed)
        if not isinstance(item, Mapping) or not isinstance(item.get("id"), str)
    ]
    if nameless:  # the server's own objects: api_error answers 500
        raise ContractViolation(nameless)
    start, end = 0, len(listed)
    if "after" in wanted or "before" in wanted:
        places = {item.get("id"): index for index, item in enumerate(listed)}
        start = _place(places, wanted, "after") + 1 if "after" in wanted else 0
        end = _place(places, wanted, "before") if "before" in wanted else len(listed)
    limit = wanted["limit"]
    if "before" in wanted and "after" not in wanted:  # the page that ends at the cursor
        first = max(start, end - limit)
        data, has_more = listed[first:end], first > start
    else:
        data, has_more = listed[start : min(end, start + limit)], start + limit < end
    return {
        "object": "list",
        "data": data,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
        "has_more": has_more,
    }


def _place(places: Mapping[Any, int], query: Mapping[str, Any], cursor: str) -> int:
    """Where the item a cursor names is, or 400: the API's answer is not recorded
    (decisions.md#an-unknown-cursor)."""
    named = query[cursor]
    if named not in places:
        message = f"{named!r} is not the id of an object in this list"
        raise answer(
            400,
            f"Invalid '{cursor}': '{named}'. Expected the ID of an object in this list.",
            param=cursor,
            code="invalid_value",
            findings=[found("invalid_value", "schema", [cursor], message, named)],
        )
    return places[named]
