"""``--jobs N``: a large JSONL file checked by worker processes gives the report of one process,
byte for byte, in every format, whatever the lines and wherever the slices end."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runcore import page
from runcore._check import _jobs
from runcore.strategies import histories, invalid_variants
from tests.cli import run_cli

FORMATS = ("text", "json", "junit", "github")
# Lines a worker does not check alone: the process that reports reads them again.
ODD_LINES = [
    b"{not json",
    b'{"a": 1, "a": 2}',
    b"[1, 2]",
    b"17",
    b'{"object": "thread.run"}',
    b'{"object": "unknown.kind", "id": "x_1"}',
    b"   ",
    b"",
    b"\xff\xfe not UTF-8",
    b'{"log": {"version": "1.2", "entries": []}}',
]


@st.composite
def corpora(draw: st.DrawFn) -> bytes:
    """JSONL text: interleaved run histories, runs broken one way, pages, and odd lines."""
    lines: list[bytes] = []
    for history in draw(st.lists(histories(max_events=4), min_size=1, max_size=3)):
        for snapshot in history:
            lines.insert(draw(st.integers(0, len(lines))), json.dumps(snapshot).encode())
    for _ in range(draw(st.integers(0, 3))):
        broken = draw(invalid_variants("run", profile="observed"))
        lines.insert(draw(st.integers(0, len(lines))), json.dumps(broken.instance).encode())
    if draw(st.booleans()):
        runs = [json.loads(line) for line in lines if b'"thread.run"' in line][:2]
        lines.append(json.dumps(page(runs, "order=asc")).encode())
    for odd in draw(st.lists(st.sampled_from(ODD_LINES), max_size=4)):
        lines.insert(draw(st.integers(0, len(lines))), odd)
    bom = b"\xef\xbb\xbf" if draw(st.booleans()) else b""
    end = draw(st.sampled_from([b"\n", b""]))
    return bom + b"\n".join(lines) + end


def reports(path: Path, *options: str) -> dict[str, tuple[int, bytes, str]]:
    found = {}
    for output in FORMATS:
        result = run_cli("check", "--format", output, *options, str(path))
        found[output] = (result.code, result.stdout, result.stderr)
    return found


@pytest.fixture
def every_file_large(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_jobs, "LARGE", 0)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(corpus=corpora(), slice_bytes=st.integers(1, 4000))
def test_the_workers_report_is_the_single_process_report_byte_for_byte(
    corpus: bytes, slice_bytes: int, tmp_path: Path, every_file_large: None, monkeypatch: Any
) -> None:
    monkeypatch.setattr(_jobs, "SLICE", slice_bytes)
    path = tmp_path / "corpus.jsonl"
    path.write_bytes(corpus)
    alone = reports(path, "--jobs", "1")
    assert reports(path, "--jobs", "2") == alone
    assert json.loads(alone["json"][1])["summary"]["objects"] > 0  # both read the corpus


def test_histories_across_slices_are_found(
    tmp_path: Path, every_file_large: None, monkeypatch: Any
) -> None:
    """A run completed in one slice and queued again in another: the history finding is there."""
    monkeypatch.setattr(_jobs, "SLICE", 1)  # a slice per line
    run = {
        "id": "run_1", "object": "thread.run", "created_at": 1700000000, "assistant_id": "asst_1",
        "thread_id": "thread_1", "status": "completed", "started_at": 1700000001,
        "expires_at": None, "cancelled_at": None, "failed_at": None, "completed_at": 1700000002,
        "last_error": None, "model": "gpt-4o", "instructions": "", "tools": [], "metadata": {},
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }  # fmt: skip
    queued = {**run, "status": "queued", "started_at": None, "completed_at": None, "usage": None}
    queued["expires_at"] = 1700000600
    path = tmp_path / "polls.jsonl"
    path.write_text(f"{json.dumps(run)}\n{json.dumps(queued)}\n", encoding="utf-8")
    report = json.loads(run_cli("check", "--format", "json", "--jobs", "2", str(path)).stdout)
    assert ("status_change_illegal", 2) in {(f["code"], f["line"]) for f in report["findings"]}
    assert reports(path, "--jobs", "2") == reports(path, "--jobs", "1")


def test_a_small_file_is_read_by_one_process(tmp_path: Path, monkeypatch: Any) -> None:
    started = []
    monkeypatch.setattr(_jobs.Workers, "_read", lambda self, *a: started.append(a) or iter(()))
    path = tmp_path / "small.jsonl"
    path.write_text('{"object": "thread.run"}\n', encoding="utf-8")
    assert run_cli("check", "--jobs", "2", str(path)).code == 1
    assert started == []


def test_where_workers_cannot_be_forked_one_process_reads(
    tmp_path: Path, every_file_large: None, monkeypatch: Any
) -> None:
    """A spawned worker hashes long values with a seed of its own: its digests would not be the
    reporting process's, and one run's fixed fields would seem to change between slices."""
    monkeypatch.setattr(_jobs, "FORK", False)
    started = []
    monkeypatch.setattr(_jobs.Workers, "_read", lambda self, *a: started.append(a) or iter(()))
    path = tmp_path / "polls.jsonl"
    path.write_text('{"object": "thread.run"}\n', encoding="utf-8")
    assert run_cli("check", "--jobs", "2", str(path)).code == 1
    assert started == []


def _die(*_: Any) -> Any:
    os._exit(1)  # a worker killed, as the kernel kills one out of memory


@pytest.fixture
def memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The folder the workers' folders are made in, to see that they are removed."""
    folder = tmp_path / "memory"
    folder.mkdir()
    monkeypatch.setattr(_jobs, "SHARED_MEMORY", str(folder))
    return folder


def test_a_worker_that_dies_ends_the_check_with_exit_code_3(
    tmp_path: Path, every_file_large: None, memory: Path, monkeypatch: Any
) -> None:
    monkeypatch.setattr(_jobs, "_examine", _die)
    path = tmp_path / "polls.jsonl"
    path.write_text('{"object": "thread.run"}\n' * 3, encoding="utf-8")
    result = run_cli("check", "--jobs", "2", str(path))
    assert result.code == 3
    assert result.stderr == (
        "runcore: a worker process of --jobs stopped before it finished (killed, or out of "
        "memory); the report is incomplete\n"
    )
    assert list(memory.iterdir()) == []  # the workers' folder is removed


def test_the_workers_files_are_removed(
    tmp_path: Path, every_file_large: None, memory: Path, monkeypatch: Any
) -> None:
    """The workers write what they found to files of the check's own folder (in memory, where
    the system has it); each is read once and the folder is gone when the check ends."""
    monkeypatch.setattr(_jobs, "SLICE", 64)
    path = tmp_path / "polls.jsonl"
    path.write_text('{"object": "thread.run", "id": "run_1"}\n' * 40, encoding="utf-8")
    assert reports(path, "--jobs", "2") == reports(path, "--jobs", "1")
    assert list(memory.iterdir()) == []


@pytest.mark.parametrize("jobs", ["-1", "two", "1.5"])
def test_jobs_must_be_a_count(jobs: str) -> None:
    result = run_cli("check", "--jobs", jobs, "x.jsonl")
    assert result.code == 2
    assert "--jobs: must be a whole number, 0 or more" in result.stderr


@settings(max_examples=25, deadline=None)
@given(corpus=corpora())
def test_a_report_of_findings_alone_finds_what_every_case_finds(corpus: bytes) -> None:
    """Text, JSON and GitHub reports are given one shared case for every object with no finding
    (QUIET), and none for a history with none; JUnit, every case named. Both see the same findings
    and the same counts."""
    import io

    from runcore._check._cases import Summary
    from runcore._check._corpus import QUIET, checked
    from runcore._check._readers import read_lines

    found = {}
    for every_case in (True, False):
        summary = Summary()
        files = checked(
            [("corpus.jsonl", read_lines("corpus.jsonl", io.BytesIO(corpus)))],
            kind=None,
            profile="observed",
            strict=False,
            summary=summary,
            every_case=every_case,
        )
        cases = [case for _, each in files for case in each]
        quiet = sum(case is QUIET for case in cases)
        if every_case:
            assert quiet == 0
        findings = [finding for case in cases for finding in case.findings]
        found[every_case] = (findings, summary.as_dict())
    assert found[False] == found[True]
    assert QUIET.findings == []  # never changed
