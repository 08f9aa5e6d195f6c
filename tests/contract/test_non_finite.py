"""NaN and infinities: a finding in every kind, wherever they are (no bound of a schema catches NaN)."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from runcore import KINDS, PROFILES, validate
from runcore._findings import pointer
from runcore.strategies import valid_objects

DISCRIMINATORS = {"type", "object", "status"}


def leaves(node: Any, path: list[Any]) -> list[list[Any]]:
    """The paths of every number or string in a value, but for the tags that choose a schema branch."""
    if isinstance(node, dict):
        return [p for key, child in node.items() for p in leaves(child, [*path, key])]
    if isinstance(node, list):
        return [p for index, child in enumerate(node) for p in leaves(child, [*path, index])]
    scalar = isinstance(node, (int, float, str)) and not isinstance(node, bool)
    return [path] if scalar and not (path and path[-1] in DISCRIMINATORS) else []


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data(), number=st.sampled_from([math.nan, math.inf, -math.inf]))
def test_a_non_finite_number_anywhere_is_one_finding_at_its_pointer(
    kind: str, profile: str, data: Any, number: float
) -> None:
    instance = data.draw(valid_objects(kind, profile=profile))
    places = leaves(instance, [])
    assume(places)
    path = data.draw(st.sampled_from(places))
    parent = instance
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = number
    findings = validate(instance, kind, profile=profile, invariants=False)
    assert [(f.code, f.pointer) for f in findings] == [("non_finite_number", pointer(path))]


@pytest.mark.parametrize("field", ["temperature", "top_p"])
def test_nan_sampling_settings_are_refused_although_no_bound_fails_on_nan(field: str) -> None:
    body = {"assistant_id": "asst_1", field: float("nan")}
    (finding,) = validate(body, "create_run_request")
    assert (finding.code, finding.pointer, finding.category) == (
        "non_finite_number",
        f"/{field}",
        "schema",
    )


def test_an_infinity_in_an_open_place_of_a_response_is_a_finding_too() -> None:
    findings = validate({"object": "thread.run", "extra": {"x": [float("-inf")]}}, invariants=False)
    assert ("non_finite_number", "/extra/x/0") in [(f.code, f.pointer) for f in findings]
