"""What every part of a check makes and the reports read: a case per object, request/response pair,
stream and history (where it is, its findings), the running counts, and what one check carries from
input to input."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, get_args

from runcore._check._history import Histories, Place
from runcore._contract._validate import validate
from runcore._findings import Category, Finding
from runcore._kinds import Profile, is_page

# Findings that say an input was not read at all (a JUnit test case that is skipped).
SKIP_CODES = frozenset({"empty_input", "skipped_input"})
# The name under which the histories' cases come, after every input.
HISTORIES = "<histories>"


@dataclass(slots=True)
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
class Check:
    """What one check carries from input to input: its options, its histories, its position."""

    kind: str | None
    profile: Profile
    strict: bool
    summary: Summary
    histories: Histories = field(default_factory=Histories)
    input: int = 0
    seq: int = 0
    every_case: bool = True  # False: a case with no finding need not be named (see QUIET)

    def place(self, file: str, line: int | None, received_at: int | None, where: str = "") -> Place:
        self.seq += 1
        return Place(file, line, received_at, self.input, self.seq, where)


# What a check yields: each input's name with its cases, then the histories' (HISTORIES).
Files = Iterable[tuple[str, Iterator[Case]]]


def input_finding(code: str, message: str, file: str, line: int | None) -> Finding:
    return Finding(
        severity="warning" if code in SKIP_CODES else "error",
        code=code,
        category="input",
        pointer="",
        message=message,
        file=file,
        line=line,
    )


def validated(value: Any, kind: str, check: Check, file: str, line: int | None) -> list[Finding]:
    return [
        replace(finding, file=file, line=line)
        for finding in validate(value, kind, profile=check.profile, strict=check.strict)
    ]


def remember(value: Any, place: Place, check: Check) -> None:
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


def placed(
    findings: Iterable[Finding], file: str, line: int | None, object_id: str | None
) -> list[Finding]:
    return [replace(f, file=file, line=line, object_id=object_id) for f in findings]


def id_of(value: Any) -> str | None:
    return value.get("id") if isinstance(value, dict) and isinstance(value.get("id"), str) else None


def case_name(value: Any, line: int | None, where: str = "") -> str:
    """A case's name: its place, where in the document, and the object's id."""
    return named(line, id_of(value), where)


def named(line: int | None, label: str | None, where: str = "") -> str:
    name = place(line)
    if where:
        name += f": {where}"
    return f"{name}: {label}" if label else name


def place(line: int | None) -> str:
    """A line, or the whole file when no line is to blame."""
    return f"line {line}" if line is not None else "whole file"
