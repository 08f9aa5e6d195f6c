"""YAML cassettes as recording libraries write them, read one interaction at a time.

vcrpy, Ruby VCR and R vcr all write a top-level ``interactions:`` or ``http_interactions:`` key
followed by a block list whose items start at the key's own column (``- request:``). Each item is
parsed on its own, so memory holds one interaction whatever the size of the file, and its line is
known (decisions.md#cassettes-are-read-an-interaction-at-a-time). A file in another layout is
parsed whole.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from runcore._json import JSONProblem, decode

_Loader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_LIST_KEY = re.compile(r"(?P<key>interactions|http_interactions):\s*(?:#.*)?$")
_TOP_LEVEL = re.compile(r"[^\s#-]|-(?:\S)")
# An anchor a YAML node is given (``&id001``, Psych's ``&1``).
_ANCHOR = re.compile(r"(?:^|[\s\[{,])&[^\s\[\]{},]+")


class _Tolerant(_Loader):
    """The safe loader, reading a tag it does not know (Ruby's ``!ruby/object:…``, Python's
    ``!!python/…``) as the plain value under it, and Ruby's ``!binary`` as base64 bytes."""


def _untagged(loader: Any, suffix: str, node: Any) -> Any:
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_scalar(node)


def _ruby_binary(loader: Any, node: Any) -> Any:
    text = loader.construct_scalar(node)
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        return text


_Tolerant.add_constructor("!binary", _ruby_binary)
_Tolerant.add_multi_constructor("!", _untagged)
_Tolerant.add_multi_constructor("tag:", _untagged)


@dataclass(frozen=True)
class Item:
    """One interaction of a cassette, with the line it starts at and the line of its response
    body (``body_line``; ``body_lines`` when the body is a literal block whose lines are the file's)."""

    value: Any
    line: int
    body_line: int | None = None
    body_lines: bool = False


class YAMLProblem(ValueError):
    """Text that is not YAML, with the line at fault; ``whole`` when it stops the whole file."""

    def __init__(self, message: str, line: int | None, whole: bool = True) -> None:
        super().__init__(message)
        self.line, self.whole = line, whole


def load(text: str, first_line: int = 1) -> tuple[Any, Any]:
    """The value of one YAML document and its node tree; YAMLProblem names the line at fault."""
    loader = _Tolerant(text)
    try:
        node = loader.get_single_node()
        return (loader.construct_document(node) if node is not None else None), node
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = first_line + mark.line if mark is not None else None
        reason = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise YAMLProblem(f"invalid YAML: {reason}", line) from None
    except RecursionError:
        raise YAMLProblem("invalid YAML: nested too deeply to read", first_line) from None
    finally:
        loader.dispose()


def items(lines: Iterable[bytes]) -> Iterator[Item | YAMLProblem | dict[str, Any]]:
    """The interactions of a cassette, one at a time, or the problem of one that is not YAML.

    A cassette in another layout is parsed whole; then what is not a cassette comes back as the
    document itself (a mapping) or a problem, for the caller to say so.
    """
    head: list[str] = []
    numbered = enumerate(lines, start=1)
    for number, raw in numbered:
        try:
            text = decode(raw, first=number == 1, one_line=True)
        except JSONProblem as problem:
            yield YAMLProblem(str(problem), number)
            return
        head.append(text)
        if _LIST_KEY.match(text):
            yield from _chunks(numbered, number + 1)
            return
    yield from _whole("".join(head))


def _chunks(numbered: Iterator[tuple[int, bytes]], start: int) -> Iterator[Item | YAMLProblem]:
    """Each item of a block list at column 0, parsed alone; the list ends at the next top-level key.

    A line that is not UTF-8 is a problem of its item, whose other lines are then left out.
    """
    chunk: list[str] = []
    anchors: list[str] = []
    first, broken = start, False
    for number, raw in numbered:
        try:
            text = decode(raw, first=False, one_line=True)
        except JSONProblem as problem:
            if not broken:
                yield YAMLProblem(str(problem), number, whole=False)
            chunk, broken = [], True
            continue
        if text.startswith("-") and (len(text) == 1 or text[1] in " \t\r\n"):
            if chunk:
                yield _item("".join(chunk), first, anchors)
            chunk, first, broken = [text], number, False
        elif _TOP_LEVEL.match(text):
            break
        elif not broken and (chunk or text.strip()):
            if not chunk:
                first = number
            chunk.append(text)
    if chunk:
        yield _item("".join(chunk), first, anchors)


def _item(text: str, first: int, anchors: list[str]) -> Item | YAMLProblem:
    """One interaction. Ruby's Psych anchors an object written twice (``&1``, then ``*1``): an
    item that names an anchor of an earlier one is parsed after the items that define anchors,
    which alone are kept."""
    try:
        value, node = load(text, first)
    except YAMLProblem as problem:
        if "undefined alias" not in str(problem) or not anchors:
            return YAMLProblem(str(problem), problem.line, whole=False)
        defined = "".join(anchors)
        try:
            value, node = load(defined + text, first - defined.count("\n"))
        except YAMLProblem as again:
            return YAMLProblem(str(again), again.line, whole=False)
        value, node = value[-1:], yaml.SequenceNode(node.tag, node.value[-1:])
        first -= defined.count("\n")
    if _ANCHOR.search(text):
        anchors.append(text)
    if not (isinstance(value, list) and len(value) == 1 and isinstance(node, yaml.SequenceNode)):
        return YAMLProblem("a cassette's interaction is one item of the list", first, whole=False)
    item = node.value[0]
    line = first + item.start_mark.line
    body = _body_node(item)
    if body is None:
        return Item(value[0], line)
    literal = isinstance(body, yaml.ScalarNode) and body.style in ("|", ">")
    offset = 1 if literal else 0  # a literal block starts on the line after its indicator
    return Item(
        value[0], line, first + body.start_mark.line + offset, literal and body.style == "|"
    )


def _body_node(node: Any) -> Any:
    """The node of an interaction's response body text, if it has one."""
    for key in ("response", "body", ("string", "base64_string")):
        if not isinstance(node, yaml.MappingNode):
            return None
        keys = key if isinstance(key, tuple) else (key,)
        node = next((v for k, v in node.value if getattr(k, "value", None) in keys), None)
    return node if isinstance(node, yaml.ScalarNode) else None


def _whole(text: str) -> Iterator[Item | YAMLProblem | dict[str, Any]]:
    try:
        value, node = load(text)
    except YAMLProblem as problem:
        yield problem
        return
    key = (
        next((k for k in ("interactions", "http_interactions") if k in value), None)
        if isinstance(value, dict)
        else None
    )
    if key is None or not isinstance(value[key], list):
        yield value if isinstance(value, dict) else {}
        return
    listed = next(v for k, v in node.value if getattr(k, "value", None) == key)
    for item, item_node in zip(value[key], listed.value, strict=False):
        body = _body_node(item_node)
        body_line = body.start_mark.line + 1 if body is not None else None
        yield Item(item, item_node.start_mark.line + 1, body_line)
