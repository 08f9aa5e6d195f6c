"""runcore's pytest plugin: :func:`assert_conforms`, fixtures for a clock and canonical runs and
steps, and a recorder that checks every runs-resource exchange a test made through httpx.

pytest loads it through the ``pytest11`` entry point wherever runcore is installed. It changes
nothing in a suite that does not use it: its fixtures act only when a test asks for them, and
recording starts only with ``runcore_recorder`` or ``--runcore-record``. ``assert_conforms`` is an
ordinary function, importable without the plugin (``-p no:runcore``). Docs: docs/testing.md.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Iterator, Sequence
from typing import Any
from urllib.parse import urlsplit

import pytest

from runcore._check._quote import one_line
from runcore._contract._validate import validate
from runcore._findings import Finding
from runcore._kinds import PROFILES, REQUEST_KINDS, Profile, infer_kind, require_profile
from runcore._life import Moment, created, walk_until
from runcore._lifecycle._creation import run_from_request
from runcore._recording import Exchange, Recorder, har_text, in_order, recording_findings
from runcore._tables import RUN_STATUSES, STEP_STATUSES
from runcore.scenarios import ASSISTANT, CREATE, T0

__all__ = ["Clock", "ContractFailure", "assert_conforms"]


class ContractFailure(AssertionError):
    """What a test checked breaks the runs contract: ``findings`` holds the errors found."""

    def __init__(self, message: str, findings: Sequence[Finding]) -> None:
        super().__init__(message)
        self.findings = list(findings)


def assert_conforms(
    obj: Any, kind: str | None = None, *, profile: Profile = "observed"
) -> list[Finding]:
    """Fail the test unless ``obj`` keeps the runs contract, listing every error one per line
    (pointer, code, message); return the warnings.

    ``kind`` is read from ``obj["object"]`` when None (name it for request bodies); ``profile`` is
    ``observed`` (what the hosted API sent) or ``spec`` (the documented contract). Raises
    :class:`ContractFailure`, an AssertionError, with the errors in ``findings``.
    """
    __tracebackhide__ = True
    findings = validate(obj, kind, profile=profile)
    errors = [finding for finding in findings if finding.severity == "error"]
    if errors:
        named = kind or infer_kind(obj)
        object_id = obj.get("id") if isinstance(obj, dict) else None
        subject = f"{named} {object_id!r}" if isinstance(object_id, str) else named
        named_profile = None if named in REQUEST_KINDS else profile  # requests have one profile
        rows = [(finding, None) for finding in errors]
        raise ContractFailure(_report(subject, rows, named_profile), errors)
    return findings


def _report(
    subject: str, findings: Sequence[tuple[Finding, str | None]], profile: str | None
) -> str:
    """The failure message: what broke the contract, then each finding on a line of its own
    (pointer, code, message, and where it is when that is not the object checked)."""
    count = f"{len(findings)} error{'s' if len(findings) != 1 else ''}"
    under = f" ({profile} profile)" if profile else ""
    lines = [f"{subject} breaks the runs contract{under}: {count}"]
    pointers = [one_line(finding.pointer or "(root)") for finding, _ in findings]
    width = min(max(len(pointer) for pointer in pointers), 48)
    code_width = max(len(finding.code) for finding, _ in findings)
    for pointer, (finding, where) in zip(pointers, findings, strict=True):
        lines.append(
            f"  {pointer:<{width}}  {finding.code:<{code_width}}  {one_line(finding.message)}"
            + (f"  [{one_line(where)}]" if where else "")
        )
    return "\n".join(lines)


# -- the clock and canonical runs ----------------------------------------------------------------


class Clock:
    """A clock a test controls, in integer Unix seconds: call it for the time now.

    Give it where a server takes its clock (``Server(assistants, clock=runcore_clock)``) and move
    it with :meth:`advance` or :meth:`set`; it never moves by itself.
    """

    def __init__(self, now: int = T0) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now

    def advance(self, seconds: int = 1) -> int:
        """Move the clock ``seconds`` on (back, if negative) and return the new time."""
        self.now += seconds
        return self.now

    def set(self, now: int) -> int:
        """Set the clock to ``now`` and return it."""
        self.now = now
        return self.now

    def __repr__(self) -> str:
        return f"Clock(now={self.now})"


@pytest.fixture
def runcore_clock() -> Clock:
    """A :class:`Clock` at 2024-11-22T00:00:00Z (1732233600) that moves only when told."""
    return Clock()


@pytest.fixture
def runcore_run_in(runcore_clock: Clock) -> Callable[[str], dict[str, Any]]:
    """Canonical runs: ``runcore_run_in("requires_action")`` is a new run walked into that status
    along a shortest legal walk, from the clock's time on, one event a second (``expire`` at the
    deadline); the clock is left at the last event. Each call makes a new run."""
    count = itertools.count(1)

    def run_in(status: str) -> dict[str, Any]:
        _known(status, RUN_STATUSES, "run status")
        moments = _walk(runcore_clock, next(count), lambda m: m.run["status"] == status)
        return copy.deepcopy(moments[-1].run)

    return run_in


@pytest.fixture
def runcore_step_in(runcore_clock: Clock) -> Callable[[str], dict[str, Any]]:
    """Canonical run steps: ``runcore_step_in("completed")`` is a step of a new run walked on until
    one of its steps is in that status, as :func:`runcore_run_in` walks."""
    count = itertools.count(1)

    def step_in(status: str) -> dict[str, Any]:
        _known(status, STEP_STATUSES, "step status")
        moments = _walk(
            runcore_clock, next(count), lambda m: any(s["status"] == status for s in m.steps)
        )
        return copy.deepcopy(next(s for s in moments[-1].steps if s["status"] == status))

    return step_in


@pytest.fixture(params=RUN_STATUSES)
def runcore_run(request: pytest.FixtureRequest, runcore_run_in: Callable[[str], Any]) -> Any:
    """A canonical run in each status: a test that takes it runs once per status."""
    return runcore_run_in(request.param)


@pytest.fixture(params=STEP_STATUSES)
def runcore_step(request: pytest.FixtureRequest, runcore_step_in: Callable[[str], Any]) -> Any:
    """A canonical run step in each status: a test that takes it runs once per status."""
    return runcore_step_in(request.param)


def _walk(clock: Clock, number: int, wanted: Callable[[Moment], bool]) -> list[Moment]:
    name = f"canonical{number}"
    run = run_from_request(
        CREATE["body"], ASSISTANT, run_id=f"run_{name}", thread_id=f"thread_{name}", now=clock.now
    )
    moments = walk_until(wanted, created(run))
    clock.set(moments[-1].now)
    return moments


def _known(status: str, known: tuple[str, ...], what: str) -> None:
    if status not in known:
        raise ValueError(f"unknown {what} {status!r}; {what}es: {', '.join(known)}")


# -- recording -----------------------------------------------------------------------------------

_TEST_RECORDER = pytest.StashKey[Recorder]()
_SESSION_RECORDER = pytest.StashKey[Recorder]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("runcore", "runcore: the OpenAI Assistants API runs contract")
    group.addoption(
        "--runcore-record",
        metavar="PATH",
        help="record every runs-resource exchange made through httpx in every test, fail a test "
        "whose exchanges break the contract, and write them all to PATH as HAR 1.2 "
        "(runcore check PATH reads it)",
    )
    group.addoption(
        "--runcore-profile",
        choices=PROFILES,
        default="observed",
        help="the profile recorded exchanges are checked under (default: observed)",
    )


def pytest_configure(config: pytest.Config) -> None:
    path = config.getoption("runcore_record")
    if path:
        try:
            open(path, "w", encoding="utf-8").close()  # refuse a path that cannot be written, now
        except OSError as error:
            raise pytest.UsageError(
                f"--runcore-record: cannot write {path}: {error.strerror}"
            ) from None
        recorder = Recorder()
        recorder.__enter__()
        config.stash[_SESSION_RECORDER] = recorder


def pytest_unconfigure(config: pytest.Config) -> None:
    recorder = config.stash.get(_SESSION_RECORDER, None)
    if recorder is not None:
        recorder.__exit__()
        with open(config.getoption("runcore_record"), "w", encoding="utf-8") as file:
            file.write(har_text(recorder.exchanges))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    if _SESSION_RECORDER in item.config.stash:
        _record_test(item)
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    result = yield  # a test that failed already is not checked again
    recorder = item.stash.get(_TEST_RECORDER, None)
    if recorder is not None:
        profile = require_profile(item.config.getoption("runcore_profile"))
        found = recording_findings(recorder.exchanges, profile)
        sent = in_order(recorder.exchanges)
        errors = [(f, _described(e, sent)) for f, e in found if f.severity == "error"]
        if errors:  # the findings are the whole story: no traceback into the plugin
            subject = f"what this test sent and received ({len(sent)} runs exchanges)"
            pytest.fail(_report(subject, errors, profile), pytrace=False)
    return result


def _described(exchange: Exchange | None, sent: list[Exchange]) -> str:
    """Where a finding of a recording is: the exchange, by its place and its request."""
    if exchange is None:
        return "the recording"
    number = sent.index(exchange) + 1
    return f"#{number} {exchange.method} {urlsplit(exchange.url).path} {exchange.status}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    try:
        return (yield)
    finally:
        recorder = item.stash.get(_TEST_RECORDER, None)
        if recorder is not None:
            recorder.__exit__()
            del item.stash[_TEST_RECORDER]


@pytest.fixture
def runcore_recorder(request: pytest.FixtureRequest) -> Recorder:
    """Records every runs-resource request and response the test makes through an httpx client
    (the ``openai`` SDK's transport); when the test has run, checks them with the whole-recording
    rules of ``runcore check`` and fails the test with the findings. ``.exchanges`` holds them,
    ``.findings()`` is what the check finds so far, ``.har()`` the recording as HAR 1.2."""
    return _record_test(request.node)


def _record_test(item: pytest.Item) -> Recorder:
    recorder = item.stash.get(_TEST_RECORDER, None)
    if recorder is None:
        recorder = Recorder(item.nodeid)
        recorder.__enter__()
        item.stash[_TEST_RECORDER] = recorder
    return recorder
