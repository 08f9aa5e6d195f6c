"""The fast accept engine: it clears an object the explaining engine would find nothing in, or says
"ask the explaining engine".

It runs jsonschema-rs (the ``[fast]`` extra, with orjson) on validators compiled from the same schema
files, and :func:`~runcore._contract._invariants.invariants_test` for the lifecycle rules. It never
makes a finding: an object it does not clear, and any exception in it, goes to the explaining
engine (``_validate``), so every finding comes from runcore's own code
(decisions.md#speed-never-changes-a-verdict). Where jsonschema-rs reads a value otherwise than
runcore does, a guard sends the object to the explaining engine:

- the value is not plain JSON (a cycle, nesting past orjson's 255 levels, an integer beyond 64
  bits, a subclass, a key that is not a string, a lone surrogate): orjson refuses to write it;
- NaN and infinities anywhere: every validator also checks that every value has a JSON type,
  which jsonschema-rs gives neither;
- a float where an integer belongs (jsonschema-rs counts ``1.0``, ``-0.0`` and ``1e3`` as
  integers), a tuple where an array does (jsonschema-rs counts it as an array), an enum member
  (jsonschema-rs reads its value): the places the schemas type as integer or array are looked
  at, and anything there but a plain JSON value is refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

from runcore._contract._invariants import TABLES, invariants_test, proven_plain
from runcore._contract._schemas import documents, inlined, root_uri
from runcore._kinds import KINDS, LIFECYCLE_TAGS, PAGE_ITEM_KINDS, PROFILES

# Every number in the object is finite: jsonschema-rs refuses NaN and infinities as numbers. Not a
# contract schema (the contract is the schema files), but the engine's guard for values in memory.
_FINITE_URI = "https://runcore.dev/engine/finite.json"
_FINITE = {
    "$id": _FINITE_URI,
    "anyOf": [  # the order that measured fastest on the recordings: most values are scalars
        {"type": ["null", "boolean", "string", "integer"]},
        {"type": "object", "additionalProperties": {"$ref": "#"}},
        {"type": "array", "items": {"$ref": "#"}},
        {"type": "number", "minimum": -1.7976931348623157e308, "maximum": 1.7976931348623157e308},
    ],
}

# test(instance, invariants, plain=False): ``plain`` when orjson read the instance.
Accept = Callable[..., bool]


def fast_accept(kind: str, profile: str) -> Accept | None:
    """The fast engine's test for a kind and profile: ``test(instance, invariants)`` is True only
    when ``validate`` finds nothing. None for an unknown kind or profile, when the ``[fast]`` extra
    is not installed, or when the schemas use what the engine is not proven to read as runcore
    does. Built once per kind and profile, when first asked for."""
    accept = _ACCEPTS.get((kind, profile), _UNBUILT)
    if accept is _UNBUILT:
        if kind not in KINDS or profile not in PROFILES:
            return None
        try:
            accept = _ACCEPTS[kind, profile] = _accept(kind, profile)
        except (ImportError, ValueError):  # UnprovenSchema, or schemas that cannot be inlined
            accept = _ACCEPTS[kind, profile] = None
    return accept  # type: ignore[return-value]


_ACCEPTS: dict[tuple[str, str], Accept | None] = {}
_UNBUILT = object()


def _accept(kind: str, profile: str) -> Accept:
    import orjson

    places = _places(kind, profile)
    fits = _fitter(places)
    is_valid = _compiled(kind, profile).is_valid
    dumps, plain_only = orjson.dumps, orjson.OPT_PASSTHROUGH_SUBCLASS
    tag = LIFECYCLE_TAGS.get(PAGE_ITEM_KINDS.get(kind, kind))
    holds = invariants_test(TABLES[tag], profile) if tag else None
    paged = kind in PAGE_ITEM_KINDS
    # With the invariants on, a run or step whose tag is its own has its timestamps and usage
    # proven plain by them: the places check leaves those out.
    fits_rest = _fitter(places, proven_plain(TABLES[tag])) if tag and not paged else fits

    def accept(instance: Any, invariants: bool, plain: bool = False) -> bool:
        try:
            if not plain:  # else proven by the parser (runcore._json.parse_bytes)
                dumps(instance, None, plain_only)  # raises on what is not plain JSON
            if not is_valid(instance):
                return False
            if not invariants or holds is None:
                return fits(instance)
            if not paged:
                if instance.get("object") != tag:
                    return fits(instance)
                return fits_rest(instance) and holds(instance)
            if not fits(instance):
                return False
            for item in instance["data"]:
                if item.get("object") == tag and not holds(item):
                    return False
            return True
        except Exception:  # any surprise in the fast engine: the explaining engine decides
            return False

    return accept


def clears(value: Any, schema: Any) -> bool:
    """True only when jsonschema finds nothing in ``value`` under ``schema``, a part of an
    :func:`~runcore._contract._schemas.inlined` schema (no ``$ref``): the explaining engine then
    need not descend into it. The same guards as :func:`fast_accept`, less the finite numbers
    (jsonschema reports no NaN; runcore's own check of values does, before it)."""
    found = _CLEARERS.get(id(schema))
    if found is None:  # keyed by id: the schema is kept with its test, so the id stays its own
        found = _CLEARERS[id(schema)] = (schema, _clearer(schema))
    check = found[1]
    return check is not None and check(value)


_CLEARERS: dict[int, tuple[Any, Fits | None]] = {}


def _clearer(schema: Any) -> Fits | None:
    try:
        import jsonschema_rs
        import orjson

        root = _Place()
        _visit(schema, root, 0)
        is_valid = jsonschema_rs.Draft202012Validator(schema, validate_formats=False).is_valid
    except (ImportError, UnprovenSchema):
        return None
    fits = _fitter(root)
    dumps, plain_only = orjson.dumps, orjson.OPT_PASSTHROUGH_SUBCLASS

    def check(value: Any) -> bool:
        try:
            dumps(value, None, plain_only)
            return bool(is_valid(value)) and fits(value)
        except Exception:  # any surprise: the explaining engine descends
            return False

    return check


@cache
def _registry() -> Any:
    import jsonschema_rs

    return jsonschema_rs.Registry(
        [*documents().items(), (_FINITE_URI, _FINITE)], draft=jsonschema_rs.Draft202012
    )


def _compiled(kind: str, profile: str) -> Any:
    import jsonschema_rs

    return jsonschema_rs.Draft202012Validator(
        {"allOf": [{"$ref": root_uri(kind, profile)}, {"$ref": _FINITE_URI}]},
        registry=_registry(),
        validate_formats=False,
    )


class UnprovenSchema(ValueError):
    """A schema uses a keyword or pattern the fast engine is not proven to read as runcore does."""


# Keywords both engines read alike (the property tests compare them on every kind): a schema with
# any other keyword keeps its kind on the explaining engine until it is added here and tested.
_KNOWN = frozenset(
    "$id $defs $comment title description default examples type enum const properties "
    "required additionalProperties propertyNames maxProperties items minItems maxItems minimum "
    "maximum minLength maxLength pattern allOf anyOf oneOf if then else".split()
)
# A pattern of ASCII letters, digits, `_` and `-`, classes of them, counted repeats and the two
# anchors reads the same in Rust's regex and in runcore's ECMA-262 translation
# (decisions.md#patterns-are-ecma-262-regular-expressions); any other is unproven.
_ATOM = r"(?:[A-Za-z0-9_-]|\[(?:[A-Za-z0-9_](?:-[A-Za-z0-9_])?)+-?\])"
_PLAIN_PATTERN = re.compile(rf"\^?(?:{_ATOM}(?:[*+?]|\{{[0-9]+(?:,[0-9]*)?\}})?)*\$?", re.ASCII)


def plain_pattern(pattern: str) -> bool:
    """Whether ``pattern`` reads the same as a Rust regex and as runcore's ECMA-262 regex."""
    return _PLAIN_PATTERN.fullmatch(pattern) is not None


Fits = Callable[[Any], bool]


def _fitter(places: _Place, proven: frozenset[str] = frozenset()) -> Fits:
    """The test that only plain JSON values (no float) sit at a marked place, or below one on the
    way to another: the places the schemas type as integer or array (less the members ``proven``
    plain by another test)."""
    names = {name: place for name, place in places.names.items() if name not in proven}
    leaves = tuple(name for name, place in names.items() if place.marked and place.leaf())
    nested = tuple(
        (name, _fitter(place))
        for name, place in names.items()
        if place.needed() and name not in leaves
    )
    items = _fitter(places.items) if places.items and places.items.needed() else None
    values = _fitter(places.values) if places.values and places.values.needed() else None

    def fits(value: Any) -> bool:
        kind = type(value)
        if kind is dict:
            get = value.get
            for name in leaves:
                if type(get(name)) not in _PLAIN:
                    return False
            for name, below in nested:
                member = get(name)
                if member is not None and not below(member):
                    return False
            if values is not None:
                for member in value.values():
                    if not values(member):
                        return False
            return True
        if kind is list:
            if items is not None:
                for member in value:
                    if not items(member):
                        return False
            return True
        return kind in _PLAIN

    return fits


# What may sit at a place typed integer or array, read the same by both engines: not a float (an
# integral one is an integer to jsonschema-rs), a tuple (an array to it), nor an enum member orjson
# writes as its value (jsonschema-rs reads the value; runcore, the member).
_PLAIN = frozenset({int, str, bool, type(None), dict, list})


def _places(kind: str, profile: str) -> _Place:
    """The places of a kind's instances that its schema under ``profile`` types as integer or array."""
    root = _Place()
    _visit(inlined(root_uri(kind, profile)), root, 0)
    return root


class _Place:
    """One place in the instance while the schemas are walked: marked, and the places below it."""

    def __init__(self) -> None:
        self.marked = False
        self.names: dict[str, _Place] = {}
        self.items: _Place | None = None
        self.values: _Place | None = None

    def named(self, name: str) -> _Place:
        """The place of the member ``name``."""
        return self.names.setdefault(name, _Place())

    def item(self) -> _Place:
        """The place of every item of an array."""
        self.items = self.items or _Place()
        return self.items

    def value(self) -> _Place:
        """The place of every member of an object."""
        self.values = self.values or _Place()
        return self.values

    def needed(self) -> bool:
        """Whether this place or one below it is marked."""
        return self.marked or not self.leaf()

    def leaf(self) -> bool:
        """Whether no place below this one is needed."""
        return not any(
            place.needed() for place in (*self.names.values(), self.items, self.values) if place
        )


def _visit(schema: Any, place: _Place, depth: int) -> None:
    """Mark the places where ``schema``, an inlined schema (no ``$ref``:
    :func:`~runcore._contract._schemas.inlined`), types a value as integer or array, following
    every applicator (a ``$ref``, nesting too deep or an unknown keyword is unproven)."""
    if not isinstance(schema, dict):
        return
    if depth > 64 or not _KNOWN.issuperset(schema):
        unknown = sorted(set(schema) - _KNOWN)
        raise UnprovenSchema(f"not proven for the fast engine: {unknown or 'nested too deep'}")
    if "pattern" in schema and not plain_pattern(schema["pattern"]):
        raise UnprovenSchema(f"pattern {schema['pattern']!r} is not proven to read alike")
    depth += 1
    types = schema.get("type")
    types = types if isinstance(types, list) else [types]
    listed = [schema["const"]] if "const" in schema else schema.get("enum", [])
    if "integer" in types or "array" in types or any(isinstance(item, list) for item in listed):
        place.marked = True
    for sub in (*schema.get("allOf", ()), *schema.get("anyOf", ()), *schema.get("oneOf", ())):
        _visit(sub, place, depth)
    for key in ("if", "then", "else"):
        _visit(schema.get(key), place, depth)
    _visit(schema.get("propertyNames"), _Place(), depth)  # keys: strings, never marked
    for name, sub in schema.get("properties", {}).items():
        _visit(sub, place.named(name), depth)
    _visit(schema.get("additionalProperties"), place.value(), depth)
    _visit(schema.get("items"), place.item(), depth)
