"""The ``runcore`` command line: ``runcore check`` and ``runcore scenarios``."""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from collections.abc import Iterable, Iterator
from typing import TextIO

from runcore._check._corpus import Summary, checked
from runcore._check._history import Histories
from runcore._check._jobs import WorkerLost, Workers
from runcore._check._paths import Input, inputs
from runcore._check._quote import one_line
from runcore._check._readers import READERS
from runcore._check._render import EVERY_CASE, RENDERERS
from runcore._kinds import KINDS, PROFILES

# Every exit code of `runcore check`, as its help and the README give them.
EXIT_CODES = """\
exit codes:
  0    no error found in the objects checked
  1    at least one error finding
  2    usage error, input that cannot be read or parsed, or nothing to check (no object,
       interaction of the runs resource or stream in any input)
  3    runcore could not finish, and says why in one line on stderr: the report could not be
       written (standard output closed or broken), out of memory (or a worker process of
       --jobs was killed), or an internal error
  130  interrupted
"""
INTERNAL_FAILURE = 3
INTERRUPTED = 130


class _Version(argparse.Action):
    """--version, looking the version up only when asked: importlib.metadata costs a cold start
    more than the rest of runcore (decisions.md#cold-start-imports-only-what-is-used)."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        from importlib.metadata import version

        sys.stdout.write(f"runcore {version('runcore')}\n")
        parser.exit()


class _Help(argparse.HelpFormatter):
    """argparse's help, as wide as the terminal: argparse's own way to ask imports shutil, which
    cost 1.7 ms of a 50 ms cold start (decisions.md#cold-start-imports-only-what-is-used)."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, width=_columns() - 2)


class _RawHelp(argparse.RawDescriptionHelpFormatter, _Help):
    """_Help, with the description kept as written."""


def _columns() -> int:
    """The terminal's width as shutil.get_terminal_size reads it: COLUMNS, the terminal, or 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="runcore",
        description="The OpenAI Assistants API runs contract.",
        formatter_class=_Help,
    )
    main.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    commands = main.add_subparsers(dest="command", required=True)
    check = commands.add_parser(
        "check",
        help="check recorded or captured objects against the runs contract",
        formatter_class=_RawHelp,
        description=(
            "Check recorded traffic of the runs resource: .json files (one object, a list page,\n"
            "or a recording: HAR, an Azure test-proxy session record, a cassette saved as JSON),\n"
            ".jsonl files (one object per line), .sse event streams, .yaml/.yml cassettes (vcrpy,\n"
            "Ruby VCR, R vcr), .har archives, directories of them, or - for standard input (sniffed:\n"
            "JSON Lines, one JSON document, an event stream or a YAML cassette). Every object,\n"
            "every stream, every answer against its request, and the history of every run and\n"
            "step across all inputs are checked."
        ),
        epilog=EXIT_CODES,
    )
    check.add_argument(
        "paths", nargs="+", metavar="PATH", help="a recording, a directory of them, or -"
    )
    check.add_argument(
        "--profile",
        choices=PROFILES,
        default="observed",
        help="observed: what the hosted API returned (default); spec: the documented contract",
    )
    check.add_argument(
        "--kind", choices=KINDS, help="the kind of every object (default: read from `object`)"
    )
    check.add_argument(
        "--strict",
        action="store_true",
        help="report response fields that the contract does not declare, as warnings",
    )
    check.add_argument(
        "--format",
        choices=sorted(RENDERERS),
        default="text",
        dest="output_format",
        help=(
            "text for people (default), json for tools, junit for CI test reports, github for "
            "GitHub Actions annotations"
        ),
    )
    check.add_argument(
        "-j",
        "--jobs",
        type=_jobs,
        default=1,
        metavar="N",
        help="check large .jsonl files in N processes (default 1; 0: one per core); the report is "
        "the same byte for byte",
    )
    check.add_argument(
        "--coverage",
        action="store_true",
        help="report which edges of the run and step tables the recordings took and missed",
    )
    scenarios = commands.add_parser(
        "scenarios",
        formatter_class=_Help,
        help="write the replayable lifecycle scenarios as JSON (docs/testing.md)",
        description="Write event paths that together take every transition and every two "
        "consecutive transitions of the run lifecycle, as JSON.",
    )
    scenarios.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE instead of standard output"
    )
    return main


def run() -> None:
    """The ``runcore`` command (the console script, ``python -m runcore``): :func:`main`, then an
    exit that leaves what the check kept to the operating system instead of freeing it object by
    object, as mypy's ``hard_exit`` does (decisions.md#a-check-end-to-end)."""
    kept: list[Histories] = []
    code = main(kept=kept)
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


def main(argv: list[str] | None = None, *, kept: list[Histories] | None = None) -> int:
    """Run ``runcore``; the exit code is one of :data:`EXIT_CODES`, never a traceback. A check's
    histories are added to ``kept`` when it is given."""
    args = parser().parse_args(argv)
    try:
        if args.command == "scenarios":
            return _scenarios(args.output)
        return _check(args, kept if kept is not None else [])
    except KeyboardInterrupt:
        _say("interrupted")
        return INTERRUPTED
    except MemoryError:
        return _failed("out of memory; the report is incomplete")
    except WorkerLost as error:
        return _failed(f"{error}; the report is incomplete")
    except OSError as error:  # reading problems are findings: this one is the report's
        _silence_stdout()
        return _failed(f"cannot write the report: {error.strerror or error}")
    except Exception as error:
        return _failed(f"internal error, please report it: {type(error).__name__}: {error}")


def _check(args: argparse.Namespace, kept: list[Histories]) -> int:
    out = sys.stdout
    if out is None:  # Python's stdout when file descriptor 1 is closed
        raise OSError("standard output is closed")
    if hasattr(out, "reconfigure"):  # lone surrogates in file names are printed escaped
        out.reconfigure(errors="backslashreplace")
    summary = Summary()
    kept.append(Histories())
    # The histories are kept to the end: with the collector's default thresholds, its passes over
    # them took a third of a check's time (decisions.md#the-collector-runs-less-often-in-a-check).
    thresholds = gc.get_threshold()
    gc.set_threshold(50_000, 20, 10)
    try:
        _report(args, summary, kept[-1], out)
    finally:
        gc.set_threshold(*thresholds)
    if summary.unreadable:
        _say("some input could not be read or parsed (see the unreadable_input findings)")
    elif summary.nothing_checked:
        if summary.passed_over:
            _say(
                "nothing was checked: no interaction is of the runs resource "
                f"({summary.passed_over} passed over)"
            )
        else:
            _say("nothing was checked: there is no JSON value in the input")
    return summary.exit_code()


def _jobs(text: str) -> int:
    """--jobs: a count of processes, 0 for one per core."""
    try:
        jobs = int(text)
    except ValueError:
        jobs = -1
    if jobs < 0:
        raise argparse.ArgumentTypeError(f"must be a whole number, 0 or more, not {text!r}")
    return jobs or os.cpu_count() or 1


def _report(args: argparse.Namespace, summary: Summary, histories: Histories, out: TextIO) -> None:
    """Every input checked and its report written to ``out``, in one or several processes."""
    with Workers(args.jobs, args.kind, args.profile, args.strict) as workers:
        readers = {**READERS, ".jsonl": workers.read_lines} if args.jobs > 1 else READERS
        read = inputs(args.paths, readers)
        if sys.stderr is not None and sys.stderr.isatty():
            read = _progress(read, summary, sys.stderr)
        files = checked(
            read,
            kind=args.kind,
            profile=args.profile,
            strict=args.strict,
            summary=summary,
            coverage=args.coverage,
            histories=histories,
            every_case=args.output_format in EVERY_CASE,
        )
        RENDERERS[args.output_format](files, summary, out)
        out.flush()


def _scenarios(output: str | None) -> int:
    from runcore.scenarios import dumps, scenarios

    text = dumps(scenarios())
    if output is None:
        if sys.stdout is None:
            raise OSError("standard output is closed")
        sys.stdout.write(text)
        sys.stdout.flush()
        return 0
    try:
        with open(output, "w", encoding="utf-8") as file:
            file.write(text)
    except OSError as error:
        return _failed(f"cannot write {output}: {error.strerror or error}")
    return 0


def _progress(read: Iterable[Input], summary: Summary, terminal: TextIO) -> Iterator[Input]:
    """The inputs, with a line on the terminal saying how far the check is (at most 10 a second),
    cleared at the end. Only a terminal gets it: a log or a pipe gets nothing."""
    shown = 0.0
    try:
        for number, entry in enumerate(read, start=1):
            if time.monotonic() - shown > 0.1:
                shown = time.monotonic()
                counts = f"{number} file(s), {summary.objects} object(s), {summary.errors} error(s)"
                _show(terminal, f"\rruncore: {counts}…\x1b[K")
            yield entry
    finally:
        _show(terminal, "\r\x1b[K")


def _show(terminal: TextIO, text: str) -> None:
    """Progress, if the terminal still takes it: it never stops a check."""
    try:
        terminal.write(text)
        terminal.flush()
    except (OSError, ValueError):
        pass


def _failed(reason: str) -> int:
    _say(reason)
    return INTERNAL_FAILURE


def _say(message: str) -> None:
    """One line on stderr, if stderr can take it."""
    try:
        if sys.stderr is not None:
            sys.stderr.write(f"runcore: {one_line(message)}\n")
            sys.stderr.flush()
    except (OSError, ValueError):
        pass


def _silence_stdout() -> None:
    """Send what stdout still buffers to /dev/null, so exiting does not fail on it again."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):
        pass
