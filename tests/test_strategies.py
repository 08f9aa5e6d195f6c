"""runcore.strategies: public hypothesis strategies drawn from the schema files."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings

from runcore import RUN_STATUSES, UnknownKind, validate
from runcore.strategies import _conjunction, json_values, runs, valid_objects


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


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(runs())
def test_runs_drawn_by_walking_the_table_keep_the_whole_contract(run: dict[str, Any]) -> None:
    assert validate(run, "run", profile="spec") == []
    assert validate(run) == []


@pytest.mark.parametrize("status", RUN_STATUSES)
def test_runs_reach_every_status(status: str) -> None:
    found = find(
        runs(),
        lambda run: run["status"] == status,
        settings=settings(
            max_examples=3000, database=None, phases=[Phase.generate], suppress_health_check=list(HealthCheck)
        ),
    )
    assert validate(found, "run", profile="spec") == []
