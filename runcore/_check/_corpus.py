"""What a check of many inputs finds, as a stream: a case per object, request/response pair, stream
and history, and the running counts. Histories span every input, so their cases come last."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

from runcore._check._cases import (
    HISTORIES,
    Case,
    Check,
    Summary,
    case_name,
    id_of,
    input_finding,
    named,
    remember,
    validated,
)
from runcore._check._coverage import as_dict
from runcore._check._history import Histories, Sighting, sighting
from runcore._check._paths import Input
from runcore._check._records import (
    Checked,
    Document,
    Interaction,
    PassedOver,
    Stream,
)
from runcore._contract._validate import validate_read
from runcore._errors import UnknownKind
from runcore._findings import Finding
from runcore._kinds import PAGE_ITEM_KINDS, Profile, infer_kind, is_page, page_item, page_kind


def checked(
    inputs: Iterable[Input],
    *,
    kind: str | None,
    profile: Profile,
    strict: bool,
    summary: Summary,
    coverage: bool = False,
    histories: Histories | None = None,
    every_case: bool = True,
) -> Iterator[tuple[str, Iterator[Case]]]:
    """Each input with its cases, checked as they are read, then the histories of every run and
    step; ``summary`` counts them (and holds the coverage of the tables when asked). The histories
    are kept in ``histories`` when given (new ones by default). Without ``every_case``, an object
    with no finding is :data:`QUIET`, and a history with none gives no case (a report of
    findings alone needs no more)."""
    kept = histories if histories is not None else Histories()
    check = Check(kind, profile, strict, summary, kept, every_case=every_case)
    for name, items in inputs:
        summary.files += 1
        check.input += 1
        yield name, _counted(_cases(items, check), summary)
    yield HISTORIES, _counted(_histories(check, coverage), summary)


def _counted(cases: Iterator[Case], summary: Summary) -> Iterator[Case]:
    for case in cases:
        if not case.findings or case.skipped is None:  # a case with no finding is no skip
            summary.objects += case.objects
        for finding in case.findings:
            summary.errors += finding.severity == "error"
            summary.warnings += finding.severity == "warning"
            summary.categories[finding.category] += 1
            summary.unreadable |= finding.code == "unreadable_input"
        yield case


def _cases(items: Iterator[Any], check: Check) -> Iterator[Case]:
    for item in items:
        if type(item) is Checked:  # the most common items first
            yield _case(*item, check)
        elif type(item) is Document:
            if item.problem is None:
                yield from _document(item, check)
            else:
                finding = input_finding(item.code, item.problem, item.file, item.line)
                yield Case(item.file, item.line, case_name(None, item.line), [finding])
        elif isinstance(item, PassedOver):
            check.summary.passed_over += 1
        elif isinstance(item, Interaction):
            check.summary.interactions += 1
            yield from _traffic().interaction(item, check)
        elif isinstance(item, Stream):
            yield _traffic().stream(item, check)


def _traffic() -> Any:
    """The cases of recorded traffic (``_traffic.py``), imported when a recording is met."""
    from runcore._check import _traffic

    return _traffic


# What a report of findings alone (text, JSON, GitHub) is given for an object with no finding: one
# case, shared and never changed, instead of a case with its own name for each of a million objects
# (a history with no finding gives none: it counts no object). JUnit reports every case, named
# (decisions.md#a-check-end-to-end).
QUIET = Case("", None, "", [])


# -- objects alone --------------------------------------------------------------------------------


def _document(document: Document, check: Check) -> list[Case]:
    value, file, line = document.value, document.file, document.line
    try:
        chosen = page_kind(value, check.kind or infer_kind(value))
    except UnknownKind as error:
        finding = input_finding("unknown_kind", str(error), file, line)
        return [Case(file, line, case_name(None, line), [finding])]
    if not is_page(value):
        examined = alone(value, chosen, check.profile, check.strict, document.plain)
        return [_case(file, line, *examined, check)]
    findings = validated(value, chosen, check, file, line)
    remember(value, check.place(file, line, None), check)
    if chosen not in PAGE_ITEM_KINDS:  # a page checked as one object (--kind of another kind)
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


def alone(
    value: Any, kind: str, profile: Profile, strict: bool, plain: bool = False
) -> tuple[str | None, list[Finding], Sighting | None]:
    """An object that is not a page, checked alone as ``kind``: its id (when it has one), its
    findings, and what it tells the histories. The same whichever process reads it. ``plain``:
    orjson read the value (see :func:`~runcore._contract._validate.validate_read`)."""
    found = validate_read(value, kind, profile=profile, strict=strict, plain=plain)
    return id_of(value), found, sighting(value) if isinstance(value, dict) else None


def _case(
    file: str,
    line: int | None,
    label: str | None,
    findings: list[Finding],
    sighting: Sighting | None,
    check: Check,
) -> Case:
    """An object checked alone (what :func:`alone` found, here or in a worker): its case, and its
    sighting given to the histories."""
    if findings:
        findings = [replace(finding, file=file, line=line) for finding in findings]
    if sighting is not None:
        check.histories.see(sighting, check.place(file, line, None))
    if not findings and not check.every_case:
        return QUIET
    return Case(file, line, named(line, label), findings)


# -- histories ------------------------------------------------------------------------------------


def _histories(check: Check, coverage: bool) -> Iterator[Case]:
    for history in check.histories.each():
        check.summary.histories += 1
        if history.findings is None and not check.every_case:
            continue  # a case that counts no object and has no finding: nothing to report
        what = "run" if history.first_tag == "thread.run" else "step"
        name = f"{what} {history.key}: {history.snapshots} snapshot(s)"
        yield Case(history.first.file, history.first.line, name, history.findings or [], objects=0)
    if coverage:
        check.summary.coverage = [
            as_dict(tag.rsplit(".", 1)[-1] if tag != "thread.run" else "run", walks.coverage())
            for tag, walks in check.histories.walks.items()
        ]
