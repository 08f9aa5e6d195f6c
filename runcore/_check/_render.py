"""A check's cases written as they come: text for people, JSON for tools, JUnit XML for CI reports,
and GitHub workflow commands for the annotations of a pull request.

Each renderer holds one case at a time, so memory stays flat however large the input is.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any, TextIO

from runcore._check._cases import HISTORIES, Files, Summary, place
from runcore._check._quote import cut, one_line, printable, quoted
from runcore._findings import Finding


def shown(finding: Finding) -> dict[str, Any]:
    """A finding as the JSON report shows it: text and value cut to size, ``truncated`` if any was."""
    pointer, pointer_cut = cut(finding.pointer)
    message, message_cut = cut(finding.message)
    object_id, id_cut = cut(finding.object_id) if finding.object_id else (finding.object_id, False)
    value, value_cut = quoted(finding.value)
    return {
        "severity": finding.severity,
        "code": finding.code,
        "category": finding.category,
        "pointer": pointer,
        "message": message,
        "value": value,
        "file": finding.file,
        "line": finding.line,
        "object_id": object_id,
        "truncated": pointer_cut or message_cut or id_cut or value_cut,
    }


def _findings(files: Files) -> Iterator[tuple[str, Finding]]:
    for file, cases in files:
        for case in cases:
            for finding in case.findings:
                yield file, finding


def render_text(files: Files, summary: Summary, out: TextIO) -> None:
    """Findings grouped under their file, the histories' findings after every file, the coverage
    when asked, then the counts; every character printable."""
    current = None
    for file, finding in _findings(files):
        if file != current:
            header = "histories (across every input)" if file == HISTORIES else printable(file)
            out.write(("\n" if current is not None else "") + header + "\n")
            current = file
        who = f" [{one_line(finding.object_id)}]" if finding.object_id else ""
        at = one_line(finding.pointer) or "(whole object)"
        where = place(finding.line)
        if file == HISTORIES:
            where = (
                f"{printable(str(finding.file))}:{finding.line}"
                if finding.line
                else printable(str(finding.file))
            )
        line = f"{where}{who}: {finding.severity} {finding.code} at {at}"
        out.write(f"  {line}: {one_line(finding.message)}\n")
    if summary.coverage is not None:
        out.write(("\n" if current is not None else "") + _coverage_text(summary.coverage))
        current = ""
    out.write("\n" if current is not None else "")
    recordings = recordings_line(summary)
    out.write(f"{recordings}\n" if recordings else "")
    out.write(summary_line(summary) + "\n")


def summary_line(summary: Summary) -> str:
    """The counts in one line, as the text report ends."""
    s = summary.as_dict()
    return (
        f"checked {s['objects']} object(s) in {s['files']} file(s): "
        f"{s['errors']} error(s), {s['warnings']} warning(s)"
    )


def recordings_line(summary: Summary) -> str | None:
    """What whole recordings held, when they held interactions or streams."""
    if not (summary.interactions or summary.passed_over or summary.streams):
        return None
    return (
        f"{summary.interactions} interaction(s) of the runs resource, {summary.passed_over} "
        f"other(s) passed over; {summary.streams} stream(s); {summary.histories} history(ies)"
    )


def _coverage_text(coverage: list[dict[str, Any]]) -> str:
    lines = []
    for table in coverage:
        edges = len(table["edges"]) + len(table["missed_edges"])
        pairs = len(table["pairs"]) + len(table["missed_pairs"])
        lines.append(
            f"coverage of the {table['table']} table: {len(table['edges'])} of {edges} edges, "
            f"{len(table['pairs'])} of {pairs} pairs of edges in a row"
        )
        lines += [f"  missed edge {edge}" for edge in table["missed_edges"]]
    return "\n".join(lines) + "\n"


def render_json(files: Files, summary: Summary, out: TextIO) -> None:
    """One JSON document, written a finding at a time: ``findings``, then ``summary``."""
    out.write('{\n  "findings": [')
    separator = "\n"
    for _, finding in _findings(files):
        text = json.dumps(shown(finding), indent=2, allow_nan=False)
        out.write(separator + "    " + text.replace("\n", "\n    "))
        separator = ",\n"
    out.write(("\n  " if separator != "\n" else "") + '],\n  "summary": ')
    out.write(json.dumps(summary.as_dict(), indent=2).replace("\n", "\n  "))
    if summary.coverage is not None:
        out.write(
            ',\n  "coverage": ' + json.dumps(summary.coverage, indent=2).replace("\n", "\n  ")
        )
    out.write("\n}\n")


def render_junit(files: Files, summary: Summary, out: TextIO) -> None:
    """JUnit XML (``_junit.py``): imported when asked for, since xml and tempfile would cost every
    other check's cold start (decisions.md#cold-start-imports-only-what-is-used)."""
    from runcore._check._junit import render_junit as render

    render(files, summary, out)


def render_github(files: Files, summary: Summary, out: TextIO) -> None:
    """One GitHub Actions workflow command per finding (``::error file=…,line=…,title=…::…``),
    which the Actions log and a pull request's changed lines show as annotations; then the counts
    as a notice."""
    for _, finding in _findings(files):
        properties = {"file": finding.file, "line": finding.line, "title": finding.code}
        given = ",".join(f"{k}={_property(str(v))}" for k, v in properties.items() if v is not None)
        who = f"[{one_line(finding.object_id)}] " if finding.object_id else ""
        at = one_line(finding.pointer) or "(whole object)"
        message = f"{who}{finding.code} at {at}: {one_line(finding.message)}"
        out.write(f"::{finding.severity} {given}::{_data(message)}\n")
    if summary.coverage is not None:
        out.write(f"::notice title=coverage::{_data(_coverage_text(summary.coverage))}\n")
    out.write(f"::notice title=runcore check::{_data(summary_line(summary))}\n")


def _data(text: str) -> str:
    """Text as a workflow command's message: ``%``, CR and LF escaped (GitHub's own toolkit rules)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    """Text as a workflow command's property value: also ``:`` and ``,`` escaped."""
    return _data(printable(text)).replace(":", "%3A").replace(",", "%2C")


# The formats that report every case, not only findings (a JUnit test case per object).
EVERY_CASE = frozenset({"junit"})

RENDERERS: dict[str, Callable[[Files, Summary, TextIO], None]] = {
    "text": render_text,
    "json": render_json,
    "junit": render_junit,
    "github": render_github,
}
