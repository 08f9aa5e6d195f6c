"""Reports of whole recordings: counts per category and of interactions passed over, a JUnit test
case per request/response pair, stream and history (a failing one never skipped nor passed),
GitHub annotations, the coverage of the tables, and progress on a terminal only."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from tests.cli import run_cli

ROOT = Path(__file__).resolve().parents[2]
FAULTY = ROOT / "examples" / "cassettes" / "faulty.yaml"
CONFORMING = ROOT / "examples" / "cassettes" / "conforming.yaml"


def json_report(*args: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(run_cli("check", "--format", "json", *args).stdout)
    return found


def test_the_summary_counts_each_category_and_what_was_passed_over() -> None:
    report = json_report(str(FAULTY))
    summary = report["summary"]
    by_category: dict[str, int] = {}
    for finding in report["findings"]:
        by_category[finding["category"]] = by_category.get(finding["category"], 0) + 1
    assert summary["categories"] == {
        category: by_category.get(category, 0)
        for category in (
            "input",
            "schema",
            "invariant",
            "lifecycle",
            "request",
            "history",
            "stream",
        )
    }
    assert {k: summary[k] for k in ("interactions", "passed_over", "streams", "histories")} == {
        "interactions": 11,
        "passed_over": 1,
        "streams": 1,
        "histories": 5,
    }
    assert by_category == {"request": 2, "stream": 2, "history": 2}


def test_junit_has_a_case_per_pair_stream_and_history_and_failures_fail() -> None:
    from junitparser import Failure, JUnitXml, Skipped

    result = run_cli("check", "--format", "junit", str(CONFORMING), str(FAULTY))
    suites = list(JUnitXml.fromstring(result.stdout))
    assert [s.name for s in suites] == [str(CONFORMING), str(FAULTY), "histories"]
    for suite in suites[:2]:
        names = [case.name for case in suite]
        pairs = [n for n in names if " -> " in n]
        streams = [n for n in names if ": stream" in n]
        assert len(pairs) == 11 and len(streams) == 1 and len(names) == 12
    failing = {case.name for case in suites[1] if any(isinstance(r, Failure) for r in case.result)}
    assert len(failing) == 3  # the 201, the page over its limit, and the stream
    histories = list(suites[2])
    assert len(histories) == 10 and all(case.classname == "histories" for case in histories)
    failed = [c for c in histories if c.result]
    assert [c.name.split(":")[0] for c in failed] == ["run run_faulty002"]
    for suite in suites:
        for case in suite:
            kinds = {type(r) for r in case.result}
            assert not (Failure in kinds and Skipped in kinds)
    root = ET.fromstring(result.stdout)
    assert root.get("failures") == "4" and root.get("tests") == str(12 + 12 + 10)


def test_github_annotations_name_the_file_line_and_code_escaped() -> None:
    result = run_cli("check", "--format", "github", str(FAULTY))
    lines = result.text.splitlines()
    assert lines[0] == (
        f"::error file={FAULTY},line=2,title=status_unexpected::status_unexpected at "
        "/response/status: 201: the hosted API answered every success of the runs endpoints with 200"
    ).replace(f"file={FAULTY}", "file=" + str(FAULTY).replace(":", "%3A").replace(",", "%2C"))
    assert len(lines) == 7 and lines[-1].startswith(
        "::notice title=runcore check::checked 20 object(s)"
    )
    assert result.code == 1


def test_github_escapes_what_would_end_a_command(tmp_path: Path) -> None:
    odd = tmp_path / "a,b:c%d.jsonl"
    odd.write_text(
        '{"object": "thread.run", "id": "run_%0A\\n::error::forged"}\n', encoding="utf-8"
    )
    lines = run_cli("check", "--format", "github", str(odd)).text.splitlines()
    assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines)
    assert (
        "file=" + str(odd).replace("%", "%25").replace(":", "%3A").replace(",", "%2C") in lines[0]
    )
    assert "run_%250A" in lines[0] and "\\n" in lines[0]


@pytest.mark.parametrize("output", ["text", "json", "junit", "github"])
def test_coverage_says_which_edges_were_taken_and_missed(output: str) -> None:
    result = run_cli("check", "--format", output, "--coverage", str(CONFORMING))
    assert result.code == 0
    if output == "json":
        (run, step) = json.loads(result.stdout)["coverage"]
        assert run["table"] == "run" and step["table"] == "step"
        assert run["edges"] == [
            "queued -start-> in_progress",
            "in_progress -require_action-> requires_action",
            "requires_action -submit_tool_outputs-> queued",
            "in_progress -complete-> completed",
        ]
        assert len(run["edges"]) + len(run["missed_edges"]) == 19
        assert (
            "requires_action -submit_tool_outputs-> queued then queued -start-> in_progress"
            in run["pairs"]
        )
        assert step["edges"] == ["in_progress -complete-> completed"]
    elif output == "junit":
        suite = ET.fromstring(result.stdout).find("testsuite[@name='coverage']")
        assert suite is not None and suite.get("tests") == "0"
        values = {p.get("name"): p.get("value") for p in suite.iter("property")}
        assert values["run edges"] == "4" and values["run missed_edges"] == "15"
    else:
        assert "coverage of the run table: 4 of 19 edges" in result.text
    without = run_cli("check", "--format", output, str(CONFORMING))
    assert "coverage" not in without.text


def test_progress_goes_to_a_terminal_and_never_to_a_pipe(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "runcore", "check", str(CONFORMING), str(FAULTY)]
    piped = subprocess.run(command, capture_output=True, cwd=ROOT, timeout=60)
    assert piped.stderr == b""
    primary, secondary = pty.openpty()
    try:
        process = subprocess.run(
            command, stdout=subprocess.PIPE, stderr=secondary, cwd=ROOT, timeout=60
        )
        os.close(secondary)
        shown = b""
        while True:
            try:
                chunk = os.read(primary, 4096)
            except OSError:  # the terminal closed
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(primary)
    assert process.stdout == piped.stdout
    assert b"runcore: 1 file(s)" in shown and shown.endswith(b"\r\x1b[K")
