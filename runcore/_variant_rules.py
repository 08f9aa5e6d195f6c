"""The rules ``invalid_variants`` breaks, one at a time: each a mutation of a valid object that gives
exactly one error finding, its code and where."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from runcore._contract._tolerances import tolerates_set
from runcore._json import is_integer, is_json_text
from runcore._kinds import REQUEST_KINDS, Profile
from runcore._tables import RUN_TABLE, STEP_TABLE, StatusTable

Path = list[str | int]
# Breaks the rule in a valid object, in place, and says where and with which code.
Mutation = Callable[[st.DrawFn, dict[str, Any], Profile], tuple[Path, str]]


@dataclass(frozen=True)
class Rule:
    """A rule of the contract: the kinds it applies to, how to break it, and where it holds.

    ``statuses``: by kind (``run``, ``run_step``), the statuses an object must be in to break it
    (a kind not named: any). ``spec_only``: the ``observed`` profile allows what breaks it in a
    response, as the hosted API sent it.
    """

    kinds: tuple[str, ...]
    mutation: Mutation
    statuses: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    spec_only: bool = False


_METADATA_KINDS = (
    "run",
    "run_step",
    "create_run_request",
    "create_thread_and_run_request",
    "modify_run_request",
)
_CREATE_KINDS = ("create_run_request", "create_thread_and_run_request")
_TOOL_KINDS = ("run", *_CREATE_KINDS)
_NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"
_TABLES = {"thread.run": RUN_TABLE, "thread.run.step": STEP_TABLE}
_CALLS = ["required_action", "submit_tool_outputs", "tool_calls"]


def _table(obj: dict[str, Any]) -> StatusTable:
    return _TABLES[obj["object"]]


# -- metadata, tools, settings ---------------------------------------------------------------------


def _metadata_too_many_keys(draw: st.DrawFn, obj: dict[str, Any], _: Profile) -> tuple[Path, str]:
    obj["metadata"] = {f"key{i}": "v" for i in range(draw(st.integers(17, 40)))}
    return ["metadata"], "too_many_properties"


def _metadata_key_too_long(draw: st.DrawFn, obj: dict[str, Any], _: Profile) -> tuple[Path, str]:
    key = draw(st.text(min_size=65, max_size=120))
    obj["metadata"] = {key: "v", "fine": "v"}
    return ["metadata", key], "too_long"


def _metadata_value_too_long(draw: st.DrawFn, obj: dict[str, Any], _: Profile) -> tuple[Path, str]:
    obj["metadata"] = {"a/b~c": draw(st.text(min_size=513, max_size=700))}
    return ["metadata", "a/b~c"], "too_long"


def _metadata_value_not_a_string(
    draw: st.DrawFn, obj: dict[str, Any], _: Profile
) -> tuple[Path, str]:
    obj["metadata"] = {"k": draw(st.integers() | st.booleans() | st.lists(st.text(), max_size=2))}
    return ["metadata", "k"], "wrong_type"


_BAD_NAMES = st.one_of(
    st.just(""),
    st.text(alphabet=_NAME_CHARS, min_size=65, max_size=100),
    st.text(min_size=1, max_size=64).filter(lambda name: any(ch not in _NAME_CHARS for ch in name)),
)


def _function_name_outside_the_rule(
    draw: st.DrawFn, obj: dict[str, Any], _: Profile
) -> tuple[Path, str]:
    good = draw(st.text(alphabet=_NAME_CHARS, min_size=1, max_size=64))
    obj["tools"] = [
        {"type": "function", "function": {"name": good}},
        {"type": "function", "function": {"name": draw(_BAD_NAMES)}},
    ]
    return ["tools", 1, "function", "name"], "pattern_mismatch"


def _more_than_20_tools(draw: st.DrawFn, obj: dict[str, Any], _: Profile) -> tuple[Path, str]:
    obj["tools"] = [{"type": "code_interpreter"}] * draw(st.integers(21, 25))
    return ["tools"], "too_many_items"


def _token_limit_below_256(draw: st.DrawFn, obj: dict[str, Any], _: Profile) -> tuple[Path, str]:
    field = draw(st.sampled_from(["max_prompt_tokens", "max_completion_tokens"]))
    obj[field] = draw(st.integers(max_value=255))
    return [field], "below_minimum"


def _temperature_not_finite(draw: st.DrawFn, obj: dict[str, Any], _: Profile) -> tuple[Path, str]:
    obj["temperature"] = draw(st.sampled_from([float("nan"), float("inf"), float("-inf")]))
    return ["temperature"], "non_finite_number"


def _sampling_above_its_maximum(
    draw: st.DrawFn, obj: dict[str, Any], _: Profile
) -> tuple[Path, str]:
    field, most = draw(st.sampled_from([("temperature", 2), ("top_p", 1)]))
    obj[field] = draw(
        st.floats(min_value=most, exclude_min=True, max_value=1e9) | st.integers(most + 1)
    )
    return [field], "above_maximum"


def _assistant_id_missing(draw: st.DrawFn, obj: dict[str, Any], _: Profile) -> tuple[Path, str]:
    del obj["assistant_id"]
    return ["assistant_id"], "missing_field"


def _unknown_field_in_a_request(
    draw: st.DrawFn, obj: dict[str, Any], _: Profile
) -> tuple[Path, str]:
    # Request bodies are closed (decisions.md#request-bodies-are-closed); no declared name starts so.
    name = "x_" + draw(st.text(max_size=10))
    obj[name] = draw(st.none() | st.integers() | st.text(max_size=5))
    return [name], "unknown_field"


def _more_than_128_tool_outputs(
    draw: st.DrawFn, obj: dict[str, Any], _: Profile
) -> tuple[Path, str]:
    obj["tool_outputs"] = [
        {"tool_call_id": f"call_{i}", "output": "x"} for i in range(draw(st.integers(129, 140)))
    ]
    return ["tool_outputs"], "too_many_items"


def _tool_output_not_text(draw: st.DrawFn, obj: dict[str, Any], _: Profile) -> tuple[Path, str]:
    value = draw(st.integers() | st.booleans() | st.dictionaries(st.text(max_size=3), st.text()))
    obj["tool_outputs"] = [{"tool_call_id": "call_1", "output": value}]
    return ["tool_outputs", 0, "output"], "wrong_type"


def _list_limit_out_of_range(draw: st.DrawFn, obj: dict[str, Any], _: Profile) -> tuple[Path, str]:
    obj["limit"] = draw(st.integers(max_value=0) | st.integers(min_value=101))
    return ["limit"], "below_minimum" if obj["limit"] < 1 else "above_maximum"


def _list_order_unknown(draw: st.DrawFn, obj: dict[str, Any], _: Profile) -> tuple[Path, str]:
    obj["order"] = draw(st.text().filter(lambda text: text not in ("asc", "desc")))
    return ["order"], "invalid_value"


def _error_without_message(draw: st.DrawFn, obj: dict[str, Any], _: Profile) -> tuple[Path, str]:
    del obj["error"]["message"]
    return ["error", "message"], "missing_field"


def _delta_tool_call_without_index(
    draw: st.DrawFn, obj: dict[str, Any], _: Profile
) -> tuple[Path, str]:
    call_type = draw(st.sampled_from(["code_interpreter", "function"]))  # file_search needs more
    obj["delta"] = {"step_details": {"type": "tool_calls", "tool_calls": [{"type": call_type}]}}
    return ["delta", "step_details", "tool_calls", 0, "index"], "missing_field"


# -- timestamps and the lifecycle invariants -----------------------------------------------------


def _timestamp_not_integer_seconds(
    draw: st.DrawFn, obj: dict[str, Any], _: Profile
) -> tuple[Path, str]:
    table = _table(obj)
    named = (*table.timestamps, "expires_at") if table is RUN_TABLE else table.timestamps
    present = [name for name in named if is_integer(obj.get(name))]
    # Milliseconds only where a larger value keeps the order of the timestamps.
    latest = [name for name in present if name not in ("created_at", "started_at")]
    field = draw(st.sampled_from(present))
    wrong = st.floats(min_value=0, max_value=2e9) | st.integers(0, 2_000_000_000).map(str)
    milliseconds = st.integers(10**12, 2 * 10**12)
    value = draw(wrong | milliseconds if field in latest else wrong)
    obj[field] = value  # 1714433726.0 among the floats: integers carry no fraction
    return [field], "above_maximum" if isinstance(value, int) else "wrong_type"


def _field_the_status_requires_is_null(
    draw: st.DrawFn, obj: dict[str, Any], _: Profile
) -> tuple[Path, str]:
    fields = _table(obj).fields
    field = draw(
        st.sampled_from(sorted(f for f in fields if obj["status"] in fields[f]["required"]))
    )
    obj[field] = None
    return [field], f"{field}_missing"


def _field_the_status_forbids_is_set(
    draw: st.DrawFn, obj: dict[str, Any], profile: Profile
) -> tuple[Path, str]:
    table, status = _table(obj), obj["status"]
    fields = [
        name
        for name, rule in table.fields.items()
        if status not in rule["allowed"] and not tolerates_set(profile, table.tag, name, status)
    ]
    field = draw(st.sampled_from(sorted(fields)))
    latest = max(
        obj[name] for name in (*table.timestamps, "expires_at") if is_integer(obj.get(name))
    )
    obj[field] = _SET_VALUES.get(field, latest + draw(st.integers(0, 100)))
    return [field], f"{field}_unexpected"


_SET_VALUES = {
    "required_action": {
        "type": "submit_tool_outputs",
        "submit_tool_outputs": {
            "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
            ]
        },
    },
    "last_error": {"code": "server_error", "message": "Sorry, something went wrong."},
    "incomplete_details": {"reason": "max_prompt_tokens"},
    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
}


def _timestamp_before_its_start(
    draw: st.DrawFn, obj: dict[str, Any], _: Profile
) -> tuple[Path, str]:
    table = _table(obj)
    # A run's started_at, a step's end: each is later than created_at alone.
    field = (
        "started_at"
        if table is RUN_TABLE
        else next(name for name in table.timestamps[1:] if is_integer(obj.get(name)))
    )
    obj[field] = obj["created_at"] - draw(st.integers(1, 10**6))
    return [field], "timestamp_order"


def _usage_does_not_add_up(draw: st.DrawFn, obj: dict[str, Any], _: Profile) -> tuple[Path, str]:
    usage = obj["usage"]
    total = usage["total_tokens"]
    usage["total_tokens"] = draw(st.integers(0, total + 1000).filter(lambda wrong: wrong != total))
    return ["usage", "total_tokens"], "usage_total_mismatch"


def _tool_call_id_repeated(draw: st.DrawFn, obj: dict[str, Any], _: Profile) -> tuple[Path, str]:
    calls = obj["required_action"]["submit_tool_outputs"]["tool_calls"]
    calls.append({**draw(st.sampled_from(calls)), "function": {"name": "f", "arguments": "{}"}})
    return [*_CALLS, len(calls) - 1, "id"], "tool_call_id_repeated"


def _tool_call_arguments_not_json(
    draw: st.DrawFn, obj: dict[str, Any], _: Profile
) -> tuple[Path, str]:
    calls = obj["required_action"]["submit_tool_outputs"]["tool_calls"]
    index = draw(st.integers(0, len(calls) - 1))
    calls[index]["function"]["arguments"] = draw(st.text().filter(lambda t: not is_json_text(t)))
    return [*_CALLS, index, "function", "arguments"], "tool_call_arguments_not_json"


def _where(which: str) -> dict[str, tuple[str, ...]]:
    """By kind, the statuses where some nullable field is ``required``, or where one is not
    ``allowed``."""
    where: dict[str, tuple[str, ...]] = {}
    for kind, table in (("run", RUN_TABLE), ("run_step", STEP_TABLE)):
        rules = table.fields.values()
        if which == "required":
            where[kind] = tuple(s for s in table.statuses if any(s in r["required"] for r in rules))
        else:
            where[kind] = tuple(
                s for s in table.statuses if any(s not in r["allowed"] for r in rules)
            )
    return where


_LIFECYCLE = ("run", "run_step")

# Every rule invalid_variants breaks, by name. A rule of runs or steps also applies to each item of
# their list pages, at its place (``/data/0/...``).
RULES: dict[str, Rule] = {
    "metadata_too_many_keys": Rule(_METADATA_KINDS, _metadata_too_many_keys),
    "metadata_key_too_long": Rule(_METADATA_KINDS, _metadata_key_too_long),
    "metadata_value_too_long": Rule(_METADATA_KINDS, _metadata_value_too_long),
    "metadata_value_not_a_string": Rule(_METADATA_KINDS, _metadata_value_not_a_string),
    "function_name_outside_the_rule": Rule(_TOOL_KINDS, _function_name_outside_the_rule),
    "more_than_20_tools": Rule(("run", "create_run_request"), _more_than_20_tools),
    # The hosted API echoed token limits below 256 (decisions.md#token-limits-in-observed-responses).
    "token_limit_below_256": Rule(_TOOL_KINDS, _token_limit_below_256, spec_only=True),
    "temperature_not_finite": Rule(_TOOL_KINDS, _temperature_not_finite),
    "sampling_above_its_maximum": Rule(_CREATE_KINDS, _sampling_above_its_maximum),
    "assistant_id_missing": Rule(_CREATE_KINDS, _assistant_id_missing),
    "unknown_field_in_a_request": Rule(REQUEST_KINDS, _unknown_field_in_a_request),
    "more_than_128_tool_outputs": Rule(
        ("submit_tool_outputs_request",), _more_than_128_tool_outputs
    ),
    "tool_output_not_text": Rule(("submit_tool_outputs_request",), _tool_output_not_text),
    "list_limit_out_of_range": Rule(("list_query",), _list_limit_out_of_range),
    "list_order_unknown": Rule(("list_query",), _list_order_unknown),
    "error_without_message": Rule(("error",), _error_without_message),
    "delta_tool_call_without_index": Rule(("run_step_delta",), _delta_tool_call_without_index),
    "timestamp_not_integer_seconds": Rule(_LIFECYCLE, _timestamp_not_integer_seconds),
    "field_the_status_requires_is_null": Rule(
        _LIFECYCLE, _field_the_status_requires_is_null, statuses=_where("required")
    ),
    "field_the_status_forbids_is_set": Rule(
        _LIFECYCLE, _field_the_status_forbids_is_set, statuses=_where("forbidden")
    ),
    "timestamp_before_its_start": Rule(
        _LIFECYCLE,
        _timestamp_before_its_start,
        statuses={
            "run": tuple(sorted(RUN_TABLE.fields["started_at"]["required"])),
            "run_step": tuple(sorted(STEP_TABLE.terminal)),
        },
    ),
    "usage_does_not_add_up": Rule(
        _LIFECYCLE,
        _usage_does_not_add_up,
        statuses={"run": ("completed", "incomplete"), "run_step": ("completed",)},
    ),
    "tool_call_id_repeated": Rule(
        ("run",), _tool_call_id_repeated, statuses={"run": ("requires_action",)}
    ),
    "tool_call_arguments_not_json": Rule(
        ("run",), _tool_call_arguments_not_json, statuses={"run": ("requires_action",)}
    ),
}
