"""docs/testing.md runs: each Python example is a test file run by pytester against the example
server, a failure shown is the failure printed, and the scenario shown is one runcore writes."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

import runcore
from runcore.scenarios import replay, scenarios
from tests.cli import run_cli

pytest_plugins = ["pytester"]
pytest.importorskip("openai", reason="the examples drive a server with the openai SDK")

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```(\w+)\n(.*?)```", DOC, flags=re.DOTALL)

# The server under test of the examples: the README's example server, on loopback.
CONFTEST = f"""
import importlib.util
import threading
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from hypothesis import settings

# Enough examples to run each property once or twice over; runcore's own tests draw many more.
settings.register_profile("docs", max_examples=5, deadline=None)
settings.load_profile("docs")

TOOLS = [{{"type": "function", "function": {{"name": "get_weather", "parameters": {{"type": "object"}}}}}}]


class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def base_url():
    spec = importlib.util.spec_from_file_location("example_server", {str(ROOT / "examples" / "server.py")!r})
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    app = module.Server({{"asst_weather": {{"id": "asst_weather", "model": "gpt-4o", "tools": TOOLS}}}})
    http = make_server("127.0.0.1", 0, app, handler_class=Quiet)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{{http.server_port}}/v1"
    http.shutdown()
"""


def examples() -> list[tuple[str, list[str]]]:
    """Each Python example, and the failure lines the text block after it shows (none: passes)."""
    found = []
    for index, (language, code) in enumerate(BLOCKS):
        if language == "python":
            after = BLOCKS[index + 1] if index + 1 < len(BLOCKS) else ("", "")
            failure = after[1].splitlines() if after[0] == "text" else []
            found.append((code, failure))
    return found


def test_every_python_example_of_the_testing_docs_runs_as_shown(pytester: Any) -> None:
    cases = examples()
    assert len(cases) >= 5
    pytester.makeconftest(CONFTEST)
    for number, (code, _) in enumerate(cases, start=1):
        pytester.makepyfile(**{f"test_example_{number}": code})
    profile = settings.get_current_profile_name()
    try:  # in this process: the examples' profile must not outlive them
        result = pytester.runpytest("-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning")
    finally:
        settings.load_profile(profile)
    failing = [f"test_example_{n}.py" for n, (_, failure) in enumerate(cases, start=1) if failure]
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == len(failing), result.stdout.str()
    assert "error" not in outcomes and "errors" not in outcomes, result.stdout.str()
    for _, failure in cases:
        if failure:
            result.stdout.fnmatch_lines(failure)
    for name in failing:
        result.stdout.fnmatch_lines([f"FAILED {name}::*"])


def test_the_scenario_event_shown_is_one_runcore_writes() -> None:
    shown = json.loads(next(code for language, code in BLOCKS if language == "json"))
    events = [event for scenario in scenarios()["scenarios"] for event in scenario["events"]]
    assert shown in events


def test_the_counts_the_docs_give_are_the_scenarios_and_the_rules() -> None:
    from runcore.strategies import RULES

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    paths = scenarios()["scenarios"]
    events = sum(len(path["events"]) for path in paths)
    assert f"{len(paths)} paths, {events} events" in DOC
    assert f"{len(paths)} event paths, {events} events" in readme
    assert f"{len(RULES)} rules" in DOC and f"the {len(RULES)} rules" in readme


def replay_commands(text: str) -> tuple[list[str], list[str]]:
    """The commands of the replay and the coverage shown after them, in a README or a doc."""
    after = text.split("runcore scenarios -o scenarios.json\n", 1)[1]
    commands = ["runcore scenarios -o scenarios.json", after.split("\n", 1)[0]]
    shown = after.split("```text\n", 1)[1].split("```", 1)[0].splitlines()
    return commands, shown


@pytest.mark.parametrize("doc", ["README.md", "docs/testing.md"])
def test_the_replay_commands_print_the_coverage_shown(
    doc: str, tmp_path: Path, monkeypatch: Any
) -> None:
    commands, shown = replay_commands((ROOT / doc).read_text(encoding="utf-8"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "captured").mkdir()
    with open(tmp_path / "captured" / "polled.jsonl", "w", encoding="utf-8") as captured:
        for scenario in scenarios()["scenarios"]:  # runcore's engine stands in for the server
            for moment in replay(scenario):
                captured.write(json.dumps(moment.run) + "\n")
                captured.write(json.dumps(runcore.page(list(moment.steps), "order=asc")) + "\n")
    written = run_cli(*shlex.split(commands[0])[1:])
    assert (written.code, json.loads((tmp_path / "scenarios.json").read_text())) == (0, scenarios())
    checked = run_cli(*shlex.split(commands[1])[1:])
    assert checked.code == 0
    assert [line for line in checked.text.splitlines() if line in shown] == shown
    assert checked.text.splitlines()[-1].endswith(": 0 error(s), 0 warning(s)")
