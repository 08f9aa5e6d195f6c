"""Hostile values for the probe tables and the fuzz suites, and how to tell that an input is unchanged.

A helper for the tests, not a test module. ``RUNCORE_FUZZ=long`` runs the fuzz suites with 40 times
the examples of the default (CI) run.
"""

from __future__ import annotations

import math
import os
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from runcore._json import MAX_DEPTH

LONG = os.environ.get("RUNCORE_FUZZ", "") == "long"


def fuzz(examples: int) -> settings:
    """Settings for a fuzz test: ``examples`` in CI, 40 times as many with RUNCORE_FUZZ=long."""
    return settings(
        max_examples=examples * 40 if LONG else examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )


def nested(depth: int, inner: Any = None) -> list[Any]:
    """``inner`` inside ``depth`` lists."""
    value: Any = inner
    for _ in range(depth):
        value = [value]
    return value


def looped() -> dict[str, Any]:
    """A dict that contains itself."""
    loop: dict[str, Any] = {"a": 1}
    loop["self"] = loop
    return loop


# Values of every shape where runcore expects something else, by a readable name.
ODD: dict[str, Any] = {
    "null": None,
    "true": True,
    "zero": 0,
    "negative": -1,
    "float": 1.5,
    "nan": math.nan,
    "infinity": -math.inf,
    "empty-string": "",
    "status-string": "in_progress",
    "newline": "get_weather\n",
    "empty-list": [],
    "status-list": ["in_progress"],
    "empty-dict": {},
    "dict": {"status": "queued", "id": ["x"]},
    "huge-int": 10**5000,
    "too-deep": nested(MAX_DEPTH + 88),
    "loop": looped(),
    "tuple": ("in_progress",),
    "set": {"in_progress"},
    "object": object(),
}


def scalars() -> st.SearchStrategy[Any]:
    return (
        st.none()
        | st.booleans()
        | st.integers()
        | st.builds(
            lambda digits, sign: sign * 10**digits,
            st.sampled_from([19, 4400, 5000]),
            st.sampled_from([1, -1]),
        )
        | st.floats()
        | st.text(max_size=8)
        | st.sampled_from(["", "in_progress", "thread.run", "get_weather\n", "\x1b[2J", "\ud800"])
    )


def json_values(max_leaves: int = 12) -> st.SearchStrategy[Any]:
    """Values of any JSON shape, with NaN, infinities, huge integers and odd strings."""
    return st.recursive(
        scalars(),
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
        ),
        max_leaves=max_leaves,
    )


def odd_values() -> st.SearchStrategy[Any]:
    """The values of :data:`ODD` (drawn by name: hypothesis cannot show an integer too long for str)."""
    return st.sampled_from(sorted(ODD)).map(ODD.__getitem__)


def hostile_values() -> st.SearchStrategy[Any]:
    """JSON values, values that are not JSON, values that contain themselves or nest too deep."""
    return st.one_of(
        json_values(),
        odd_values(),
        json_values(4).map(lambda inner: nested(MAX_DEPTH + 1, inner)),
        json_values(4).map(lambda inner: {"inner": inner, "loop": looped()}),
        st.tuples(scalars(), scalars()),
    )


def snapshot(value: Any) -> Any:
    """A deep copy of dicts and lists that copes with any depth and with values containing
    themselves (``copy.deepcopy`` recurses and fails on deep values)."""
    memo: dict[int, Any] = {}
    top: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(top, 0, value)]
    while stack:
        holder, key, node = stack.pop()
        if not isinstance(node, (dict, list)):
            holder[key] = node
        elif id(node) in memo:
            holder[key] = memo[id(node)]
        else:
            copy: Any = dict.fromkeys(node) if isinstance(node, dict) else [None] * len(node)
            memo[id(node)] = holder[key] = copy
            members = node.items() if isinstance(node, dict) else enumerate(node)
            stack.extend((copy, name, child) for name, child in members)
    return top[0]


def same(one: Any, other: Any) -> bool:
    """Deep equality that copes with any depth, loops, and NaN (equal to itself here)."""
    seen: set[tuple[int, int]] = set()
    stack = [(one, other)]
    while stack:
        a, b = stack.pop()
        if type(a) is not type(b):
            return False
        if isinstance(a, float):
            if not (a == b or (math.isnan(a) and math.isnan(b))):
                return False
        elif isinstance(a, (dict, list)):
            if (id(a), id(b)) in seen:
                continue
            seen.add((id(a), id(b)))
            if len(a) != len(b) or (isinstance(a, dict) and list(a) != list(b)):
                return False
            stack.extend(
                zip(a.values(), b.values(), strict=True)
                if isinstance(a, dict)
                else zip(a, b, strict=True)
            )
        elif a != b:
            return False
    return True


def containers(value: Any) -> set[int]:
    """The ids of every dict and list in a value (each once, loops included)."""
    found: set[int] = set()
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, (dict, list)) and id(node) not in found:
            found.add(id(node))
            stack.extend(node.values() if isinstance(node, dict) else node)
    return found


@st.composite
def planted(draw: st.DrawFn, objects: st.SearchStrategy[Any]) -> tuple[Any, list[Any]]:
    """An object with a hostile value planted anywhere in it (replacing a member or added), and the
    path where it was planted."""
    obj = snapshot(draw(objects))  # a strategy may give a shared object: plant in a copy
    holder: Any = None
    node, path = obj, []
    while isinstance(node, (dict, list)) and node and draw(st.integers(0, 3)) > 0:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        key = draw(st.sampled_from(keys))
        holder, node, path = node, node[key], [*path, key]
    value = draw(hostile_values())
    if isinstance(node, dict) and draw(st.booleans()):
        name = draw(st.text(max_size=6))
        node[name] = value
        return obj, [*path, name]
    if holder is None:
        return value, []
    holder[path[-1]] = value
    return obj, path
