"""runcore.strategies: public hypothesis strategies drawn from the schema files."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import find, given

from runcore import UnknownKind
from runcore.strategies import _conjunction, json_values, valid_objects


def test_an_unknown_kind_is_refused_when_the_strategy_is_made() -> None:
    with pytest.raises(UnknownKind):
        valid_objects("runs")


@pytest.mark.parametrize(
    "schema",
    [{"type": "string", "format": "date-time"}, {"oneOf": [{"type": "string"}]}, {"not": {}}],
    ids=["format", "oneOf", "not"],
)
def test_a_keyword_the_strategies_do_not_know_fails_loudly(schema: dict[str, Any]) -> None:
    with pytest.raises(NotImplementedError, match="keywords"):
        find(_conjunction([(schema, "")]), lambda _: True)


def test_a_condition_other_than_a_discriminating_const_fails_loudly() -> None:
    schema = {
        "type": "object",
        "if": {"properties": {"a": {"type": "string"}}},
        "then": {"required": ["a"]},
    }
    with pytest.raises(NotImplementedError, match="branch on one property"):
        find(_conjunction([(schema, "")]), lambda _: True)


@given(json_values())
def test_json_values_are_json(value: Any) -> None:
    assert json.loads(json.dumps(value)) == value
