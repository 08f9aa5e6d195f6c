"""Validation of one object: the schema's findings, the lifecycle invariants, and non-finite numbers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import cache
from typing import Any

from runcore._contract._engines import clears, fast_accept
from runcore._contract._invariants import invariant_findings
from runcore._contract._schemas import (
    DECLARED,
    inlined,
    root_uri,
    validator,
    validator_classes,
)
from runcore._contract._translate import schema_findings
from runcore._errors import ContractViolation
from runcore._findings import Finding, pointer, unescape_pointer
from runcore._json import MAX_DEPTH, Problem, brief, checkable, linked_path
from runcore._kinds import (
    LIFECYCLE_TAGS,
    PAGE_ITEM_KINDS,
    RESPONSE_KINDS,
    Profile,
    infer_kind,
    page_item,
    page_items,
    require_flag,
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
    fields and timestamps) to the schema checks. What JSON cannot carry is a finding wherever it
    is: NaN and infinities, a value that contains itself, nesting deeper than 512 levels.
    """
    kind = infer_kind(instance) if kind is None else kind
    return _validated(instance, kind, profile, strict, invariants, False)


def validate_read(
    instance: Any, kind: str, *, profile: Profile, strict: bool, plain: bool
) -> list[Finding]:
    """:func:`validate` of a value :func:`~runcore._json.parse_bytes` read: ``plain`` when orjson
    read it, which proves it plain JSON, so the fast engine does not write it again to see."""
    return _validated(instance, kind, profile, strict, True, plain)


def _validated(
    instance: Any, kind: str, profile: Profile, strict: bool, invariants: bool, plain: bool
) -> list[Finding]:
    # The fast engine clears what it can prove clean; it cannot record which properties each
    # object was checked against, so --strict on a response is the explaining engine's
    # (decisions.md#speed-never-changes-a-verdict).
    if (
        type(kind) is str
        and type(profile) is str
        and (strict is False or (strict is True and kind not in RESPONSE_KINDS))
        and (invariants is True or invariants is False)
    ):
        accept = fast_accept(kind, profile)
        if accept is not None and accept(instance, invariants, plain):
            return []
    return explained(instance, kind, profile=profile, strict=strict, invariants=invariants)


def explained(
    instance: Any,
    kind: str,
    *,
    profile: Profile = "observed",
    strict: bool = False,
    invariants: bool = True,
) -> list[Finding]:
    """:func:`validate` by the explaining engine alone: jsonschema's errors turned into findings,
    then the invariants (the reference the fast engine is proven against)."""
    strict = require_flag("strict", strict) and kind in RESPONSE_KINDS
    invariants = require_flag("invariants", invariants)
    validator(kind, profile, strict)  # refuses an unknown kind or profile
    schema_validator = inlined_validator(kind, profile, strict)
    subject, problems = checkable(instance)
    token = DECLARED.set({}) if strict else None
    try:
        found = schema_findings(schema_validator, subject)
        if token is not None:
            found += _unknown_fields(subject, DECLARED.get())
    finally:
        if token is not None:
            DECLARED.reset(token)
    found = with_problems(found, problems)
    if invariants:
        found += _invariant_findings(subject, kind, profile)
    found.sort(key=_document_places(subject))
    return _with_object_ids(found, subject)


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


# What each problem of a value in memory says (runcore._json.Problem).
_PROBLEMS = {
    "non_finite_number": lambda value: f"{brief(value)} is not a JSON number",
    "circular_reference": lambda value: "the value contains itself, which JSON cannot carry",
    "nesting_too_deep": lambda value: (
        f"nested deeper than {MAX_DEPTH} levels (runcore reads no deeper)"
    ),
}


def with_problems(found: list[Finding], problems: list[Problem]) -> list[Finding]:
    """A finding for each part JSON cannot carry, in place of what the schema said of it."""
    if not problems:
        return found
    at = {pointer(problem.path): problem for problem in problems}
    kept = [finding for finding in found if finding.pointer not in at]
    return kept + [
        Finding(
            severity="error",
            code=problem.code,
            category="schema",
            pointer=where,
            message=_PROBLEMS[problem.code](problem.value),
            value=problem.value,
        )
        for where, problem in at.items()
    ]


def _unknown_fields(instance: Any, declared: dict[int, tuple[Any, set[str]]]) -> Iterator[Finding]:
    """Warnings for fields that no schema declares, in document order."""
    stack: list[tuple[Any, Any]] = [(instance, None)]
    while stack:
        node, link = stack.pop()
        if isinstance(node, dict):
            names = declared.get(id(node), (None, None))[1]
            for key, child in node.items():
                if names is not None and key not in names:
                    yield Finding(
                        severity="warning",
                        code="unknown_field",
                        category="schema",
                        pointer=pointer([*linked_path(link), key]),
                        message=f"field {brief(key)} is not in the documented contract",
                        value=child,
                    )
            stack.extend((child, (key, link)) for key, child in reversed(node.items()))
        elif isinstance(node, list):
            stack.extend((child, (index, link)) for index, child in reversed(list(enumerate(node))))


def _document_places(instance: Any) -> Callable[[Finding], list[tuple[int, str]]]:
    """The sort key of findings in document order: where each pointer lands in the document; a
    missing member sorts after its siblings. Each object's key order is read once, so sorting n
    findings costs n look-ups, not n searches of the object."""
    orders: dict[int, dict[str, int]] = {}

    def place(finding: Finding) -> list[tuple[int, str]]:
        spots: list[tuple[int, str]] = []
        node = instance
        for token in unescape_pointer(finding.pointer):
            if isinstance(node, dict) and token in node:
                if id(node) not in orders:
                    orders[id(node)] = {key: index for index, key in enumerate(node)}
                spots.append((orders[id(node)][token], ""))
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                spots.append((int(token), ""))
                node = node[int(token)]
            else:
                spots.append((len(node) if isinstance(node, (dict, list)) else 0, token))
                node = None
        return spots

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


@cache
def inlined_validator(kind: str, profile: Profile, strict: bool) -> Any:
    """:func:`~runcore._contract._schemas.validator` on the inlined schema: the same errors, found
    without resolving a reference and, unless ``strict`` (which records every object it checks),
    without descending into what the fast engine clears (a property test compares the two)."""
    cls = validator_classes()[1] if strict else _quick_class()
    return cls(inlined(root_uri(kind, profile)))


@cache
def _quick_class() -> Any:
    """runcore's dialect, not descending into a member or an item the fast engine proves jsonschema
    would find nothing in: an invalid object is explained without walking its valid parts
    (decisions.md#speed-never-changes-a-verdict)."""
    from jsonschema import Draft202012Validator, validators

    items = Draft202012Validator.VALIDATORS["items"]

    def quick_properties(validator, declared, instance, schema_):  # type: ignore[no-untyped-def]
        if validator.is_type(instance, "object"):
            for name, subschema in declared.items():
                if name in instance and not clears(instance[name], subschema):
                    yield from validator.descend(
                        instance[name], subschema, path=name, schema_path=name
                    )

    def quick_items(validator, each, instance, schema_):  # type: ignore[no-untyped-def]
        if each is False or "prefixItems" in schema_:
            yield from items(validator, each, instance, schema_)
        elif validator.is_type(instance, "array"):
            for index, item in enumerate(instance):
                if not clears(item, each):
                    yield from validator.descend(item, each, path=index)

    dialect = validator_classes()[0]
    return validators.extend(dialect, {"properties": quick_properties, "items": quick_items})
