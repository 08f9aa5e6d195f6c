"""runcore.scenarios and `runcore scenarios`: the coverage claim proven from the tables, every
scenario replayed through the engine, and the output deterministic."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest

import runcore
from runcore._graph import Edge, Pair, coverage, edges, pairs, walk_edges
from runcore._tables import RUN_TABLE, STEP_TABLE
from runcore.scenarios import ASSISTANT, CREATE, T0, dumps, replay, scenarios
from tests.cli import run_cli


@cache
def document() -> dict[str, Any]:
    return scenarios()


def walks() -> list[list[Edge]]:
    return [
        walk_edges(RUN_TABLE, [event["event"] for event in scenario["events"]])
        for scenario in document()["scenarios"]
    ]


def ends_a_run(pair: Pair) -> bool:
    return pair[1][2] in RUN_TABLE.terminal


def test_the_scenarios_take_every_transition_and_every_pair_of_the_run_table() -> None:
    covered = coverage(RUN_TABLE, walks())
    assert covered.missed_edges == () and covered.missed_pairs == ()
    assert len(covered.edges) == len(edges(RUN_TABLE)) == 19
    assert len(covered.pairs) == len(pairs(RUN_TABLE)) == 29


def test_there_are_as_few_scenarios_as_pairs_that_end_a_run_which_is_the_fewest_possible() -> None:
    # A pair that ends a run can only be a path's last: so at least one path per such pair.
    ending = [pair for pair in pairs(RUN_TABLE) if ends_a_run(pair)]
    assert len(document()["scenarios"]) == len(ending) == 23
    last_pairs = [(walk[-2], walk[-1]) for walk in walks()]
    assert sorted(last_pairs) == sorted(ending)


def legal_walks(longest: int) -> list[tuple[str, ...]]:
    """Every walk of at most ``longest`` events the engine takes from a new run, one event a second
    (``expire`` at the deadline): the oracle is the engine's legal_events, not the planner."""
    found: list[tuple[str, ...]] = []
    frontier = [((), new_run())]
    while frontier:
        walk, run = frontier.pop()
        found.append(walk)
        if len(walk) == longest or run["status"] in RUN_TABLE.terminal:
            continue
        for event in RUN_TABLE.events:
            now = run["expires_at"] if event == "expire" else T0 + len(walk) + 1
            if event in runcore.legal_events(run, now=now):
                after = runcore.advance(run, event, now=now, **details(event, run)).run
                frontier.append(((*walk, event), after))
    return found


def new_run() -> dict[str, Any]:
    return runcore.run_from_request(
        CREATE["body"], ASSISTANT, run_id="run_1", thread_id="thread_1", now=T0
    )


def details(event: str, run: dict[str, Any]) -> dict[str, Any]:
    usage = {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
    call = {
        "id": "call_1",
        "type": "function",
        "function": {"name": "get_weather", "arguments": "{}"},
    }
    return {
        "require_action": {"tool_calls": [call]},
        "submit_tool_outputs": {"tool_outputs": [{"tool_call_id": "call_1", "output": "x"}]},
        "complete": {"usage": usage},
        "incomplete": {"usage": usage, "incomplete_details": {"reason": "max_prompt_tokens"}},
        "fail": {"last_error": {"code": "server_error", "message": "x"}},
    }.get(event, {})


def test_no_scenario_can_be_shorter_and_still_take_what_only_it_takes() -> None:
    taken = [set(zip(walk, walk[1:], strict=False)) for walk in walks()]
    longest = max(len(walk) for walk in walks())
    candidates = [
        (len(walk), set(zip(taken_, taken_[1:], strict=False)))
        for walk, taken_ in ((w, walk_edges(RUN_TABLE, w)) for w in legal_walks(longest))
    ]
    for index, walk in enumerate(walks()):
        others = set().union(*(pairs_ for i, pairs_ in enumerate(taken) if i != index))
        own = taken[index] - others
        shorter = [c for length, c in candidates if length < len(walk) and own <= c]
        assert shorter == [], document()["scenarios"][index]["id"]


def test_every_scenario_replays_through_the_engine_as_it_says() -> None:
    step_walks: list[list[Edge]] = []
    for scenario in document()["scenarios"]:
        moments = replay(scenario)
        assert [m.run["status"] for m in moments] == scenario["statuses"]
        for moment, event in zip(moments[1:], scenario["events"], strict=True):
            assert moment.event == event["event"]
            assert moment.now == T0 + event["at"]
            assert [step["status"] for step in moment.steps] == event["steps"]
            for obj in (moment.run, *moment.steps):
                assert runcore.validate(obj, profile="spec") == [], (scenario["id"], obj)
        final = moments[-1].steps
        step_walks += [walk_edges(STEP_TABLE, [STEP_EVENT[s["status"]]]) for s in final]
    covered = coverage(STEP_TABLE, step_walks)
    assert covered.missed_edges == () and covered.missed_pairs == ()


STEP_EVENT = {"completed": "complete", "failed": "fail", "cancelled": "cancel", "expired": "expire"}


def test_the_engine_alone_takes_every_scenario_with_its_details_at_its_times() -> None:
    for scenario in document()["scenarios"]:
        run = runcore.run_from_request(
            CREATE["body"],
            ASSISTANT,
            run_id=f"run_{scenario['id']}",
            thread_id="thread_1",
            now=T0,
        )
        for event in scenario["events"]:
            now = T0 + event["at"]
            run = runcore.advance(run, event["event"], now=now, **event["details"]).run
            assert run["status"] == event["status"]
            if "request" in event:
                assert event["by"] == "client"
                body = event["request"]["body"]
                if body is not None:
                    assert runcore.accept_request(body, "submit_tool_outputs_request") == body


def test_scenarios_end_every_run_and_expire_only_at_the_deadline() -> None:
    for scenario in document()["scenarios"]:
        assert scenario["statuses"][-1] in RUN_TABLE.terminal
        for event in scenario["events"]:
            assert (event["at"] == document()["expires_in"]) == (event["event"] == "expire")


def test_runcore_scenarios_prints_the_same_document_every_time() -> None:
    first, second = run_cli("scenarios"), run_cli("scenarios")
    assert first.code == 0 and first.stderr == ""
    assert first.stdout == second.stdout == dumps(scenarios()).encode()
    assert json.loads(first.stdout)["scenarios"] == document()["scenarios"]


def test_runcore_scenarios_writes_to_the_file_given(tmp_path: Any) -> None:
    target = tmp_path / "scenarios.json"
    result = run_cli("scenarios", "-o", str(target))
    assert (result.code, result.stdout) == (0, b"")
    assert target.read_bytes() == run_cli("scenarios").stdout


def test_a_file_that_cannot_be_written_is_exit_code_3_with_its_name(tmp_path: Any) -> None:
    target = tmp_path / "missing" / "scenarios.json"
    result = run_cli("scenarios", "-o", str(target))
    assert result.code == 3
    assert result.stderr == f"runcore: cannot write {target}: No such file or directory\n"


@pytest.mark.parametrize("status", runcore.RUN_STATUSES)
def test_walk_until_reaches_every_status_by_a_shortest_legal_walk(status: str) -> None:
    from runcore._life import created, walk_until

    moments = walk_until(lambda moment: moment.run["status"] == status, created(new_run()))
    assert moments[-1].run["status"] == status
    assert runcore.validate(moments[-1].run, profile="spec") == []
