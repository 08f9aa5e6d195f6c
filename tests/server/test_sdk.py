"""The example server of the README, driven over loopback by the official `openai` SDK.

Every body the server sends is captured on the wire and checked with `runcore check --profile
spec`; the SDK's own error classes see the hosted API's statuses and texts.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

openai = pytest.importorskip("openai", reason="the openai SDK is a test extra")

ROOT = Path(__file__).resolve().parents[2]
T0 = 1_760_000_000
TOOLS = [
    {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}
]
ASSISTANTS = {
    "asst_weather": {"id": "asst_weather", "model": "gpt-4o", "tools": TOOLS},
    "asst_plain": {"id": "asst_plain", "model": "gpt-4o", "instructions": "Be brief."},
}

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("example_server", ROOT / "examples" / "server.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Quiet(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


class Loopback:
    """The example app on 127.0.0.1, every response body captured as it left the server."""

    def __init__(self) -> None:
        self.clock = itertools.count(T0)
        self.skip = 0
        self.app = example().Server(ASSISTANTS, clock=lambda: next(self.clock) + self.skip)
        self.captured: list[tuple[str, str, str, bytes]] = []
        self.http = make_server("127.0.0.1", 0, self.capture, handler_class=Quiet)
        threading.Thread(target=self.http.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{self.http.server_port}/v1"
        self.client = openai.OpenAI(base_url=base, api_key="sk-test", max_retries=0)

    def capture(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen: dict[str, str] = {}

        def start(status: str, headers: list[tuple[str, str]]) -> Any:
            seen["status"], seen["type"] = status, dict(headers)["Content-Type"]
            return start_response(status, headers)

        body = b"".join(self.app(environ, start))
        self.captured.append((environ["PATH_INFO"], seen["status"], seen["type"], body))
        return [body]

    def bodies(self) -> Iterator[Any]:
        """Each captured JSON body, and each data object of a captured stream."""
        for _, _, kind, body in self.captured:
            if kind == "application/json":
                yield json.loads(body)
            else:
                for block in body.decode().split("\n\n"):
                    name, _, data = block.partition("\ndata: ")
                    if data and name != "event: done":
                        yield json.loads(data)


@pytest.fixture
def server() -> Iterator[Loopback]:
    loopback = Loopback()
    yield loopback
    loopback.http.shutdown()
    loopback.http.server_close()


def poll(server: Loopback, run: Any) -> Any:
    runs = server.client.beta.threads.runs
    while run.status in ("queued", "in_progress", "cancelling"):
        run = runs.retrieve(run.id, thread_id=run.thread_id)
    return run


def check_clean(server: Loopback, tmp_path: Path) -> str:
    path = tmp_path / "captured.jsonl"
    lines = [json.dumps(body) for body in server.bodies()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "runcore", "check", "--profile", "spec", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(lines) >= len(server.captured) > 0  # a page is checked with each of its items
    assert "0 error(s), 0 warning(s)" in result.stdout
    return result.stdout


def test_the_sdk_creates_polls_submits_lists_and_cancels(server: Loopback, tmp_path: Path) -> None:
    runs = server.client.beta.threads.runs
    run = server.client.beta.threads.create_and_run(assistant_id="asst_weather")
    assert run.status == "queued" and run.id.startswith("run_")
    run = poll(server, run)
    assert run.status == "requires_action"
    call = run.required_action.submit_tool_outputs.tool_calls[0]
    assert call.function.name == "get_weather"
    run = runs.submit_tool_outputs(
        run.id, thread_id=run.thread_id, tool_outputs=[{"tool_call_id": call.id, "output": "sunny"}]
    )
    assert run.status == "queued"
    run = poll(server, run)
    assert run.status == "completed" and run.usage.total_tokens == 50

    steps = list(runs.steps.list(run.id, thread_id=run.thread_id, order="asc"))
    assert [step.type for step in steps] == ["tool_calls", "message_creation"]
    assert steps[0].step_details.tool_calls[0].function.output == "sunny"
    assert (
        runs.steps.retrieve(steps[1].id, thread_id=run.thread_id, run_id=run.id).id == steps[1].id
    )

    thread_id = run.thread_id
    second = runs.create(thread_id=thread_id, assistant_id="asst_plain", metadata={"n": "2"})
    with pytest.raises(openai.BadRequestError) as busy:
        runs.create(thread_id=thread_id, assistant_id="asst_plain")
    assert busy.value.message.endswith(f"Thread {thread_id} already has an active run {second.id}.")
    with pytest.raises(openai.BadRequestError) as active:
        runs.update(second.id, thread_id=thread_id, metadata={"k": "v"})
    assert active.value.body["message"] == "Cannot update run with status 'queued'."
    cancelling = runs.cancel(second.id, thread_id=thread_id)
    assert cancelling.status == "cancelling"
    with pytest.raises(openai.BadRequestError) as again:  # the read finished the cancel first
        runs.cancel(second.id, thread_id=thread_id)
    assert again.value.body["message"] == "Cannot cancel run with status 'cancelled'."
    assert runs.retrieve(second.id, thread_id=thread_id).status == "cancelled"
    modified = runs.update(second.id, thread_id=thread_id, metadata={"k": "v"})
    assert modified.metadata == {"k": "v"}

    third = poll(server, runs.create(thread_id=thread_id, assistant_id="asst_plain"))
    listed = [item.id for item in runs.list(thread_id=thread_id, limit=1)]
    assert listed == [third.id, second.id, run.id]  # newest first, one page at a time
    page = runs.list(thread_id=thread_id, limit=2, order="asc")
    assert [item.id for item in page.data] == [run.id, second.id] and page.has_more
    check_clean(server, tmp_path)


def test_the_sdk_sees_the_hosted_apis_refusals(server: Loopback, tmp_path: Path) -> None:
    runs = server.client.beta.threads.runs
    run = poll(server, server.client.beta.threads.create_and_run(assistant_id="asst_weather"))
    thread_id = run.thread_id
    with pytest.raises(openai.BadRequestError) as mismatched:
        runs.submit_tool_outputs(
            run.id, thread_id=thread_id, tool_outputs=[{"tool_call_id": "call_x", "output": "1"}]
        )
    pending = run.required_action.submit_tool_outputs.tool_calls[0].id
    assert mismatched.value.body["message"] == (
        f"Expected tool outputs for call_ids ['{pending}'], got ['call_x']"
    )
    with pytest.raises(openai.BadRequestError) as typed:
        runs.submit_tool_outputs(
            run.id, thread_id=thread_id, tool_outputs=[{"tool_call_id": pending, "output": 5}]
        )
    assert (typed.value.code, typed.value.param) == ("invalid_type", "tool_outputs[0].output")
    with pytest.raises(openai.BadRequestError) as hot:
        runs.create(thread_id=thread_id, assistant_id="asst_plain", temperature=2.5)
    assert (hot.value.code, hot.value.param) == ("decimal_above_max_value", "temperature")
    with pytest.raises(openai.NotFoundError) as missing:
        runs.retrieve("run_missing", thread_id=thread_id)
    assert missing.value.body["message"] == "No run found with id 'run_missing'."
    with pytest.raises(openai.NotFoundError):
        runs.create(thread_id="thread_missing", assistant_id="asst_plain")
    with pytest.raises(openai.BadRequestError) as prefix:
        runs.retrieve(run.id, thread_id="undefined")
    assert prefix.value.param == "thread_id"
    with pytest.raises(openai.NotFoundError) as route:
        server.client.beta.assistants.create(model="gpt-4o")
    assert route.value.body["message"] == "Invalid URL (POST /v1/assistants)"

    server.skip = 600  # past expires_at: the next read expires the waiting run first
    expired = runs.retrieve(run.id, thread_id=thread_id)
    assert expired.status == "expired" and expired.expires_at is None
    with pytest.raises(openai.BadRequestError) as late:
        runs.submit_tool_outputs(
            run.id, thread_id=thread_id, tool_outputs=[{"tool_call_id": pending, "output": "1"}]
        )
    assert late.value.body["message"] == 'Runs in status "expired" do not accept tool outputs.'
    statuses = {status for _, status, _, _ in server.captured}
    assert statuses == {"200 OK", "400 Bad Request", "404 Not Found"}
    check_clean(server, tmp_path)


def test_the_sdk_streams_a_run_framed_as_the_hosted_api_did(server: Loopback, tmp_path) -> None:
    runs = server.client.beta.threads.runs
    first = poll(server, server.client.beta.threads.create_and_run(assistant_id="asst_plain"))
    stream = runs.create(thread_id=first.thread_id, assistant_id="asst_weather", stream=True)
    events = [event.event for event in stream]
    assert events == [
        "thread.run.created",
        "thread.run.queued",
        "thread.run.in_progress",
        "thread.run.step.created",
        "thread.run.step.in_progress",
        "thread.run.step.delta",
        "thread.run.requires_action",
    ]
    check_clean(server, tmp_path)


def test_tool_outputs_submitted_with_stream_true_are_answered_with_a_stream(
    server: Loopback, tmp_path: Path, runcore_recorder: Any
) -> None:
    runs = server.client.beta.threads.runs
    run = poll(server, server.client.beta.threads.create_and_run(assistant_id="asst_weather"))
    call = run.required_action.submit_tool_outputs.tool_calls[0]
    outputs = [{"tool_call_id": call.id, "output": "sunny"}]
    stream = runs.submit_tool_outputs(
        run.id, thread_id=run.thread_id, tool_outputs=outputs, stream=True
    )
    events = [(event.event, event.data) for event in stream]
    assert [name for name, _ in events] == [  # contract §3.1; the SSE fixture of simple-openai
        "thread.run.step.completed",
        "thread.run.queued",
        "thread.run.in_progress",
        "thread.run.step.created",
        "thread.run.step.in_progress",
        "thread.run.step.completed",
        "thread.run.completed",
    ]
    assert events[0][1].step_details.tool_calls[0].function.output == "sunny"
    assert server.captured[-1][2] == "text/event-stream"
    assert runs.retrieve(run.id, thread_id=run.thread_id).status == "completed"
    # every exchange against its request (answer_not_streamed), the stream's order, the run's history
    assert runcore_recorder.findings(profile="spec") == []
    check_clean(server, tmp_path)


def test_the_readme_shows_the_example_server_as_it_is() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Building a server on runcore", 1)[1]
    shown = section.split("```python\n", 1)[1].split("```", 1)[0]
    assert shown == (ROOT / "examples" / "server.py").read_text(encoding="utf-8")
