"""Random walks: random events, details (valid or not) and clock steps never break an invariant."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from runcore import (
    CODES,
    TERMINAL_RUN_STATUSES,
    ClockSkew,
    IllegalTransition,
    InvalidDetails,
    advance,
    advance_step,
    invariant_findings,
    settle_steps,
    validate,
)
from runcore._graph import edges
from runcore._tables import RUN_TABLE
from tests.builders import T0, new_run, new_step

# A random walk: random events, random details (valid or not), random clock steps.

EVENTS = list(RUN_TABLE.events)
LIVE_EVENTS = {event for _, event, dest in edges(RUN_TABLE) if dest not in TERMINAL_RUN_STATUSES}


def oracle_legal(run: dict[str, Any], now: int) -> set[str]:
    """The legal events, read straight off the table plus the documented clock and start rules."""
    legal = set()
    for source, event, dest in edges(RUN_TABLE):
        deadline = run["expires_at"]
        if source != run["status"]:
            continue
        if (
            event == "expire"
            and now < deadline
            or now >= deadline
            and dest not in TERMINAL_RUN_STATUSES
        ):
            continue
        if dest in ("completed", "incomplete") and run["started_at"] is None:
            continue
        legal.add(event)
    return legal


@st.composite
def details_for(draw: st.DrawFn, event: str, run: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Details for ``event`` on ``run`` and whether they keep the contract."""
    valid = draw(st.integers(0, 7)) < 7
    if event == "require_action":
        count = draw(st.integers(1, 3))
        calls = [
            {
                "id": f"call_{i}",
                "type": "function",
                "function": {"name": "lookup", "arguments": f'{{"i": {i}}}'},
            }
            for i in range(count)
        ]
        if not valid:
            calls[-1] = draw(
                st.sampled_from(
                    [
                        {**calls[0], "function": {"name": "lookup", "arguments": "{"}},
                        {**calls[-1], "function": {"name": "other", "arguments": "{}"}},
                    ]
                )
            )
        valid = valid and (run["parallel_tool_calls"] or count == 1)
        return {"tool_calls": calls}, valid
    if event == "submit_tool_outputs":
        action = run["required_action"] or {
            "submit_tool_outputs": {"tool_calls": [{"id": "call_0"}]}
        }
        outputs = [
            {"tool_call_id": call["id"], "output": "ok"}
            for call in action["submit_tool_outputs"]["tool_calls"]
        ]
        outputs = draw(st.permutations(outputs))
        if not valid:
            outputs = draw(
                st.sampled_from(
                    [
                        outputs[1:],
                        outputs + outputs[:1],
                        outputs + [{"tool_call_id": "x", "output": ""}],
                    ]
                )
            )
        return {"tool_outputs": outputs}, valid
    if event in ("complete", "incomplete"):
        prompt, completion = draw(st.integers(0, 10_000)), draw(st.integers(0, 10_000))
        usage = {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion + (not valid),
        }
        if event == "complete":
            return {"usage": usage}, valid
        reason = draw(st.sampled_from(["max_completion_tokens", "max_prompt_tokens"]))
        return {"usage": usage, "incomplete_details": {"reason": reason}}, valid
    if event == "fail":
        code = draw(
            st.sampled_from(["server_error", "rate_limit_exceeded", "invalid_prompt"])
            if valid
            else st.just("timeout")
        )
        return {"last_error": {"code": code, "message": draw(st.text(max_size=20))}}, valid
    return ({} if valid else {"note": "unexpected"}), valid


class RunWalk(RuleBasedStateMachine):
    """One run (and its steps) driven by random events, details and clock steps.

    A single rule draws what to do next: hypothesis picks among rules unevenly, so one rule keeps
    the walk mostly on events, deep enough to reach every edge.
    """

    def __init__(self) -> None:
        super().__init__()
        self.now = T0
        self.run = new_run()
        self.steps: list[dict[str, Any]] = []
        self.validated: dict[str, Any] | None = None

    @initialize(parallel=st.booleans())
    def parallel_tool_calls(self, parallel: bool) -> None:
        self.run = {**self.run, "parallel_tool_calls": parallel}

    @rule(data=st.data())
    def act(self, data: st.DataObject) -> None:
        action = data.draw(
            st.sampled_from(
                ["event"] * 6 + ["any_event", "skew", "deadline", "new_step", "finish_step"]
            )
        )
        if action == "event":
            self.now += data.draw(st.integers(0, 120))
            legal_now = sorted(oracle_legal(self.run, self.now), key=EVENTS.index)
            onward = [event for event in legal_now if event in LIVE_EVENTS]
            # Mostly events that keep the run live, so that walks get deep.
            pool = onward if onward and data.draw(st.integers(0, 2)) else legal_now or EVENTS
            self.apply(data.draw(st.sampled_from(pool)), data)
        elif action == "any_event":
            self.apply(data.draw(st.sampled_from(EVENTS)), data)
        elif action == "skew":
            self.skewed_clock_is_refused(data.draw(st.sampled_from(EVENTS)))
        elif action == "deadline":
            self.now = max(self.now, self.run["expires_at"] or 0)
        elif action == "new_step":
            self.new_step()
        else:
            self.finish_a_step(data.draw(st.integers(0, 100)))

    def apply(self, event: str, data: st.DataObject) -> None:
        """Apply an event with drawn details; the table and the details say if it must succeed."""
        details, valid = data.draw(details_for(event, self.run))
        legal = event in oracle_legal(self.run, self.now)
        if legal and event in ("complete", "incomplete", "fail"):
            self.end_running_steps(event)  # a server ends its steps before it ends the run
        before = copy.deepcopy(self.run)
        try:
            result = advance(self.run, event, now=self.now, **details)
        except IllegalTransition:
            assert not legal, (event, self.run["status"])
        except InvalidDetails as refused:
            assert legal and not valid, (event, details)
            assert refused.findings
            for finding in refused.findings:
                assert finding.pointer.startswith("/")
                assert CODES[finding.code][0] == finding.category
        else:
            assert legal and valid, (event, details)
            assert len(result.events) == 1
            assert self.run == before
            self.run = result.run
            self.steps = [
                self.checked(s.step) if s.events else s.step
                for s in settle_steps(self.run, self.steps, now=self.now)
            ]
            return
        assert self.run == before

    def end_running_steps(self, event: str) -> None:
        outcome = {"fail": ("fail", {"last_error": {"code": "server_error", "message": "x"}})}.get(
            event,
            (
                "complete",
                {"usage": {"prompt_tokens": 1, "completion_tokens": 0, "total_tokens": 1}},
            ),
        )
        self.steps = [
            self.checked(advance_step(step, outcome[0], now=self.now, **outcome[1]).step)
            if step["status"] == "in_progress"
            else step
            for step in self.steps
        ]

    def skewed_clock_is_refused(self, event: str) -> None:
        latest = max(
            v
            for k, v in self.run.items()
            if k.endswith("_at") and k != "expires_at" and isinstance(v, int)
        )
        before = copy.deepcopy(self.run)
        with pytest.raises(ClockSkew, match="clock skew"):
            advance(self.run, event, now=latest - 1)
        assert self.run == before

    def checked(self, step: dict[str, Any]) -> dict[str, Any]:
        assert validate(step, "run_step", profile="spec") == []
        return step

    def new_step(self) -> None:
        if self.run["status"] == "in_progress" and len(self.steps) < 3:
            step = {**new_step(), "id": f"step_{len(self.steps)}", "created_at": self.now}
            self.steps.append(self.checked(step))

    def finish_a_step(self, usage: int) -> None:
        running = [i for i, step in enumerate(self.steps) if step["status"] == "in_progress"]
        if running and self.run["status"] not in TERMINAL_RUN_STATUSES:
            tokens = {"prompt_tokens": usage, "completion_tokens": 0, "total_tokens": usage}
            step = advance_step(self.steps[running[0]], "complete", now=self.now, usage=tokens).step
            self.steps[running[0]] = self.checked(step)

    @invariant()
    def the_run_keeps_the_contract(self) -> None:
        if self.run is not self.validated:  # a refused event left the very same (validated) run
            assert validate(self.run, "run", profile="spec") == []
            assert [
                f for f in invariant_findings(self.run, profile="spec") if f.severity == "error"
            ] == []
            self.validated = self.run

    @invariant()
    def steps_end_with_their_run(self) -> None:
        if self.run["status"] in ("cancelled", "expired"):
            assert all(
                step["status"] == self.run["status"]
                for step in self.steps
                if step["status"] != "completed"
            )


RunWalk.TestCase.settings = settings(max_examples=40, stateful_step_count=30, deadline=None)
test_random_walks_keep_every_invariant = RunWalk.TestCase
