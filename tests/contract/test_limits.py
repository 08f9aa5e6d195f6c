"""Every limit of the contract: a mutation just past it gives exactly one error, at exactly its pointer."""

from __future__ import annotations

import string
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runcore import schema, validate
from runcore._findings import pointer
from runcore.strategies import valid_objects

MUTATIONS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
METADATA_KINDS = [
    "run",
    "run_step",
    "create_run_request",
    "create_thread_and_run_request",
    "modify_run_request",
]
NAME_CHARS = string.ascii_letters + string.digits + "_-"


def only_finding(instance: Any, kind: str, profile: str = "spec") -> tuple[str, str]:
    findings = validate(instance, kind, profile=profile, invariants=False)
    assert len(findings) == 1, [str(f) for f in findings]
    assert findings[0].severity == "error"
    return findings[0].pointer, findings[0].code


def mutated(
    kind: str, change: Callable[[dict[str, Any]], None]
) -> st.SearchStrategy[dict[str, Any]]:
    def apply(instance: dict[str, Any]) -> dict[str, Any]:
        change(instance)
        return instance

    return valid_objects(kind, profile="spec").map(apply)


@pytest.mark.parametrize("kind", METADATA_KINDS)
@MUTATIONS
@given(data=st.data(), count=st.integers(17, 40))
def test_metadata_with_more_than_16_keys_is_one_error_at_metadata(
    kind: str, data: Any, count: int
) -> None:
    instance = data.draw(valid_objects(kind, profile="spec"))
    instance["metadata"] = {f"key{i}": "v" for i in range(count)}
    assert only_finding(instance, kind) == ("/metadata", "too_many_properties")


@pytest.mark.parametrize("kind", METADATA_KINDS)
@MUTATIONS
@given(data=st.data(), key=st.text(min_size=65, max_size=120))
def test_a_metadata_key_over_64_characters_is_one_error_at_that_key(
    kind: str, data: Any, key: str
) -> None:
    instance = data.draw(valid_objects(kind, profile="spec"))
    instance["metadata"] = {key: "v", "fine": "v"}
    assert only_finding(instance, kind) == (pointer(["metadata", key]), "too_long")


@pytest.mark.parametrize("kind", METADATA_KINDS)
@MUTATIONS
@given(data=st.data(), value=st.text(min_size=513, max_size=700))
def test_a_metadata_value_over_512_characters_is_one_error_at_that_key(
    kind: str, data: Any, value: str
) -> None:
    instance = data.draw(valid_objects(kind, profile="spec"))
    instance["metadata"] = {"a/b~c": value}
    assert only_finding(instance, kind) == ("/metadata/a~1b~0c", "too_long")


@pytest.mark.parametrize("kind", METADATA_KINDS)
@MUTATIONS
@given(data=st.data(), value=st.integers() | st.booleans() | st.lists(st.text(), max_size=2))
def test_a_metadata_value_that_is_not_a_string_is_one_error(
    kind: str, data: Any, value: Any
) -> None:
    instance = data.draw(valid_objects(kind, profile="spec"))
    instance["metadata"] = {"k": value}
    assert only_finding(instance, kind) == ("/metadata/k", "wrong_type")


bad_names = st.one_of(
    st.just(""),
    st.text(alphabet=NAME_CHARS, min_size=65, max_size=100),
    st.text(min_size=1, max_size=64).filter(lambda name: any(ch not in NAME_CHARS for ch in name)),
)


@pytest.mark.parametrize("kind", ["run", "create_run_request", "create_thread_and_run_request"])
@MUTATIONS
@given(data=st.data(), name=bad_names, good=st.text(alphabet=NAME_CHARS, min_size=1, max_size=64))
def test_a_function_name_outside_the_name_rule_is_one_error_at_that_name(
    kind: str, data: Any, name: str, good: str
) -> None:
    instance = data.draw(valid_objects(kind, profile="spec"))
    instance["tools"] = [
        {"type": "function", "function": {"name": good}},
        {"type": "function", "function": {"name": name}},
    ]
    assert only_finding(instance, kind) == ("/tools/1/function/name", "pattern_mismatch")


@pytest.mark.parametrize("field", ["max_prompt_tokens", "max_completion_tokens"])
@pytest.mark.parametrize("kind", ["run", "create_run_request", "create_thread_and_run_request"])
@MUTATIONS
@given(data=st.data(), tokens=st.integers(max_value=255))
def test_a_token_limit_below_256_is_one_error(
    kind: str, field: str, data: Any, tokens: int
) -> None:
    instance = data.draw(valid_objects(kind, profile="spec"))
    instance[field] = tokens
    assert only_finding(instance, kind) == (f"/{field}", "below_minimum")


@pytest.mark.parametrize("field", ["max_prompt_tokens", "max_completion_tokens"])
@pytest.mark.parametrize("kind", ["run", "create_run_request", "create_thread_and_run_request"])
@MUTATIONS
@given(data=st.data(), tokens=st.integers(min_value=256))
def test_a_token_limit_of_256_or_more_is_accepted(
    kind: str, field: str, data: Any, tokens: int
) -> None:
    instance = data.draw(valid_objects(kind, profile="spec"))
    instance[field] = tokens
    assert validate(instance, kind, profile="spec", invariants=False) == []


@MUTATIONS
@given(limit=st.integers(max_value=0) | st.integers(min_value=101))
def test_a_list_limit_outside_1_to_100_is_one_error(limit: int) -> None:
    assert only_finding({"limit": limit}, "list_query") == (
        "/limit",
        "below_minimum" if limit < 1 else "above_maximum",
    )


@given(limit=st.integers(1, 100))
def test_a_list_limit_from_1_to_100_is_accepted(limit: int) -> None:
    assert validate({"limit": limit, "order": "asc"}, "list_query") == []


@MUTATIONS
@given(number=st.integers(max_value=0) | st.integers(min_value=51))
def test_file_search_max_num_results_outside_1_to_50_is_one_error(number: int) -> None:
    body = {
        "assistant_id": "asst_1",
        "tools": [{"type": "file_search", "file_search": {"max_num_results": number}}],
    }
    expected = "below_minimum" if number < 1 else "above_maximum"
    assert only_finding(body, "create_run_request") == (
        "/tools/0/file_search/max_num_results",
        expected,
    )


@pytest.mark.parametrize("kind", ["run", "create_run_request"])
@MUTATIONS
@given(data=st.data(), count=st.integers(21, 25))
def test_more_than_20_tools_is_one_error_at_tools(kind: str, data: Any, count: int) -> None:
    instance = data.draw(valid_objects(kind, profile="spec"))
    instance["tools"] = [{"type": "code_interpreter"}] * count
    assert only_finding(instance, kind) == ("/tools", "too_many_items")


not_seconds = st.one_of(
    st.floats(min_value=0, max_value=2e9),  # 1714433726.0 included: integers carry no fraction
    st.integers(0, 2_000_000_000).map(str),
    st.integers(10**12, 2 * 10**12),
)


@pytest.mark.parametrize(
    ("kind", "field"),
    [
        ("run", "created_at"),
        ("run", "started_at"),
        ("run", "expires_at"),
        ("run", "completed_at"),
        ("run_step", "created_at"),
        ("run_step", "expired_at"),
        ("run_step", "failed_at"),
    ],
    ids=lambda value: str(value),
)
@MUTATIONS
@given(data=st.data(), value=not_seconds)
def test_a_timestamp_that_is_not_integer_seconds_is_one_error(
    kind: str, field: str, data: Any, value: Any
) -> None:
    instance = data.draw(valid_objects(kind, profile="spec"))
    instance[field] = value
    expected = "above_maximum" if isinstance(value, int) else "wrong_type"
    assert only_finding(instance, kind) == (f"/{field}", expected)


REQUEST_BOUNDS = [
    ("temperature", 2.0001, "above_maximum"),
    ("temperature", -0.1, "below_minimum"),
    ("top_p", 1.5, "above_maximum"),
    ("top_p", -1, "below_minimum"),
]


@pytest.mark.parametrize(
    ("field", "value", "code"), REQUEST_BOUNDS, ids=[f"{f}={v}" for f, v, _ in REQUEST_BOUNDS]
)
@pytest.mark.parametrize("kind", ["create_run_request", "create_thread_and_run_request"])
def test_sampling_bounds_of_requests_are_inclusive_and_enforced(
    kind: str, field: str, value: float, code: str
) -> None:
    assert only_finding({"assistant_id": "a", field: value}, kind) == (f"/{field}", code)
    assert validate({"assistant_id": "a", "temperature": 2, "top_p": 0}, kind) == []


def test_score_threshold_above_1_is_one_error() -> None:
    tool = {"type": "file_search", "file_search": {"ranking_options": {"score_threshold": 1.01}}}
    assert only_finding({"assistant_id": "a", "tools": [tool]}, "create_run_request") == (
        "/tools/0/file_search/ranking_options/score_threshold",
        "above_maximum",
    )


@pytest.mark.parametrize(
    ("kind", "body", "where"),
    [
        ("list_query", {"limit": 20.0}, "/limit"),
        (
            "create_run_request",
            {"assistant_id": "a", "max_prompt_tokens": 512.0},
            "/max_prompt_tokens",
        ),
    ],
    ids=["limit", "tokens"],
)
def test_an_integer_written_with_a_fraction_is_a_wrong_type(
    kind: str, body: dict, where: str
) -> None:
    assert only_finding(body, kind) == (where, "wrong_type")


def arrays(node: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every schema of an array in a schema document, by where it is in the document."""
    if isinstance(node, list):
        return [a for index, child in enumerate(node) for a in arrays(child, f"{path}/{index}")]
    if not isinstance(node, dict):
        return []
    types = node.get("type")
    own = (
        [(path, node)] if types == "array" or (isinstance(types, list) and "array" in types) else []
    )
    return own + [a for key, child in node.items() for a in arrays(child, f"{path}/{key}")]


REQUEST_ARRAYS = [
    (kind, where, node)
    for kind in (
        "create_run_request",
        "create_thread_and_run_request",
        "modify_run_request",
        "submit_tool_outputs_request",
    )
    for where, node in arrays(schema(kind))
]


@pytest.mark.parametrize(
    "kind, where, node", REQUEST_ARRAYS, ids=[f"{k}{w}" for k, w, _ in REQUEST_ARRAYS]
)
def test_every_array_of_a_request_body_has_a_bound_of_at_most_128_items(
    kind: str, where: str, node: dict[str, Any]
) -> None:
    assert node.get("maxItems", 129) <= 128


@pytest.mark.parametrize(
    "kind, body, where",
    [
        (
            "submit_tool_outputs_request",
            {"tool_outputs": [{"tool_call_id": "c", "output": "o"}]},
            "/tool_outputs",
        ),
        (
            "create_run_request",
            {"assistant_id": "a", "additional_messages": [{"role": "user", "content": "hi"}]},
            "/additional_messages",
        ),
        (
            "create_thread_and_run_request",
            {"assistant_id": "a", "thread": {"messages": [{"role": "user", "content": "hi"}]}},
            "/thread/messages",
        ),
    ],
    ids=["tool_outputs", "additional_messages", "thread_messages"],
)
def test_an_array_of_129_items_is_one_error_and_128_pass(
    kind: str, body: dict[str, Any], where: str
) -> None:
    array = body
    tokens = where.strip("/").split("/")
    for token in tokens[:-1]:
        array = array[token]
    item = array[tokens[-1]][0]
    array[tokens[-1]] = [item] * 128
    assert validate(body, kind) == []
    array[tokens[-1]] = [item] * 129
    assert only_finding(body, kind) == (where, "too_many_items")
