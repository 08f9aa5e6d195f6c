"""Validation of one object: the schema's findings, the lifecycle invariants, and non-finite numbers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from runcore._contract._invariants import invariant_findings
from runcore._contract._schemas import DECLARED, validator
from runcore._contract._translate import schema_findings
from runcore._errors import ContractViolation
from runcore._findings import Finding, pointer, unescape_pointer
from runcore._json import non_finite
from runcore._kinds import (
    LIFECYCLE_TAGS,
    PAGE_ITEM_KINDS,
    RESPONSE_KINDS,
    Profile,
    infer_kind,
    page_item,
    page_items,
)


def validate(
    instance: Any,
    kind: str | None = None,
    *,
    profile: Profile = "observed",
    strict: bool = False,
    invariants: bool = True,
) -> list[Finding]:
    """Every finding for one object of a kind (inferred from ``object`` when not given).

    Findings come in the order of the document itself (a missing field after its siblings).
    ``strict`` reports response fields that no schema declares, as warnings (request kinds reject
    them anyway). ``invariants`` adds the lifecycle checks of runs and run steps (status against
    fields and timestamps) to the schema checks. NaN and infinities are findings wherever they are.
    """
    kind = kind or infer_kind(instance)
    strict = strict and kind in RESPONSE_KINDS
    schema_validator = validator(kind, profile, strict)
    token = DECLARED.set({}) if strict else None
    try:
        found = schema_findings(schema_validator, instance)
        if token is not None:
            found += _unknown_fields(instance, DECLARED.get())
    finally:
        if token is not None:
            DECLARED.reset(token)
    found = _with_non_finite(found, instance)
    if invariants:
        found += _invariant_findings(instance, kind, profile)
    found.sort(key=lambda finding: _document_place(instance, finding.pointer))
    return _with_object_ids(found, instance)


def check(
    instance: Any, kind: str | None = None, *, profile: Profile = "observed", strict: bool = False
) -> list[Finding]:
    """Like :func:`validate`, but raise :class:`ContractViolation` when any finding is an error.

    Returns the warnings when there is no error.
    """
    findings = validate(instance, kind, profile=profile, strict=strict)
    if any(finding.severity == "error" for finding in findings):
        raise ContractViolation(findings)
    return findings


def _invariant_findings(instance: Any, kind: str, profile: Profile) -> list[Finding]:
    """Lifecycle findings for a run or step, or each item of a page; other objects are the schema's."""
    if kind in PAGE_ITEM_KINDS:
        return [
            replace(finding, pointer=f"/data/{index}{finding.pointer}")
            for index, item in enumerate(page_items(instance))
            for finding in _invariant_findings(item, PAGE_ITEM_KINDS[kind], profile)
        ]
    wanted = LIFECYCLE_TAGS.get(kind)
    if wanted and isinstance(instance, dict) and instance.get("object") == wanted:
        return invariant_findings(instance, profile=profile)
    return []


def _with_non_finite(found: list[Finding], instance: Any) -> list[Finding]:
    """A finding for each NaN or infinity, in place of what the schema said of the same value."""
    numbers = {pointer(path): value for path, value in non_finite(instance)}
    if not numbers:
        return found
    kept = [finding for finding in found if finding.pointer not in numbers]
    return kept + [
        Finding(
            severity="error",
            code="non_finite_number",
            category="schema",
            pointer=where,
            message=f"{value!r} is not a JSON number",
            value=value,
        )
        for where, value in numbers.items()
    ]


def _unknown_fields(instance: Any, declared: dict[int, tuple[Any, set[str]]]) -> Iterator[Finding]:
    """Warnings for fields that no schema declares, in document order."""
    stack: list[tuple[Any, list[Any]]] = [(instance, [])]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            names = declared.get(id(node), (None, None))[1]
            for key, child in node.items():
                if names is not None and key not in names:
                    yield Finding(
                        severity="warning",
                        code="unknown_field",
                        category="schema",
                        pointer=pointer([*path, key]),
                        message=f"field {key!r} is not in the documented contract",
                        value=child,
                    )
            stack.extend((child, [*path, key]) for key, child in reversed(node.items()))
        elif isinstance(node, list):
            stack.extend(
                (child, [*path, index]) for index, child in reversed(list(enumerate(node)))
            )


def _document_place(instance: Any, where: str) -> list[tuple[int, str]]:
    """Where a pointer lands in the document's own order; a missing member sorts after its siblings."""
    place: list[tuple[int, str]] = []
    node = instance
    for token in unescape_pointer(where):
        if isinstance(node, dict) and token in node:
            place.append((list(node).index(token), ""))
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            place.append((int(token), ""))
            node = node[int(token)]
        else:
            place.append((len(node) if isinstance(node, (dict, list)) else 0, token))
            node = None
    return place


def _with_object_ids(findings: list[Finding], instance: Any) -> list[Finding]:
    """Name the object each finding is about: a page item's own id, else the object's id."""
    if not isinstance(instance, dict):
        return findings
    data = page_items(instance)

    def object_id(finding: Finding) -> str | None:
        index = page_item(finding.pointer)
        owner = data[index] if index is not None and index < len(data) else instance
        return (
            owner.get("id")
            if isinstance(owner, dict) and isinstance(owner.get("id"), str)
            else None
        )

    return [replace(finding, object_id=object_id(finding)) for finding in findings]
