"""`runcore check` end to end, as a subprocess: inputs, exit codes, JSON shape, JUnit validity."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from tests.builders import RUN
from tests.cli import run_cli
from tests.recorded import REAL_FILES, needs_recordings

ROOT = Path(__file__).resolve().parents[2]
FINDING_KEYS = {
    "severity",
    "code",
    "category",
    "file",
    "line",
    "pointer",
    "message",
    "object_id",
    "value",
    "truncated",
}


def runcore(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "runcore", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def counts(summary: dict[str, Any]) -> dict[str, Any]:
    """The counts every report has (the others are those of whole recordings)."""
    return {key: summary[key] for key in ("files", "objects", "errors", "warnings")}


def write(path: Path, *objects: Any) -> Path:
    path.write_text("".join(json.dumps(o) + "\n" for o in objects), encoding="utf-8")
    return path


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return write(tmp_path / "good.jsonl", RUN, dict(RUN, id="run_2"))


@pytest.fixture
def bad(tmp_path: Path) -> Path:
    return write(
        tmp_path / "bad.jsonl", RUN, dict(RUN, id="run_bad", created_at=1.5, metadata={"k": 1})
    )


def test_exit_code_is_0_when_there_is_no_error(good: Path) -> None:
    result = runcore("check", str(good))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "checked 2 object(s) in 1 file(s): 0 error(s), 0 warning(s)" in result.stdout


def test_exit_code_is_1_when_a_finding_is_an_error_and_text_groups_by_file(bad: Path) -> None:
    result = runcore("check", str(bad))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == str(bad)
    assert (
        lines[1] == "  line 2 [run_bad]: error wrong_type at /created_at: "
        "expected integer (Unix timestamp in integer seconds), got number 1.5"
    )
    assert "error wrong_type at /metadata/k" in lines[2]


def test_json_output_is_one_document_with_summary_and_located_findings(
    good: Path, bad: Path
) -> None:
    result = runcore("check", "--format", "json", str(good), str(bad))
    report = json.loads(result.stdout)
    assert result.returncode == 1
    assert counts(report["summary"]) == {"files": 2, "objects": 4, "errors": 2, "warnings": 0}
    assert [set(f) for f in report["findings"]] == [FINDING_KEYS, FINDING_KEYS]
    first = report["findings"][0]
    assert (first["file"], first["line"], first["pointer"], first["object_id"], first["value"]) == (
        str(bad),
        2,
        "/created_at",
        "run_bad",
        1.5,
    )


def test_a_bad_jsonl_line_is_a_finding_with_its_line_and_the_rest_is_still_checked(
    tmp_path: Path,
) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_text(
        json.dumps(RUN) + "\n{not json\n\n" + json.dumps(dict(RUN, status="paused")) + "\n",
        encoding="utf-8",
    )
    result = runcore("check", "--format", "json", str(path))
    findings = json.loads(result.stdout)["findings"]
    assert result.returncode == 1
    assert [(f["line"], f["code"]) for f in findings][:2] == [
        (2, "invalid_json"),
        (4, "invalid_value"),
    ]


@pytest.mark.parametrize(
    "content",
    ['{"a": 1, "a": 2}', '{"created_at": NaN}', "[1, 2"],
    ids=["duplicate-key", "nan", "truncated"],
)
def test_a_json_file_that_cannot_be_parsed_exits_2_and_says_why(
    tmp_path: Path, content: str
) -> None:
    path = tmp_path / "broken.json"
    path.write_text(content, encoding="utf-8")
    result = runcore("check", "--format", "json", str(path))
    assert result.returncode == 2
    (finding,) = json.loads(result.stdout)["findings"]
    assert finding["code"] == "unreadable_input" and "invalid JSON" in finding["message"]
    assert "could not be read" in result.stderr and "Traceback" not in result.stderr


def test_a_missing_path_exits_2_without_a_traceback(tmp_path: Path) -> None:
    result = runcore("check", str(tmp_path / "nope.json"))
    assert (
        result.returncode == 2
        and "cannot read the file" in result.stdout
        and "Traceback" not in result.stderr
    )


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["check"],
        ["check", "--profile", "loose", "x"],
        ["check", "--kind", "runs", "x"],
        ["lint", "x"],
    ],
    ids=["no-command", "no-path", "bad-profile", "bad-kind", "bad-command"],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = runcore(*args)
    assert result.returncode == 2 and "usage: runcore" in result.stderr


def test_standard_input_is_read_as_json_or_jsonl() -> None:
    one = runcore("check", "-", stdin=json.dumps(RUN))
    many = runcore(
        "check",
        "--format",
        "json",
        "-",
        stdin=json.dumps(RUN) + "\n" + json.dumps(dict(RUN, id="run_2", model=3)) + "\n",
    )
    assert one.returncode == 0
    assert many.returncode == 1
    assert [(f["file"], f["line"]) for f in json.loads(many.stdout)["findings"]] == [("<stdin>", 2)]


def test_a_directory_means_every_json_and_jsonl_file_in_it(tmp_path: Path) -> None:
    page = {
        "object": "list",
        "data": [RUN, dict(RUN, id="run_x", status=None)],
        "first_id": "run_1",
        "last_id": "run_x",
        "has_more": False,
    }
    (tmp_path / "page.json").write_text(json.dumps(page), encoding="utf-8")
    write(tmp_path / "nested.jsonl", RUN)
    (tmp_path / "notes.txt").write_text("not checked", encoding="utf-8")
    result = runcore("check", "--format", "json", str(tmp_path))
    report = json.loads(result.stdout)
    assert report["summary"]["files"] == 2 and report["summary"]["objects"] == 4
    assert report["findings"][0]["object_id"] == "run_x"


def test_kind_profile_and_strict_are_chosen_on_the_command_line(tmp_path: Path) -> None:
    path = write(tmp_path / "body.json", {"assistant_id": "a", "temperature": 3})
    assert runcore("check", "--kind", "create_run_request", str(path)).returncode == 1
    v1 = write(tmp_path / "v1.jsonl", dict(RUN, instructions=None, tool_resources={}))
    assert runcore("check", str(v1)).returncode == 0
    assert runcore("check", "--profile", "spec", str(v1)).returncode == 1
    strict = runcore("check", "--strict", "--format", "json", str(v1))
    assert strict.returncode == 0
    assert json.loads(strict.stdout)["findings"][0]["severity"] == "warning"


def test_junit_output_is_valid_xml_with_one_test_case_per_object(good: Path, bad: Path) -> None:
    result = runcore("check", "--format", "junit", str(good), str(bad))
    root = ET.fromstring(result.stdout)
    # an object per case, and a history per run (run_1 is in both files)
    assert root.tag == "testsuites" and root.get("tests") == "7" and root.get("failures") == "1"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [str(good), str(bad), "histories"]
    for suite in suites:
        cases = suite.findall("testcase")
        assert suite.get("tests") == str(len(cases))
        assert suite.get("failures") == str(sum(c.find("failure") is not None for c in cases))
        assert all(c.get("classname") and c.get("name") for c in cases)
    failure = suites[1].findall("testcase")[1].find("failure")
    assert (
        failure is not None
        and failure.get("type") == "wrong_type"
        and "/created_at" in (failure.text or "")
    )


def test_junit_output_reads_back_in_a_ci_report_parser(good: Path, bad: Path) -> None:
    from junitparser import Failure, JUnitXml

    report = JUnitXml.fromstring(runcore("check", "--format", "junit", str(good), str(bad)).stdout)
    suites = list(report)
    assert [(s.name, s.tests, s.failures, s.errors) for s in suites] == [
        (str(good), 2, 0, 0),
        (str(bad), 2, 1, 0),
        ("histories", 3, 0, 0),
    ]
    outcomes = [(case.name, [type(r).__name__ for r in case.result]) for case in suites[1]]
    assert outcomes == [("line 1: run_1", []), ("line 2: run_bad", ["Failure"])]
    (failure,) = list(suites[1])[1].result
    assert (
        isinstance(failure, Failure)
        and failure.type == "wrong_type"
        and "/metadata/k" in failure.text
    )


def test_junit_output_survives_control_characters_in_values(tmp_path: Path) -> None:
    path = write(tmp_path / "weird.jsonl", dict(RUN, id="run_\x01", status="\x00\x1b"))
    result = runcore("check", "--format", "junit", str(path))
    ET.fromstring(result.stdout)
    assert result.returncode == 1


@needs_recordings
def test_the_real_recordings_pass_the_default_profile_from_the_command_line() -> None:
    result = runcore("check", "--format", "json", str(REAL_FILES[0].parent))
    report = json.loads(result.stdout)
    assert result.returncode == 0, report["findings"][:3]
    assert report["summary"]["objects"] > 100 and report["summary"]["errors"] == 0


def test_broken_pretty_printed_json_on_standard_input_is_unreadable_not_jsonl() -> None:
    result = runcore("check", "-", stdin=json.dumps(RUN, indent=2)[:-2])
    assert result.returncode == 2 and "unreadable_input" in result.stdout


def test_hidden_folders_and_empty_directories(tmp_path: Path) -> None:
    (tmp_path / ".cache").mkdir()
    write(tmp_path / ".cache" / "junk.jsonl", {"object": "thread.run"})
    assert runcore("check", str(tmp_path)).returncode == 2
    write(tmp_path / "ok.jsonl", RUN)
    assert runcore("check", str(tmp_path)).returncode == 0


def run_bytes(data: bytes, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "runcore", "check", *args, "-"],
        input=data,
        capture_output=True,
        cwd=ROOT,
        timeout=120,
    )


HOSTILE = [
    (b'{"object": ["thread.run"]}', "unknown_kind"),
    (b'{"object": {"x": 1}}', "unknown_kind"),
    (b"[" * 100_000 + b"]" * 100_000, "invalid_json"),
    (b'{"id": ' + b"9" * 5000 + b"}", "invalid_json"),
    (b'{"a": "\xff"}', "invalid_json"),
]
HOSTILE_IDS = ["object-a-list", "object-a-dict", "nested-too-deep", "huge-integer", "not-utf8"]


@pytest.mark.parametrize(("data", "code"), HOSTILE, ids=HOSTILE_IDS)
def test_hostile_input_is_a_finding_never_a_traceback(data: bytes, code: str) -> None:
    result = run_bytes(data, "--format", "json")
    assert b"Traceback" not in result.stderr
    assert [f["code"] for f in json.loads(result.stdout)["findings"]] == [code]
    assert result.returncode == 1


@pytest.mark.parametrize(("data", "code"), HOSTILE, ids=HOSTILE_IDS)
def test_hostile_json_file_is_unreadable_or_a_finding(
    tmp_path: Path, data: bytes, code: str
) -> None:
    path = tmp_path / "hostile.json"
    path.write_bytes(data)
    result = runcore("check", "--format", "json", str(path))
    expected = "unreadable_input" if code == "invalid_json" else code
    assert [f["code"] for f in json.loads(result.stdout)["findings"]] == [expected]
    assert result.returncode == (2 if expected == "unreadable_input" else 1)


def test_line_separators_inside_jsonl_strings_do_not_split_lines(tmp_path: Path) -> None:
    path = tmp_path / "seps.jsonl"
    text = json.dumps(dict(RUN, instructions="a\u2028b\x85c\u2029"), ensure_ascii=False)
    path.write_text(text + "\n" + text + "\n", encoding="utf-8")
    result = runcore("check", "--format", "json", str(path))
    assert result.returncode == 0 and json.loads(result.stdout)["summary"]["objects"] == 2


@pytest.mark.parametrize("output", ["text", "json", "junit"])
def test_lone_surrogates_and_non_utf8_file_names_are_printed_escaped(
    tmp_path: Path, output: str
) -> None:
    path = tmp_path / "caf\udce9.jsonl"  # the file name bytes b"caf\xe9"
    path.write_text(
        '{"id": "run_\\ud800", "object": "thread.run", "status": "?"}\n', encoding="utf-8"
    )
    result = subprocess.run(
        [sys.executable, "-m", "runcore", "check", "--format", output, str(tmp_path)],
        capture_output=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 1 and b"Traceback" not in result.stderr
    if output == "junit":
        ET.fromstring(result.stdout)
    if output == "json":
        json.loads(result.stdout)


def test_stdin_is_decoded_like_a_file_and_jsonl_keeps_going_past_a_bad_line() -> None:
    result = run_bytes(
        b"\xef\xbb\xbf" + json.dumps(RUN).encode() + b"\n42\n" + json.dumps(RUN).encode() + b"\n",
        "--format",
        "json",
    )
    report = json.loads(result.stdout)
    assert result.returncode == 1
    assert report["summary"]["objects"] == 3
    assert [(f["line"], f["code"]) for f in report["findings"]] == [(2, "unknown_kind")]


def test_an_empty_file_is_a_skipped_case_and_whole_file_problems_have_no_line(
    tmp_path: Path,
) -> None:
    (tmp_path / "empty.jsonl").write_text("\n\n", encoding="utf-8")
    (tmp_path / "broken.json").write_text('{"a": 1, "a": 2}', encoding="utf-8")
    result = runcore("check", "--format", "json", str(tmp_path))
    report = json.loads(result.stdout)
    assert counts(report["summary"]) == {"files": 2, "objects": 1, "errors": 1, "warnings": 1}
    assert [(f["code"], f["line"]) for f in report["findings"]] == [
        ("unreadable_input", 1),
        ("empty_input", None),
    ]
    missing = json.loads(runcore("check", "--format", "json", str(tmp_path / "nope.json")).stdout)
    assert missing["findings"][0]["line"] is None
    junit = ET.fromstring(runcore("check", "--format", "junit", str(tmp_path)).stdout)
    assert [(s.get("tests"), s.get("skipped")) for s in junit.findall("testsuite")] == [
        ("1", "0"),
        ("1", "1"),
    ]  # no run or step was read: no histories suite


def test_a_jsonl_line_that_is_not_utf8_is_a_finding_and_the_rest_is_still_checked(
    tmp_path: Path,
) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(
        json.dumps(RUN).encode()
        + b'\n{"a": "\xff"}\n'
        + json.dumps(dict(RUN, id="run_2", model=1)).encode()
        + b"\n"
    )
    report = json.loads(runcore("check", "--format", "json", str(path)).stdout)
    assert [(f["line"], f["code"]) for f in report["findings"]] == [
        (2, "invalid_json"),
        (3, "wrong_type"),
    ]
    assert report["summary"]["objects"] == 3


def test_the_command_writes_its_whole_report_before_it_exits(tmp_path: Path) -> None:
    """The command leaves what the check kept to the operating system (run() ends with os._exit):
    a report far larger than a pipe's buffer still arrives whole, with its exit code."""
    path = tmp_path / "bad.jsonl"
    path.write_text('{"object": "thread.run", "id": "run_1"}\n' * 2000, encoding="utf-8")
    done = runcore("check", "--format", "json", str(path))
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["summary"]["objects"] == 2000
    assert len(done.stdout) > 1 << 20
    assert done.stderr == ""


def test_a_check_in_this_process_leaves_the_collector_as_it_was() -> None:
    before = gc.get_threshold()
    gc.set_threshold(701, 11, 12)
    try:
        assert run_cli("check", str(ROOT / "examples" / "valid")).code == 0
        assert gc.get_threshold() == (701, 11, 12)
    finally:
        gc.set_threshold(*before)
