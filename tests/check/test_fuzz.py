"""Fuzzing `runcore check`: random bytes, encodings, BOMs, deep nesting, long lines, hostile numbers,
links, FIFOs, closed pipes and every option. Whatever the input: no traceback, only documented exit
codes (never 3, the code of an internal failure), and output that parses in its format and agrees
with the exit code.

The default run tries about a minute's worth of inputs (FUZZ_COUNTS); RUNCORE_FUZZ=long tries 25
times as many, for local runs.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runcore import CODES, KINDS, PROFILES
from runcore._json import MAX_DEPTH
from runcore.strategies import valid_objects
from tests.check.formats import FIXTURES
from tests.cli import Result, run_cli

ROOT = Path(__file__).resolve().parents[2]
LONG = os.environ.get("RUNCORE_FUZZ") == "long"
SCALE = 25 if LONG else 1
# Inputs tried per test in the default run (times SCALE with RUNCORE_FUZZ=long).
FUZZ_COUNTS = {
    "bytes": 2000,
    "documents": 2000,
    "streams": 1500,
    "recordings": 400,
    "folders": 300,
    "processes": 8,
}
FORMATS = ("text", "json", "junit", "github")


def fuzz(name: str) -> settings:
    return settings(
        max_examples=FUZZ_COUNTS[name] * SCALE,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


options = st.tuples(
    st.sampled_from(FORMATS),
    st.sampled_from(PROFILES),
    st.none() | st.sampled_from(KINDS),
    st.booleans(),
).map(
    lambda o: [
        "--format",
        o[0],
        "--profile",
        o[1],
        *(["--kind", o[2]] if o[2] else []),
        *(["--strict"] if o[3] else []),
    ]
)


# What every run must satisfy


def check_result(result: Result, args: list[str]) -> None:
    """No traceback, a documented exit code that agrees with the report, output in its format."""
    assert "Traceback" not in result.stderr
    assert result.code in (0, 1, 2), (result.code, result.stderr)
    assert result.stderr.count("\n") <= 1 and (
        not result.stderr or result.stderr.startswith("runcore: ")
    )
    output = args[args.index("--format") + 1] if "--format" in args else "text"
    if output == "json":
        check_json(result)
    elif output == "junit":
        check_junit(result)
    elif output == "github":
        check_github(result)
    else:
        check_text(result)


def no_constant(name: str) -> None:
    raise AssertionError(f"{name} is not JSON")


def check_json(result: Result) -> None:
    report = json.loads(result.stdout, parse_constant=no_constant)
    findings, summary = report["findings"], report["summary"]
    assert set(summary) == {
        "files",
        "objects",
        "errors",
        "warnings",
        "interactions",
        "passed_over",
        "streams",
        "histories",
        "categories",
    }
    for finding in findings:
        assert CODES[finding["code"]][0] == finding["category"]
        assert isinstance(finding["truncated"], bool)
    assert summary["errors"] == sum(f["severity"] == "error" for f in findings)
    assert summary["warnings"] == sum(f["severity"] == "warning" for f in findings)
    assert sum(summary["categories"].values()) == len(findings)
    unreadable = any(f["code"] == "unreadable_input" for f in findings)
    checked = summary["objects"] or summary["interactions"] or summary["streams"]
    expected = 2 if unreadable or not checked else (1 if summary["errors"] else 0)
    assert result.code == expected


def check_junit(result: Result) -> None:
    assert result.stdout.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(result.stdout)
    suites = root.findall("testsuite")
    for suite in suites:
        cases = suite.findall("testcase")
        assert int(suite.get("tests", "")) == len(cases)
        assert int(suite.get("failures", "")) == sum(c.find("failure") is not None for c in cases)
        assert int(suite.get("skipped", "")) == sum(c.find("skipped") is not None for c in cases)
    assert int(root.get("tests", "")) == sum(int(s.get("tests", "")) for s in suites)
    assert int(root.get("failures", "")) == sum(int(s.get("failures", "")) for s in suites)
    assert (int(root.get("failures", "")) > 0) == (result.code == 1) or result.code == 2


def check_github(result: Result) -> None:
    """One workflow command a line: each finding, then the counts as a notice."""
    lines = result.text.split("\n")
    assert lines[-1] == "" and lines[-2].startswith("::notice title=runcore check::checked ")
    for line in lines[:-2]:
        assert line.isprintable(), line
        assert line.startswith(("::error ", "::warning ", "::notice title=coverage::")), line
        properties, _, message = line.partition("::")[2].partition("::")
        assert "title=" in properties and message


def check_text(result: Result) -> None:
    lines = result.text.split("\n")
    assert lines[-1] == "" and lines[-2].startswith("checked ")
    assert all(line.isprintable() for line in lines)


def run(data: bytes, args: list[str], *paths: str) -> None:
    full = ["check", *args, *(paths or ["-"])]
    check_result(run_cli(*full, stdin=data), args)


# Inputs


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


# Raw JSON text planted in place of a value: numbers JSON or Python cannot carry, strings JSON
# refuses or that attack a terminal, nesting either side of the limit, duplicate keys, long values.
HOSTILE = [
    "1e400",
    "-1e400",
    "NaN",
    "-Infinity",
    "1" * 5000,
    "1" * 4300,
    "-0",
    "1.0",
    "1e-400",
    '"\\ud800"',
    '"\\u0000\\u001b[2J\\u202e\\n  line 1: forged"',
    '"a\x01b"',
    '"\x1b]0;title\x07"',
    nested(MAX_DEPTH - 3),
    nested(MAX_DEPTH),
    nested(MAX_DEPTH + 1),
    nested(5000),
    '{"a": 1, "a": 2}',
    '"' + "x" * 50_000 + '"',
    "[" + ",".join(["{}"] * 5000) + "]",
    '{"' + "k" * 10_000 + '": 1}',
    "{" + ",".join(f'"k{i}": {i}' for i in range(3000)) + "}",
]


@st.composite
def documents(draw: st.DrawFn, *, one_line: bool = True) -> bytes:
    """A JSON object of some kind, valid or with hostile text planted in it, as bytes."""
    kind = draw(st.sampled_from(KINDS))
    value: Any = draw(valid_objects(kind))
    planted: list[str] = []
    for _ in range(draw(st.integers(0, 2))):
        marker = f"__HOSTILE_{len(planted)}__"
        value = plant(draw, value, marker)
        planted.append(draw(st.sampled_from(HOSTILE)))
    indent = None if one_line else draw(st.sampled_from([None, 2, "\t"]))
    text = json.dumps(value, ensure_ascii=draw(st.booleans()), indent=indent)
    for i, raw in enumerate(planted):
        text = text.replace(json.dumps(f"__HOSTILE_{i}__"), raw)
    data = text.encode("utf-8", "surrogatepass")
    cut = draw(st.none() | st.integers(0, len(data)))
    return data if cut is None or draw(st.integers(0, 9)) else data[:cut]


def plant(draw: st.DrawFn, value: Any, marker: str) -> Any:
    """``value`` with ``marker`` in place of one of its members (or as the whole value)."""
    if not isinstance(value, (dict, list)) or not value or draw(st.integers(0, 3)) == 0:
        return marker
    key = draw(st.sampled_from(list(value) if isinstance(value, dict) else range(len(value))))
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[key] = plant(draw, value[key], marker)
    return copy


lines = st.one_of(
    documents(),
    st.binary(max_size=200),
    st.sampled_from([b"", b" ", b"\t", b"\r", b"\x0b", b"\xef\xbb\xbf{}", b"{", b"[", b"null"]),
)


@st.composite
def streams(draw: st.DrawFn) -> bytes:
    """JSON Lines or one document over lines, with BOMs, CRLF, blank lines and other encodings."""
    if draw(st.booleans()):
        body = draw(documents(one_line=False))
    else:
        ending = draw(st.sampled_from([b"\n", b"\r\n"]))
        body = ending.join(draw(st.lists(lines, max_size=8)))
        if draw(st.booleans()):
            body += ending
    if draw(st.integers(0, 4)) == 0:
        encoding = draw(st.sampled_from(["utf-16", "utf-32", "latin-1", "cp1252"]))
        body = body.decode("utf-8", "replace").encode(encoding, "replace")
    return (b"\xef\xbb\xbf" if draw(st.integers(0, 4)) == 0 else b"") + body


# The fuzz tests


@fuzz("bytes")
@given(data=st.binary(max_size=4000), args=options)
def test_random_bytes_on_stdin(data: bytes, args: list[str]) -> None:
    run(data, args)


@fuzz("documents")
@given(data=documents(), args=options)
def test_objects_of_every_kind_with_hostile_text_planted(data: bytes, args: list[str]) -> None:
    run(data + b"\n", args)


@fuzz("streams")
@given(data=streams(), args=options, suffix=st.sampled_from([".json", ".jsonl", "", ".txt"]))
def test_streams_on_stdin_and_in_files(data: bytes, args: list[str], suffix: str) -> None:
    run(data, args)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        run(b"", args, str(path))


# Recordings with hostile parts: a value of an interaction (a status, a body, a header, a time, a
# method, a URL) replaced, or the text cut or broken anywhere.
RECORDINGS = sorted(path.name for path in FIXTURES.iterdir())
HOSTILE_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(),
    st.text(max_size=30),
    st.binary(max_size=30),
    st.sampled_from(HOSTILE + ["event: done\ndata: [DONE]\n\n", "\x1f\x8b", "{}", "[]"]),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)


def replaced(draw: st.DrawFn, value: Any, depth: int = 0) -> Any:
    """``value`` with one member anywhere in it replaced by a hostile value."""
    if (
        not isinstance(value, (dict, list))
        or not value
        or draw(st.integers(0, 4)) == 0
        or depth > 12
    ):
        return draw(HOSTILE_VALUES)
    key = draw(st.sampled_from(list(value) if isinstance(value, dict) else range(len(value))))
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[key] = replaced(draw, value[key], depth + 1)
    return copy


@st.composite
def recordings(draw: st.DrawFn) -> tuple[str, bytes]:
    """A fixture recording with a part replaced, or its text cut or broken."""
    name = draw(st.sampled_from(RECORDINGS))
    data = (FIXTURES / name).read_bytes()
    if draw(st.booleans()) and not name.endswith(".sse"):
        import yaml

        loaded = yaml.load(data, Loader=yaml.SafeLoader)  # JSON is YAML too
        value = replaced(draw, loaded)
        if name.endswith((".json", ".har")):
            data = json.dumps(value, default=repr).encode()
        else:
            data = yaml.safe_dump(value, allow_unicode=True).encode()
    else:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=20)) + data[at + draw(st.integers(0, 50)) :]
    return name, data


@fuzz("recordings")
@given(recording=recordings(), args=options, coverage=st.booleans())
def test_recordings_with_hostile_parts(
    recording: tuple[str, bytes], args: list[str], coverage: bool
) -> None:
    name, data = recording
    args = [*args, "--coverage"] if coverage else args
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        run(b"", args, str(path))
    run(data, args)


NAMES = st.text(
    st.characters(blacklist_characters="/\x00", blacklist_categories=("Cs",)),
    min_size=1,
    max_size=12,
) | st.sampled_from(["caf\udce9", "a\nb", "\x1b[2J", ".hidden", "-"])
ENTRIES = st.sampled_from(["file", "folder", "dangling", "loop", "parent", "link", "fifo"])


@fuzz("folders")
@given(
    entries=st.lists(
        st.tuples(NAMES, st.sampled_from([".json", ".jsonl", ".txt", ""]), ENTRIES, streams()),
        max_size=8,
    ),
    args=options,
)
def test_folders_with_links_loops_fifos_and_odd_names(
    entries: list[tuple[str, str, str, bytes]], args: list[str]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "root"
        root.mkdir()
        made: list[Path] = [root]
        for name, suffix, entry, data in entries:
            parent = made[len(name) % len(made)]
            path = parent / (name + suffix)
            if os.path.lexists(path) or len(os.fsencode(path.name)) > 255:
                continue
            make(path, entry, data, root, made)
        run(b"", args, str(root))


def make(path: Path, entry: str, data: bytes, root: Path, made: list[Path]) -> None:
    if entry == "file":
        path.write_bytes(data)
    elif entry == "folder":
        path.mkdir()
        made.append(path)
    elif entry == "dangling":
        path.symlink_to(root / "nowhere")
    elif entry == "loop":
        path.symlink_to(path)
    elif entry == "parent":
        path.symlink_to(root)
    elif entry == "link":
        path.symlink_to(made[-1])
    else:
        os.mkfifo(path)


def test_every_option_combination_on_a_mixed_corpus(tmp_path: Path) -> None:
    (tmp_path / "bad.jsonl").write_bytes(
        b'{not json\n{"object": "thread.run"}\n\n1e400\n' + nested(MAX_DEPTH + 1).encode()
    )
    (tmp_path / "empty.json").write_bytes(b"")
    (tmp_path / "body.json").write_bytes(b'{"assistant_id": "a", "temperature": 9, "x\\n": 1}')
    paths = [str(ROOT / "examples"), str(tmp_path)]
    combinations = itertools.product(FORMATS, PROFILES, (None, *KINDS), (False, True))
    for output, profile, kind, strict in combinations:
        args = ["--format", output, "--profile", profile]
        args += (["--kind", kind] if kind else []) + (["--strict"] if strict else [])
        run(b"", args, *paths)


@fuzz("processes")
@given(
    data=streams(),
    output=st.sampled_from(FORMATS),
    redirect=st.sampled_from(["<&-", ">&-", "| head -c 1"]),
)
def test_closed_and_broken_pipes_in_a_real_process(data: bytes, output: str, redirect: str) -> None:
    runcore = f"{sys.executable} -m runcore check --format {output} -"
    # The shell says runcore's own exit code on stderr, since a pipeline's is head's.
    command = f'({runcore}; echo "exit $?" >&2) {redirect}'
    result = subprocess.run(
        command, shell=True, input=data * 200, capture_output=True, cwd=ROOT, timeout=120
    )
    *said, status = result.stderr.decode("utf-8", "replace").splitlines()
    code = int(status.removeprefix("exit "))
    assert "Traceback" not in result.stderr.decode("utf-8", "replace") and len(said) <= 1
    if redirect == ">&-":
        assert code == 3 and said == ["runcore: cannot write the report: standard output is closed"]
    elif redirect == "<&-":
        assert code == 2 and said == [
            "runcore: some input could not be read or parsed (see the unreadable_input findings)"
        ]
    else:
        assert code in (0, 1, 2, 3) and (code != 3 or said[0].endswith("Broken pipe"))
