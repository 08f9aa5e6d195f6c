"""runcore.pytest_plugin, tested the way pytest plugins are: suites run by pytester, their outcomes
and failure output read back."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import runcore
from runcore.pytest_plugin import Clock, ContractFailure, assert_conforms

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]
BAD_RUN = {
    **json.loads((ROOT / "examples" / "valid" / "poll.jsonl").read_text().splitlines()[0]),
    "status": "in_progress",
    "started_at": None,
    "metadata": {f"k{i}": "v" for i in range(17)},
}


def test_assert_conforms_passes_a_valid_object_and_returns_its_warnings(
    runcore_run_in: Any,
) -> None:
    run = runcore_run_in("completed")
    assert assert_conforms(run) == []
    assert assert_conforms({"assistant_id": "asst_1"}, "create_run_request") == []
    quirk = {**run, "incomplete_details": {"reason": "max_prompt_tokens"}}
    assert [f.code for f in assert_conforms(quirk)] == ["incomplete_details_unexpected"]
    with pytest.raises(ContractFailure):
        assert_conforms(quirk, profile="spec")


def test_assert_conforms_lists_every_error_one_per_line() -> None:
    with pytest.raises(ContractFailure) as failed:
        assert_conforms(BAD_RUN)
    lines = str(failed.value).splitlines()
    assert lines[0] == (
        f"run {BAD_RUN['id']!r} breaks the runs contract (observed profile): 2 errors"
    )
    assert lines[1].split()[:2] == ["/started_at", "started_at_missing"]
    assert lines[2].split()[:2] == ["/metadata", "too_many_properties"]
    assert [f.code for f in failed.value.findings] == ["started_at_missing", "too_many_properties"]
    assert isinstance(failed.value, AssertionError)


def test_a_finding_message_cannot_break_the_one_line_rule() -> None:
    with pytest.raises(ContractFailure) as failed:
        assert_conforms({"limit": 0, "evil\nkey": 1}, "list_query")
    assert len(str(failed.value).splitlines()) == 3


FAILING = f"""
import json
from runcore.pytest_plugin import assert_conforms

RUN = json.loads({json.dumps(json.dumps(BAD_RUN))})

def test_my_server_answers_a_run():
    response = RUN
    assert_conforms(response)
"""


def test_the_failure_output_names_each_finding_and_hides_the_helper(pytester: Any) -> None:
    pytester.makepyfile(test_server=FAILING)
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            ">       assert_conforms(response)",
            "E       runcore.pytest_plugin.ContractFailure: run 'run_7Hq2kP' breaks the runs"
            " contract (observed profile): 2 errors",
            "E         /started_at  started_at_missing   status 'in_progress' requires started_at;"
            " it is null",
            "E         /metadata    too_many_properties  17 keys; expected at most 16",
            "",
            "test_server.py:8: ContractFailure",
        ]
    )
    assert "__tracebackhide__" not in result.stdout.str()
    assert "findings = validate(" not in result.stdout.str()


def test_assert_conforms_works_with_the_plugin_turned_off(pytester: Any) -> None:
    pytester.makepyfile(test_server=FAILING)
    result = pytester.runpytest("-p", "no:runcore")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["E       runcore.pytest_plugin.ContractFailure: *2 errors"])
    pytester.makepyfile(test_fixture="def test_clock(runcore_clock):\n    pass\n")
    pytester.runpytest("-p", "no:runcore", "test_fixture.py").assert_outcomes(errors=1)


def test_the_plugin_changes_nothing_in_a_suite_that_does_not_use_it(pytester: Any) -> None:
    pytester.makepyfile(
        test_plain="""
        import sys

        def test_nothing_is_patched_or_imported():
            assert "httpx" not in sys.modules and "httpx2" not in sys.modules

        def test_a_failure_is_reported_as_ever():
            assert 1 == 2
        """
    )
    with_plugin = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    without = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:runcore")
    with_plugin.assert_outcomes(passed=1, failed=1)
    without.assert_outcomes(passed=1, failed=1)

    def report(result: Any) -> list[str]:  # all but the list of plugins and the time taken
        return [line for line in result.outlines[2:] if not line.startswith(("plugins:", "="))]

    assert report(with_plugin) == report(without)


def test_the_plugin_is_registered_through_the_pytest11_entry_point() -> None:
    from importlib.metadata import entry_points

    found = [ep for ep in entry_points(group="pytest11") if ep.value == "runcore.pytest_plugin"]
    assert [ep.name for ep in found] == ["runcore"]


def test_the_clock_moves_only_when_told(runcore_clock: Clock) -> None:
    assert runcore_clock() == runcore_clock.now == 1_732_233_600
    assert runcore_clock.advance(30) == runcore_clock() == 1_732_233_630
    assert runcore_clock.set(5) == runcore_clock() == 5
    assert repr(runcore_clock) == "Clock(now=5)"


def test_canonical_runs_are_walked_from_the_clock_which_is_left_after_them(
    runcore_clock: Clock, runcore_run_in: Any
) -> None:
    queued = runcore_run_in("queued")
    assert queued["created_at"] == runcore_clock() == 1_732_233_600
    expired = runcore_run_in("expired")
    assert expired["status"] == "expired" and expired["id"] != queued["id"]
    assert runcore_clock() == expired["created_at"] + runcore._tables.RUN_EXPIRES_IN
    runcore.advance(
        runcore_run_in("in_progress"),
        "complete",
        now=runcore_clock(),
        usage={
            "prompt_tokens": 1,
            "completion_tokens": 1,
            "total_tokens": 2,
        },
    )
    with pytest.raises(ValueError, match="unknown run status 'paused'"):
        runcore_run_in("paused")


def test_the_run_and_step_fixtures_give_one_valid_object_per_status(pytester: Any) -> None:
    pytester.makepyfile(
        test_statuses="""
        import runcore

        def test_run(runcore_run):
            assert runcore.validate(runcore_run, profile="spec") == []

        def test_step(runcore_step):
            assert runcore.validate(runcore_step, profile="spec") == []
        """
    )
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=len(runcore.RUN_STATUSES) + len(runcore.STEP_STATUSES))
    result.stdout.fnmatch_lines(
        [
            "*test_run[[]queued[]] PASSED*",
            "*test_run[[]expired[]] PASSED*",
            "*test_step[[]failed[]] PASSED*",
        ]
    )


@pytest.mark.parametrize("status", runcore.STEP_STATUSES)
def test_canonical_steps_are_in_their_status(runcore_step_in: Any, status: str) -> None:
    step = runcore_step_in(status)
    assert step["status"] == status
    assert runcore.validate(step, profile="spec") == []


def test_without_the_plugin_module_nothing_else_of_runcore_needs_pytest() -> None:
    code = "import sys; sys.modules['pytest'] = None; import runcore, runcore.scenarios"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
