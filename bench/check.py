"""`runcore check` figures: peak memory and time on inputs of growing size, read from a file and from
standard input, in every format; and on whole recordings: the shared cassettes and recordings, and a
generated vcrpy cassette of growing size.

Run: python bench/check.py [objects|recordings] [MB ...]   (default: both, 10 100; inputs are made
     in a temporary folder; `python bench/check.py 5 10` gives the time ratio of a doubled input)
Prints figures only; nothing here asserts a time. Peak memory is /usr/bin/time -v's "Maximum
resident set size" of the runcore process; the output is counted as it goes, never kept.

The inputs:
- short: short lines, most of them bad (not JSON, an unknown kind, a run missing most of its fields,
  nesting too deep, a number too large), with a good run every tenth line;
- real: the lines of ../shared/recordings/real/*.jsonl, repeated (never committed);
- cassette: examples/cassettes/conforming.yaml's session repeated with its ids renumbered, so every
  copy is new runs, steps and threads: memory grows with the histories (one per run and step), not
  with the file;
- polls: the same session repeated as it is: the same five histories, however large the file;
- shared: every file of ../shared/recordings (real/, unverified/ and the cassettes), checked once.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from itertools import cycle
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "recordings"
REAL = SHARED / "real"
SESSION = (ROOT / "examples" / "cassettes" / "conforming.yaml").read_text(encoding="utf-8")
GOOD = (ROOT / "examples" / "valid" / "poll.jsonl").read_bytes().splitlines()[0]
SHORT = [
    b"{not json",
    b'{"x": 1}',
    b'{"object": "thread.run", "id": "run_1"}',
    b"[" * 600 + b"]" * 600,
    b'{"object": "thread.run", "temperature": 1e400}',
    b'{"object": "thread.step", "status": "\x1b[2J"}',
    b"[1, 2, 3]",
    b'{"object": "list", "data": [1, {"object": "thread.run"}]}',
    b'{"error": {"message": "m"}}',
    GOOD,
]


def real_lines() -> list[bytes]:
    return [
        line
        for path in sorted(REAL.glob("*.jsonl"))
        for line in path.read_bytes().splitlines()
        if line.strip()
    ]


def write(path: Path, lines: list[bytes], megabytes: int) -> Path:
    """``lines`` repeated into a file of ``megabytes`` MB."""
    size = megabytes * 1_000_000
    with path.open("wb") as out:
        written = 0
        for line in cycle(lines):
            if written >= size:
                break
            out.write(line + b"\n")
            written += len(line) + 1
    return path


def measure(args: list[str], stdin: Path | None) -> tuple[float, float, int, int]:
    """(peak MB, seconds, output bytes, exit code) of one run of runcore."""
    with tempfile.NamedTemporaryFile("r") as report:
        command = ["/usr/bin/time", "-v", "-o", report.name, sys.executable, "-m", "runcore"]
        with open(stdin or "/dev/null", "rb") as source:
            start = time.perf_counter()
            process = subprocess.Popen(
                [*command, *args], stdin=source, stdout=subprocess.PIPE, cwd=ROOT
            )
            assert process.stdout is not None
            output = sum(len(chunk) for chunk in iter(lambda: process.stdout.read(1 << 20), b""))
            code = process.wait()
            seconds = time.perf_counter() - start
        peak = next(
            int(line.split(":")[1]) for line in report if "Maximum resident set size" in line
        )
    return peak / 1024, seconds, output, code


def inputs(folder: Path, sizes: list[int]) -> Iterator[tuple[str, int, Path]]:
    sources = {"short": SHORT}
    if REAL.is_dir():
        sources["real"] = real_lines()
    for name, lines in sources.items():
        for megabytes in sizes:
            yield name, megabytes, write(folder / f"{name}-{megabytes}.jsonl", lines, megabytes)


def cassette(path: Path, megabytes: int, renumbered: bool) -> Path:
    """The example session's interactions repeated into a vcrpy cassette of about ``megabytes``."""
    body = SESSION.removeprefix("interactions:\n").removesuffix("version: 1\n")
    size, copy = megabytes * 1_000_000, 0
    with path.open("w", encoding="utf-8") as out:
        out.write("interactions:\n")
        while out.tell() < size:
            copy += 1
            out.write(re.sub(r"_conforming(\d+)", rf"_c{copy}n\1", body) if renumbered else body)
        out.write("version: 1\n")
    return path


def recordings(folder: Path, sizes: list[int]) -> Iterator[tuple[str, str, Path]]:
    if SHARED.is_dir():
        yield (
            "shared",
            f"{sum(p.stat().st_size for p in SHARED.rglob('*') if p.is_file()) / 1e6:.1f}",
            SHARED,
        )
    for megabytes in sizes:
        path = cassette(folder / f"cassette-{megabytes}.yaml", megabytes, renumbered=True)
        yield "cassette", str(megabytes), path
        yield (
            "polls",
            str(megabytes),
            cassette(folder / f"polls-{megabytes}.yaml", megabytes, False),
        )


def main() -> None:
    parts = [arg for arg in sys.argv[1:] if not arg.isdigit()] or ["objects", "recordings"]
    sizes = [int(arg) for arg in sys.argv[1:] if arg.isdigit()] or [10, 100]
    print(
        f"{'input':<14} {'read':<6} {'format':<6} {'peak MB':>8} {'seconds':>8} {'MB out':>8} "
        f"{'time x':>7}  exit   (time x: the time over that of the smallest input of its kind)"
    )
    first: dict[tuple[str, str, str], float] = {}
    with tempfile.TemporaryDirectory() as folder:
        for name, megabytes, path in inputs(Path(folder), sizes) if "objects" in parts else []:
            for output in ("text", "json", "junit"):
                for read in ("file", "stdin"):
                    args = ["check", "--format", output, str(path) if read == "file" else "-"]
                    peak, seconds, out, code = measure(args, path if read == "stdin" else None)
                    times = seconds / first.setdefault((name, output, read), seconds)
                    print(
                        f"{f'{name} {megabytes} MB':<14} {read:<6} {output:<6} {peak:8.1f} "
                        f"{seconds:8.1f} {out / 1e6:8.1f} {times:7.2f}  {code}",
                        flush=True,
                    )
        for name, size, path in recordings(Path(folder), sizes) if "recordings" in parts else []:
            for output in ("text", "json", "junit"):
                args = ["check", "--coverage", "--format", output, str(path)]
                peak, seconds, out, code = measure(args, None)
                times = seconds / first.setdefault((name, output, "file"), seconds)
                print(
                    f"{f'{name} {size} MB':<14} {'file':<6} {output:<6} {peak:8.1f} "
                    f"{seconds:8.1f} {out / 1e6:8.1f} {times:7.2f}  {code}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
