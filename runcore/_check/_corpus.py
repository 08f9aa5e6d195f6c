"""What a check of many inputs finds, as a stream: a case per object, request/response pair, stream
and history, and the running counts. Histories span every input, so their cases come last."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, get_args

from runcore._check._coverage import as_dict
from runcore._check._history import Histories, Place, Sighting, sighting
from runcore._check._paths import Input
from runcore._check._records import (
    Checked,
    Document,
    Interaction,
    PassedOver,
    Stream,
)
from runcore._contract._validate import validate
from runcore._errors import UnknownKind
from runcore._findings import Category, Finding
from runcore._kinds import PAGE_ITEM_KINDS, Profile, infer_kind, is_page, page_item, page_kind

# Findings that say an input was not read at all (a JUnit test case that is skipped).
SKIP_CODES = frozenset({"empty_input", "skipped_input"})
# The name under which the histories' cases come, after every input.
HISTORIES = "<histories>"


@dataclass
class Case:
    """One JUnit test case: an object, a request/response pair, a stream or a history; where it
    is, what it is, what was found in it, and how many objects it checked."""

    file: str
    line: int | None
    name: str
    findings: list[Finding] = field(default_factory=list)
    objects: int = 1

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
    interactions: int = 0
    passed_over: int = 0
    streams: int = 0
    histories: int = 0
    categories: Counter[str] = field(default_factory=Counter)
    unreadable: bool = False
    coverage: list[dict[str, Any]] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "objects": self.objects,
            "errors": self.errors,
            "warnings": self.warnings,
            "interactions": self.interactions,
            "passed_over": self.passed_over,
            "streams": self.streams,
            "histories": self.histories,
            "categories": {name: self.categories[name] for name in get_args(Category)},
        }

    @property
    def nothing_checked(self) -> bool:
        """No object, interaction of the runs resource or stream was checked."""
        return not (self.objects or self.interactions or self.streams)

    def exit_code(self) -> int:
        """2 when input could not be read or nothing was checked, 1 on errors, else 0.

        Nothing checked is not a success (decisions.md#nothing-checked-is-not-a-success).
        """
        if self.unreadable or self.nothing_checked:
            return 2
        return 1 if self.errors else 0


@dataclass
class _Check:
    """What one check carries from input to input: its options, its histories, its position."""

    kind: str | None
    profile: Profile
    strict: bool
    summary: Summary
    histories: Histories = field(default_factory=Histories)
    input: int = 0
    seq: int = 0

    def place(self, file: str, line: int | None, received_at: int | None, where: str = "") -> Place:
        self.seq += 1
        return Place(file, line, received_at, self.input, self.seq, where)


def checked(
    inputs: Iterable[Input],
    *,
    kind: str | None,
    profile: Profile,
    strict: bool,
    summary: Summary,
    coverage: bool = False,
    histories: Histories | None = None,
) -> Iterator[tuple[str, Iterator[Case]]]:
    """Each input with its cases, checked as they are read, then the histories of every run and
    step; ``summary`` counts them (and holds the coverage of the tables when asked). The histories
    are kept in ``histories`` when given (new ones by default)."""
    check = _Check(
        kind, profile, strict, summary, histories if histories is not None else Histories()
    )
    for name, items in inputs:
        summary.files += 1
        check.input += 1
        yield name, _counted(_cases(items, check), summary)
    yield HISTORIES, _counted(_histories(check, coverage), summary)


def _counted(cases: Iterator[Case], summary: Summary) -> Iterator[Case]:
    for case in cases:
        if not case.findings:
            summary.objects += case.objects
            yield case
            continue
        summary.objects += case.objects if case.skipped is None else 0
        for finding in case.findings:
            summary.errors += finding.severity == "error"
            summary.warnings += finding.severity == "warning"
            summary.categories[finding.category] += 1
            summary.unreadable |= finding.code == "unreadable_input"
        yield case


def _cases(items: Iterator[Any], check: _Check) -> Iterator[Case]:
    for item in items:
        if type(item) is Checked:  # the most common items first
            yield _checked(item, check)
        elif type(item) is Document and item.problem is None:
            yield from _document(item, check)
        elif isinstance(item, PassedOver):
            check.summary.passed_over += 1
        elif isinstance(item, Interaction):
            check.summary.interactions += 1
            yield from _traffic().interaction(item, check)
        elif isinstance(item, Stream):
            yield _traffic().stream(item, check)
        elif item.problem is not None:
            finding = _input_finding(item.code, item.problem, item.file, item.line)
            yield Case(item.file, item.line, case_name(None, item.line), [finding])
        else:
            yield from _document(item, check)


def _traffic() -> Any:
    """The cases of recorded traffic (``_traffic.py``), imported when a recording is met."""
    from runcore._check import _traffic

    return _traffic


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


# -- objects alone --------------------------------------------------------------------------------


def _document(document: Document, check: _Check) -> list[Case]:
    value, file, line = document.value, document.file, document.line
    try:
        chosen = page_kind(value, check.kind or infer_kind(value))
    except UnknownKind as error:
        finding = _input_finding("unknown_kind", str(error), file, line)
        return [Case(file, line, case_name(None, line), [finding])]
    if not (is_page(value) and chosen in PAGE_ITEM_KINDS):
        examined = alone(value, chosen, check.profile, check.strict)
        return [_checked(Checked(file, line, *examined), check)]
    findings = _validated(value, chosen, check, file, line)
    _remember(value, check.place(file, line, None), check)
    page = Case(file, line, case_name(None, line, "list"), [])
    items = [
        Case(file, line, case_name(item, line, f"/data/{i}"), [])
        for i, item in enumerate(value["data"])
    ]
    for finding in findings:
        index = page_item(finding.pointer)
        (page if index is None else items[index]).findings.append(finding)
    return [page, *items]


def alone(
    value: Any, kind: str, profile: Profile, strict: bool
) -> tuple[str | None, list[Finding], Sighting | None]:
    """An object that is not a page, checked alone as ``kind``: its id (when it has one), its
    findings, and what it tells the histories. The same whichever process reads it."""
    found = validate(value, kind, profile=profile, strict=strict)
    return _id(value), found, sighting(value) if isinstance(value, dict) else None


def _checked(item: Checked, check: _Check) -> Case:
    """An object checked alone: its case, and its sighting given to the histories."""
    file, line = item.file, item.line
    findings = [replace(finding, file=file, line=line) for finding in item.findings]
    place = check.place(file, line, None)
    if item.sighting is not None:
        check.histories.see(item.sighting, place)
    return Case(file, line, _name(line, item.label), findings)


def _validated(value: Any, kind: str, check: _Check, file: str, line: int | None) -> list[Finding]:
    return [
        replace(finding, file=file, line=line)
        for finding in validate(value, kind, profile=check.profile, strict=check.strict)
    ]


def _remember(value: Any, place: Place, check: _Check) -> None:
    """Feed the histories: a run or step, or the items of a page (and a page of runs' threads)."""
    if not isinstance(value, dict):
        return
    if is_page(value):
        items = value["data"]
        for index, item in enumerate(items):
            if isinstance(item, dict):
                where = check.place(place.file, place.line, place.received_at, f"/data/{index}")
                check.histories.snapshot(item, where)
        check.histories.page(items, place)
    else:
        check.histories.snapshot(value, place)


def _placed(
    findings: Iterable[Finding], file: str, line: int | None, object_id: str | None
) -> list[Finding]:
    return [replace(f, file=file, line=line, object_id=object_id) for f in findings]


def _id(value: Any) -> str | None:
    return value.get("id") if isinstance(value, dict) and isinstance(value.get("id"), str) else None


# -- histories ------------------------------------------------------------------------------------


def _histories(check: _Check, coverage: bool) -> Iterator[Case]:
    for history in check.histories.each():
        check.summary.histories += 1
        what = "run" if history.tag == "thread.run" else "step"
        name = f"{what} {history.key}: {history.snapshots} snapshot(s)"
        yield Case(history.first.file, history.first.line, name, history.findings or [], objects=0)
    if coverage:
        check.summary.coverage = [
            as_dict(tag.rsplit(".", 1)[-1] if tag != "thread.run" else "run", walks.coverage())
            for tag, walks in check.histories.walks.items()
        ]


def case_name(value: Any, line: int | None, where: str = "") -> str:
    """A case's name: its place, where in the document, and the object's id."""
    return _name(line, _id(value), where)


def _name(line: int | None, label: str | None, where: str = "") -> str:
    name = place(line)
    if where:
        name += f": {where}"
    return f"{name}: {label}" if label else name


def place(line: int | None) -> str:
    """A line, or the whole file when no line is to blame."""
    return f"line {line}" if line is not None else "whole file"
