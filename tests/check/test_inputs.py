"""What `runcore check` reads: standard input and pipes as a stream, directories with their links,
FIFOs and unreadable entries, and JSON the parser refuses; nothing is dropped without a word."""

from __future__ import annotations

import errno
import io
import json
import os
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runcore._check._paths import _suffix
from runcore._cli import main
from runcore._json import MAX_DEPTH
from tests.builders import RUN
from tests.cli import run_cli

ROOT = Path(__file__).resolve().parents[2]
LINE = json.dumps(RUN).encode()


def report(*args: str, stdin: bytes = b"") -> tuple[int, dict[str, Any]]:
    result = run_cli("check", "--format", "json", *args, stdin=stdin)
    return result.code, json.loads(result.stdout)


def codes(found: dict[str, Any]) -> list[tuple[str, int | None, str]]:
    return [(f["code"], f["line"], f["severity"]) for f in found["findings"]]


# Standard input and other streams


def test_stdin_jsonl_carries_on_past_a_bad_first_line() -> None:
    code, found = report("-", stdin=b"{not json\n" + LINE + b"\n" + LINE + b"\n")
    assert code == 1
    assert codes(found) == [("invalid_json", 1, "error")]
    assert found["summary"]["objects"] == 3


def test_stdin_holding_one_document_over_many_lines_is_one_object() -> None:
    page = {"object": "list", "data": [RUN], "first_id": "run_1", "last_id": "run_1"}
    code, found = report(
        "-", stdin=b"\n\n" + json.dumps(dict(page, has_more=False), indent=2).encode()
    )
    assert (code, found["findings"], found["summary"]["objects"]) == (0, [], 2)


def test_a_path_of_another_suffix_is_read_like_stdin(tmp_path: Path) -> None:
    path = tmp_path / "recording"  # as a FIFO or <(zcat runs.jsonl.gz) would be
    path.write_bytes(LINE + b"\n" + LINE.replace(b'"run_1"', b"5") + b"\n")
    code, found = report(str(path))
    assert code == 1 and [f["line"] for f in found["findings"]] == [2]


def test_a_fifo_named_on_the_command_line_is_read(tmp_path: Path) -> None:
    fifo = tmp_path / "stream"
    os.mkfifo(fifo)
    writer = threading.Thread(target=fifo.write_bytes, args=[(LINE + b"\n") * 3], daemon=True)
    writer.start()
    code, found = report(str(fifo))
    writer.join(timeout=60)
    assert (code, found["summary"]["objects"]) == (0, 3)


@pytest.mark.parametrize(
    "stdin", [b"", b"\n \n\t\r\n", b"\xef\xbb\xbf"], ids=["empty", "blank", "bom"]
)
def test_empty_stdin_is_a_warning_and_nothing_checked_exits_2(stdin: bytes) -> None:
    result = run_cli("check", "--format", "json", "-", stdin=stdin)
    assert result.code == 2
    assert codes(json.loads(result.stdout)) == [("empty_input", None, "warning")]
    assert result.stderr == "runcore: nothing was checked: there is no JSON value in the input\n"


def test_a_line_of_spaces_json_does_not_know_is_a_bad_line_not_a_blank_one() -> None:
    code, found = report("-", stdin=LINE + b"\n\x0b\n")
    assert code == 1 and codes(found) == [("invalid_json", 2, "error")]


def test_closed_stdin_is_unreadable_input_not_a_traceback() -> None:
    result = subprocess.run(
        f"{sys.executable} -m runcore check --format json - <&-",
        shell=True,
        capture_output=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    (finding,) = json.loads(result.stdout)["findings"]
    assert (finding["code"], finding["message"]) == ("unreadable_input", "standard input is closed")
    assert result.stderr.decode().count("\n") == 1 and b"Traceback" not in result.stderr


class FailingStream(io.RawIOBase):
    """A stream that gives one line, then fails as a broken disk or socket would."""

    def __init__(self) -> None:
        self.lines = [LINE + b"\n"]

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if not self.lines:
            raise OSError(errno.EIO, "Input/output error")
        data = self.lines.pop()
        buffer[: len(data)] = data
        return len(data)


def test_a_read_that_fails_part_way_ends_the_input_with_unreadable_input(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(FailingStream())))
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    assert main(["check", "--format", "json", "-"]) == 2
    found = json.loads(out.getvalue())
    assert [(f["code"], f["message"]) for f in found["findings"]] == [
        ("unreadable_input", "cannot read after line 1: Input/output error")
    ]
    assert found["summary"]["objects"] == 2


# JSON the parser refuses


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_nesting_deeper_than_max_depth_is_invalid_json_at_its_line() -> None:
    deep = json.dumps(dict(RUN, metadata={"k": "PLACE"})).replace('"PLACE"', nested(MAX_DEPTH))
    code, found = report("-", stdin=LINE + b"\n" + deep.encode() + b"\n")
    ((finding),) = found["findings"]
    assert (finding["code"], finding["line"]) == ("invalid_json", 2)
    assert f"nested deeper than {MAX_DEPTH} levels" in finding["message"]


@pytest.mark.parametrize("output", ["text", "json", "junit"])
def test_a_value_nested_to_the_limit_is_reported_in_every_format(output: str) -> None:
    deep = json.dumps(dict(RUN, metadata={"k": "PLACE"})).replace('"PLACE"', nested(MAX_DEPTH - 2))
    result = run_cli("check", "--format", output, "-", stdin=deep.encode() + b"\n")
    assert result.code == 1, result.stderr
    assert "wrong_type" in result.text and len(result.stdout) < 10_000


@pytest.mark.parametrize("number", ["1e400", "-1e400", "1.5e309", "1" * 400 + ".0"])
def test_a_number_too_large_for_a_float_is_invalid_json_never_infinity(number: str) -> None:
    line = json.dumps(dict(RUN, temperature=0.5)).replace("0.5", number)
    result = run_cli("check", "--format", "json", "-", stdin=line.encode() + b"\n")

    def no_constant(name: str) -> None:
        raise AssertionError(f"{name} is not JSON")

    found = json.loads(result.stdout, parse_constant=no_constant)
    assert result.code == 1 and codes(found) == [("invalid_json", 1, "error")]
    assert "too large for a float" in found["findings"][0]["message"]


# Directories


def write(path: Path, *lines: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    return path


def by_file(found: dict[str, Any]) -> list[tuple[str, str]]:
    return [(Path(f["file"]).name, f["code"]) for f in found["findings"]]


def said(found: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(Path(f["file"]).name, f["code"], f["message"]) for f in found["findings"]]


def test_linked_folders_are_walked_once_and_a_link_loop_is_a_reported_skip(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write(outside / "linked.jsonl", LINE)
    root = tmp_path / "root"
    write(root / "a.jsonl", LINE)
    (root / "b").symlink_to(outside)
    (root / "c").symlink_to(outside)  # a second link to the same folder
    (root / "loop").symlink_to(root)
    code, found = report(str(root))
    assert code == 0
    summary = found["summary"]
    assert [summary[k] for k in ("files", "objects", "errors", "warnings")] == [4, 2, 0, 2]
    assert by_file(found) == [("c", "skipped_input"), ("loop", "skipped_input")]


def test_files_come_in_path_order(tmp_path: Path) -> None:
    for name in ("b.jsonl", "a/z.jsonl", "a.json"):
        write(tmp_path / name, LINE.replace(b'"run_1"', b'"' + name.encode() + b'"'))
    suites = ET.fromstring(run_cli("check", "--format", "junit", str(tmp_path)).stdout)
    names = [suite.get("name", "") for suite in suites]
    assert [Path(name).relative_to(tmp_path).as_posix() for name in names[:-1]] == [
        "a/z.jsonl",
        "a.json",
        "b.jsonl",
    ]
    assert names[-1] == "histories"


def test_dangling_links_fifos_and_link_loops_are_each_reported(tmp_path: Path) -> None:
    write(tmp_path / "good.jsonl", LINE)
    (tmp_path / "gone.jsonl").symlink_to(tmp_path / "nowhere.jsonl")
    (tmp_path / "gone-folder").symlink_to(tmp_path / "nowhere")
    (tmp_path / "self.jsonl").symlink_to(tmp_path / "self.jsonl")
    os.mkfifo(tmp_path / "pipe.jsonl")
    os.mkfifo(tmp_path / "pipe.txt")  # not a recording by its name: left alone
    code, found = report(str(tmp_path))
    assert code == 2  # a recording that cannot be read makes the check incomplete
    assert said(found) == [
        ("gone-folder", "skipped_input", "skipped: a link to nothing"),
        ("gone.jsonl", "unreadable_input", "cannot read it: a link to nothing"),
        (
            "pipe.jsonl",
            "skipped_input",
            "skipped: a FIFO: not read (reading it could wait forever)",
        ),
        ("self.jsonl", "unreadable_input", "cannot read it: a loop of links"),
    ]


def test_an_unreadable_folder_or_file_is_unreadable_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from runcore._check import _paths

    write(tmp_path / "locked" / "x.jsonl", LINE)
    write(tmp_path / "secret.jsonl", LINE)
    write(tmp_path / "z.jsonl", LINE)
    real_scandir, real_open = os.scandir, open

    def scandir(path: Any) -> Any:
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    def opener(path: Any, *args: Any) -> Any:
        if Path(path).name == "secret.jsonl":
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args)

    monkeypatch.setattr(_paths.os, "scandir", scandir)
    monkeypatch.setattr(_paths, "open", opener, raising=False)
    code, found = report(str(tmp_path))
    assert code == 2
    assert said(found) == [
        ("locked", "unreadable_input", "cannot read the folder: Permission denied"),
        ("secret.jsonl", "unreadable_input", "cannot read: Permission denied"),
    ]
    assert found["summary"]["objects"] == 3


def test_a_directory_with_nothing_to_check_exits_2(tmp_path: Path) -> None:
    write(tmp_path / "empty.jsonl", b"")
    os.mkfifo(tmp_path / "pipe.json")
    code, found = report(str(tmp_path))
    assert code == 2
    assert codes(found) == [("empty_input", None, "warning"), ("skipped_input", None, "warning")]


@given(st.text(alphabet="ab./x", max_size=12))
def test_a_files_suffix_is_the_one_pathlib_gives(path: str) -> None:
    """The reader of a file is chosen by its suffix, read without importing pathlib."""
    assert _suffix(path) == Path(path).suffix
