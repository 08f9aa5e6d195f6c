"""Drawing values from runcore's schema files: the walker behind ``runcore.strategies``.

``hypothesis-jsonschema`` does not run with current hypothesis, so this module walks the subset of
JSON Schema that runcore's schema files use: ``type``, ``const``, ``enum``, bounds, ``pattern``,
``properties``/``required``/``additionalProperties``, ``items``, ``$ref``, ``allOf``, ``anyOf`` and
``if``/``then``/``else`` on a discriminating property. A keyword it does not know is an error, so a
schema change that outgrows it fails loudly instead of drawing invalid objects.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from hypothesis import strategies as st

from runcore._contract._schemas import registry
from runcore._json import JSON_TYPES, json_type

_MAX_ITEMS = 3
_KNOWN = {
    "$schema",
    "$id",
    "$defs",
    "$ref",
    "$comment",
    "title",
    "description",
    "default",
    "type",
    "const",
    "enum",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "pattern",
    "properties",
    "required",
    "additionalProperties",
    "maxProperties",
    "propertyNames",
    "items",
    "minItems",
    "maxItems",
    "allOf",
    "anyOf",
    "if",
    "then",
    "else",
}

Bound = tuple[Any, str]  # a (sub)schema with the URI of the document it sits in


def from_schema(uri: str) -> st.SearchStrategy[Any]:
    """Values that the schema at ``uri`` (a document, or a place in one) accepts."""
    return _conjunction([({"$ref": uri}, uri.split("#")[0])])


def json_values(*, max_leaves: int = 6) -> st.SearchStrategy[Any]:
    """Small arbitrary JSON values (no NaN, no infinity), at most ``max_leaves`` scalars in each.

    >>> import json
    >>> from hypothesis import given
    >>> @given(json_values())
    ... def test_they_survive_json(value):
    ...     assert json.loads(json.dumps(value)) == value
    >>> test_they_survive_json()
    """
    scalars = (
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(max_size=8)
    )
    return st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
        ),
        max_leaves=max_leaves,
    )


def _flatten(parts: list[Bound]) -> tuple[list[Bound], list[Bound]]:
    """Resolve ``$ref`` and ``allOf`` into plain atoms; set ``if``/``then``/``else`` apart."""
    atoms: list[Bound] = []
    conditionals: list[Bound] = []
    pending = list(parts)
    while pending:
        part, base = pending.pop(0)
        if part is True or part == {}:
            continue
        unknown = set(part) - _KNOWN
        if unknown:
            raise NotImplementedError(f"strategies cannot draw from keywords {sorted(unknown)}")
        if "$ref" in part:
            target = urljoin(base, part["$ref"])
            pending.append((registry().resolver().lookup(target).contents, target.split("#")[0]))
        pending.extend((sub, base) for sub in part.get("allOf", ()))
        if "if" in part:
            conditionals.append((part, base))
        atoms.append(
            (
                {k: v for k, v in part.items() if k not in ("$ref", "allOf", "if", "then", "else")},
                base,
            )
        )
    return atoms, conditionals


def _conjunction(parts: list[Bound]) -> st.SearchStrategy[Any]:
    """Values valid under every schema in ``parts`` at once."""
    atoms, conditionals = _flatten(parts)
    for atom, base in atoms:
        if "anyOf" in atom:
            rest = [(a, r) for a, r in atoms if a is not atom] + conditionals
            trimmed = ({k: v for k, v in atom.items() if k != "anyOf"}, base)
            return st.one_of(
                [_conjunction(rest + [trimmed, (branch, base)]) for branch in atom["anyOf"]]
            )
    schemas = [atom for atom, _ in atoms]
    choices = _choices(schemas)
    if choices is not None:
        return st.sampled_from(choices)
    types = _types(schemas)
    if conditionals and types != ["object"]:
        # An `if` on a property holds vacuously for a non-object, so each `then` applies to it.
        thens = [(c["then"], r) for c, r in conditionals if "then" in c]
        return st.one_of([_objects(atoms, conditionals)] if "object" in types else []) | st.one_of(
            [_conjunction(atoms + thens + [({"type": t}, "")]) for t in types if t != "object"]
        )
    return st.one_of([_of_type(kind, atoms, conditionals) for kind in types])


def _choices(schemas: list[dict[str, Any]]) -> list[Any] | None:
    allowed: list[Any] | None = None
    for s in schemas:
        values = [s["const"]] if "const" in s else s.get("enum")
        if values is not None:
            allowed = list(values) if allowed is None else [v for v in allowed if v in values]
    if allowed is None:
        return None
    types = _types(schemas)
    fitting = [
        value
        for value in allowed
        if json_type(value) in types or (json_type(value) == "integer" and "number" in types)
    ]
    if not fitting:
        raise ValueError(f"no value satisfies {schemas}")
    return fitting


def _types(schemas: list[dict[str, Any]]) -> list[str]:
    types = list(JSON_TYPES)
    for s in schemas:
        if "type" in s:
            declared = s["type"] if isinstance(s["type"], list) else [s["type"]]
            types = [t for t in types if t in declared or (t == "integer" and "number" in declared)]
    return types


def _of_type(kind: str, atoms: list[Bound], conditionals: list[Bound]) -> st.SearchStrategy[Any]:
    schemas = [atom for atom, _ in atoms]
    low = max((s["minimum"] for s in schemas if "minimum" in s), default=None)
    high = min((s["maximum"] for s in schemas if "maximum" in s), default=None)
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        return st.integers(min_value=low, max_value=high)
    if kind == "number":
        return st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False)
    if kind == "string":
        return _strings(schemas)
    if kind == "array":
        return _arrays(atoms)
    return _objects(atoms, conditionals)


def _strings(schemas: list[dict[str, Any]]) -> st.SearchStrategy[str]:
    shortest = max((s["minLength"] for s in schemas if "minLength" in s), default=0)
    longest = min((s["maxLength"] for s in schemas if "maxLength" in s), default=None)
    patterns = list(dict.fromkeys(s["pattern"] for s in schemas if "pattern" in s))
    if len(patterns) > 1:
        raise NotImplementedError("strategies draw from one pattern per string")
    if patterns:
        return st.from_regex(patterns[0], fullmatch=True).filter(
            lambda text: shortest <= len(text) and (longest is None or len(text) <= longest)
        )
    return st.text(min_size=shortest, max_size=longest if longest is not None else 12)


def _arrays(atoms: list[Bound]) -> st.SearchStrategy[list[Any]]:
    items = [(atom["items"], base) for atom, base in atoms if "items" in atom]
    shortest = max((atom.get("minItems", 0) for atom, _ in atoms), default=0)
    longest = min((atom["maxItems"] for atom, _ in atoms if "maxItems" in atom), default=_MAX_ITEMS)
    element = _conjunction(items) if items else json_values()
    return st.lists(element, min_size=shortest, max_size=max(shortest, min(longest, _MAX_ITEMS)))


@st.composite
def _objects(draw: st.DrawFn, atoms: list[Bound], conditionals: list[Bound]) -> dict[str, Any]:
    chosen: dict[str, Any] = {}
    pending = list(conditionals)
    while pending:
        (conditional, base) = pending.pop(0)
        name, wanted = _discriminator(conditional["if"])
        if name not in chosen and _property_parts(atoms, name):
            chosen[name] = draw(_conjunction(_property_parts(atoms, name)))
        holds = chosen[name] == wanted if name in chosen else draw(st.booleans())
        branch = conditional.get("then" if holds else "else")
        extra = [(conditional["if"], base)] if holds else []
        if branch is not None:
            extra.append((branch, base))
        new_atoms, new_conditionals = _flatten(extra)
        atoms = atoms + new_atoms
        pending += new_conditionals
    return draw(_members(atoms, chosen))


def _discriminator(condition: dict[str, Any]) -> tuple[str, Any]:
    properties = condition.get("properties", {})
    rules = list(properties.values())
    if set(condition) - {"required", "properties"} or len(rules) != 1 or set(rules[0]) != {"const"}:
        raise NotImplementedError(f"strategies branch on one property's const, not on {condition}")
    ((name, rule),) = properties.items()
    return name, rule["const"]


def _property_parts(atoms: list[Bound], name: str) -> list[Bound]:
    return [
        (atom["properties"][name], r) for atom, r in atoms if name in atom.get("properties", {})
    ]


@st.composite
def _members(draw: st.DrawFn, atoms: list[Bound], chosen: dict[str, Any]) -> dict[str, Any]:
    required = {name for atom, _ in atoms for name in atom.get("required", ())}
    names = list(dict.fromkeys(name for atom, _ in atoms for name in atom.get("properties", {})))
    result: dict[str, Any] = {}
    for name in names:
        if name in chosen:
            result[name] = chosen[name]
        elif name in required or draw(st.booleans()):
            result[name] = draw(_conjunction(_property_parts(atoms, name)))
    for name in sorted(required - set(result)):
        result[name] = chosen.get(name, draw(json_values()))
    extra = [
        (atom["additionalProperties"], r)
        for atom, r in atoms
        if isinstance(atom.get("additionalProperties"), dict)
    ]
    if extra and not names:
        longest_key = min(
            (
                atom["propertyNames"].get("maxLength", 64)
                for atom, _ in atoms
                if "propertyNames" in atom
            ),
            default=16,
        )
        most = min(
            (atom["maxProperties"] for atom, _ in atoms if "maxProperties" in atom),
            default=_MAX_ITEMS,
        )
        result.update(
            draw(
                st.dictionaries(
                    st.text(max_size=longest_key),
                    _conjunction(extra),
                    max_size=min(most, _MAX_ITEMS),
                )
            )
        )
    open_ = (
        not names
        and not extra
        and all(atom.get("additionalProperties", True) is not False for atom, _ in atoms)
    )
    if open_:
        result.update(draw(st.dictionaries(st.text(max_size=8), json_values(), max_size=2)))
    return result
