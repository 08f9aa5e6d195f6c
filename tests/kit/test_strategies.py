"""runcore.strategies: public hypothesis strategies, and the schema walker behind them."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

from runcore import KINDS, PROFILES, RUN_STATUSES, UnknownKind, validate
from runcore._schema_strategies import _conjunction
from runcore.strategies import RULES, invalid_variants, json_values, runs, valid_objects


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
            max_examples=3000,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        ),
    )
    assert validate(found, "run", profile="spec") == []


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.parametrize("status", RUN_STATUSES)
@given(data=st.data())
def test_runs_in_a_given_status_are_in_it_and_keep_the_whole_contract(
    status: str, data: Any
) -> None:
    run = data.draw(runs(status=status))
    assert run["status"] == status
    assert validate(run, "run", profile="spec") == []


def test_a_status_the_table_does_not_have_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown run status"):
        runs(status="paused")


VARIANT_CASES = [
    (kind, profile)
    for kind in KINDS
    for profile in PROFILES
    if any(kind in RULES[rule][0] for rule in RULES)
]


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.parametrize("kind, profile", VARIANT_CASES, ids=[f"{k}-{p}" for k, p in VARIANT_CASES])
@given(data=st.data())
def test_every_invalid_variant_gives_exactly_its_finding(
    kind: str, profile: str, data: Any
) -> None:
    variant = data.draw(invalid_variants(kind, profile=profile))
    findings = validate(variant.instance, kind, profile=profile, invariants=False)
    assert [(f.severity, f.code, f.pointer) for f in findings] == [
        ("error", variant.code, variant.pointer)
    ], variant.rule


def test_a_rule_that_does_not_apply_is_refused() -> None:
    with pytest.raises(ValueError, match="does not apply"):
        invalid_variants("run", profile="observed", rule="token_limit_below_256")


def test_without_hypothesis_the_strategies_say_what_to_install() -> None:
    code = "import sys; sys.modules['hypothesis'] = None; import runcore.strategies"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 1
    assert "pip install 'runcore[testing]'" in done.stderr
    core = (
        "import sys; sys.modules['hypothesis'] = None; import runcore; "
        "print(runcore.validate({}, 'list_query'))"
    )
    assert (
        subprocess.run([sys.executable, "-c", core], capture_output=True, text=True).stdout
        == "[]\n"
    )
