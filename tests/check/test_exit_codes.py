"""Exit codes CI can trust: a crash, a closed or broken stdout and running out of memory are never
exit code 1 (findings) and never a traceback; every code is documented in --help and the README."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from runcore._check import _corpus
from runcore._cli import EXIT_CODES, INTERNAL_FAILURE
from tests.builders import RUN
from tests.cli import run_cli

ROOT = Path(__file__).resolve().parents[2]
LINE = json.dumps(RUN).encode() + b"\n"
BAD_LINE = json.dumps(dict(RUN, model=1)).encode() + b"\n"


def test_every_exit_code_is_in_the_help_and_the_readme() -> None:
    result = run_cli("check", "--help")
    assert result.code == 0
    assert EXIT_CODES in result.text
    assert EXIT_CODES in (ROOT / "README.md").read_text(encoding="utf-8")
    documented = [line.split()[0] for line in EXIT_CODES.splitlines()[1:] if line[2:3].isdigit()]
    assert documented == ["0", "1", "2", "3", "130"]


@pytest.mark.parametrize(
    ("failure", "message"),
    [
        (MemoryError(), "runcore: out of memory; the report is incomplete\n"),
        (
            RuntimeError("boom\nsecond line"),
            "runcore: internal error, please report it: RuntimeError: boom\\nsecond line\n",
        ),
        (RecursionError(), "runcore: internal error, please report it: RecursionError: \n"),
    ],
    ids=["memory", "bug", "recursion"],
)
def test_an_internal_failure_exits_3_with_one_line_on_stderr(
    monkeypatch: pytest.MonkeyPatch, failure: BaseException, message: str
) -> None:
    def validate(*args: Any, **kwargs: Any) -> Any:
        raise failure

    monkeypatch.setattr(_corpus, "validate_read", validate)
    for output in ("text", "json", "junit"):
        result = run_cli("check", "--format", output, "-", stdin=LINE)
        assert (result.code, result.stderr) == (INTERNAL_FAILURE, message)


def test_an_interrupt_exits_130(monkeypatch: pytest.MonkeyPatch) -> None:
    def validate(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(_corpus, "validate_read", validate)
    result = run_cli("check", "-", stdin=LINE)
    assert (result.code, result.stderr) == (130, "runcore: interrupted\n")


def shell(command: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        command, shell=True, input=stdin, capture_output=True, cwd=ROOT, timeout=120
    )


@pytest.mark.parametrize("output", ["text", "json", "junit"])
def test_a_closed_stdout_exits_3_with_one_line(output: str) -> None:
    result = shell(f"{sys.executable} -m runcore check --format {output} - >&-", BAD_LINE)
    assert result.returncode == INTERNAL_FAILURE
    assert result.stderr.decode().splitlines() == [
        "runcore: cannot write the report: standard output is closed"
    ]


@pytest.mark.parametrize("output", ["text", "json", "junit"])
def test_a_broken_pipe_exits_3_with_one_line(output: str) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "runcore", "check", "--format", output, "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    assert process.stdout is not None and process.stdin is not None
    process.stdout.close()  # the reader went away, as `runcore check ... | head -1` does
    _, stderr = process.communicate(BAD_LINE * 2000, timeout=120)
    assert process.returncode == INTERNAL_FAILURE
    assert stderr.decode().splitlines() == ["runcore: cannot write the report: Broken pipe"]


@pytest.mark.slow
def test_running_out_of_memory_for_real_exits_3_with_one_line(tmp_path: Path) -> None:
    page = tmp_path / "huge.json"
    page.write_bytes(b"[" + b"[0]," * 20_000_000 + b"0]")  # 80 MB of text, ~2 GB as Python lists
    script = (
        "import resource, sys; "
        "resource.setrlimit(resource.RLIMIT_AS, (800 * 2**20, 800 * 2**20)); "
        "from runcore._cli import main; sys.exit(main(sys.argv[1:]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, "check", "--kind", "run", str(page)],
        capture_output=True,
        cwd=ROOT,
        timeout=300,
    )
    assert result.returncode == INTERNAL_FAILURE, result.stderr[-2000:]
    assert result.stderr.decode().splitlines() == [
        "runcore: out of memory; the report is incomplete"
    ]


def test_nothing_checked_exits_2_but_an_empty_file_beside_others_is_a_warning(
    tmp_path: Path,
) -> None:
    (tmp_path / "empty.json").write_bytes(b"")
    (tmp_path / "runs.jsonl").write_bytes(LINE)
    assert run_cli("check", str(tmp_path / "empty.json")).code == 2
    result = run_cli("check", str(tmp_path))
    assert result.code == 0 and "warning empty_input" in result.text
