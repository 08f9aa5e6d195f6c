"""The HTTP parts every recording format holds: headers, bodies (base64, gzip), the time a response
arrived, and the interaction of the runs resource they make (or an interaction passed over)."""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from collections.abc import Mapping
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from runcore._check._exchange import route
from runcore._check._records import Document, Exchange, Interaction, PassedOver, Record, Stream
from runcore._check._sse import events, looks_like_a_stream
from runcore._json import JSONProblem, parse

# A compressed body is read up to this size once decompressed (a bomb of a few bytes could
# otherwise fill the memory); a runs body is kilobytes (decisions.md#bodies-of-interactions).
MAX_BODY = 64 << 20
_DECOMPRESSORS = {
    "gzip": 16 + zlib.MAX_WBITS,
    "x-gzip": 16 + zlib.MAX_WBITS,
    "deflate": zlib.MAX_WBITS,
}
_GZIP_MAGIC = b"\x1f\x8b"


class BodyProblem(ValueError):
    """A body that cannot be decoded, and why."""


def headers(raw: Any) -> dict[str, str]:
    """Headers with lower-case names and each name's values joined with ", ".

    Takes a mapping of a name to a value or a list of values (vcrpy, VCR, Azure), or a list of
    ``{name, value}`` pairs (HAR). Values that are neither text nor numbers are left out.
    """
    pairs: list[tuple[Any, Any]] = []
    if isinstance(raw, Mapping):
        pairs = list(raw.items())
    elif isinstance(raw, list):
        pairs = [(h.get("name"), h.get("value")) for h in raw if isinstance(h, Mapping)]
    found: dict[str, list[str]] = {}
    for name, value in pairs:
        values = value if isinstance(value, list) else [value]
        texts = [str(v) for v in values if isinstance(v, (str, int, float)) and v is not True]
        if isinstance(name, str) and texts:
            found.setdefault(name.lower(), []).extend(texts)
    return {name: ", ".join(values) for name, values in found.items()}


def body_text(raw: Any, encoding: str = "") -> str | None:
    """The text of a body stored as text, or as bytes that may be compressed.

    ``encoding`` is the Content-Encoding header. Text is taken as it is even when the header says
    gzip: a recorder that decoded the body kept the header (decisions.md#bodies-of-interactions).
    Raises BodyProblem for bytes that do not decompress or are not UTF-8.
    """
    if raw is None:
        return None
    if isinstance(raw, str):
        return raw
    if not isinstance(raw, (bytes, bytearray)):
        raise BodyProblem(f"a body is text or bytes, not {type(raw).__name__}")
    data = bytes(raw)
    coding = encoding.strip().lower()
    if coding in _DECOMPRESSORS or data.startswith(_GZIP_MAGIC):
        data = _decompressed(data, _DECOMPRESSORS.get(coding, 16 + zlib.MAX_WBITS))
    elif coding not in ("", "identity"):
        raise BodyProblem(f"the body is compressed with {coding!r}, which runcore does not read")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BodyProblem(
            f"the body is not UTF-8: byte {data[error.start]:#04x} at offset {error.start}"
        ) from None


def _decompressed(data: bytes, wbits: int) -> bytes:
    decompressor = zlib.decompressobj(wbits)
    try:
        out = decompressor.decompress(data, MAX_BODY + 1)
    except zlib.error as error:
        if data.startswith(_GZIP_MAGIC) or wbits == zlib.MAX_WBITS:
            raise BodyProblem(f"the body does not decompress: {error}") from None
        return data  # labelled gzip but stored plain: vcrpy's decode_compressed_response
    if len(out) > MAX_BODY:
        raise BodyProblem(f"the body decompresses to more than {MAX_BODY:,} bytes: not read")
    if not decompressor.eof:
        raise BodyProblem("the body's compressed data is cut short")
    return out


def from_base64(text: Any) -> bytes:
    """The bytes of a base64 text (Ruby VCR's ``base64_string``, HAR's ``encoding: base64``)."""
    if not isinstance(text, str):
        raise BodyProblem(f"a base64 body is text, not {type(text).__name__}")
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError) as error:
        raise BodyProblem(f"the body is not base64: {error}") from None


def received(*stamps: Any) -> int | None:
    """Unix seconds of the first time that reads: an HTTP date (``Date`` header, Ruby VCR's
    ``recorded_at``), R vcr's ``2024-05-07 00:07:46 GMT``, or ISO 8601 (HAR)."""
    for stamp in stamps:
        if not isinstance(stamp, str) or not stamp.strip():
            continue
        text = stamp.strip()
        moment: datetime | None = None
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            for reading in (_iso, _r_vcr):
                try:
                    moment = reading(text)
                    break
                except ValueError:
                    continue
        if moment is not None:
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=timezone.utc)
            return int(moment.timestamp())
    return None


def _iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _r_vcr(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S %Z")


def interaction(
    file: str,
    line: int | None,
    *,
    method: Any,
    url: Any,
    request_headers: Any = None,
    request_body: Any = None,
    status: Any = None,
    response_headers: Any = None,
    response_body: Any = None,
    received_at: int | None = None,
    body_line: int | None = None,
    body_lines: bool = False,
) -> Interaction | PassedOver | Document:
    """One recorded request and its answer, as an interaction of the runs resource or one passed over.

    Bodies come as the recording stores them: text, bytes (``BodyProblem`` already raised for bad
    base64 is given as the exception), a parsed JSON value, or a list of a stream's lines.
    """
    if not isinstance(method, str) or not isinstance(url, str):
        problem = "an interaction without a request method and URL: not checked"
        return Document(file, line, problem=problem, code="invalid_interaction")
    try:
        urlsplit(url)
    except ValueError as error:  # a broken host ("https://[api..."): no endpoint can be told
        problem = f"an interaction whose URL cannot be read ({error}): not checked"
        return Document(file, line, problem=problem, code="invalid_interaction")
    request_headers, response_headers = headers(request_headers), headers(response_headers)
    if route(method.upper(), url) is None:
        return PassedOver(file, line)
    body, body_problem = _request_body(request_body, request_headers)
    exchange = Exchange(method.upper(), url, body, body_problem, _status(status), response_headers)
    if exchange.status is None and response_body in (None, ""):
        return Interaction(file, line, exchange, received_at, None)  # no answer was received
    at = body_line or line
    try:
        answer = _answer(file, at, body_lines, exchange, response_body, received_at)
    except BodyProblem as problem:
        return Interaction(file, line, exchange, received_at, None, f"the response body: {problem}")
    return Interaction(file, line, exchange, received_at, answer)


def _status(raw: Any) -> int | None:
    if isinstance(raw, Mapping):
        raw = raw.get("code", raw.get("status_code"))
    if isinstance(raw, str) and re.fullmatch(r"[0-9]{1,3}", raw.strip()):  # not "²", not 10**5000
        return int(raw)
    return raw if isinstance(raw, int) and not isinstance(raw, bool) else None


def _request_body(raw: Any, request_headers: Mapping[str, str]) -> tuple[Any, str | None]:
    if isinstance(raw, BodyProblem):
        return None, str(raw)
    if isinstance(raw, (dict, list)):
        return raw, None
    try:
        text = body_text(raw, request_headers.get("content-encoding", ""))
    except BodyProblem as problem:
        return None, str(problem)
    if text is None or not text.strip():
        return None, None
    try:
        return parse(text), None
    except JSONProblem as problem:
        return None, f"the request body is not JSON: {problem}".replace("invalid JSON: ", "")


def _answer(
    file: str,
    line: int | None,
    body_lines: bool,
    exchange: Exchange,
    raw: Any,
    received_at: int | None,
) -> Record | Stream | None:
    """The response body as a record, or a stream of records; BodyProblem when it cannot be read."""
    if isinstance(raw, BodyProblem):
        raise raw
    if (
        isinstance(raw, list)
        and all(isinstance(part, str) for part in raw)
        and (exchange.streamed or (raw and looks_like_a_stream(raw[0])))
    ):
        raw = "\n".join(raw) + "\n"  # Azure's record of a stream: its lines
    elif isinstance(raw, (dict, list)):
        return Record(file, line, raw, None, received_at)
    text = body_text(raw, exchange.response_headers.get("content-encoding", ""))
    if text is None or not text.strip():
        raise BodyProblem("the recording holds no body")
    if exchange.streamed or looks_like_a_stream(text):
        lines = text.splitlines(keepends=True)
        read = events(file, lines, first_line=line or 1, received_at=received_at)
        if not body_lines:  # a quoted body: its lines are not the file's
            read = (_at(record, line) for record in read)
        return Stream(file, line, read, exchange)
    try:
        value = parse(text)
    except JSONProblem as problem:
        raise BodyProblem(str(problem).replace("invalid JSON: ", "not JSON: ")) from None
    return Record(file, line, value, None, received_at)


def _at(record: Record | Document, line: int | None) -> Record | Document:
    return record._replace(line=line)
