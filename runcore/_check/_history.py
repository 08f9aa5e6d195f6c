"""Histories: the snapshots of one run (or step) across every input, checked against the lifecycle
table, and what runs, steps and threads say about each other over time (decisions.md#histories).

Memory holds, per run and per step, its latest snapshot (the fields the rules compare, big values
as digests) and its findings, and per thread when each of its runs was live: never the corpus.
"""

from __future__ import annotations

import json
import sys
from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from itertools import repeat
from typing import Any, NamedTuple, Union

from runcore._check._coverage import Walks
from runcore._findings import Finding, found
from runcore._graph import reachable
from runcore._json import is_integer, optional_orjson
from runcore._lifecycle._creation import _REQUEST_SETTINGS as REQUEST_SETTINGS
from runcore._tables import ACTIVE_RUN_STATUSES, RUN_TABLE, STEP_TABLE, StatusTable

TABLES = {RUN_TABLE.tag: RUN_TABLE, STEP_TABLE.tag: STEP_TABLE}
# Fields fixed for an object's life: its identity (created_at, thread, assistant), and a run's
# settings from its request but metadata (modified later): no run or step ever changed one in the 46
# status changes of ../shared/recordings/real (decisions.md#histories).
FIXED = {
    RUN_TABLE.tag: (
        "created_at",
        "thread_id",
        "assistant_id",
        *(name for name in REQUEST_SETTINGS if name != "metadata"),
    ),
    STEP_TABLE.tag: ("created_at", "run_id", "thread_id", "assistant_id", "type"),
}
# Timestamps that, once set, keep their value, except where the lifecycle says otherwise.
STAMPS = {
    RUN_TABLE.tag: (*RUN_TABLE.timestamps[1:], "expires_at"),
    STEP_TABLE.tag: (*STEP_TABLE.timestamps[1:], "expires_at"),
}
_END_STAMPS = ("completed_at", "failed_at", "cancelled_at")
_RUN_ENDS = RUN_TABLE.terminal


# A long field as its snapshot keeps it: the hash of its text, as 8 bytes (no JSON value is kept
# as bytes, and bytes are not tracked by the garbage collector).
Digest = bytes


class _Absent:
    """A field a snapshot does not have (API v1 and v2 runs differ): never compared."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "absent"

    def __reduce__(self) -> str:  # one ABSENT in every process
        return "ABSENT"


ABSENT: Any = _Absent()


class Place(NamedTuple):
    """Where a snapshot is and when it arrived: its input (in the order given), its position in the
    whole check, the time the recording gives (Unix seconds) if it gives one, and where the object
    is in its document (``/data/3`` for an item of a page; empty for the whole document)."""

    file: str
    line: int | None
    received_at: int | None
    input: int
    seq: int
    where: str = ""


def before(first: Place, then: Place) -> bool | None:
    """Whether ``first`` came before ``then``: by input order within one input, by the recorded
    times across inputs, and None when nothing says (decisions.md#histories)."""
    if first.input == then.input:
        return first.seq < then.seq
    if first.received_at is not None and then.received_at is not None:
        if first.received_at != then.received_at:
            return first.received_at < then.received_at
    return None


# What the rules compare of a snapshot: a Sighting, or a History (which holds its latest one's).
Snapshot = Union["Sighting", "History"]


def kept_value(snapshot: Snapshot, name: str) -> Any:
    """A fixed field's or timestamp's value as ``snapshot`` keeps it (ABSENT when it has none)."""
    tag = snapshot.tag
    for names, values in ((FIXED[tag], snapshot.fixed), (STAMPS[tag], snapshot.stamps)):
        if name in names:
            return values[names.index(name)]
    return ABSENT


@dataclass(slots=True)
class Run:
    """What other objects need of a run: its thread, assistant, creation, end, steps and outputs.

    A run that has a history keeps these on its History; a Run holds them for a run only named so
    far (by its steps, or by tool outputs submitted for it)."""

    thread_id: Any = None
    assistant_id: Any = None
    created_at: Any = None
    ended: Place | None = None  # where the run was first seen ended
    steps: list[str] | None = None
    submitted: dict[str, tuple[Any, Place]] | None = None


@dataclass(slots=True)
class History:
    """One run or step over time: its latest snapshot (what the rules compare of it, as its
    Sighting gave it, and where it was), what was found, and its walk so far; for a run, also what
    its steps need of it (as a :class:`Run` holds it). One object per run or step is what memory
    holds (decisions.md#histories)."""

    key: str
    first_tag: str  # what the history is (its first snapshot's tag)
    first: Place
    tag: str  # the latest snapshot's tag, status, fixed fields, timestamps and place
    status: str | None
    fixed: tuple[Any, ...]
    stamps: tuple[Any, ...]
    place: Place
    snapshots: int = 1
    findings: list[Finding] | None = None  # made at the first finding: most histories have none
    last_edge: tuple[str, str, str] | None = None
    outlived: bool = False
    thread_id: Any = None  # a run's: as Run holds them
    assistant_id: Any = None
    created_at: Any = None
    ended: Place | None = None
    steps: list[str] | None = None
    submitted: dict[str, tuple[Any, Place]] | None = None

    def add(self, findings: list[Finding]) -> None:
        """Findings about this history, after those found before."""
        if findings:
            if self.findings is None:
                self.findings = []
            self.findings += findings

    def took(self, seen: Sighting, place: Place) -> None:
        """``seen`` at ``place`` is now the latest snapshot."""
        self.tag, self.status, self.fixed = seen.tag, seen.status, seen.fixed
        self.stamps, self.place = seen.stamps, place


@dataclass(slots=True)
class Thread:
    """When each run of a thread was live: created_at, and the latest moment known live."""

    starts: list[tuple[int, str]] = field(default_factory=list)
    live: dict[str, tuple[int, int]] = field(default_factory=dict)
    latest_live: int = 0
    reported: set[tuple[str, str]] | None = None  # made at the first report


class Histories:
    """Every history of a check, fed snapshots in the order they are read."""

    def __init__(self) -> None:
        self.histories: dict[str, History] = {}
        self.runs: dict[str, Run] = {}  # runs named but not seen (or first seen as a step)
        self.threads: dict[str, Thread | tuple[str, int, int]] = {}
        self.walks = {RUN_TABLE.tag: Walks(RUN_TABLE), STEP_TABLE.tag: Walks(STEP_TABLE)}

    def created_at(self, object_id: str) -> int | None:
        """When an object seen so far was created (for a page's cursor), or None."""
        history = self.histories.get(object_id)
        if history is None:
            return None
        value = kept_value(history, "created_at")
        return value if is_integer(value) else None

    # -- snapshots ---------------------------------------------------------------------------

    def snapshot(self, obj: Mapping[str, Any], place: Place) -> None:
        """A run or step as one response showed it (anything else is not remembered)."""
        seen = sighting(obj)
        if seen is not None:
            self.see(seen, place)

    def see(self, given: Sighting | tuple[Any, ...], place: Place) -> None:
        """A run or step as :func:`sighting` read it from a response (or that as a plain tuple,
        as it comes from a worker process), at ``place``."""
        seen = given if type(given) is Sighting else Sighting._make(given)
        tag, key = seen.tag, seen.key
        history = self.histories.get(key)
        if history is None:
            history = self.histories[key] = History(
                key, tag, place, tag, seen.status, seen.fixed, seen.stamps, place
            )
            latest = True
            if tag == RUN_TABLE.tag and key in self.runs:  # named before it was seen
                named = self.runs.pop(key)
                history.steps, history.submitted = named.steps, named.submitted
        else:
            latest = self._compare(history, seen, place)
        if tag == RUN_TABLE.tag:
            self._run(history if history.first_tag == tag else self._run_named(key), seen, place)
        else:
            self._step(history, seen, place, latest)

    def _compare(self, history: History, seen: Sighting, place: Place) -> bool:
        """``seen`` against the history's latest snapshot; True when it is the latest now."""
        history.snapshots += 1
        order = before(history.place, place)
        if order is None:  # nothing says which came first: the order the lifecycle explains
            forward, backward = _pair(history, seen, place), _pair(seen, history, history.place)
            order = _errors(forward) <= _errors(backward)
            found_pair = forward if order else backward
        else:
            found_pair = (
                _pair(history, seen, place) if order else _pair(seen, history, history.place)
            )
        history.add(found_pair)
        if order:
            self._walked(history, seen)
            history.took(seen, place)
        return order

    def _walked(self, history: History, later: Sighting) -> None:
        """The edge of the table between the history's latest snapshot and ``later``, when they
        are one edge apart.

        Only ``start`` stamps ``started_at``: a run whose ``started_at`` moved between two
        snapshots one other edge apart took a longer walk (queued, in_progress, cancelling),
        and no edge is claimed (decisions.md#coverage).
        """
        if history.tag != later.tag or history.status == later.status:
            return
        edge = self.walks[later.tag].edge(history.status, later.status)
        started = kept_value(history, "started_at") != kept_value(later, "started_at")
        if edge is not None and started and edge[1] != "start":
            edge = None
        self.walks[later.tag].took(history.last_edge, edge)
        history.last_edge = edge

    # -- runs, steps and threads ---------------------------------------------------------------

    def _run_named(self, run_id: str) -> History | Run:
        """What is known of the run ``run_id``: its history, or what named it so far."""
        history = self.histories.get(run_id)
        if history is not None and history.first_tag == RUN_TABLE.tag:
            return history
        run = self.runs.get(run_id)
        if run is None:
            run = self.runs[run_id] = Run()
        return run

    def _run(self, run: History | Run, seen: Sighting, place: Place) -> None:
        first_sight = run.created_at is None and run.thread_id is None
        run.thread_id = run.thread_id or seen.thread_id
        run.assistant_id = run.assistant_id or seen.assistant_id
        if run.created_at is None:
            run.created_at = seen.created_at
        if first_sight:
            for step_id in run.steps or ():
                self._step_against_run(self.histories[step_id], run)
        if seen.status in _RUN_ENDS and run.ended is None:
            run.ended = place
            for step_id in run.steps or ():
                self._outlived(self.histories[step_id], run)
        if seen.live is not None:
            self._live(seen.key, *seen.live)

    def _step(self, history: History, seen: Sighting, place: Place, latest: bool) -> None:
        run_id = seen.run_id
        if not isinstance(run_id, str):
            return
        run = self._run_named(run_id)
        if history.snapshots == 1:  # a step belongs to the run its first snapshot names
            run.steps = run.steps or []
            run.steps.append(history.key)
            if run.created_at is not None or run.thread_id is not None:
                self._step_against_run(history, run)
        if latest:
            self._outlived(history, run)
        self._carried(history, seen, place, run)

    def _step_against_run(self, step: History, run: History | Run) -> None:
        """Once both are known: a step on its run's thread, of its assistant, made after it."""
        for name, value in (("thread_id", run.thread_id), ("assistant_id", run.assistant_id)):
            mine = kept_value(step, name)
            if value is not None and isinstance(mine, str) and mine != value:
                message = f"the step's {name} is {mine!r}; its run's is {value!r}"
                finding = found("step_run_mismatch", "history", [name], message, mine)
                step.add([_placed(finding, step.place, step.key)])
        made = kept_value(step, "created_at")
        if is_integer(made) and is_integer(run.created_at) and made < run.created_at:
            message = (
                f"the step was created at {made}, before its run (created at {run.created_at})"
            )
            finding = found("step_before_run", "history", ["created_at"], message, made)
            step.add([_placed(finding, step.place, step.key)])

    def _outlived(self, step: History, run: History | Run) -> None:
        """A step still in_progress in a snapshot taken after its run ended."""
        if run.ended is None or step.status != "in_progress" or step.outlived:
            return
        if before(run.ended, step.place) is True:
            step.outlived = True
            message = "the step is in_progress in a snapshot taken after its run ended"
            finding = found("step_outlived_run", "history", ["status"], message, "in_progress")
            step.add([_placed(finding, step.place, step.key)])

    def submitted(self, run_id: str, outputs: Any, place: Place) -> None:
        """Tool outputs a server accepted for a run: later steps carry them."""
        run = self._run_named(run_id)
        for output in outputs if isinstance(outputs, list) else []:
            if isinstance(output, dict) and isinstance(output.get("tool_call_id"), str):
                run.submitted = run.submitted or {}
                run.submitted[output["tool_call_id"]] = (_kept(output.get("output")), place)

    def _carried(self, step: History, seen: Sighting, place: Place, run: History | Run) -> None:
        if not run.submitted or not seen.outputs:
            return
        for call_id, (index, output) in seen.outputs.items():
            given = run.submitted.get(call_id)
            if given is None or before(given[1], place) is not True or given[0] == output:
                continue
            path: list[str | int] = ["step_details", "tool_calls", index, "function", "output"]
            message = f"tool call {call_id!r} does not carry the output submitted for it"
            finding = found("tool_output_not_carried", "history", path, message)
            step.add([_placed(finding, place, seen.key)])

    def page(self, items: list[Any], place: Place) -> None:
        """A page of runs: two live runs of one thread on it is a finding."""
        live: dict[Any, list[tuple[int, Mapping[str, Any]]]] = {}
        for index, item in enumerate(items):
            if isinstance(item, dict) and item.get("status") in ACTIVE_RUN_STATUSES:
                live.setdefault(item.get("thread_id"), []).append((index, item))
        for thread_id, runs in live.items():
            runs.sort(key=lambda pair: _created(pair[1]))
            for (_, earlier), (index, later) in zip(runs, runs[1:], strict=False):
                thread = self._thread(str(thread_id))
                pair = (str(earlier.get("id")), str(later.get("id")))
                history = self.histories.get(pair[1])
                if thread.reported and pair in thread.reported:
                    continue
                if history is None or pair[0] == pair[1]:
                    continue
                thread.reported = thread.reported or set()
                thread.reported.add(pair)
                runs_named = f"runs {pair[0]!r} and {pair[1]!r} of thread {thread_id!r}"
                message = f"{runs_named} are both live on one page"
                finding = found(
                    "thread_two_live_runs", "history", ["data", index, "status"], message
                )
                history.add([_placed(finding, place, pair[1])])

    def _live(self, key: str, thread_id: str, made: int, until: int) -> None:
        """When the run was live (:func:`_live_span`): a thread has one live run at a time."""
        thread = self.threads.get(thread_id)
        if thread is None:  # the thread's first run: nothing to overlap with
            self.threads[thread_id] = (key, made, max(made, until))
            return
        if isinstance(thread, tuple):
            if thread[0] == key:  # its one run again
                if until > thread[2]:
                    self.threads[thread_id] = (key, thread[1], until)
                return
            thread = self._thread(thread_id)
        span = thread.live.get(key)
        if span is None:
            span = thread.live[key] = (made, made)
            insort(thread.starts, (made, key))
            if thread.latest_live > made:  # a run of the thread may be live after this one began
                self._created_while_live(thread, key, made)
        if until > span[1]:
            old = span[1]
            thread.live[key] = (span[0], until)
            thread.latest_live = max(thread.latest_live, until)
            start = bisect_right(thread.starts, (max(old, made), "\uffff"))
            end = bisect_left(thread.starts, (until, ""))
            for _, other in thread.starts[start:end]:
                self._overlap(thread, key, other, thread_id)

    def _thread(self, thread_id: str) -> Thread:
        """A thread's runs as a Thread: a thread with one run is kept as that run's id, creation
        and latest moment known live, until another run comes."""
        thread = self.threads.get(thread_id)
        if thread is None:
            thread = self.threads[thread_id] = Thread()
        elif isinstance(thread, tuple):
            key, made, until = thread
            latest = until if until > made else 0
            thread = self.threads[thread_id] = Thread([(made, key)], {key: (made, until)}, latest)
        return thread

    def _created_while_live(self, thread: Thread, key: str, made: int) -> None:
        for other, (start, until) in thread.live.items():
            if other != key and start < made < until:
                self._overlap(thread, other, key, None)

    def _overlap(self, thread: Thread, earlier: str, later: str, thread_id: str | None) -> None:
        if earlier == later or (thread.reported and (earlier, later) in thread.reported):
            return
        start, until = thread.live[earlier]
        made = thread.live[later][0]
        if not start < made < until:
            return
        thread.reported = thread.reported or set()
        thread.reported.add((earlier, later))
        history = self.histories.get(later)
        message = (
            f"run {later!r} was created at {made}, while run {earlier!r} of its thread was live "
            f"(created at {start}, live at {until}): a thread has one active run at a time"
        )
        if history is not None:
            finding = found("thread_two_live_runs", "history", ["created_at"], message, made)
            history.add([_placed(finding, history.first, later)])

    def each(self) -> Iterator[History]:
        """Every history, in the order first seen."""
        return iter(self.histories.values())


def _text(value: Any) -> str | None:
    """A status as the tables name them: text, or None for any other value."""
    return value if isinstance(value, str) else None


def _created(obj: Mapping[str, Any]) -> int:
    made = obj.get("created_at")
    return made if is_integer(made) else 0


class Sighting(NamedTuple):
    """What one response tells the histories of a run or step: what the rules compare of it (its
    status, its fixed fields and timestamps in the order of FIXED and STAMPS, short values as they
    are and long ones as a Digest, and a tool-calls step's outputs by call id), and what runs,
    steps and threads compare as the response gave it."""

    tag: str
    key: str
    status: str | None
    fixed: tuple[Any, ...]
    stamps: tuple[Any, ...]
    outputs: dict[str, tuple[int, Any]] | None
    thread_id: Any
    assistant_id: Any
    created_at: Any
    run_id: Any
    live: tuple[str, int, int] | None  # a run's thread, creation, and latest moment known live


def sighting(obj: Mapping[str, Any]) -> Sighting | None:
    """What a run or step tells the histories, read from the object alone (so it can be read in
    another process); None for anything else. Fixed fields and timestamps are kept short (long
    values as digests), the status when it is text, a tool-calls step's outputs."""
    get = obj.get
    tag, key = get("object"), get("id")
    if not isinstance(tag, str) or tag not in TABLES or not isinstance(key, str):
        return None
    fixed = _kept_all(map(get, FIXED[tag], _ABSENTS))
    stamps = _kept_all(map(get, STAMPS[tag], _ABSENTS))
    status = _text(get("status"))
    outputs = _outputs(obj) if "step_details" in obj else None
    thread_id, made = get("thread_id"), get("created_at")
    live = _live_span(obj, thread_id, made, status) if tag == RUN_TABLE.tag else None
    return Sighting(
        tag, key, status, fixed, stamps, outputs,
        thread_id, get("assistant_id"), made, get("run_id"), live,
    )  # fmt: skip


def _live_span(
    run: Mapping[str, Any], thread_id: Any, made: Any, status: str | None
) -> tuple[str, int, int] | None:
    """When the run was live, by its own clock: from its creation to the latest moment the
    snapshot shows it live (``started_at`` of a live run) or its end timestamp. A recorder's or
    proxy's clock (a ``Date`` header) is another machine's, and not used."""
    if not isinstance(thread_id, str) or not is_integer(made):
        return None
    if status in ACTIVE_RUN_STATUSES:
        started = run.get("started_at")
        return thread_id, made, started if is_integer(started) else made
    if status in _RUN_ENDS:
        ended = [m for m in map(run.get, _END_STAMPS) if is_integer(m)]
        return thread_id, made, max(ended) if ended else made
    return thread_id, made, made


_SCALARS = frozenset({type(None), bool, int, float, type(ABSENT)})
_ABSENTS = repeat(ABSENT)  # the default of every get in a map(get, names, _ABSENTS)


def _kept_all(values: Iterable[Any]) -> tuple[Any, ...]:
    """Values as a snapshot keeps them (see :func:`_kept`), with no call for a scalar or a short
    text."""
    intern = sys.intern
    return tuple(
        [
            value
            if type(value) in _SCALARS
            else intern(value)
            if type(value) is str and len(value) <= 200
            else _kept(value)
            for value in values
        ]
    )


def _kept(value: Any) -> Any:
    """A value as a snapshot keeps it: a short one as it is (text interned: a thread's or model's
    name is kept once), a long one as a Digest of its text or JSON."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is str:
        return sys.intern(value) if len(value) <= 200 else _digest(value)
    return _digest(_written(value))


def _digest(text: bytes | str) -> Digest:
    return hash(text).to_bytes(8, "little", signed=True)


def _written(value: Any) -> bytes | str:
    """A JSON container as one text, its keys sorted: orjson's where it is there and takes the
    value (one writer per value, so equal values give equal texts), else the json module's."""
    orjson = optional_orjson()
    if orjson is not None:
        try:
            return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:
            pass
    try:
        return json.dumps(value, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        return f"<{type(value).__name__}>"


def _outputs(step: Mapping[str, Any]) -> dict[str, tuple[int, Any]] | None:
    """A tool-calls step's function outputs by call id (where they are, and the output as kept)."""
    details = step.get("step_details")
    calls = details.get("tool_calls") if isinstance(details, dict) else None
    if not isinstance(calls, list):
        return None
    found_outputs: dict[str, tuple[int, Any]] = {}
    for index, call in enumerate(calls):
        function = call.get("function") if isinstance(call, dict) else None
        if isinstance(function, dict) and isinstance(call.get("id"), str):
            found_outputs[call["id"]] = (index, _kept(function.get("output")))
    return found_outputs


_REACHABLE: dict[tuple[str, str], set[str]] = {}


def _reachable(table: StatusTable, status: str) -> set[str]:
    key = (table.name, status)
    if key not in _REACHABLE:
        _REACHABLE[key] = reachable(table, status)
    return _REACHABLE[key]


def _pair(earlier: Snapshot, later: Snapshot, place: Place) -> list[Finding]:
    """What two snapshots of one object, in this order, show; findings at the later one, which
    was at ``place``."""
    if earlier.tag != later.tag:
        message = f"the id named a {earlier.tag} before; now it names a {later.tag}"
        finding = found("fixed_field_changed", "history", ["object"], message, later.tag)
        return [_placed(finding, place, later.key)]
    table = TABLES[later.tag]
    findings = []
    legal = True
    if (
        earlier.status != later.status
        and earlier.status in table.statuses
        and later.status in table.statuses
    ):
        legal = later.status in _reachable(table, earlier.status)
        if not legal:
            change = f"{earlier.status!r} then {later.status!r}"
            message = f"{change}: no walk of the {table.name} table leads there"
            findings.append(
                found("status_change_illegal", "history", ["status"], message, later.status)
            )
    for name, was, now in zip(FIXED[later.tag], earlier.fixed, later.fixed, strict=True):
        if was is not ABSENT and now is not ABSENT and was != now:
            message = f"{name} was {_shown(was)}; now {_shown(now)}: it is fixed for the {table.name}'s life"
            value = None if isinstance(now, Digest) else now
            findings.append(found("fixed_field_changed", "history", [name], message, value))
    if legal:
        findings += _stamps(table, earlier, later)
    return [_placed(finding, place, later.key) for finding in findings]


def _stamps(table: StatusTable, earlier: Snapshot, later: Snapshot) -> Iterator[Finding]:
    """A timestamp that was set keeps its value, except where the lifecycle says otherwise:
    ``started_at`` is stamped again when the run returns to in_progress after tool outputs, and
    ``expires_at`` is cleared when the run (or step) ends."""
    for name, was, now in zip(STAMPS[later.tag], earlier.stamps, later.stamps, strict=True):
        if was is ABSENT or was is None or now is ABSENT or now == was:
            continue
        if name == "expires_at" and now is None and later.status in table.terminal:
            continue
        if name == "started_at" and _restarted(table, earlier.status, later.status, was, now):
            continue
        what = "cleared" if now is None else f"changed to {_shown(now)}"
        message = f"{name} was {_shown(was)}, then {what}"
        value = None if isinstance(now, Digest) else now
        yield found("timestamp_changed", "history", [name], message, value)


def _restarted(table: StatusTable, was_status: Any, status: Any, was: Any, now: Any) -> bool:
    """Whether a run may have gone back to in_progress through tool outputs in between."""
    if table is not RUN_TABLE or not (is_integer(was) and is_integer(now) and now > was):
        return False
    if was_status not in table.statuses or status not in table.statuses:
        return False
    return "requires_action" in _reachable(table, was_status) and status in _reachable(
        table, "queued"
    )


def _errors(findings: list[Finding]) -> int:
    return sum(finding.severity == "error" for finding in findings)


def _placed(finding: Finding, place: Place, object_id: str) -> Finding:
    pointer = place.where + finding.pointer
    return replace(finding, pointer=pointer, file=place.file, line=place.line, object_id=object_id)


def _shown(value: Any) -> str:
    """A kept value in a message: as JSON, or "a value too long to show" for one kept as a digest."""
    return "a value too long to show" if isinstance(value, Digest) else json.dumps(value)
