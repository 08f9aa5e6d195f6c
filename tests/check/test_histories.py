"""Histories: snapshots of one run or step over time, checked against the lifecycle table; runs,
steps and threads against each other; and the order the recording says things arrived in."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import runcore
from runcore._graph import reachable
from runcore._tables import RUN_TABLE
from runcore.strategies import event_details
from tests.check.session import ASSISTANT, T0, Exchange, copied, vcrpy
from tests.cli import run_cli

CREATE, POLL, WAITING, SUBMIT, DONE, STEPS, MESSAGE, STREAM, RUNS, MODIFY, CANCEL, STEP = range(12)
# The session's answers a poller saw, one a line: run_1's life, its steps, metadata added.
POLLED = [CREATE, POLL, WAITING, SUBMIT, DONE, STEPS, MODIFY, STEP]


def polled() -> list[Any]:
    session = copied()
    return [session[i].answer for i in POLLED]


def check(
    lines: list[Any], tmp_path: Path, name: str = "polls.jsonl", *args: str
) -> list[tuple[str, int | None, str]]:
    path = tmp_path / name
    path.write_text("".join(json.dumps(value) + "\n" for value in lines), encoding="utf-8")
    report = json.loads(run_cli("check", "--format", "json", *args, str(path)).stdout)
    return [(f["code"], f["line"], f["pointer"]) for f in report["findings"]]


def test_a_poll_history_checks_clean(tmp_path: Path) -> None:
    assert check(polled(), tmp_path, "polls.jsonl", "--profile", "spec") == []


def line(answer: int) -> int:
    return POLLED.index(answer) + 1


def regressed(lines: list[Any]) -> tuple[str, int, str]:
    lines.append(copy.deepcopy(lines[POLLED.index(POLL)]))  # in_progress after completed
    return ("status_change_illegal", len(lines), "/status")


def model_changed(lines: list[Any]) -> tuple[str, int, str]:
    for later in (DONE, MODIFY):
        lines[line(later) - 1]["model"] = "gpt-4o-mini"
    return ("fixed_field_changed", line(DONE), "/model")


def created_at_changed(lines: list[Any]) -> tuple[str, int, str]:
    lines[line(MODIFY) - 1]["created_at"] -= 1
    return ("fixed_field_changed", line(MODIFY), "/created_at")


def id_of_another_object(lines: list[Any]) -> tuple[str, int, str]:
    lines[line(STEP) - 1]["id"] = "run_1"
    return ("fixed_field_changed", line(STEP), "/object")


def deadline_moved_while_live(lines: list[Any]) -> tuple[str, int, str]:
    lines[line(SUBMIT) - 1]["expires_at"] += 5
    return ("timestamp_changed", line(SUBMIT), "/expires_at")


def started_at_lost_on_tool_outputs(lines: list[Any]) -> tuple[str, int, str]:
    lines[line(SUBMIT) - 1]["started_at"] = None
    return ("timestamp_changed", line(SUBMIT), "/started_at")


def started_at_moved_after_the_end(lines: list[Any]) -> tuple[str, int, str]:
    lines[line(MODIFY) - 1]["started_at"] += 1
    return ("timestamp_changed", line(MODIFY), "/started_at")


def completed_at_moved(lines: list[Any]) -> tuple[str, int, str]:
    lines[line(MODIFY) - 1]["completed_at"] += 1
    return ("timestamp_changed", line(MODIFY), "/completed_at")


def step_running_after_its_run_ended(lines: list[Any]) -> tuple[str, int, str]:
    step = lines[line(STEPS) - 1]["data"][1]
    step.update(status="in_progress", completed_at=None, usage=None)
    return ("step_outlived_run", line(STEPS), "/data/1/status")


def step_of_another_assistant(lines: list[Any]) -> tuple[str, int, str]:
    lines[line(STEPS) - 1]["data"][1]["assistant_id"] = "asst_9"
    lines[line(STEP) - 1]["assistant_id"] = "asst_9"
    return ("step_run_mismatch", line(STEPS), "/data/1/assistant_id")


def step_older_than_its_run(lines: list[Any]) -> tuple[str, int, str]:
    lines[line(STEPS) - 1]["data"][1]["created_at"] = T0 - 1
    lines[line(STEP) - 1]["created_at"] = T0 - 1
    return ("step_before_run", line(STEPS), "/data/1/created_at")


def two_live_runs_on_a_page(lines: list[Any]) -> tuple[str, int, str]:
    first = dict(lines[line(POLL) - 1], id="run_8", thread_id="thread_8")
    second = dict(first, id="run_9", created_at=first["created_at"] + 1)
    lines.append(runcore.page([first, second], "order=asc"))
    return ("thread_two_live_runs", len(lines), "/data/1/status")


def regressed_on_a_page(lines: list[Any]) -> tuple[str, int, str]:
    other = dict(lines[line(POLL) - 1], id="run_7", thread_id="thread_7")
    lines.append(runcore.page([other, copy.deepcopy(lines[line(POLL) - 1])], "order=asc"))
    return ("status_change_illegal", len(lines), "/data/1/status")  # the item, in the page


def created_while_another_ran(lines: list[Any]) -> tuple[str, int, str]:
    created = lines[line(CREATE) - 1]
    lines.append(dict(created, id="run_3", created_at=T0 + 3, expires_at=T0 + 603))
    return ("thread_two_live_runs", len(lines), "/created_at")


CASES: list[Callable[[list[Any]], tuple[str, int, str]]] = [
    regressed,
    model_changed,
    created_at_changed,
    id_of_another_object,
    deadline_moved_while_live,
    started_at_lost_on_tool_outputs,
    started_at_moved_after_the_end,
    completed_at_moved,
    step_running_after_its_run_ended,
    step_of_another_assistant,
    step_older_than_its_run,
    two_live_runs_on_a_page,
    regressed_on_a_page,
    created_while_another_ran,
]


@pytest.mark.parametrize("inject", CASES, ids=[case.__name__ for case in CASES])
def test_each_defect_gives_exactly_its_finding(
    inject: Callable[[list[Any]], Any], tmp_path: Path
) -> None:
    lines = polled()
    expected = inject(lines)
    assert check(lines, tmp_path) == [expected]


def test_what_the_lifecycle_allows_is_not_a_finding(tmp_path: Path) -> None:
    lines = polled()
    # statuses a poller never saw, started_at stamped again after tool outputs, expires_at
    # cleared at the end, metadata changed by a modify: all in the session; and a poller that
    # skipped every live status
    assert check([lines[0], lines[line(DONE) - 1], lines[line(MODIFY) - 1]], tmp_path) == []


def test_tool_outputs_submitted_are_carried_by_the_step(tmp_path: Path) -> None:
    session = copied()
    session[STEPS].answer["data"][0]["step_details"]["tool_calls"][0]["function"]["output"] = "41"
    written = vcrpy(session)
    path = tmp_path / "session.yaml"
    path.write_text(written.text, encoding="utf-8")
    report = json.loads(run_cli("check", "--format", "json", str(path)).stdout)
    where = "/data/0/step_details/tool_calls/0/function/output"
    assert [(f["code"], f["line"], f["pointer"]) for f in report["findings"]] == [
        ("tool_output_not_carried", written.bodies[STEPS], where)
    ]


# Order: what the recording says, not the names of the files


def cassette(path: Path, *exchanges: Exchange) -> Path:
    path.write_text(vcrpy(list(exchanges)).text, encoding="utf-8")
    return path


def test_files_are_ordered_by_recorded_time_not_by_name(tmp_path: Path) -> None:
    session = copied()
    # as ruby-openai's runs_cancel.yml and runs_cancel_run_setup.yml: the cancel's file sorts
    # first, and holds the later half of the run's life
    cancelling = runcore.advance(session[POLL].answer, "cancel", now=T0 + 2).run
    cassette(
        tmp_path / "runs_cancel.yaml",
        Exchange("POST", "/v1/threads/thread_1/runs/run_1/cancel", answer=cancelling, date=T0 + 2),
    )
    cassette(tmp_path / "runs_cancel_run_setup.yaml", session[CREATE], session[POLL])
    report = json.loads(run_cli("check", "--format", "json", str(tmp_path)).stdout)
    assert report["findings"] == [] and report["summary"]["histories"] == 1


def test_the_later_snapshot_by_time_carries_the_finding_even_when_read_first(
    tmp_path: Path,
) -> None:
    session = copied()
    later = cassette(
        tmp_path / "a.yaml",
        Exchange(
            "GET", "/v1/threads/thread_1/runs/run_1", answer=session[POLL].answer, date=T0 + 9
        ),
    )
    cassette(tmp_path / "b.yaml", session[DONE])  # completed at T0 + 5
    report = json.loads(run_cli("check", "--format", "json", str(tmp_path)).stdout)
    assert [(f["code"], f["file"], f["line"]) for f in report["findings"]] == [
        ("status_change_illegal", str(later), vcrpy([session[POLL]]).bodies[0])
    ]


def test_within_one_file_the_recording_order_wins_over_its_dates(tmp_path: Path) -> None:
    session = copied()
    session[POLL].date = T0 + 30  # a clock ahead on one server: the file's order still holds
    assert (
        json.loads(
            run_cli(
                "check", "--format", "json", str(cassette(tmp_path / "s.yaml", *session))
            ).stdout
        )["findings"]
        == []
    )


def test_untimed_files_are_read_in_the_order_the_lifecycle_explains(tmp_path: Path) -> None:
    lines = polled()
    (tmp_path / "a.jsonl").write_text(json.dumps(lines[line(DONE) - 1]) + "\n", encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(json.dumps(lines[0]) + "\n", encoding="utf-8")
    assert json.loads(run_cli("check", "--format", "json", str(tmp_path)).stdout)["findings"] == []
    expired = runcore.advance(lines[0], "expire", now=lines[0]["expires_at"]).run
    (tmp_path / "c.jsonl").write_text(json.dumps(expired) + "\n", encoding="utf-8")
    found = json.loads(run_cli("check", "--format", "json", str(tmp_path)).stdout)["findings"]
    assert [(f["code"], Path(f["file"]).name) for f in found] == [
        ("status_change_illegal", "c.jsonl")
    ]


# Histories the engine makes, sampled as a poller sees them


@st.composite
def lives(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Every snapshot of a run walked through random legal events, with a clock that moves."""
    now = T0
    run = runcore.run_from_request(
        {"assistant_id": "asst_1"}, ASSISTANT, run_id="run_p", thread_id="thread_p", now=now
    )
    snapshots = [run]
    for _ in range(draw(st.integers(1, 8))):
        now += draw(st.integers(0, 300))
        legal = runcore.legal_events(run, now=now)
        if not legal:
            break
        event = draw(st.sampled_from(legal))
        run = runcore.advance(run, event, now=now, **draw(event_details(event, obj=run))).run
        snapshots.append(run)
    return snapshots


@st.composite
def polls(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Some snapshots of a life, in order, some seen twice and most missed: a poller's view."""
    life = draw(lives())
    picked = draw(st.lists(st.integers(0, len(life) - 1), min_size=1, max_size=8))
    return [life[i] for i in sorted(picked)]


@settings(max_examples=60, deadline=None)
@given(seen=polls())
def test_a_pollers_view_of_a_legal_life_checks_clean(
    seen: list[dict[str, Any]], tmp_path_factory: Any
) -> None:
    assert check(seen, tmp_path_factory.mktemp("polls"), "polls.jsonl", "--profile", "spec") == []


@settings(max_examples=60, deadline=None)
@given(seen=polls(), data=st.data())
def test_one_illegal_change_to_a_legal_life_gives_exactly_that_finding(
    seen: list[dict[str, Any]], data: st.DataObject, tmp_path_factory: Any
) -> None:
    index = data.draw(st.integers(1, len(seen) - 1)) if len(seen) > 1 else 0
    defect = data.draw(st.sampled_from(["model", "created_at", "deadline", "back"]))
    live = [s["expires_at"] is not None for s in seen]
    if defect in ("model", "created_at") and index > 0:
        for later in range(index, len(seen)):  # from this snapshot on: one change
            seen[later] = dict(seen[later])
            if defect == "model":
                seen[later]["model"] = "gpt-4o-mini"
            else:
                seen[later]["created_at"] -= 1
        expected = ("fixed_field_changed", index + 1, f"/{defect}")
    elif defect == "deadline" and index > 0 and live[index - 1] and live[index]:
        for later in range(index, len(seen)):
            if live[later]:
                seen[later] = dict(seen[later], expires_at=seen[later]["expires_at"] + 1)
        expected = ("timestamp_changed", index + 1, "/expires_at")
    else:  # back to a status the table cannot reach from the last one seen
        unreachable = [
            s for s in seen if s["status"] not in reachable(RUN_TABLE, seen[-1]["status"])
        ]
        assume(unreachable)
        seen = [*seen, copy.deepcopy(unreachable[0])]
        expected = ("status_change_illegal", len(seen), "/status")
    assert check(seen, tmp_path_factory.mktemp("polls")) == [expected]


def test_a_long_timestamp_value_is_never_shown_as_its_digest(tmp_path: Path) -> None:
    """A long value is kept as a digest (its hash, which differs from process to process): the
    message says it is too long to show, so a report is the same in every run."""
    lines = polled()
    waiting = lines[POLLED.index(WAITING)]
    waiting["expires_at"] = "x" * 300
    changed = copy.deepcopy(waiting)
    changed["expires_at"] = "y" * 300
    path = tmp_path / "polls.jsonl"
    path.write_text("".join(json.dumps(value) + "\n" for value in [waiting, changed]))
    report = json.loads(run_cli("check", "--format", "json", str(path)).stdout)
    changes = [f for f in report["findings"] if f["code"] == "timestamp_changed"]
    assert [(f["line"], f["pointer"]) for f in changes] == [(2, "/expires_at")]
    assert changes[0]["message"] == (
        "expires_at was a value too long to show, then changed to a value too long to show"
    )
    assert changes[0]["value"] is None


def test_a_page_checked_as_another_kind_still_feeds_the_histories(tmp_path: Path) -> None:
    """``--kind`` of a kind that is not a list checks a page as one object; its items are still
    snapshots of their runs, and two live runs of one thread on it are still a finding."""
    lines = polled()
    two_live_runs_on_a_page(lines)
    found = check(lines[-1:], tmp_path, "page.jsonl", "--kind", "error")
    assert ("thread_two_live_runs", 1, "/data/1/status") in found
