"""The ``runcore`` command line: ``runcore check``."""

from __future__ import annotations

import argparse
import sys
from importlib.metadata import version

from runcore._check._corpus import build_report
from runcore._check._readers import documents
from runcore._check._render import RENDERERS
from runcore._kinds import KINDS, PROFILES


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="runcore", description="The OpenAI Assistants API runs contract."
    )
    main.add_argument("--version", action="version", version=f"runcore {version('runcore')}")
    commands = main.add_subparsers(dest="command", required=True)
    check = commands.add_parser(
        "check",
        help="check recorded or captured objects against the runs contract",
        description=(
            "Check .json files (one object, or a list page whose items are each checked), .jsonl "
            "files (one object per line), directories of them, or - for standard input. "
            "Exit code: 0 no errors, 1 errors found, 2 usage error or unreadable input."
        ),
    )
    check.add_argument(
        "paths", nargs="+", metavar="PATH", help="a .json or .jsonl file, a directory, or -"
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
        help="text for people (default), json for tools, junit for CI test reports",
    )
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    # Values and file names may hold lone surrogates; show them escaped rather than fail to print.
    sys.stdout.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    report = build_report(
        documents(args.paths), kind=args.kind, profile=args.profile, strict=args.strict
    )
    sys.stdout.write(RENDERERS[args.output_format](report) + "\n")
    if report.unreadable:
        print(
            "runcore: some input could not be read or parsed (see unreadable_input findings)",
            file=sys.stderr,
        )
    return report.exit_code()
