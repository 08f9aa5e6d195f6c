"""What a check of many inputs finds, as a stream: cases by input, and the running counts."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from runcore._check._paths import Input
from runcore._check._readers import Document
from runcore._contract._validate import validate
from runcore._errors import UnknownKind
from runcore._findings import Finding
from runcore._kinds import PAGE_ITEM_KINDS, Profile, infer_kind, is_page, page_item, page_kind

# Findings that say an input was not read at all (a JUnit test case that is skipped).
SKIP_CODES = frozenset({"empty_input", "skipped_input"})


@dataclass
class Case:
    """One checked object (one JUnit test case): where it came from and what was found in it."""

    file: str
    line: int | None
    name: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def skipped(self) -> Finding | None:
        """The finding that says this input was not read, if it was not."""
        return next((f for f in self.findings if f.code in SKIP_CODES), None)


@dataclass
class Summary:
    """The counts of a check so far; complete once every case has been rendered."""

    files: int = 0
    objects: int = 0
    errors: int = 0
    warnings: int = 0
    unreadable: bool = False

    def as_dict(self) -> dict[str, int]:
        return {
            "files": self.files,
            "objects": self.objects,
            "errors": self.errors,
            "warnings": self.warnings,
        }

    def exit_code(self) -> int:
        """2 when input could not be read or nothing was checked, 1 on errors, else 0.

        Nothing checked is not a success (decisions.md#nothing-checked-is-not-a-success).
        """
        if self.unreadable or not self.objects:
            return 2
        return 1 if self.errors else 0


def checked(
    inputs: Iterable[Input], *, kind: str | None, profile: Profile, strict: bool, summary: Summary
) -> Iterator[tuple[str, Iterator[Case]]]:
    """Each input with its cases, checked as they are read; ``summary`` counts them."""
    for name, documents in inputs:
        summary.files += 1
        yield name, _counted(_cases(documents, kind, profile, strict), summary)


def _counted(cases: Iterator[Case], summary: Summary) -> Iterator[Case]:
    for case in cases:
        summary.objects += case.skipped is None
        for finding in case.findings:
            summary.errors += finding.severity == "error"
            summary.warnings += finding.severity == "warning"
            summary.unreadable |= finding.code == "unreadable_input"
        yield case


def _cases(
    documents: Iterator[Document], kind: str | None, profile: Profile, strict: bool
) -> Iterator[Case]:
    """Check every document; a page of objects becomes one case for the page and one per item."""
    for document in documents:
        if document.problem is None:
            yield from _check(document, kind, profile, strict)
            continue
        finding = _input_finding(document.code, document.problem, document.file, document.line)
        yield Case(document.file, document.line, case_name(None, document.line), [finding])


def _input_finding(code: str, message: str, file: str, line: int | None) -> Finding:
    return Finding(
        severity="warning" if code in SKIP_CODES else "error",
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
