"""The speed table: every target of the fast path, as objects per second and ratios to its references,
measured side by side in one process (the time of each row over the time of each reference on the
same objects).

Run: python bench/speed.py [--rounds N] [--snapshots N]   (rounds: default 5, 100 samples of each,
     taken in turn, the median kept, as issue 9 measured its references; snapshots: the size of the
     end-to-end check, default 1,000,000, about 20 runs of 1 to 30 s)
Prints figures only; nothing here asserts a time. Needs orjson (a reference, and with jsonschema-rs
the fast path: the `[fast]` extra), the `openai` SDK for its column (the `[test]` extra), and uses
the recordings in ../shared/recordings/real when they are there (else the runs and steps the engine
makes).

Columns: each reference on the same objects: orjson.loads and json.loads of their JSON text,
jsonschema alone (runcore's validator, no findings made), the SDK's pydantic model, and runcore as
it was before its fast path (the explaining engine alone, resolving every $ref as it goes).

Corpora: "real" are the recorded runs (valid under `observed`); "made" are runs and steps made by
runcore's own engine in every status (valid under `spec`); "1% / 10% invalid" replace that share of
a corpus with copies broken in one realistic way each (a timestamp in milliseconds, an integral
float, a field missing, an unknown status, a usage that does not add up, 17 metadata keys).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from itertools import cycle
from pathlib import Path
from typing import Any

import orjson

import runcore
from runcore._contract import _validate
from runcore._contract._schemas import validator as schema_validator
from runcore._contract._validate import explained
from runcore._json import copied, parse, strict_parse

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "recordings" / "real"
T0 = 1_700_000_000
TOOLS = [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}]
USAGE = {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}
CALL = {"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": '{"q": 1}'}}
OUTPUTS = [{"tool_call_id": "call_1", "output": "42"}]


def made_runs(count: int) -> list[dict[str, Any]]:
    """Runs in every status, made by the engine as a server would (valid under spec)."""
    walks = [
        [],
        [("start", {})],
        [("start", {}), ("require_action", {"tool_calls": [CALL]})],
        [("start", {}), ("complete", {"usage": USAGE})],
        [("start", {}), ("fail", {"last_error": {"code": "server_error", "message": "x"}})],
        [("start", {}), ("cancel", {}), ("cancelled", {})],
        [
            ("start", {}),
            ("require_action", {"tool_calls": [CALL]}),
            ("submit_tool_outputs", {"tool_outputs": OUTPUTS}),
            ("start", {}),
            ("complete", {"usage": USAGE}),
        ],
    ]
    assistant = {"id": "asst_1", "model": "gpt-4o", "instructions": "Be brief.", "tools": TOOLS}
    runs = []
    for index, walk in zip(range(count), cycle(walks)):
        request = {"assistant_id": "asst_1", "metadata": {"user": f"u{index}"}}
        run = runcore.run_from_request(
            request, assistant, run_id=f"run_{index}", thread_id="thread_1", now=T0
        )
        for offset, (event, details) in enumerate(walk, 1):
            run = runcore.advance(run, event, now=T0 + offset, **details).run
        runs.append(run)
    return runs


def made_steps(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A message step and a tool-call step of each live run, completed where it can be."""
    steps = []
    for index, run in enumerate(runs):
        if run["status"] != "in_progress":
            continue
        made = runcore.new_step(run, step_id=f"step_{index}", now=T0 + 2, message_id=f"msg_{index}")
        steps.append(made.step)
        steps.append(runcore.advance_step(made.step, "complete", now=T0 + 3, usage=USAGE).step)
    return steps


def recorded(tag: str) -> list[Any]:
    """The recorded objects of one `object` tag (list pages opened), if the recordings are here."""
    found = []
    for path in sorted(REAL.glob("*.jsonl")) if REAL.is_dir() else []:
        for line in path.read_text(encoding="utf-8").splitlines():
            body = json.loads(line) if line.strip() else None
            items = (
                body.get("data", [])
                if isinstance(body, dict) and body.get("object") == "list"
                else [body]
            )
            found += [
                item for item in items if isinstance(item, dict) and item.get("object") == tag
            ]
    return found


# One realistic defect each: (name, change).
DEFECTS: list[tuple[str, Callable[[dict[str, Any]], None]]] = [
    ("milliseconds", lambda obj: obj.update(created_at=obj["created_at"] * 1000)),
    ("integral float", lambda obj: obj.update(created_at=float(obj["created_at"]))),
    ("missing field", lambda obj: obj.pop("id")),
    ("unknown status", lambda obj: obj.update(status="done")),
    ("usage sum", lambda obj: obj.update(usage={**USAGE, "total_tokens": 16})),
    ("17 metadata keys", lambda obj: obj.update(metadata={f"k{i}": "v" for i in range(17)})),
]


def broken(objects: list[dict[str, Any]], share: float) -> list[dict[str, Any]]:
    """The corpus with ``share`` of its objects (spread evenly) broken by one defect each."""
    every = round(1 / share) if share else 0
    out, defects = [], cycle(DEFECTS)
    for index, obj in enumerate(objects):
        if every and index % every == every // 2:
            obj = copied(obj)
            next(defects)[1](obj)
        out.append(obj)
    return out


def sdk_model(kind: str) -> Callable[[Any], Any] | None:
    try:
        from openai.types.beta.threads import Run
        from openai.types.beta.threads.runs import RunStep
    except ImportError:
        return None
    model = {"run": Run, "run_step": RunStep}[kind]

    def validate(obj: Any) -> Any:
        try:
            return model.model_validate(obj)
        except Exception as refused:  # the SDK refuses many real runs; refusing is its answer
            return refused

    return validate


def timed_rounds(work: dict[str, Callable[[], Any]], rounds: int) -> dict[str, float]:
    """Each work's median time per call over up to ``rounds`` × 20 samples taken in turn (fewer, but
    at least ``rounds``, for a work that has run a second in all), in seconds: taken in turn, a work
    and its references share whatever else the machine runs meanwhile."""
    times: dict[str, list[float]] = {name: [] for name in work}
    for sample in range(rounds * 20):
        for name, call in work.items():
            if sample >= rounds and sum(times[name]) > 1:
                continue
            start = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


REFERENCES = ("orjson.loads", "json.loads", "jsonschema", "SDK model", "runcore before")


def before(obj: Any, kind: str, **options: Any) -> Any:
    """validate as runcore did before its fast path: the explaining engine alone, resolving every
    $ref as it goes and descending into every part (issue 9)."""
    inlined, _validate.inlined_validator = _validate.inlined_validator, schema_validator
    try:
        return explained(obj, kind, **options)
    finally:
        _validate.inlined_validator = inlined


def validate_row(
    label: str, kind: str, objects: list[Any], options: dict[str, Any], rounds: int
) -> tuple[str, int, float, dict[str, float | None]]:
    """One row: validate on ``objects``, against the references on the same objects."""
    texts = [orjson.dumps(obj) for obj in objects]
    check = schema_validator(kind, options.get("profile", "observed")).is_valid
    model = sdk_model(kind)
    work: dict[str, Callable[[], Any]] = {
        "row": lambda: [runcore.validate(obj, kind, **options) for obj in objects],
        "orjson.loads": lambda: [orjson.loads(text) for text in texts],
        "json.loads": lambda: [json.loads(text) for text in texts],
        "jsonschema": lambda: [check(obj) for obj in objects],
        "runcore before": lambda: [before(obj, kind, **options) for obj in objects],
    }
    if model:
        work["SDK model"] = lambda: [model(obj) for obj in objects]
    times = timed_rounds(work, rounds)
    ratios = {name: times["row"] / times[name] if name in times else None for name in REFERENCES}
    return label, len(objects), times["row"], ratios


def single_row(
    call: Callable[[], Any], reference: Callable[[], Any], rounds: int
) -> tuple[float, float]:
    """µs per call of ``call`` and its ratio to ``reference``, interleaved."""
    times = timed_rounds({"call": call, "reference": reference}, rounds)
    return times["call"] * 1e6, times["call"] / times["reference"]


def cold_starts(rounds: int) -> dict[str, tuple[float, float]]:
    """ms of `runcore check` on one small file and of `import runcore`, and their ratios to
    `python -c "import json"`."""
    small = str(ROOT / "examples" / "valid" / "poll.jsonl")
    commands = {
        "check": [shutil.which("runcore") or "runcore", "check", small],
        "import": [sys.executable, "-c", "import runcore"],
        "json": [sys.executable, "-c", "import json"],
    }
    times = timed_rounds(
        {
            name: lambda command=command: subprocess.run(
                command, stdout=subprocess.DEVNULL, check=True
            )
            for name, command in commands.items()
        },
        max(1, rounds // 5),
    )
    return {name: (times[name] * 1e3, times[name] / times["json"]) for name in ("check", "import")}


def histories_file(count: int, path: Path) -> str:
    """A JSONL file of ``count`` run snapshots in histories, as a poller records them: each recorded
    run's snapshots in order (the engine's runs where the recordings are not here), copied again
    and again with its run and thread ids renumbered, so every copy is new histories."""
    lives: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for source in sorted(REAL.glob("*.jsonl")) if REAL.is_dir() else []:
        for line in source.read_text(encoding="utf-8").splitlines():
            run = json.loads(line) if line.strip() else None
            if isinstance(run, dict) and run.get("object") == "thread.run":
                lives.setdefault((source.name, run["id"]), []).append(run)
    what = "recorded runs"
    if not lives:
        what = "the engine's runs"
        for run in made_runs(70):
            lives.setdefault(("made", run["id"]), []).append(run)
    written, copy = 0, 0
    with path.open("wb") as out:
        while written < count:
            for life in lives.values():
                for run in life[: count - written]:
                    renamed = {**run, "id": f"{run['id']}_{copy}"}
                    renamed["thread_id"] = f"{run['thread_id']}_{copy}"
                    out.write(orjson.dumps(renamed) + b"\n")
                    written += 1
                copy += 1
                if written == count:
                    break
    return f"{count:,} snapshots of {copy:,} runs ({what}), {path.stat().st_size / 2**20:.0f} MiB"


def end_to_end(count: int) -> list[tuple[str, str, str, str, str]]:
    """`runcore check` on a file of ``count`` snapshots, in one process and with --jobs 2 (the same
    report byte for byte), against parsing it line by line with orjson on one core: each run twice,
    in turn, the faster kept."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "polls.jsonl"
        what = histories_file(count, path)
        commands = {
            "orjson": [sys.executable, "-c", ORJSON_LINES, str(path)],
            "1": [shutil.which("runcore") or "runcore", "check", "--jobs", "1", str(path)],
            "2": [shutil.which("runcore") or "runcore", "check", "--jobs", "2", str(path)],
        }
        seconds: dict[str, list[float]] = {name: [] for name in commands}
        reports: dict[str, bytes] = {}
        for name in [*commands, *commands]:
            start = time.perf_counter()
            reports[name] = subprocess.run(commands[name], capture_output=True).stdout
            seconds[name].append(time.perf_counter() - start)
    orjson_s, one, two = (min(seconds[name]) for name in commands)
    same = "the same report" if reports["1"] == reports["2"] else "REPORTS DIFFER"
    print(f"\nend to end: {what}")
    return [
        (f"runcore check end to end, {count:,} snapshots", f"{one:.1f} s", f"{one / orjson_s:.2f}x",
         f"orjson, line by line ({orjson_s:.2f} s)", "<= 6x"),
        ("runcore check --jobs 2, the same file", f"{two:.1f} s", f"{one / two:.2f}x",
         f"--jobs 1 ({same})", ">= 1.7x"),
    ]  # fmt: skip


ORJSON_LINES = """
import sys, orjson
with open(sys.argv[1], "rb") as lines:
    for line in lines:
        orjson.loads(line)
"""


def parse_row(lines: list[str], rounds: int) -> tuple[float, float, float]:
    """µs per line of runcore's parse, its ratio to the strict parser alone and to orjson.loads."""
    times = timed_rounds(
        {
            "parse": lambda: [parse(line) for line in lines],
            "strict": lambda: [strict_parse(line) for line in lines],
            "orjson": lambda: [orjson.loads(line) for line in lines],
        },
        rounds,
    )
    return (
        times["parse"] / len(lines) * 1e6,
        times["parse"] / times["strict"],
        times["parse"] / times["orjson"],
    )


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--rounds", type=int, default=5)
    options.add_argument(
        "--snapshots",
        type=int,
        default=1_000_000,
        help="run snapshots of the end-to-end check (default 1,000,000; 0 leaves it out)",
    )
    arguments = options.parse_args()
    rounds = arguments.rounds

    runs = made_runs(210)
    steps = made_steps(made_runs(420))
    real_runs, real_steps = recorded("thread.run"), recorded("thread.run.step")
    corpora = []
    if real_runs:
        corpora += [("run", "real runs", real_runs, "observed"), ("run", "made runs", runs, "spec")]
    else:
        corpora += [("run", "made runs", runs, "observed"), ("run", "made runs", runs, "spec")]
    corpora += [("run_step", "made steps", steps, "spec")]
    if real_steps:
        corpora += [("run_step", "real steps", real_steps, "observed")]

    rows = []
    for kind, name, found, profile in corpora:
        # valid: no finding at all (a recorded run with an `observed` warning is left out)
        objects = [obj for obj in found if not runcore.validate(obj, kind, profile=profile)]
        if len(objects) < len(found):
            print(
                f"{name} under {profile}: {len(found) - len(objects)} of {len(found)} have findings"
            )
        for share in (0, 0.01, 0.1):
            corpus = broken(objects, share) if share else objects
            what = f"{name}, {'valid' if not share else f'{share:.0%} invalid'}"
            rows.append(
                validate_row(
                    f"validate {profile:8} {what}", kind, corpus, {"profile": profile}, rounds
                )
            )
    invalid = broken(runs, 1)
    rows.append(
        validate_row("validate observed, made runs, all invalid", "run", invalid, {}, rounds)
    )

    width = 58
    print(
        f"Python {sys.version.split()[0]}, median of {rounds * 20} samples taken in turn; ratios of times"
    )
    print(
        f"{'what':{width}} {'objects':>7} {'objects/s':>10} {'µs/obj':>7}  "
        + "  ".join(f"{r:>14}" for r in REFERENCES)
    )
    for label, count, seconds, ratios in rows:
        cells = "  ".join(
            f"{'-' if value is None else f'{value:.2f}x':>14}" for value in ratios.values()
        )
        print(
            f"{label:{width}} {count:7} {count / seconds:10.0f} {seconds / count * 1e6:7.1f}  {cells}"
        )

    run = runcore.advance(runs[0], "start", now=T0 + 1).run

    def plain() -> dict[str, Any]:  # the same update, nothing checked, and the same copy
        new = copied(run)
        new.update(status="completed", completed_at=T0 + 2, expires_at=None, usage=dict(USAGE))
        return new

    advance = single_row(
        lambda: runcore.advance(run, "complete", now=T0 + 2, usage=USAGE), plain, rounds
    )
    assistant = {"id": "asst_1", "model": "gpt-4o", "instructions": "Be brief.", "tools": TOOLS}
    request = {"assistant_id": "asst_1"}
    created = timed_rounds(
        {
            "call": lambda: runcore.run_from_request(
                request, assistant, run_id="run_1", thread_id="t", now=T0
            )
        },
        rounds,
    )["call"]
    texts = [
        line
        for path in sorted(REAL.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ] or [json.dumps(run) for run in runs]
    parsed = parse_row(texts, rounds)
    starts = cold_starts(rounds)
    json_start = 'python -c "import json"'
    lines = [
        ("advance(complete), a typical run", f"{advance[0]:.1f} µs", f"{advance[1]:.2f}x",
         "a plain dict update + the same copy", "<= 2x"),
        ("run_from_request", f"{created * 1e6:.1f} µs", "", "", "<= 20 µs"),
        ("parse, a line of the corpus", f"{parsed[0]:.1f} µs", f"{parsed[1]:.2f}x",
         "the strict parser alone", ""),
        ("parse, a line of the corpus", "", f"{parsed[2]:.2f}x", "orjson.loads", ""),
        ("import runcore", f"{starts['import'][0]:.0f} ms", f"{starts['import'][1]:.2f}x",
         json_start, ""),
        ("runcore check, cold start on one small file", f"{starts['check'][0]:.0f} ms",
         f"{starts['check'][1]:.2f}x", json_start, "<= 2.5x"),
    ]  # fmt: skip
    if arguments.snapshots:
        lines += end_to_end(arguments.snapshots)
    print()
    print(f"{'what':{width}} {'per call':>12} {'ratio':>8}  {'reference':36} target")
    for what, value, times, reference, target in lines:
        print(f"{what:{width}} {value:>12} {times:>8}  {reference:36} {target}")


if __name__ == "__main__":
    main()
