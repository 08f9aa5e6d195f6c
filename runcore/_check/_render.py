"""A report rendered as text for people, JSON for tools, and JUnit XML for CI test reports."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

from runcore._check._corpus import Report, place


def render_json(report: Report) -> str:
    findings = [finding.to_dict() for case in report.cases for finding in case.findings]
    return json.dumps({"summary": report.summary(), "findings": findings}, indent=2)


def render_text(report: Report) -> str:
    lines: list[str] = []
    for file, cases in report.files.items():
        found = [f for case in cases for f in case.findings]
        if not found:
            continue
        lines.append(file)
        for f in found:
            who = f" [{f.object_id}]" if f.object_id else ""
            at = f.pointer or "(whole object)"
            lines.append(f"  {place(f.line)}{who}: {f.severity} {f.code} at {at}: {f.message}")
        lines.append("")
    s = report.summary()
    lines.append(
        f"checked {s['objects']} object(s) in {s['files']} file(s): "
        f"{s['errors']} error(s), {s['warnings']} warning(s)"
    )
    return "\n".join(lines)


# XML 1.0 cannot carry most control characters, even escaped, nor lone surrogates (from a JSON
# "\ud800" escape, or a file name that is not UTF-8).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def render_junit(report: Report) -> str:
    """JUnit XML: a test suite per file, a test case per object; errors fail, warnings are output."""
    root = ET.Element("testsuites", name="runcore check")
    for file, cases in report.files.items():
        failures = sum(any(f.severity == "error" for f in case.findings) for case in cases)
        suite = ET.SubElement(
            root,
            "testsuite",
            name=_xml_text(file),
            tests=str(len(cases)),
            failures=str(failures),
            errors="0",
            skipped="0",
        )
        for case in cases:
            element = ET.SubElement(
                suite, "testcase", classname=_xml_text(file), name=_xml_text(case.name)
            )
            errors = [f for f in case.findings if f.severity == "error"]
            warnings = [f for f in case.findings if f.severity == "warning"]
            if errors:
                failure = ET.SubElement(
                    element,
                    "failure",
                    type=errors[0].code,
                    message=_xml_text(f"{len(errors)} error(s); first: {errors[0].message}"),
                )
                failure.text = _xml_text("\n".join(str(f) for f in errors))
            if warnings:
                ET.SubElement(element, "system-out").text = _xml_text(
                    "\n".join(str(f) for f in warnings)
                )
    root.set("tests", str(len(report.cases)))
    root.set("failures", str(sum(int(s.get("failures", "0")) for s in root)))
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


RENDERERS = {"text": render_text, "json": render_json, "junit": render_junit}
