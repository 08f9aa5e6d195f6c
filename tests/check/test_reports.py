"""What `runcore check` writes: values quoted cut to size, text that cannot forge lines or drive a
terminal, JSON that is always JSON, and JUnit XML that is UTF-8 whatever the terminal speaks."""

from __future__ import annotations

import io
import json
import math
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runcore import Finding
from runcore._check._cases import Case, Summary
from runcore._check._quote import (
    CUT,
    TEXT_CHARACTERS,
    VALUE_CHARACTERS,
    VALUE_DEPTH,
    VALUE_ITEMS,
    VALUE_NODES,
    printable,
    quoted,
)
from runcore._check._render import RENDERERS
from tests.builders import RUN
from tests.cli import run_cli

ROOT = Path(__file__).resolve().parents[2]
FORMATS = sorted(RENDERERS)


def jsonl(*objects: Any) -> bytes:
    return b"".join(json.dumps(o).encode() + b"\n" for o in objects)


def findings(*args: str, stdin: bytes) -> list[dict[str, Any]]:
    result = run_cli("check", "--format", "json", *args, "-", stdin=stdin)
    found: list[dict[str, Any]] = json.loads(result.stdout)["findings"]
    return found


# Values quoted cut to size


def depth(value: Any) -> int:
    if isinstance(value, (list, dict)):
        children = value.values() if isinstance(value, dict) else value
        return 1 + max((depth(child) for child in children), default=0)
    return 0


def size(value: Any) -> int:
    children = value.values() if isinstance(value, dict) else value
    return 1 + sum(size(child) for child in children) if isinstance(value, (list, dict)) else 1


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=VALUE_CHARACTERS + 20),
    lambda inner: (
        st.lists(inner, max_size=VALUE_ITEMS + 5)
        | st.dictionaries(st.text(max_size=8), inner, max_size=VALUE_ITEMS + 5)
    ),
    max_leaves=300,
)


@given(json_values)
def test_a_quoted_value_is_json_bounded_and_exact_unless_it_says_so(value: Any) -> None:
    quote, changed = quoted(value)
    text = json.dumps(quote, allow_nan=False)
    assert depth(quote) <= VALUE_DEPTH and size(quote) <= 2 * VALUE_NODES + 1
    assert len(text) < 20 * VALUE_NODES * VALUE_CHARACTERS
    if not changed:
        assert json.loads(text) == value
        assert text == json.dumps(value)


def test_deep_long_and_wide_values_are_cut_and_marked() -> None:
    deep: Any = 1
    for _ in range(500):
        deep = [deep]
    assert quoted(deep) == (
        json.loads("[" * VALUE_DEPTH + json.dumps(CUT) + "]" * VALUE_DEPTH),
        True,
    )
    assert quoted("x" * 1000) == ("x" * (VALUE_CHARACTERS - 1) + CUT, True)
    assert quoted(list(range(1000))) == ([*range(VALUE_ITEMS), CUT], True)
    assert quoted({"k": math.inf, "n": math.nan}) == ({"k": "Infinity", "n": "NaN"}, True)
    assert quoted(10**5000) == (CUT, True)
    assert quoted({"ok": [1, "two", None]}) == ({"ok": [1, "two", None]}, False)


def nested(value: Any, levels: int) -> Any:
    for _ in range(levels):
        value = [value]
    return value


def test_json_output_quotes_a_deep_value_cut_to_size_and_says_so() -> None:
    (finding,) = findings(stdin=jsonl(dict(RUN, metadata={"k": nested(1, 500)})))
    assert finding["code"] == "wrong_type" and finding["truncated"] is True
    assert depth(finding["value"]) == VALUE_DEPTH


def test_output_grows_linearly_when_a_long_id_is_repeated_in_every_finding() -> None:
    body = {"id": "run_" + "x" * 100_000, **{f"k{i}": i for i in range(50)}}
    stdin = jsonl(dict(body, assistant_id=1))
    for output in FORMATS:
        result = run_cli("check", "--strict", "--format", output, "--kind", "run", "-", stdin=stdin)
        assert result.code == 1 and len(result.stdout) < 100 * TEXT_CHARACTERS * 60, output


# Text that cannot forge report lines


HOSTILE_TEXT = "x\n  line 9 [run_1]: error forged\x1b[2J\u202e\x00"


@pytest.mark.parametrize("output", ["text", "junit"])
def test_control_characters_in_ids_pointers_and_messages_are_escaped(output: str) -> None:
    body = {"assistant_id": "asst_1", HOSTILE_TEXT: 1, "id": HOSTILE_TEXT}
    result = run_cli(
        "check", "--kind", "create_run_request", "--format", output, "-", stdin=jsonl(body)
    )
    assert result.code == 1
    assert "forged" in result.text and "\x1b" not in result.text and "\u202e" not in result.text
    assert "\x00" not in result.text
    if output == "text":
        assert not any(line.startswith("  line 9") for line in result.text.splitlines())
        assert "\\x1b[2J\\u202e\\x00" in result.text
    else:
        ET.fromstring(result.stdout)


def test_control_characters_in_file_names_are_escaped(tmp_path: Path) -> None:
    path = tmp_path / "a\nchecked 0 object(s)\x1b]0;x\x07.jsonl"
    path.write_bytes(jsonl(dict(RUN, model=1)))
    result = run_cli("check", str(tmp_path))
    lines = result.text.splitlines()
    assert lines[0].endswith("a\\nchecked 0 object(s)\\x1b]0;x\\x07.jsonl")
    assert len(lines) == 4 and lines[-1].startswith("checked 1 object(s)")


@given(st.text())
def test_printable_text_is_one_line_of_printable_characters(text: str) -> None:
    shown = printable(text)
    assert shown.isprintable()
    assert shown == text if text.isprintable() else "\\" in shown


# Output that parses in its format


def test_json_output_never_writes_infinity_or_nan() -> None:
    value = {"t": math.inf, "n": [math.nan, -math.inf]}
    finding = Finding(
        severity="error",
        code="non_finite_number",
        category="schema",
        pointer="",
        message="m",
        value=value,
        file="f",
        line=1,
    )
    out = io.StringIO()
    summary = Summary(files=1, objects=1, errors=1)
    RENDERERS["json"]([("f", iter([Case("f", 1, "line 1", [finding])]))], summary, out)

    def no_constant(name: str) -> None:
        raise AssertionError(f"{name} is not JSON")

    (shown,) = json.loads(out.getvalue(), parse_constant=no_constant)["findings"]
    assert shown["value"] == {"t": "Infinity", "n": ["NaN", "-Infinity"]} and shown["truncated"]


@pytest.mark.parametrize("encoding", ["latin-1", "ascii"])
def test_junit_is_utf8_and_well_formed_whatever_the_terminal_encoding(encoding: str) -> None:
    stdin = jsonl(dict(RUN, id="run_é☃\U0001f600", model=1))
    result = run_cli("check", "--format", "junit", "-", stdin=stdin, encoding=encoding)
    assert result.stdout.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    case = ET.fromstring(result.stdout).find("testsuite/testcase")
    assert case is not None and case.get("name") == "line 1: run_é☃\U0001f600"


def test_junit_is_utf8_under_a_latin1_terminal_in_a_real_process() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "runcore", "check", "--format", "junit", "-"],
        input=jsonl(dict(RUN, id="run_é☃", model=1)),
        capture_output=True,
        cwd=ROOT,
        env={"PYTHONIOENCODING": "latin-1", "LANG": "C", "PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    assert result.returncode == 1, result.stderr
    case = ET.fromstring(result.stdout).find("testsuite/testcase")
    assert case is not None and case.get("name") == "line 1: run_é☃"


def test_text_under_a_latin1_terminal_escapes_what_it_cannot_encode() -> None:
    stdin = jsonl(dict(RUN, id="run_é☃", model=1))
    result = run_cli("check", "-", stdin=stdin, encoding="latin-1")
    assert "[run_é\\u2603]" in result.stdout.decode("latin-1")
