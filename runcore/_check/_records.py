"""What every reader yields: records (an object, where it came from, the event that carried it,
when it arrived), streams of them, interactions (an exchange and the record or stream that answered
it), interactions passed over, and input problems."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple


class Document(NamedTuple):
    """One JSON value read from an input, or the problem that stopped it being read.

    ``line`` is where the value starts (``None`` for a whole file or a problem no line is to blame);
    ``code`` is the finding a problem makes: ``invalid_json`` for a bad line of a JSONL input (the
    rest is still read); ``unreadable_input`` when the input could not be read (exit code 2;
    ``line`` is ``None`` when no line is to blame); ``empty_input`` or ``skipped_input`` when there
    was nothing to read or it was left alone (a FIFO in a directory, a link to a folder already
    walked, a YAML file that is no recording); ``undecodable_body`` for a body of an interaction.
    """

    file: str
    line: int | None
    value: Any = None
    problem: str | None = None
    code: str = "invalid_json"
    plain: bool = False  # orjson read the value: plain JSON (runcore._json.parse_bytes)


@dataclass(frozen=True)
class Exchange:
    """The HTTP exchange a body came from, as a recording holds it.

    ``body`` is the request body as JSON (``None`` when there is none); ``body_problem`` says why a
    body that is there could not be read. ``status`` is ``None`` when the recording has none;
    ``response_headers`` have lower-case names and their values joined with ", ".
    """

    method: str
    url: str
    body: Any = None
    body_problem: str | None = None
    status: int | None = None
    response_headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def path(self) -> str:
        from urllib.parse import urlsplit  # with the readers of recordings, not at start

        return urlsplit(self.url).path

    @property
    def query(self) -> str:
        from urllib.parse import urlsplit

        return urlsplit(self.url).query

    @property
    def streamed(self) -> bool:
        """Whether the response says it is an event stream."""
        return self.response_headers.get("content-type", "").startswith("text/event-stream")


class Record(NamedTuple):
    """One object checked: its value, where it is, the event that carried it in a stream, and when
    the recording says it arrived (Unix seconds, or None)."""

    file: str
    line: int | None
    value: Any
    event: str | None = None
    received_at: int | None = None


@dataclass(frozen=True)
class Stream:
    """A stream of server-sent events: its records (``event`` set; the data of ``done`` is the
    text ``[DONE]``), read as they come, and where it starts."""

    file: str
    line: int | None
    events: Iterable[Record | Document]
    exchange: Exchange | None = None


@dataclass(frozen=True)
class Interaction:
    """A request of the runs resource and its answer: the body as one record, a stream, or nothing
    (``problem`` says why, for a body that is there but cannot be decoded)."""

    file: str
    line: int | None
    exchange: Exchange
    received_at: int | None
    body: Record | Stream | None
    problem: str | None = None


@dataclass(frozen=True)
class PassedOver:
    """An interaction that is not of the runs resource (assistants, threads, messages, other hosts)."""

    file: str
    line: int | None


class Checked(NamedTuple):
    """An object already checked alone (in another process, by ``--jobs``): its id when it has
    one, its findings (not yet placed), and what it tells the histories (a Sighting, or None)."""

    file: str
    line: int | None
    label: str | None
    findings: list[Any]
    sighting: Any


# What a reader yields, in the order of its input.
Item = Document | Checked | Record | Stream | Interaction | PassedOver
