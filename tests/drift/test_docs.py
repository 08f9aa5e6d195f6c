"""Drift between data and docs: README commands are CI's, decision links resolve, the API is explicit."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import runcore

ROOT = Path(__file__).resolve().parents[2]


def setup_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Set-up", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def test_the_readme_gives_two_set_up_commands_and_ci_runs_exactly_them() -> None:
    commands = setup_commands()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert len(commands) == 2
    assert "runcore check" in commands[0] and "pytest" in commands[1]
    for command in commands:  # as it is, or with its exit code kept for a check after it
        assert any(line in (command, f"{command} || status=$?") for line in ci), command


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_every_link_to_a_decision_names_a_heading_of_decisions_md() -> None:
    text = (ROOT / "docs" / "decisions.md").read_text(encoding="utf-8")
    anchors = {slug(line.lstrip("#")) for line in text.splitlines() if line.startswith("#")}
    sources = [
        *ROOT.glob("runcore/**/*.py"),
        *ROOT.glob("schemas/*.json"),
        *ROOT.glob("docs/*.md"),
        ROOT / "README.md",
    ]
    links = {
        (path.name, link)
        for path in sources
        for link in re.findall(r"decisions\.md#([\w\-]+)", path.read_text(encoding="utf-8"))
    }
    assert links, "the code and schemas link to their decisions"
    assert {(name, link) for name, link in links if link not in anchors} == set()


def test_all_lists_exactly_the_public_names() -> None:
    for name in runcore.__all__:
        getattr(runcore, name)  # imported on first use: a name that is not there raises
    # pytest rewrites the asserts of a plugin's package, which adds "@py_builtins" and the like.
    public = {name for name in vars(runcore) if name.isidentifier() and not name.startswith("_")}
    modules = {"strategies", "scenarios", "pytest_plugin"}
    assert sorted(runcore.__all__) == sorted(public - modules)
    assert len(runcore.__all__) == len(set(runcore.__all__))
    assert set(runcore.__all__) <= set(dir(runcore))


def test_the_names_typed_for_checkers_are_the_names_imported_on_first_use() -> None:
    tree = ast.parse((ROOT / "runcore" / "__init__.py").read_text(encoding="utf-8"))
    typed = {
        alias.name: node.module
        for block in tree.body
        if isinstance(block, ast.If)
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert typed == runcore._MODULES
    assert sorted(typed) == sorted(runcore.__all__)


def test_the_python_examples_in_the_readme_run() -> None:
    import itertools
    import json

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [block.split("```", 1)[0] for block in readme.split("```python\n")[1:]]
    assert len(blocks) >= 2
    first_poll = (
        (ROOT / "examples" / "valid" / "poll.jsonl").read_text(encoding="utf-8").splitlines()[0]
    )
    clock = itertools.count(1_732_233_600)
    namespace = {
        "obj": json.loads(first_poll),
        "body": {"assistant_id": "asst_1"},
        "request_body": {"assistant_id": "asst_1", "temperature": 0},
        "assistant": {"id": "asst_1", "model": "gpt-4o"},
        "now": lambda: next(clock),
        "print": lambda *args: None,
    }
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102 - our own README
    assert namespace["result"].run["status"] == "completed"


def test_the_cli_output_shown_in_the_readme_is_what_it_prints() -> None:
    import subprocess
    import sys

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = readme.split("$ runcore check ")[1:]
    assert len(blocks) == 2
    for block in blocks:
        path, shown_text = block.split("\n", 1)
        shown = shown_text.split("```", 1)[0].splitlines()
        result = subprocess.run(
            [sys.executable, "-m", "runcore", "check", path],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=60,
        )
        printed = result.stdout.splitlines()
        assert result.returncode == 1
        assert [line for line in shown if line != "  ..."] == [
            line for line in printed if line in shown
        ]
        assert printed[-1] == shown[-1]


def test_the_readme_says_what_the_first_command_finds() -> None:
    """The first set-up command checks the bundled examples, and shows request, history and
    stream findings at once."""
    import json
    import subprocess
    import sys

    command = setup_commands()[0].split("&& ", 1)[1].split()
    assert command == ["runcore", "check", "examples"]
    result = subprocess.run(
        [sys.executable, "-m", "runcore", "check", "--format", "json", "examples"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    categories = json.loads(result.stdout)["summary"]["categories"]
    assert result.returncode == 1
    assert all(
        categories[name] > 0 for name in ("schema", "invariant", "request", "history", "stream")
    )


def test_the_example_cassettes_are_what_the_recorder_writes(tmp_path: Path) -> None:
    import shutil
    import subprocess
    import sys

    copy = tmp_path / "examples"
    shutil.copytree(ROOT / "examples", copy, ignore=shutil.ignore_patterns("cassettes"))
    subprocess.run(
        [sys.executable, str(copy / "record.py")], check=True, capture_output=True, timeout=120
    )
    for name in ("conforming.yaml", "faulty.yaml"):
        written = (copy / "cassettes" / name).read_text(encoding="utf-8")
        assert written == (ROOT / "examples" / "cassettes" / name).read_text(encoding="utf-8"), name


def test_the_pre_commit_hook_runs_runcore_check() -> None:
    import yaml

    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "runcore-check" and hook["entry"] == "runcore check"
    assert hook["language"] == "python"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"id: {hook['id']}" in readme


def test_every_finding_code_is_documented() -> None:
    from runcore._tables import RUN_FIELDS, STEP_FIELDS

    docs = "".join(path.read_text(encoding="utf-8") for path in (ROOT / "docs").glob("*.md"))
    by_pattern = {
        f"{field}_{suffix}"
        for field in (*RUN_FIELDS, *STEP_FIELDS)
        for suffix in ("missing", "unexpected")
    }
    undocumented = [
        code for code in runcore.CODES if code not in by_pattern and f"`{code}`" not in docs
    ]
    assert undocumented == []
    assert "`<field>_missing`" in docs and "`<field>_unexpected`" in docs
