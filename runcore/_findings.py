"""The one finding format every checker reports in, and RFC 6901 JSON Pointers."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Iterable, Literal

Severity = Literal["error", "warning"]


def escape_token(token: str | int) -> str:
    """Escape one reference token for a JSON Pointer (RFC 6901 §3: ``~`` first, then ``/``)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer(path: Iterable[str | int]) -> str:
    """The JSON Pointer of a path of keys and indexes; the empty path is the whole document."""
    return "".join("/" + escape_token(token) for token in path)


def unescape_pointer(text: str) -> list[str]:
    """The reference tokens of a JSON Pointer (the inverse of :func:`pointer`)."""
    if text == "":
        return []
    if not text.startswith("/"):
        raise ValueError(f"a JSON Pointer starts with '/': {text!r}")
    return [token.replace("~1", "/").replace("~0", "~") for token in text[1:].split("/")]


@dataclass(frozen=True)
class Finding:
    """One problem found in one object: what, where, and how bad.

    ``pointer`` is an RFC 6901 JSON Pointer into the checked object; ``file`` and ``line`` say where
    that object came from (``None`` when it was checked in memory). ``value`` is the offending value
    (``None`` for a missing field).
    """

    severity: Severity
    code: str
    pointer: str
    message: str
    value: Any = None
    file: str | None = None
    line: int | None = None
    object_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        where = ":".join(str(part) for part in (self.file, self.line) if part is not None)
        at = self.pointer or "(root)"
        prefix = f"{where}: " if where else ""
        return f"{prefix}{self.severity} {self.code} at {at}: {self.message}"
