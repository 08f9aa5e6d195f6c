"""`runcore check` run in this process with its standard streams replaced, for tests that run it often."""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass

from runcore._cli import main


@dataclass(frozen=True)
class Result:
    """What a run of the command printed and its exit code."""

    code: int
    stdout: bytes
    stderr: str

    @property
    def text(self) -> str:
        return self.stdout.decode("utf-8")


def run_cli(*args: str, stdin: bytes = b"", encoding: str = "utf-8") -> Result:
    """``runcore`` with ``args``, reading ``stdin`` and writing to a terminal in ``encoding``."""
    out, err = io.BytesIO(), io.StringIO()
    saved = sys.stdin, sys.stdout, sys.stderr
    stdout = io.TextIOWrapper(out, encoding=encoding, write_through=True)
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    sys.stdout, sys.stderr = stdout, err
    try:
        code = main(list(args))
    except SystemExit as exit:  # argparse: usage errors and --help
        code = exit.code if isinstance(exit.code, int) else 2
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
        stdout.flush()
        stdout.detach()  # keep `out` open when the wrapper goes
    return Result(code, out.getvalue(), err.getvalue())
