"""JUnit XML for CI test reports: a test suite per file, a test case per object."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from tempfile import SpooledTemporaryFile
from typing import IO, Any, TextIO
from xml.sax.saxutils import quoteattr

from runcore._check._cases import HISTORIES, Case, Files, Summary
from runcore._check._quote import one_line, printable
from runcore._findings import Finding


def render_junit(files: Files, summary: Summary, out: TextIO) -> None:
    """JUnit XML in UTF-8 whatever the terminal's encoding: a test suite per file, a test case per
    object; errors fail, warnings are output, inputs not read are skipped.

    The counts go in start tags, so the suites are spooled (to disk once large) until known.
    """
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    with SpooledTemporaryFile(max_size=1 << 20) as suites:
        for file, cases in files:
            counts = _suite(file, cases, suites)
            totals = {key: totals[key] + counts[key] for key in totals}
        if summary.coverage is not None:
            suites.write(_coverage_suite(summary.coverage))
        out.flush()
        stream = out.buffer
        stream.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
        stream.write(_start("testsuites", {"name": "runcore check", **totals, "errors": 0}))
        suites.seek(0)
        shutil.copyfileobj(suites, stream)
        stream.write(b"</testsuites>\n")
        stream.flush()


def _suite(file: str, cases: Iterator[Case], suites: IO[bytes]) -> dict[str, int]:
    """A test suite per input, and one for the histories when there are any."""
    counts = {"tests": 0, "failures": 0, "skipped": 0}
    name = "histories" if file == HISTORIES else printable(file)
    with SpooledTemporaryFile(max_size=1 << 20) as body:
        for case in cases:
            element = _testcase(name, case)
            counts["tests"] += 1
            counts["failures"] += element.find("failure") is not None
            counts["skipped"] += element.find("skipped") is not None
            ET.indent(element, space="  ", level=2)
            body.write(b"    " + ET.tostring(element, encoding="unicode").encode() + b"\n")
        if file == HISTORIES and not counts["tests"]:
            return counts
        suites.write(b"  " + _start("testsuite", {"name": name, **counts, "errors": 0}))
        body.seek(0)
        shutil.copyfileobj(body, suites)
        suites.write(b"  </testsuite>\n")
    return counts


def _testcase(file: str, case: Case) -> ET.Element:
    element = ET.Element("testcase", classname=file, name=one_line(case.name))
    skipped = case.skipped
    errors = [f for f in case.findings if f.severity == "error"]
    warnings = [f for f in case.findings if f.severity == "warning" and f is not skipped]
    if skipped is not None:
        ET.SubElement(element, "skipped", message=one_line(skipped.message))
    if errors:
        failure = ET.SubElement(
            element,
            "failure",
            type=errors[0].code,
            message=f"{len(errors)} error(s); first: {one_line(errors[0].message)}",
        )
        failure.text = "\n".join(_line(f) for f in errors)
    if warnings:
        ET.SubElement(element, "system-out").text = "\n".join(_line(f) for f in warnings)
    return element


def _line(finding: Finding) -> str:
    """One finding on one printable line, as ``str(Finding)`` writes it, cut to size."""
    where = ":".join(printable(str(p)) for p in (finding.file, finding.line) if p is not None)
    at = one_line(finding.pointer) or "(root)"
    prefix = f"{where}: " if where else ""
    return f"{prefix}{finding.severity} {finding.code} at {at}: {one_line(finding.message)}"


def _coverage_suite(coverage: list[dict[str, Any]]) -> bytes:
    """The coverage as a suite of no test cases: properties, and the missed edges as output."""
    suite = ET.Element(
        "testsuite", name="coverage", tests="0", failures="0", errors="0", skipped="0"
    )
    properties = ET.SubElement(suite, "properties")
    for table in coverage:
        for key in ("edges", "missed_edges", "pairs", "missed_pairs"):
            ET.SubElement(
                properties, "property", name=f"{table['table']} {key}", value=str(len(table[key]))
            )
    missed = [f"{t['table']}: missed edge {edge}" for t in coverage for edge in t["missed_edges"]]
    ET.SubElement(suite, "system-out").text = "\n".join(missed)
    ET.indent(suite, space="  ", level=1)
    return b"  " + ET.tostring(suite, encoding="unicode").encode() + b"\n"


def _start(tag: str, attributes: dict[str, Any]) -> bytes:
    pairs = "".join(f" {key}={quoteattr(str(value))}" for key, value in attributes.items())
    return f"<{tag}{pairs}>\n".encode()
