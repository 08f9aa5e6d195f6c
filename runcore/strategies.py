"""Hypothesis strategies for property tests of your own server, client or validator.

Needs the ``testing`` extra (``pip install 'runcore[testing]'``), which brings hypothesis.

- :func:`valid_objects` draws objects of any kind that the schema files accept;
- :func:`runs` draws runs the way a server using runcore makes them, in any status or a given one;
- :func:`event_details` draws valid details for an event on a run or step;
- :func:`invalid_variants` draws objects that break exactly one named rule, with the finding it gives.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

try:
    from hypothesis import strategies as st
except ImportError as missing:  # pragma: no cover - exercised in a venv without the extra
    raise ImportError(
        "runcore.strategies needs hypothesis: pip install 'runcore[testing]'"
    ) from missing

from runcore._contract._schemas import validator
from runcore._findings import pointer
from runcore._graph import shortest_walks
from runcore._kinds import REQUEST_KINDS, Profile, require_kind, require_profile
from runcore._lifecycle._creation import run_from_request
from runcore._lifecycle._effects import function_names, pending_call_ids
from runcore._lifecycle._engine import advance, legal_events
from runcore._schema_strategies import from_schema, json_values
from runcore._tables import (
    INCOMPLETE_REASONS,
    LIVE_RUN_STATUSES,
    RUN_ERROR_CODES,
    RUN_STATUSES,
    RUN_TABLE,
    STEP_ERROR_CODES,
)

__all__ = [
    "RULES",
    "Variant",
    "event_details",
    "invalid_variants",
    "json_values",
    "runs",
    "valid_objects",
]


def valid_objects(kind: str, *, profile: Profile = "spec") -> st.SearchStrategy[Any]:
    """Objects of ``kind`` that the schema of ``profile`` accepts (unknown fields are never added).

    They are schema-valid only: ``validate(obj, kind, profile=profile, invariants=False)`` finds
    nothing. For runs that also keep the lifecycle, use :func:`runs`.
    """
    entry = validator(require_kind(kind), require_profile(profile)).schema["$ref"]
    return from_schema(entry)


# -- runs walked through the table -------------------------------------------------------------

_ONWARD = {row["trigger"] for row in RUN_TABLE.transitions if row["dest"] in LIVE_RUN_STATUSES}
_FUNCTION_TOOL = {
    "type": "function",
    "function": {"name": "lookup", "parameters": {"type": "object"}},
}


def runs(*, status: str | None = None, max_events: int = 8) -> st.SearchStrategy[dict[str, Any]]:
    """Runs as a server using runcore makes them, in ``status`` (any status when None).

    A new run from a drawn create-run request is walked through up to ``max_events`` random legal
    events of the status table with valid details and clock steps, then, for a given ``status``,
    along a shortest walk of the table into it. Each run validates under ``spec`` with no finding,
    lifecycle invariants included.
    """
    if status is not None and status not in RUN_STATUSES:
        raise ValueError(f"unknown run status {status!r}; statuses: {', '.join(RUN_STATUSES)}")
    return _runs(status, max_events)


@st.composite
def _runs(draw: st.DrawFn, status: str | None, max_events: int) -> dict[str, Any]:
    run, now = draw(_new_run())
    for _ in range(max_events):
        if draw(st.integers(0, 3)) == 0:  # stop anywhere, so every status shows up
            break
        now += draw(st.integers(0, 90))
        if draw(st.integers(0, 9)) == 0 and isinstance(run["expires_at"], int):
            now = max(now, run["expires_at"])
        legal = legal_events(run, now=now)
        if not legal:
            break
        onward = [event for event in legal if event in _ONWARD]
        # Mostly events that keep the run live, so that walks reach every status.
        keep_live = draw(st.integers(0, 2)) > 0
        pool = onward if onward and keep_live else legal
        event = draw(st.sampled_from(pool))
        run = advance(run, event, now=now, **draw(event_details(event, obj=run))).run
    if status is None or run["status"] == status:
        return run
    walked = draw(_walk_into(run, now, status))
    if walked is None:  # the guards closed every walk from here (a run that never started)
        fresh, start = draw(_new_run())
        walked = draw(_walk_into(fresh, start, status))
    assert walked is not None, f"the table has no walk into {status!r}"
    return walked


@st.composite
def _new_run(draw: st.DrawFn) -> tuple[dict[str, Any], int]:
    request = draw(valid_objects("create_run_request"))
    assistant = {"id": request["assistant_id"], "model": "gpt-4o", "tools": [_FUNCTION_TOOL]}
    # Without a function tool a run never reaches requires_action: keep the assistant's then.
    if request.get("tools") is not None and not _functions(request["tools"]):
        request = {**request, "tools": None}
    # A tool_choice that names a function names one of the run's (decisions.md#creating-a-run).
    choice = request.get("tool_choice")
    if isinstance(choice, dict) and choice["type"] == "function":
        named = draw(st.sampled_from(_functions(request.get("tools") or assistant["tools"])))
        request = {**request, "tool_choice": {**choice, "function": {"name": named}}}
    now = draw(st.integers(1_600_000_000, 1_900_000_000))
    run = run_from_request(
        request, assistant, run_id="run_drawn", thread_id="thread_drawn", now=now
    )
    return run, now


@st.composite
def _walk_into(
    draw: st.DrawFn, run: dict[str, Any], now: int, status: str
) -> dict[str, Any] | None:
    """The run moved along a shortest walk of the table into ``status``, or None if guards forbid."""
    walk = shortest_walks(RUN_TABLE, run["status"]).get(status)
    if walk is None:
        return None
    for event in walk:
        deadline = run["expires_at"]
        if event == "expire":
            now = max(now, deadline)
        elif isinstance(deadline, int) and now + 1 >= deadline:
            return None  # too late for a live status: the caller starts afresh
        else:
            now += 1
        if event not in legal_events(run, now=now):
            return None
        run = advance(run, event, now=now, **draw(event_details(event, obj=run))).run
    return run


def _functions(tools: list[dict[str, Any]]) -> list[str]:
    return [tool["function"]["name"] for tool in tools if tool.get("type") == "function"]


# -- details ------------------------------------------------------------------------------------


@st.composite
def event_details(draw: st.DrawFn, event: str, *, obj: Mapping[str, Any]) -> dict[str, Any]:
    """Valid details for ``event`` on ``obj`` (a run, or a run step), named after the wire fields."""
    is_step = obj.get("object") == "thread.run.step"
    tokens = st.integers(0, 100_000)
    if event == "require_action":
        names = sorted(function_names(obj))
        count = 1 if obj.get("parallel_tool_calls") is False else draw(st.integers(1, 3))
        return {
            "tool_calls": [
                {
                    "id": f"call_{i}",
                    "type": "function",
                    "function": {"name": draw(st.sampled_from(names)), "arguments": "{}"},
                }
                for i in range(count)
            ]
        }
    if event == "submit_tool_outputs":
        return {
            "tool_outputs": [
                {"tool_call_id": call_id, "output": draw(st.text(max_size=20))}
                for call_id in pending_call_ids(obj)
            ]
        }
    if event in ("complete", "incomplete"):
        prompt, completion = draw(tokens), draw(tokens)
        usage = {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        }
        if event == "complete":
            return {"usage": usage}
        reason = draw(st.sampled_from(INCOMPLETE_REASONS))
        return {"usage": usage, "incomplete_details": {"reason": reason}}
    if event == "fail":
        codes = STEP_ERROR_CODES if is_step else RUN_ERROR_CODES
        return {
            "last_error": {
                "code": draw(st.sampled_from(codes)),
                "message": draw(st.text(max_size=20)),
            }
        }
    return {}


# -- invalid variants ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    """An object that breaks exactly one rule, and the one finding that rule gives."""

    instance: Any
    kind: str
    rule: str
    code: str
    pointer: str


Mutation = Callable[[st.DrawFn, dict[str, Any]], tuple[list[str | int], str]]
_METADATA_KINDS = (
    "run",
    "run_step",
    "create_run_request",
    "create_thread_and_run_request",
    "modify_run_request",
)
_TOOL_KINDS = ("run", "create_run_request", "create_thread_and_run_request")
_NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"
_TIMESTAMPS = {
    "run": ("created_at", "started_at", "expires_at", "completed_at"),
    "run_step": ("created_at", "expired_at", "failed_at"),
}


def _metadata_too_many_keys(draw: st.DrawFn, obj: dict[str, Any]) -> tuple[list[Any], str]:
    obj["metadata"] = {f"key{i}": "v" for i in range(draw(st.integers(17, 40)))}
    return ["metadata"], "too_many_properties"


def _metadata_key_too_long(draw: st.DrawFn, obj: dict[str, Any]) -> tuple[list[Any], str]:
    key = draw(st.text(min_size=65, max_size=120))
    obj["metadata"] = {key: "v", "fine": "v"}
    return ["metadata", key], "too_long"


def _metadata_value_too_long(draw: st.DrawFn, obj: dict[str, Any]) -> tuple[list[Any], str]:
    obj["metadata"] = {"a/b~c": draw(st.text(min_size=513, max_size=700))}
    return ["metadata", "a/b~c"], "too_long"


def _metadata_value_not_a_string(draw: st.DrawFn, obj: dict[str, Any]) -> tuple[list[Any], str]:
    value = draw(st.integers() | st.booleans() | st.lists(st.text(), max_size=2))
    obj["metadata"] = {"k": value}
    return ["metadata", "k"], "wrong_type"


_BAD_NAMES = st.one_of(
    st.just(""),
    st.text(alphabet=_NAME_CHARS, min_size=65, max_size=100),
    st.text(min_size=1, max_size=64).filter(lambda name: any(ch not in _NAME_CHARS for ch in name)),
)


def _function_name_outside_the_rule(draw: st.DrawFn, obj: dict[str, Any]) -> tuple[list[Any], str]:
    good = draw(st.text(alphabet=_NAME_CHARS, min_size=1, max_size=64))
    obj["tools"] = [
        {"type": "function", "function": {"name": good}},
        {"type": "function", "function": {"name": draw(_BAD_NAMES)}},
    ]
    return ["tools", 1, "function", "name"], "pattern_mismatch"


def _more_than_20_tools(draw: st.DrawFn, obj: dict[str, Any]) -> tuple[list[Any], str]:
    obj["tools"] = [{"type": "code_interpreter"}] * draw(st.integers(21, 25))
    return ["tools"], "too_many_items"


def _token_limit_below_256(draw: st.DrawFn, obj: dict[str, Any]) -> tuple[list[Any], str]:
    field = draw(st.sampled_from(["max_prompt_tokens", "max_completion_tokens"]))
    obj[field] = draw(st.integers(max_value=255))
    return [field], "below_minimum"


def _timestamp_not_integer_seconds(draw: st.DrawFn, obj: dict[str, Any]) -> tuple[list[Any], str]:
    field = draw(
        st.sampled_from(_TIMESTAMPS["run" if obj.get("object") == "thread.run" else "run_step"])
    )
    value = draw(
        st.floats(min_value=0, max_value=2e9)  # 1714433726.0 included: integers carry no fraction
        | st.integers(0, 2_000_000_000).map(str)
        | st.integers(10**12, 2 * 10**12)  # milliseconds
    )
    obj[field] = value
    return [field], "above_maximum" if isinstance(value, int) else "wrong_type"


def _temperature_not_finite(draw: st.DrawFn, obj: dict[str, Any]) -> tuple[list[Any], str]:
    obj["temperature"] = draw(st.sampled_from([float("nan"), float("inf"), float("-inf")]))
    return ["temperature"], "non_finite_number"


# rule -> (the kinds it applies to, whether the observed profile holds it too, the mutation)
RULES: dict[str, tuple[tuple[str, ...], bool, Mutation]] = {
    "metadata_too_many_keys": (_METADATA_KINDS, True, _metadata_too_many_keys),
    "metadata_key_too_long": (_METADATA_KINDS, True, _metadata_key_too_long),
    "metadata_value_too_long": (_METADATA_KINDS, True, _metadata_value_too_long),
    "metadata_value_not_a_string": (_METADATA_KINDS, True, _metadata_value_not_a_string),
    "function_name_outside_the_rule": (_TOOL_KINDS, True, _function_name_outside_the_rule),
    "more_than_20_tools": (("run", "create_run_request"), True, _more_than_20_tools),
    # The hosted API echoed token limits below 256 (decisions.md#token-limits-in-observed-responses).
    "token_limit_below_256": (_TOOL_KINDS, False, _token_limit_below_256),
    "timestamp_not_integer_seconds": (("run", "run_step"), True, _timestamp_not_integer_seconds),
    "temperature_not_finite": (_TOOL_KINDS, True, _temperature_not_finite),
}


def _applies(rule: str, kind: str, profile: Profile) -> bool:
    kinds, observed_too, _ = RULES[rule]
    # A request kind has one profile: the documented one.
    return kind in kinds and (profile == "spec" or observed_too or kind in REQUEST_KINDS)


def invalid_variants(
    kind: str, *, profile: Profile = "spec", rule: str | None = None
) -> st.SearchStrategy[Variant]:
    """Objects of ``kind`` that break exactly one rule (``rule``, or any that applies).

    ``validate(variant.instance, kind, profile=profile, invariants=False)`` gives exactly one
    finding, an error with ``variant.code`` at ``variant.pointer``. Rules: :data:`RULES`.
    """
    require_kind(kind)
    require_profile(profile)
    rules = [name for name in RULES if _applies(name, kind, profile)]
    if rule is not None and rule not in rules:
        raise ValueError(
            f"rule {rule!r} does not apply to {kind!r} under {profile!r}; rules: {rules}"
        )
    if not rules:
        raise ValueError(f"no rule of runcore.strategies.RULES applies to {kind!r}")
    return _variants(kind, profile, [rule] if rule else rules)


@st.composite
def _variants(draw: st.DrawFn, kind: str, profile: Profile, rules: list[str]) -> Variant:
    chosen = draw(st.sampled_from(rules))
    instance = draw(valid_objects(kind, profile=profile))
    path, code = RULES[chosen][2](draw, instance)
    return Variant(instance, kind, chosen, code, pointer(path))
