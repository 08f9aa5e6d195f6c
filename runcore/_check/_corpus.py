"""What a check of many documents found: every document checked, grouped into cases by file."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from runcore._check._readers import Document
from runcore._contract._validate import validate
from runcore._errors import UnknownKind
from runcore._findings import Finding
from runcore._kinds import PAGE_ITEM_KINDS, Profile, infer_kind, is_page, page_item, page_kind


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
            finding = _input_finding(code, document.problem, document.file, document.line)
            cases.append(
                Case(document.file, document.line, case_name(None, document.line), [finding])
            )
            continue
        cases.extend(_check(document, kind, profile, strict))
    return report


def _input_finding(code: str, message: str, file: str, line: int | None) -> Finding:
    return Finding(
        severity="error",
        code=code,
        category="input",
        pointer="",
        message=message,
        file=file,
        line=line,
    )


def _check(document: Document, kind: str | None, profile: Profile, strict: bool) -> list[Case]:
    value, file, line = document.value, document.file, document.line
    try:
        chosen = page_kind(value, kind or infer_kind(value))
    except UnknownKind as error:
        finding = _input_finding("unknown_kind", str(error), file, line)
        return [Case(file, line, case_name(None, line), [finding])]
    findings = [
        replace(finding, file=file, line=line)
        for finding in validate(value, chosen, profile=profile, strict=strict)
    ]
    if not (is_page(value) and chosen in PAGE_ITEM_KINDS):
        return [Case(file, line, case_name(value, line), findings)]
    page = Case(file, line, case_name(None, line, "list"), [])
    items = [
        Case(file, line, case_name(item, line, f"/data/{i}"), [])
        for i, item in enumerate(value["data"])
    ]
    for finding in findings:
        index = page_item(finding.pointer)
        (page if index is None else items[index]).findings.append(finding)
    return [page, *items]


def case_name(value: Any, line: int | None, where: str = "") -> str:
    """A case's name: its place, where in the document, and the object's id."""
    label = (
        value.get("id") if isinstance(value, dict) and isinstance(value.get("id"), str) else None
    )
    return ": ".join(part for part in (place(line), where, label or "") if part)


def place(line: int | None) -> str:
    """A line, or the whole file when no line is to blame."""
    return f"line {line}" if line is not None else "whole file"
