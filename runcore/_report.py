"""What a check of many documents found, and its text, JSON and JUnit renderings."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field, replace
from typing import Any, Iterable

from runcore._errors import UnknownKind
from runcore._findings import Finding
from runcore._inputs import Document
from runcore._schemas import PAGE_ITEM_KINDS, Profile
from runcore._validate import infer_kind, page_item, validate

LIST_KIND_OF = {item: page for page, item in PAGE_ITEM_KINDS.items()}


@dataclass
class Case:
    """One checked object (one JUnit test case): where it came from and what was found in it."""

    file: str
    line: int | None
    name: str
    findings: list[Finding] = field(default_factory=list)


@dataclass
class Report:
    """The cases of every file checked, in input order."""

    files: dict[str, list[Case]] = field(default_factory=dict)
    unreadable: bool = False

    @property
    def cases(self) -> list[Case]:
        return [case for cases in self.files.values() for case in cases]

    def count(self, severity: str) -> int:
        return sum(f.severity == severity for case in self.cases for f in case.findings)

    def summary(self) -> dict[str, int]:
        return {
            "files": len(self.files),
            "objects": len(self.cases),
            "errors": self.count("error"),
            "warnings": self.count("warning"),
        }

    def exit_code(self) -> int:
        return 2 if self.unreadable else (1 if self.count("error") else 0)


def build_report(
    documents: Iterable[Document], *, kind: str | None, profile: Profile, strict: bool
) -> Report:
    """Check every document; a page of objects becomes one case for the page and one per item."""
    report = Report()
    for document in documents:
        cases = report.files.setdefault(document.file, [])
        if document.empty:
            continue
        if document.problem is not None:
            report.unreadable |= document.fatal
            code = "unreadable_input" if document.fatal else "invalid_json"
            finding = Finding(
                "error", code, "", document.problem, None, document.file, document.line
            )
            cases.append(Case(document.file, document.line, _name(None, document.line), [finding]))
            continue
        cases.extend(_check(document, kind, profile, strict))
    return report


def _check(document: Document, kind: str | None, profile: Profile, strict: bool) -> list[Case]:
    value, file, line = document.value, document.file, document.line
    try:
        chosen = kind or infer_kind(value)
    except UnknownKind as error:
        finding = Finding("error", "unknown_kind", "", str(error), None, file, line)
        return [Case(file, line, _name(None, line), [finding])]
    is_page = (
        isinstance(value, dict)
        and value.get("object") == "list"
        and isinstance(value.get("data"), list)
    )
    if is_page and chosen in LIST_KIND_OF:
        chosen = LIST_KIND_OF[chosen]
    findings = [
        replace(finding, file=file, line=line)
        for finding in validate(value, chosen, profile=profile, strict=strict)
    ]
    if not (is_page and chosen in LIST_KIND_OF.values()):
        return [Case(file, line, _name(value, line), findings)]
    page = Case(file, line, _name(None, line, "list"), [])
    items = [
        Case(file, line, _name(item, line, f"/data/{i}"), [])
        for i, item in enumerate(value["data"])
    ]
    for finding in findings:
        index = page_item(finding.pointer)
        (page if index is None else items[index]).findings.append(finding)
    return [page, *items]


def _name(value: Any, line: int | None, where: str = "") -> str:
    label = (
        value.get("id") if isinstance(value, dict) and isinstance(value.get("id"), str) else None
    )
    return ": ".join(part for part in (_place(line), where, label or "") if part)


def _place(line: int | None) -> str:
    return f"line {line}" if line is not None else "whole file"


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
            lines.append(f"  {_place(f.line)}{who}: {f.severity} {f.code} at {at}: {f.message}")
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
