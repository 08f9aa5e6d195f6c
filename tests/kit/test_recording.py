"""The recorder of runs exchanges: what it records through httpx, the HAR it writes, and the
plugin's fixture and --runcore-record, run by pytester against a conforming and a faulty server."""

from __future__ import annotations

import asyncio
import base64
import importlib
import json
from pathlib import Path
from typing import Any

import pytest

import runcore
from runcore._recording import CLIENT_MODULES, Recorder
from tests.cli import run_cli

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]
installed = [name for name in CLIENT_MODULES if importlib.util.find_spec(name) is not None]
if not installed:
    pytest.skip("neither httpx nor httpx2 is installed", allow_module_level=True)
httpx: Any = importlib.import_module(installed[-1])

RUN = json.loads((ROOT / "examples" / "valid" / "poll.jsonl").read_text().splitlines()[0])
RUN_URL = f"http://server/v1/threads/{RUN['thread_id']}/runs/{RUN['id']}"
STREAM = runcore.sse_event("thread.run.created", RUN) + b"data: \xff\n\n" + runcore.SSE_DONE


def chunks() -> Any:
    yield from (STREAM[:25], STREAM[25:])


async def async_chunks() -> Any:
    for chunk in chunks():
        yield chunk


def answer(request: Any, content: Any = chunks) -> Any:
    if request.url.path.endswith("/stream"):  # streamed in two chunks, as a network would
        headers = {"content-type": "text/event-stream"}
        return httpx.Response(200, content=content(), headers=headers)
    if "/runs" in request.url.path:
        return httpx.Response(200, json=RUN)
    return httpx.Response(200, json={"id": "asst_1", "object": "assistant"})


def test_the_runs_exchanges_of_every_client_are_recorded_and_nothing_else() -> None:
    client = httpx.Client(transport=httpx.MockTransport(answer))
    with Recorder("test_a") as recorder:
        client.get(RUN_URL, headers={"Authorization": "Bearer sk-secret"})
        client.post("http://server/v1/threads/runs", json={"assistant_id": "asst_1"})
        client.get("http://server/v1/assistants/asst_1")
    client.get(RUN_URL)  # after the recorder stopped
    recorded = [(e.method, e.url, e.status, json.loads(e.body)) for e in recorder.exchanges]
    assert recorded == [
        ("GET", RUN_URL, 200, RUN),
        ("POST", "http://server/v1/threads/runs", 200, RUN),
    ]
    assert recorder.exchanges[1].request_body == b'{"assistant_id":"asst_1"}'
    assert all(e.label == "test_a" for e in recorder.exchanges)


def test_send_is_the_library_s_own_again_once_recording_stops() -> None:
    originals = (httpx.Client.send, httpx.AsyncClient.send)
    with Recorder(), Recorder():
        assert httpx.Client.send is not originals[0]
    assert (httpx.Client.send, httpx.AsyncClient.send) == originals


def test_a_stream_is_recorded_as_the_client_reads_it() -> None:
    client = httpx.Client(transport=httpx.MockTransport(answer))
    with Recorder() as recorder:
        with client.stream("POST", RUN_URL + "/stream") as response:
            raw = response.iter_raw()
            first = next(raw)
            assert bytes(recorder.exchanges[0].body) == first == STREAM[:25]
            rest = b"".join(raw)
    assert bytes(recorder.exchanges[0].body) == first + rest == STREAM


def test_an_async_client_is_recorded_too() -> None:
    async def talk() -> None:
        transport = httpx.MockTransport(lambda request: answer(request, async_chunks))
        async with httpx.AsyncClient(transport=transport) as client:
            await client.get(RUN_URL)
            async with client.stream("POST", RUN_URL + "/stream") as response:
                assert b"".join([chunk async for chunk in response.aiter_bytes()]) == STREAM

    with Recorder() as recorder:
        asyncio.run(talk())
    first, second = recorder.exchanges
    assert (json.loads(first.body), bytes(second.body)) == (RUN, STREAM)


def test_the_har_keeps_each_request_with_its_response_and_writes_no_credential() -> None:
    client = httpx.Client(transport=httpx.MockTransport(answer))
    with Recorder("test_one") as recorder:
        client.post(RUN_URL + "/cancel", headers={"api-key": "secret", "X-Other": "kept"})
        client.post(RUN_URL + "/stream")
    log = recorder.har()["log"]
    assert (log["version"], log["creator"]["name"]) == ("1.2", "runcore")
    assert [page["title"] for page in log["pages"]] == ["test_one"]
    first, second = log["entries"]
    headers = {h["name"]: h["value"] for h in first["request"]["headers"]}
    assert headers["api-key"] == "[redacted]" and headers["x-other"] == "kept"
    assert "secret" not in json.dumps(log)
    assert json.loads(first["response"]["content"]["text"]) == RUN
    assert first["response"]["status"] == 200 and first["pageref"] == "page_1"
    assert second["response"]["content"]["encoding"] == "base64"  # \xff is not UTF-8
    assert base64.b64decode(second["response"]["content"]["text"]) == STREAM
    assert first["startedDateTime"] <= second["startedDateTime"]


FAULTS = ["conforming", "unstarted", "forgetful"]


def test_the_findings_are_what_runcore_check_finds_in_the_recording() -> None:
    client = httpx.Client(transport=httpx.MockTransport(answer))
    with Recorder() as recorder:
        client.get(RUN_URL)
    assert recorder.findings() == []
    other = {**RUN, "id": "run_other"}
    wrong = httpx.Client(transport=httpx.MockTransport(lambda _: httpx.Response(200, json=other)))
    with Recorder() as recorder:
        wrong.get(RUN_URL)
    assert [(f.code, f.category) for f in recorder.findings()] == [("id_mismatch", "request")]


SERVER = f"""
import importlib.util
import json

import {httpx.__name__} as httpx
import openai
import pytest

TOOLS = [{{"type": "function", "function": {{"name": "get_weather", "parameters": {{"type": "object"}}}}}}]


def example_server(**break_it):
    spec = importlib.util.spec_from_file_location("example_server", {str(ROOT / "examples" / "server.py")!r})
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    app = module.Server({{"asst_weather": {{"id": "asst_weather", "model": "gpt-4o", "tools": TOOLS}}}})

    def faulty(environ, start_response):  # every run it answers is changed by break_it
        body = b"".join(app(environ, start_response))
        value = json.loads(body) if body.startswith(b"{{") else None
        if isinstance(value, dict) and value.get("object") == "thread.run":
            body = json.dumps({{**value, **break_it}}).encode()
        return [body]

    return faulty


FAULTS = {{"conforming": {{}}, "unstarted": {{"started_at": None}}, "forgetful": {{"metadata": {{}}}}}}


@pytest.fixture(params=list(FAULTS))
def client(request):
    app = example_server(**FAULTS[request.param])
    http = httpx.Client(transport=httpx.WSGITransport(app=app))
    return openai.OpenAI(base_url="http://server/v1", api_key="sk-test", http_client=http)
"""

TESTS = """
def test_a_run_is_polled_until_it_waits(client, runcore_recorder):
    run = client.beta.threads.create_and_run(assistant_id="asst_weather", metadata={"ticket": "42"})
    while run.status in ("queued", "in_progress"):
        run = client.beta.threads.runs.retrieve(run.id, thread_id=run.thread_id)
    assert run.status == "requires_action"
"""


@pytest.fixture
def suite(pytester: Any) -> Any:
    pytest.importorskip("openai")
    pytester.makeconftest(SERVER)
    pytester.makepyfile(test_runs=TESTS)
    return pytester


def test_the_recorder_fails_a_test_whose_server_breaks_the_contract(suite: Any) -> None:
    result = suite.runpytest("-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*_ test_a_run_is_polled_until_it_waits[[]unstarted[]] _*",
            "what this test sent and received (3 runs exchanges) breaks the runs contract"
            " (observed profile): 2 errors",
            "  /started_at  started_at_missing  status 'in_progress' requires started_at; it is"
            " null  [[]#2 GET /v1/threads/thread_*/runs/run_* 200[]]",
            "  /started_at  started_at_missing  status 'requires_action' requires started_at;"
            " it is null  [[]#3 GET /v1/threads/thread_*/runs/run_* 200[]]",
        ]
    )
    result.stdout.fnmatch_lines(  # a rule of whole recordings: the answer against its request
        [
            "*_ test_a_run_is_polled_until_it_waits[[]forgetful[]] _*",
            "what this test sent and received (3 runs exchanges) breaks the runs contract"
            " (observed profile): 1 error",
            "  /metadata  request_not_applied  * [[]#1 POST /v1/threads/runs 200[]]",
        ]
    )
    assert "Traceback" not in result.stdout.str()
    result.stdout.fnmatch_lines(["FAILED test_runs.py::*[[]unstarted[]] - Failed:*"])


def test_runcore_record_checks_every_test_and_writes_the_session_as_har(
    suite: Any, tmp_path: Path
) -> None:
    suite.makepyfile(test_runs=TESTS.replace(", runcore_recorder", ""))
    target = tmp_path / "recording.har"
    result = suite.runpytest(
        "-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning", f"--runcore-record={target}"
    )
    result.assert_outcomes(passed=1, failed=2)
    log = json.loads(target.read_text(encoding="utf-8"))["log"]
    titles = [page["title"] for page in log["pages"]]
    assert titles == [f"test_runs.py::test_a_run_is_polled_until_it_waits[{f}]" for f in FAULTS]
    assert len(log["entries"]) == 9
    checked = run_cli("check", str(target))
    assert checked.code == 1
    assert "3 error(s)" in checked.text.splitlines()[-1]
    assert "9 interaction(s) of the runs resource" in checked.text


def test_a_recording_path_that_cannot_be_written_is_a_usage_error(
    suite: Any, tmp_path: Path
) -> None:
    result = suite.runpytest(f"--runcore-record={tmp_path / 'no' / 'such.har'}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--runcore-record: cannot write */no/such.har: No such file*"])
