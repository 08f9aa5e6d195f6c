"""Recordings where they live: one session written in every format checks the same, formats are
recognised by their content, bodies are decoded as the recorders stored them, a body or an
interaction that cannot be read is a finding at its place and the rest is still checked, and the
real cassettes shared with the project check with no error."""

from __future__ import annotations

import base64
import copy
import gzip
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from runcore._check import _http
from tests.check.formats import FIXTURES, MARKERS, WRITERS, fixture_session, written
from tests.check.session import vcrpy
from tests.cli import run_cli
from tests.recorded import RECORDINGS, needs_recordings

SESSIONS = sorted(f"session.{name}" for name in WRITERS)


def report(*args: str, stdin: bytes = b"") -> dict[str, Any]:
    found: dict[str, Any] = json.loads(
        run_cli("check", "--format", "json", *args, stdin=stdin).stdout
    )
    return found


def counts(found: dict[str, Any]) -> dict[str, int]:
    s = found["summary"]
    return {k: s[k] for k in ("objects", "interactions", "passed_over", "streams", "histories")}


SESSION_COUNTS = {"objects": 17, "interactions": 5, "passed_over": 1, "streams": 1, "histories": 5}


def test_the_fixtures_are_what_the_writers_write() -> None:
    assert {path.name: path.read_text(encoding="utf-8") for path in FIXTURES.iterdir()} == written()


@pytest.mark.parametrize("name", SESSIONS)
def test_one_session_in_every_format_checks_the_same(name: str) -> None:
    found = report("--profile", "spec", "--strict", str(FIXTURES / name))
    assert found["findings"] == [] and counts(found) == SESSION_COUNTS


def test_a_stream_alone_is_one_stream() -> None:
    found = report("--profile", "spec", str(FIXTURES / "stream.sse"))
    assert found["findings"] == [] and counts(found) == {
        "objects": 11,
        "interactions": 0,
        "passed_over": 0,
        "streams": 1,
        "histories": 2,
    }


def window(text: str, marker: str, index: int, json_entry: bool) -> range:
    """The lines of the index-th interaction of a recording, from its marker to the next one's."""
    starts = [n for n, line in enumerate(text.splitlines(), start=1) if marker in line]
    shift = 1 if json_entry else 0  # an entry of a JSON recording starts on the line before
    end = starts[index + 1] - shift if index + 1 < len(starts) else len(text.splitlines()) + 1
    return range(starts[index] - shift, end)


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_a_defect_is_found_at_its_interaction_in_every_format(name: str, tmp_path: Path) -> None:
    session = fixture_session()
    session[0].status = 201  # the create: a request finding
    session[1].answer["model"] = "gpt-4o-mini"  # the completed poll: a history finding
    text = WRITERS[name](session)
    path = tmp_path / f"defects.{name}"
    path.write_text(text, encoding="utf-8")
    found = {f["code"]: f["line"] for f in report(str(path))["findings"]}
    assert set(found) == {"status_unexpected", "fixed_field_changed"}
    entry = name.endswith((".json", "har"))
    assert found["status_unexpected"] in window(text, MARKERS[name], 0, entry)
    assert found["fixed_field_changed"] in window(text, MARKERS[name], 1, entry)


@pytest.mark.parametrize("name", [*SESSIONS, "stream.sse"])
def test_formats_are_recognised_by_their_content(name: str, tmp_path: Path) -> None:
    expected = counts(report(str(FIXTURES / name)))
    unnamed = tmp_path / "recording"  # neither suffix nor name says what it is
    shutil.copy(FIXTURES / name, unnamed)
    assert counts(report(str(unnamed))) == expected
    assert counts(report("-", stdin=(FIXTURES / name).read_bytes())) == expected
    if name.endswith((".json", ".har")):
        misnamed = tmp_path / "recording.json"  # a HAR or session record named .json
        shutil.copy(FIXTURES / name, misnamed)
        assert counts(report(str(misnamed))) == expected


@pytest.mark.parametrize("name", ["session.har", "session.azure.json", "session.vcrpy.json"])
def test_a_recording_written_on_one_line_is_a_recording_in_json_lines_too(
    name: str, tmp_path: Path
) -> None:
    expected = counts(report(str(FIXTURES / name)))
    line = json.dumps(json.loads((FIXTURES / name).read_text(encoding="utf-8"))).encode()
    assert counts(report("-", stdin=line + b"\n")) == expected
    (tmp_path / "two.jsonl").write_bytes(b"\n" + line + b"\n" + line + b"\n")
    found = report(str(tmp_path / "two.jsonl"))
    assert found["summary"]["interactions"] == 2 * expected["interactions"]
    assert {f["line"] for f in found["findings"]} <= {2, 3}  # the second copy's histories


def test_a_directory_reads_every_format(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES, tmp_path / "fixtures")
    (tmp_path / "fixtures" / "notes.md").write_text("not a recording", encoding="utf-8")
    found = report(str(tmp_path / "fixtures"))
    assert found["findings"] == [] and found["summary"]["files"] == len(written())


# Bodies as the recorders store them, and what cannot be read


def yaml_cassette(interactions: list[dict[str, Any]]) -> str:
    return yaml.safe_dump({"interactions": interactions, "version": 1}, sort_keys=False)


def interaction(body: Any, headers: dict[str, list[str]] | None = None) -> dict[str, Any]:
    exchange = fixture_session()[1]  # the completed poll: GET, 200, a run
    return {
        "request": {
            "body": None,
            "headers": {},
            "method": "GET",
            "uri": "https://api.openai.com" + exchange.path,
        },
        "response": {
            "body": body,
            "headers": headers or {},
            "status": {"code": 200, "message": "OK"},
        },
    }


def the_run() -> bytes:
    return json.dumps(fixture_session()[1].answer).encode()


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        ({"string": gzip.compress(the_run())}, {"Content-Encoding": ["gzip"]}),  # vcrpy's !!binary
        ({"string": the_run().decode()}, {"Content-Encoding": ["gzip"]}),  # decoded, header kept
        ({"string": the_run()}, {"Content-Encoding": ["gzip"]}),  # labelled gzip, stored plain
        (
            {"base64_string": base64.b64encode(gzip.compress(the_run())).decode()},
            {"Content-Encoding": ["gzip"]},
        ),
        ({"string": the_run().decode()}, {}),
        (the_run().decode(), {}),  # a body that is the text itself
    ],
    ids=[
        "gzip-bytes",
        "gzip-header-over-text",
        "gzip-header-over-plain-bytes",
        "base64-gzip",
        "text",
        "bare-text",
    ],
)
def test_bodies_are_decoded_as_recorders_store_them(
    body: Any, headers: dict[str, list[str]], tmp_path: Path
) -> None:
    path = tmp_path / "body.yaml"
    path.write_text(yaml_cassette([interaction(body, headers)]), encoding="utf-8")
    found = report(str(path))
    assert found["findings"] == [] and found["summary"]["objects"] == 1


@pytest.mark.parametrize(
    ("body", "headers", "says"),
    [
        ({"base64_string": "not base64!"}, {}, "not base64"),
        ({"string": b"\x1f\x8b\x08\x00broken"}, {"Content-Encoding": ["gzip"]}, "cut short"),
        ({"string": b"\x1f\x8bnot gzip"}, {"Content-Encoding": ["gzip"]}, "does not decompress"),
        ({"string": b"\x8b\x00\x01"}, {"Content-Encoding": ["br"]}, "compressed with 'br'"),
        ({"string": b"\xff\xfe"}, {}, "not UTF-8"),
        ({"string": '{"id": "run_1",'}, {}, "not JSON"),
        ({"string": ""}, {}, "no body"),
    ],
    ids=["bad-base64", "cut-gzip", "bad-gzip", "brotli", "not-utf8", "cut-json", "empty"],
)
def test_a_body_that_cannot_be_decoded_is_a_finding_at_its_interaction_and_the_rest_is_checked(
    body: Any, headers: dict[str, list[str]], says: str, tmp_path: Path
) -> None:
    path = tmp_path / "bodies.yaml"
    good = interaction({"string": the_run().decode()})
    third = copy.deepcopy(good)  # not the same object: no YAML anchor
    path.write_text(yaml_cassette([good, interaction(body, headers), third]), encoding="utf-8")
    found = report(str(path))
    (finding,) = found["findings"]
    second = [n for n, line in enumerate(path.read_text().splitlines(), 1) if line == "- request:"][
        1
    ]
    assert (finding["code"], finding["line"], finding["pointer"]) == (
        "undecodable_body",
        second,
        "/response/body",
    )
    assert says in finding["message"] and found["summary"]["objects"] == 2


def test_a_decompression_bomb_is_not_inflated_past_the_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_http, "MAX_BODY", 1000)
    path = tmp_path / "bomb.yaml"
    bomb = gzip.compress(b" " * 5000 + the_run())
    path.write_text(
        yaml_cassette([interaction({"string": bomb}, {"Content-Encoding": ["gzip"]})]),
        encoding="utf-8",
    )
    (finding,) = report(str(path))["findings"]
    assert finding["code"] == "undecodable_body" and "more than" in finding["message"]


def test_an_interaction_that_is_not_yaml_is_a_finding_and_the_rest_is_read(tmp_path: Path) -> None:
    lines = vcrpy(fixture_session()).text.splitlines(keepends=True)
    starts = [n for n, line in enumerate(lines, start=1) if line == "- request:\n"]
    lines[starts[1] + 1] = "    headers: [unclosed\n"  # in the second interaction
    lines[starts[3]] = "    body: 'NOT-UTF-8'\n"  # in the fourth
    path = tmp_path / "broken.yaml"
    path.write_bytes("".join(lines).encode().replace(b"NOT-UTF-8", b"\xff"))
    found = report(str(path))
    problems = [(f["code"], f["line"]) for f in found["findings"] if f["category"] == "input"]
    assert [code for code, _ in problems] == ["invalid_yaml", "invalid_yaml"]
    assert starts[1] < problems[0][1] < starts[2] and problems[1][1] == starts[3] + 1
    # the second was a run's interaction, the fourth a message's (passed over)
    assert found["summary"]["interactions"] == 4 and found["summary"]["passed_over"] == 0


def test_an_anchor_of_an_earlier_interaction_is_followed(tmp_path: Path) -> None:
    good = interaction({"string": the_run().decode()})
    path = tmp_path / "anchored.yaml"
    text = yaml_cassette([good, good])  # the same object twice: &id001, then *id001
    assert "*id001" in text
    path.write_text(text, encoding="utf-8")
    found = report(str(path))
    assert found["findings"] == [] and found["summary"]["interactions"] == 2


def test_tags_a_safe_loader_does_not_know_are_read_as_plain_values(tmp_path: Path) -> None:
    text = vcrpy(fixture_session()[:2]).text.replace(
        "    headers:\n      Content-Type:",
        "    headers: !ruby/hash:Faraday::Headers\n      Content-Type:",
        1,
    )
    path = tmp_path / "ruby.yml"
    path.write_text(
        text.replace("    method: GET", "    method: !ruby/string GET"), encoding="utf-8"
    )
    found = report(str(path))
    assert found["findings"] == [] and found["summary"]["interactions"] == 2


REQUEST = {"method": "GET", "url": "https://api.openai.com/v1/threads/t/runs/r"}
AZURE_GET = {"RequestUri": "https://a/openai/threads/t/runs/r", "RequestMethod": "GET"}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("interactions:\n- response: {}\n", "invalid_interaction"),
        (
            json.dumps({"log": {"entries": [{"request": REQUEST, "response": {"status": 0}}]}}),
            "invalid_interaction",
        ),
        ('{"Entries": [42]}', "invalid_interaction"),
        (json.dumps({"Entries": [dict(AZURE_GET, StatusCode="\u00b200")]}), "invalid_interaction"),
        (
            '{"Entries": [{"RequestUri": "https://[api.openai.com/v1/threads", "RequestMethod": "GET"}]}',
            "invalid_interaction",
        ),
    ],
    ids=[
        "no-request",
        "har-without-answer",
        "entry-not-an-object",
        "status-not-ascii",
        "url-not-a-url",
    ],
)
def test_an_interaction_without_what_a_check_needs_is_a_finding(
    text: str, code: str, tmp_path: Path
) -> None:
    path = tmp_path / ("r.yaml" if text.startswith("interactions") else "r.json")
    path.write_text(text, encoding="utf-8")
    assert [f["code"] for f in report(str(path))["findings"]] == [code]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("empty.yaml", "interactions: []\n"),
        ("empty-list.yaml", "interactions:\nversion: 1\n"),
        ("empty.har", '{"log": {"version": "1.2", "entries": []}}'),
        ("empty.json", '{"Entries": [], "Variables": {}}'),
    ],
)
def test_a_recording_of_no_interaction_is_an_empty_input(
    name: str, text: str, tmp_path: Path
) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    result = run_cli("check", "--format", "json", str(tmp_path / name))
    (finding,) = json.loads(result.stdout)["findings"]
    assert (finding["code"], finding["message"], result.code) == (
        "empty_input",
        "a recording of no interaction",
        2,
    )


def test_yaml_that_is_no_cassette_is_a_skipped_input(tmp_path: Path) -> None:
    (tmp_path / "ci.yml").write_text("on: push\njobs: {}\n", encoding="utf-8")
    result = run_cli("check", "--format", "json", str(tmp_path / "ci.yml"))
    (finding,) = json.loads(result.stdout)["findings"]
    assert (finding["code"], finding["severity"], result.code) == ("skipped_input", "warning", 2)
    shutil.copy(FIXTURES / "session.vcrpy.yaml", tmp_path)
    assert run_cli("check", str(tmp_path)).code == 0


def test_a_yaml_file_that_is_not_yaml_is_unreadable(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("a: [1,\nb: 2\n", encoding="utf-8")
    result = run_cli("check", "--format", "json", str(tmp_path / "bad.yaml"))
    assert [f["code"] for f in json.loads(result.stdout)["findings"]] == ["unreadable_input"]
    assert result.code == 2


# The real cassettes shared with the project


CASSETTES = RECORDINGS / "cassettes"
REAL = {
    # folder: (files, interactions, passed over, streams, observed warnings by code)
    "ruby-vcr": (
        11,
        43,
        0,
        2,
        {"below_minimum": 6, "incomplete_details_unexpected": 1, "stream_event_mismatch": 1},
    ),
    "r-vcr": (2, 12, 7, 0, {}),
    "vcrpy": (1, 13, 22, 0, {}),
}


@needs_recordings
@pytest.mark.parametrize("folder", sorted(REAL))
def test_every_real_cassette_checks_with_no_error_under_observed(folder: str) -> None:
    files, interactions, passed_over, streams, warnings = REAL[folder]
    found = report(str(CASSETTES / folder))
    codes: dict[str, int] = {}
    for finding in found["findings"]:
        assert finding["severity"] == "warning", finding
        codes[finding["code"]] = codes.get(finding["code"], 0) + 1
    s = found["summary"]
    assert (s["files"], s["interactions"], s["passed_over"], s["streams"]) == (
        files,
        interactions,
        passed_over,
        streams,
    )
    assert codes == warnings


@needs_recordings
def test_every_real_recording_together_checks_with_no_error_under_observed() -> None:
    found = report(str(RECORDINGS / "real"), str(CASSETTES))
    assert [f for f in found["findings"] if f["severity"] == "error"] == []
    assert found["summary"]["histories"] > 50


@needs_recordings
def test_what_the_hosted_api_did_that_the_docs_forbid_is_an_error_under_spec() -> None:
    found = report("--profile", "spec", str(CASSETTES / "ruby-vcr" / "runs_streamed_create.yml"))
    errors = {(f["code"], f["category"]) for f in found["findings"] if f["severity"] == "error"}
    assert {("stream_event_mismatch", "stream"), ("below_minimum", "schema")} <= errors
