"""run_from_request(): the new run, its defaults, and the settings that make no run."""

from __future__ import annotations

from typing import Any

import pytest

from runcore import ClockSkew, InvalidDetails, run_from_request, validate
from tests.builders import T0
from tests.hostile import containers

ASSISTANT = {
    "id": "asst_1",
    "model": "gpt-4o",
    "instructions": "Be brief.",
    "tools": [{"type": "code_interpreter"}],
}


def make(
    request: dict[str, Any], assistant: dict[str, Any] = ASSISTANT, **options: Any
) -> dict[str, Any]:
    return run_from_request(
        {"assistant_id": "asst_1", **request},
        assistant,
        run_id="run_1",
        thread_id="thread_1",
        now=1_700_000_000,
        **options,
    )


def test_a_new_run_is_queued_with_the_documented_defaults() -> None:
    run = make({})
    assert validate(run, "run", profile="spec") == []
    assert {
        key: run[key]
        for key in (
            "status",
            "temperature",
            "top_p",
            "tool_choice",
            "parallel_tool_calls",
            "response_format",
            "truncation_strategy",
            "expires_at",
            "usage",
        )
    } == {
        "status": "queued",
        "temperature": 1,
        "top_p": 1,
        "tool_choice": "auto",
        "parallel_tool_calls": True,
        "response_format": "auto",
        "truncation_strategy": {"type": "auto", "last_messages": None},
        "expires_at": 1_700_000_600,
        "usage": None,
    }
    assert (run["model"], run["instructions"], run["tools"]) == (
        "gpt-4o",
        "Be brief.",
        [{"type": "code_interpreter"}],
    )


def test_explicit_request_values_win_even_when_falsy() -> None:
    run = make(
        {
            "temperature": 0,
            "top_p": 0,
            "parallel_tool_calls": False,
            "tools": [],
            "instructions": "",
            "model": "gpt-4.1",
            "tool_choice": "none",
            "metadata": {"k": "v"},
        }
    )
    assert (run["temperature"], run["top_p"], run["parallel_tool_calls"], run["tools"]) == (
        0,
        0,
        False,
        [],
    )
    assert (run["instructions"], run["model"], run["tool_choice"], run["metadata"]) == (
        "",
        "gpt-4.1",
        "none",
        {"k": "v"},
    )


def test_null_in_the_request_means_not_set() -> None:
    run = make({"temperature": None, "instructions": None, "tools": None})
    assert (run["temperature"], run["instructions"], run["tools"]) == (
        1,
        "Be brief.",
        [{"type": "code_interpreter"}],
    )


def test_the_assistant_settings_fill_what_the_request_leaves_out() -> None:
    run = make(
        {},
        {**ASSISTANT, "temperature": 0.2, "top_p": 0.5, "response_format": {"type": "json_object"}},
    )
    assert (run["temperature"], run["top_p"], run["response_format"]) == (
        0.2,
        0.5,
        {"type": "json_object"},
    )


def test_instructions_default_to_empty_and_additional_instructions_are_appended() -> None:
    assert make({}, {"model": "gpt-4o"})["instructions"] == ""
    assert make({"additional_instructions": "Cite."})["instructions"] == "Be brief.\n\nCite."
    assert (
        make({"additional_instructions": "Cite."}, {"model": "gpt-4o"})["instructions"] == "Cite."
    )


def test_expires_in_is_configurable_and_the_request_is_not_aliased() -> None:
    request = {"tools": [{"type": "file_search"}], "metadata": {"a": "b"}}
    run = make(request, expires_in=60)
    run["tools"].append({"type": "code_interpreter"})
    assert (run["expires_at"], request["tools"]) == (1_700_000_060, [{"type": "file_search"}])


@pytest.mark.parametrize(
    "request_, assistant, options, code, where",
    [
        ({}, {"model": None}, {}, "no_model", "/model"),
        ({"assistant_id": "asst_2"}, ASSISTANT, {}, "assistant_mismatch", "/assistant_id"),
        ({}, ASSISTANT, {"expires_in": 0}, "expires_in_invalid", "/expires_in"),
        ({}, ASSISTANT, {"now": 1.5}, "clock_invalid", "/now"),
    ],
    ids=["no-model", "other-assistant", "expires-in-zero", "float-now"],
)
def test_a_run_that_could_not_be_valid_is_refused(
    request_, assistant, options, code, where
) -> None:
    arguments = {"run_id": "run_1", "thread_id": "thread_1", "now": 1_700_000_000, **options}
    with pytest.raises(InvalidDetails) as raised:
        run_from_request({"assistant_id": "asst_1", **request_}, assistant, **arguments)
    assert [(f.code, f.pointer) for f in raised.value.findings] == [(code, where)]
    assert isinstance(raised.value, ClockSkew) == (code == "clock_invalid")


BROKEN_SETTINGS = [
    ({"max_prompt_tokens": 100}, {}, "/max_prompt_tokens"),
    ({"metadata": {"k" * 65: "v"}}, {}, "/metadata/" + "k" * 65),
    ({}, {"tools": [{"type": "code_interpreter"}] * 21}, "/tools"),
    (
        {"tools": [{"type": "function", "function": {"name": "bad name!"}}]},
        {},
        "/tools/0/function/name",
    ),
    ({"response_format": "none"}, {}, "/response_format"),
    (
        {"truncation_strategy": {"type": "last_messages", "last_messages": 0}},
        {},
        "/truncation_strategy/last_messages",
    ),
    ({"temperature": "hot"}, {}, "/temperature"),
    ({"tool_choice": "sometimes"}, {}, "/tool_choice"),
    ({"parallel_tool_calls": "yes"}, {}, "/parallel_tool_calls"),
    ({}, {"temperature": 7}, "/temperature"),
    ({}, {"top_p": 1.5}, "/top_p"),
    ({"temperature": float("nan")}, {}, "/temperature"),
    ({}, {"top_p": float("inf")}, "/top_p"),
    (
        {"tool_choice": {"type": "function", "function": {"name": "lookup"}}},
        {"tools": [{"type": "function", "function": {"name": "search"}}]},
        "/tool_choice/function/name",
    ),
]


@pytest.mark.parametrize(
    "request_, assistant, where",
    BROKEN_SETTINGS,
    ids=[
        "tokens",
        "metadata-key",
        "assistant-tools",
        "function-name",
        "response-format",
        "last-messages",
        "temperature",
        "tool-choice",
        "parallel",
        "assistant-temperature",
        "assistant-top-p",
        "nan-temperature",
        "assistant-infinite-top-p",
        "tool-choice-unknown-function",
    ],
)
def test_settings_that_break_the_contract_create_no_run(
    request_: dict, assistant: dict, where: str
) -> None:
    with pytest.raises(InvalidDetails, match="breaks the contract") as raised:
        run_from_request(
            {"assistant_id": "asst_1", **request_},
            {"id": "asst_1", "model": "gpt-4o", **assistant},
            run_id="run_1",
            thread_id="thread_1",
            now=T0,
        )
    assert [finding.pointer for finding in raised.value.findings] == [where]


@pytest.mark.parametrize(
    ("request_", "assistant", "code"),
    [
        ({"temperature": float("nan")}, {}, "non_finite_number"),
        ({}, {"temperature": 7}, "above_maximum"),
        ({"tool_choice": {"type": "function", "function": {"name": "f"}}}, {}, "unknown_function"),
    ],
    ids=["nan", "inherited-temperature", "tool-choice"],
)
def test_a_setting_a_request_could_not_carry_makes_no_run(
    request_: dict, assistant: dict, code: str
) -> None:
    # NaN is no JSON number and would make the stored run unserialisable (issue 10); an assistant's
    # value keeps the request limits; tool_choice names one of the run's functions.
    with pytest.raises(InvalidDetails) as raised:
        make(request_, {**ASSISTANT, **assistant})
    assert [f.code for f in raised.value.findings] == [code]


def test_the_new_run_shares_no_dict_or_list_with_the_request_or_the_assistant() -> None:
    request = {
        "assistant_id": "asst_1",
        "metadata": {"a": "b"},
        "truncation_strategy": {"type": "last_messages", "last_messages": 3},
        "response_format": {"type": "json_object"},
    }
    assistant = {
        **ASSISTANT,
        "tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}],
    }
    run = run_from_request(request, assistant, run_id="run_1", thread_id="thread_1", now=T0)
    assert not containers(run) & (containers(request) | containers(assistant))
