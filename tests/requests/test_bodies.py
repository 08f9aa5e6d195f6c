"""accept_request: request bodies in, the normalised request or the API's 400 out."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runcore import (
    REQUEST_KINDS,
    ApiError,
    UnknownKind,
    accept_request,
    json_body,
    validate,
)
from runcore._requests._templates import param_of
from runcore.strategies import invalid_variants, json_values, valid_objects

BODY_KINDS = [kind for kind in REQUEST_KINDS if kind != "list_query"]
NOT_PARSED = "We could not parse the JSON body of your request. (HINT: "


@settings(max_examples=25)
@given(data=st.data(), kind=st.sampled_from(BODY_KINDS))
def test_a_valid_body_comes_back_equal_as_bytes_text_or_parsed(data, kind: str) -> None:
    body = data.draw(valid_objects(kind))
    if kind in ("create_run_request", "create_thread_and_run_request"):
        body["assistant_id"] = "asst_" + body["assistant_id"]
    before = copy.deepcopy(body)
    text = json.dumps(body)
    accepted = [accept_request(text.encode(), kind), accept_request(text, kind)]
    accepted.append(accept_request(body, kind))
    assert accepted == [body] * 3
    assert body == before and accepted[2] is not body


@settings(max_examples=25)
@given(
    data=st.data(),
    kind=st.sampled_from(
        ["create_run_request", "create_thread_and_run_request", "modify_run_request"]
    ),
)
def test_a_body_that_breaks_one_rule_is_a_400_at_its_param_with_the_finding(data, kind) -> None:
    variant = data.draw(invalid_variants(kind))
    before = copy.deepcopy(variant.instance)
    with pytest.raises(ApiError) as refused:
        accept_request(variant.instance, kind)
    error = refused.value
    assert error.status == 400 and variant.instance == before
    assert [(f.code, f.pointer) for f in error.findings] == [(variant.code, variant.pointer)]
    assert validate(error.body, "error", profile="spec") == []
    if variant.code != "non_finite_number":  # not JSON at all: answered as a body not parsed
        assert error.body["error"]["param"] == param_of(variant.pointer, variant.instance)
        assert error.body["error"]["code"] is not None


V2_CASES = [
    # (evidence, kind, body, param, code, message)
    (
        "R-invalid-type",
        "modify_run_request",
        {"metadata": {"modified": True}},
        "metadata.modified",
        "invalid_type",
        "Invalid type for 'metadata.modified': expected a string, but got a boolean instead.",
    ),
    (
        "I-invalid-type-in-a-list",
        "submit_tool_outputs_request",
        {"tool_outputs": [{"tool_call_id": "call_1", "output": 42}]},
        "tool_outputs[0].output",
        "invalid_type",
        "Invalid type for 'tool_outputs[0].output': expected a string, but got an integer instead.",
    ),
    (
        "I-invalid-value-enum",
        "create_run_request",
        {"assistant_id": "asst_1", "tools": [{"type": "retrieval"}]},
        "tools[0].type",
        "invalid_value",
        "Invalid value: 'retrieval'. Supported values are: 'code_interpreter', 'file_search', "
        "and 'function'.",
    ),
    (
        "I-invalid-value-id-prefix",
        "create_run_request",
        {"assistant_id": "wf_abc"},
        "assistant_id",
        "invalid_value",
        "Invalid 'assistant_id': 'wf_abc'. Expected an ID that begins with 'asst'.",
    ),
    (
        "I-missing-required-parameter",
        "create_run_request",
        {},
        "assistant_id",
        "missing_required_parameter",
        "Missing required parameter: 'assistant_id'.",
    ),
    (
        "I-missing-required-parameter-nested",
        "create_run_request",
        {"assistant_id": "asst_1", "additional_messages": [{"content": "hi"}]},
        "additional_messages[0].role",
        "missing_required_parameter",
        "Missing required parameter: 'additional_messages[0].role'.",
    ),
    (
        "I-unknown-parameter",
        "create_run_request",
        {"assistant_id": "asst_1", "file_ids": []},
        "file_ids",
        "unknown_parameter",
        "Unknown parameter: 'file_ids'.",
    ),
    (
        "I-object-above-max-properties",
        "modify_run_request",
        {"metadata": {f"k{index}": "v" for index in range(17)}},
        "metadata",
        "object_above_max_properties",
        "Invalid 'metadata': too many properties. Expected an object with at most 16 properties, "
        "but got an object with 17 properties instead.",
    ),
    (
        "I-property-name-above-max-length",
        "modify_run_request",
        {"metadata": {"abc" + "x" * 60 + "xyz": "v"}},
        "metadata.abc" + "x" * 60 + "xyz",
        "property_name_above_max_length",
        "Invalid property name in 'metadata': 'abc...xyz' is too long. Expected a string with "
        "maximum length 64, but got a string with length 66 instead.",
    ),
    (
        "I-string-above-max-length",
        "modify_run_request",
        {"metadata": {"k": "v" * 513}},
        "metadata.k",
        "string_above_max_length",
        "Invalid 'metadata.k': string too long. Expected a string with maximum length 512, but got "
        "a string with length 513 instead.",
    ),
    (
        "I-empty-array",
        "create_run_request",
        {"assistant_id": "asst_1", "additional_messages": [{"role": "user", "content": []}]},
        "additional_messages[0].content",
        "empty_array",
        "Invalid 'additional_messages[0].content': empty array. Expected an array with minimum "
        "length 1, but got an empty array instead.",
    ),
    (
        "I-array-above-max-length",
        "create_run_request",
        {"assistant_id": "asst_1", "tools": [{"type": "code_interpreter"}] * 21},
        "tools",
        "array_above_max_length",
        "Invalid 'tools': array too long. Expected an array with maximum length 20, but got an "
        "array with length 21 instead.",
    ),
    (
        "X-integer-below-min-value",
        "create_run_request",
        {"assistant_id": "asst_1", "max_prompt_tokens": 100},
        "max_prompt_tokens",
        "integer_below_min_value",
        "Invalid 'max_prompt_tokens': integer below minimum value. Expected a value >= 256, but got "
        "100 instead.",
    ),
    (
        "I-decimal-above-max-value",
        "create_run_request",
        {"assistant_id": "asst_1", "temperature": 2.1},
        "temperature",
        "decimal_above_max_value",
        "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 2.1 "
        "instead.",
    ),
    (
        "X-decimal-below-min-value",
        "create_run_request",
        {"assistant_id": "asst_1", "top_p": -0.5},
        "top_p",
        "decimal_below_min_value",
        "Invalid 'top_p': decimal below minimum value. Expected a value >= 0, but got -0.5 instead.",
    ),
    (
        "X-invalid-type-of-a-union",
        "create_run_request",
        {"assistant_id": "asst_1", "tool_choice": 5},
        "tool_choice",
        "invalid_type",
        "Invalid type for 'tool_choice': expected a string or an object, but got an integer "
        "instead.",
    ),
    (
        "X-pattern",
        "create_run_request",
        {"assistant_id": "asst_1", "tools": [{"type": "function", "function": {"name": "a b"}}]},
        "tools[0].function.name",
        "invalid_value",
        "Invalid 'tools[0].function.name': string does not match pattern. Expected a string that "
        "matches the pattern '^[a-zA-Z0-9_-]{1,64}$'.",
    ),
    (
        "I-list-limit-above-max",
        "list_query",
        "limit=1000",
        "limit",
        "integer_above_max_value",
        "Invalid 'limit': integer above maximum value. Expected a value <= 100, but got 1000 "
        "instead.",
    ),
    (
        "X-list-limit-below-min",
        "list_query",
        "limit=0",
        "limit",
        "integer_below_min_value",
        "Invalid 'limit': integer below minimum value. Expected a value >= 1, but got 0 instead.",
    ),
    (
        "X-list-order",
        "list_query",
        "order=up",
        "order",
        "invalid_value",
        "Invalid value: 'up'. Supported values are: 'asc' and 'desc'.",
    ),
]


@pytest.mark.parametrize(
    ("kind", "body", "param", "code", "message"),
    [case[1:] for case in V2_CASES],
    ids=[case[0] for case in V2_CASES],
)
def test_a_bad_body_is_answered_in_the_v2_validators_words(
    kind: str, body: Any, param: str, code: str, message: str
) -> None:
    with pytest.raises(ApiError) as refused:
        accept_request(body, kind)
    assert refused.value.status == 400
    assert refused.value.body == {
        "error": {
            "message": message,
            "type": "invalid_request_error",
            "param": param,
            "code": code,
        }
    }


NOT_JSON = [
    ("duplicate-key", b'{"assistant_id": "asst_1", "assistant_id": "asst_2"}', "duplicate key"),
    ("nan", b'{"assistant_id": "asst_1", "temperature": NaN}', "NaN is not a JSON number"),
    ("infinity", b'{"assistant_id": "asst_1", "top_p": -Infinity}', "-Infinity"),
    ("huge-integer", b'{"assistant_id": "asst_1", "max_prompt_tokens": ' + b"9" * 5000 + b"}", ""),
    ("not-utf8", b'{"assistant_id": "asst_\xff"}', "not UTF-8: byte 0xff"),
    ("empty", b"", "Expecting value"),
    ("truncated", b'{"assistant_id": ', "Expecting value"),
    ("text", b"assistant_id=asst_1", "Expecting value"),
]


@pytest.mark.parametrize(("body", "hint"), [c[1:] for c in NOT_JSON], ids=[c[0] for c in NOT_JSON])
def test_a_body_that_is_not_strict_json_is_a_400_not_parsed(body: bytes, hint: str) -> None:
    # [I] stored-index 60854275875: the message and a parenthesised hint, param and code null.
    with pytest.raises(ApiError) as refused:
        accept_request(body, "create_run_request")
    inner = refused.value.body["error"]
    assert inner["message"].startswith(NOT_PARSED) and hint in inner["message"]
    assert (refused.value.status, inner["param"], inner["code"]) == (400, None, None)
    assert [f.code for f in refused.value.findings] == ["invalid_json"]


def test_nan_in_a_parsed_body_is_answered_as_the_same_body_on_the_wire_would_be() -> None:
    with pytest.raises(ApiError) as refused:
        accept_request(
            {"assistant_id": "asst_1", "temperature": float("nan")}, "create_run_request"
        )
    assert refused.value.body["error"]["message"].startswith(NOT_PARSED)
    assert [(f.pointer, f.code) for f in refused.value.findings] == [
        ("/temperature", "non_finite_number")
    ]


def test_every_finding_stays_on_the_answer_and_the_body_reports_the_first() -> None:
    body = {"assistant_id": 1, "temperature": 3, "file_ids": []}
    with pytest.raises(ApiError) as refused:
        accept_request(body, "create_run_request")
    assert [f.pointer for f in refused.value.findings] == [
        "/assistant_id",
        "/temperature",
        "/file_ids",
    ]
    assert refused.value.body["error"]["param"] == "assistant_id"


def test_a_list_query_gets_its_defaults() -> None:
    assert accept_request("after=run_1", "list_query") == {
        "limit": 20,
        "order": "desc",
        "after": "run_1",
    }
    assert accept_request({"order": "asc"}, "list_query") == {"limit": 20, "order": "asc"}
    with pytest.raises(ApiError) as refused:
        accept_request(b"after=\xff", "list_query")
    assert refused.value.body["error"]["message"].startswith("Invalid query string: not UTF-8")


@pytest.mark.parametrize("kind", ["run", "nothing", None])
def test_a_kind_that_is_not_a_request_kind_is_the_servers_mistake(kind: Any) -> None:
    with pytest.raises(UnknownKind):
        accept_request(b"{}", kind)


@settings(max_examples=150)
@given(
    body=st.one_of(
        st.binary(max_size=80),
        json_values().map(lambda value: json.dumps(value).encode()),
        st.dictionaries(st.sampled_from(["assistant_id", "tools", "metadata", "x"]), json_values()),
    ),
    kind=st.sampled_from(REQUEST_KINDS),
)
def test_fuzz_any_body_is_a_request_or_an_api_error_and_is_never_changed(body: Any, kind) -> None:
    before = copy.deepcopy(body)
    try:
        accepted = accept_request(body, kind)
    except ApiError as error:
        assert error.status == 400 and error.findings
        json.loads(json_body(error.body))
        assert validate(error.body, "error", profile="spec") == []
    else:
        assert isinstance(accepted, dict)
        json.dumps(accepted, allow_nan=False)
    assert body == before
