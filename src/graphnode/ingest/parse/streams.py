"""Reading a file's bytes as a stream: byte-order marks, the first byte of content, JSON
Lines line by line and a JSON array item by item.

An export's ``conversations.json`` can be hundreds of MB (a 6 MB zip unpacked to 900 MB),
so nothing here holds more than one chunk plus the item being decoded.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from typing import Any, Protocol

import ijson
import orjson

from graphnode.ingest.parse.errors import ParseError

CHUNK = 1 << 20
UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_CONTENT = re.compile(rb"[^ \t\r\n]")
_BLANK = re.compile(rb"[ \t\r]*")


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class Prefixed:
    """``head`` (bytes already read to look at them), then the rest of ``stream``."""

    def __init__(self, head: bytes, stream: Readable) -> None:
        self._head = head
        self._stream = stream

    def read(self, size: int = -1, /) -> bytes:
        if not self._head:
            return self._stream.read(size)
        if size < 0:
            data, self._head = self._head + self._stream.read(), b""
            return data
        data, self._head = self._head[:size], self._head[size:]
        return data


class Utf16AsUtf8:
    """UTF-16 text (Windows tools save exports so, with a byte-order mark) read as UTF-8,
    chunk by chunk: the decoder keeps a split character between chunks."""

    def __init__(self, name: str, stream: Readable) -> None:
        self._name = name
        self._stream = stream
        self._decoder = codecs.getincrementaldecoder("utf-16")()
        self._pending = bytearray()
        self._offset = 0
        self._done = False

    def read(self, size: int = -1, /) -> bytes:
        while not self._done and (size < 0 or len(self._pending) < size):
            raw = self._stream.read(CHUNK)
            try:
                text = self._decoder.decode(raw, final=not raw)
            except UnicodeDecodeError as error:
                problem = f"is not valid UTF-16 text (bad byte at {self._offset + error.start})"
                raise ParseError(self._name, problem) from None
            self._offset += len(raw)
            self._done = not raw
            self._pending += text.encode("utf-8")
        end = len(self._pending) if size < 0 else size
        data = bytes(self._pending[:end])
        del self._pending[:end]
        return data


def as_utf8_stream(name: str, stream: Readable) -> tuple[bytes, Readable]:
    """The first bytes of the text (after any byte-order mark) and the stream they start."""
    head = read_at_least(stream, 3)
    if head.startswith(_UTF16_BOMS):
        stream = Utf16AsUtf8(name, Prefixed(head, stream))
        head = read_at_least(stream, 3)
    if head.startswith(UTF8_BOM):
        head = head[len(UTF8_BOM) :]
    return head, stream


def read_at_least(stream: Readable, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = stream.read(size - len(data))
        if not chunk:
            break
        data += chunk
    return data


def first_content(head: bytes, stream: Readable) -> tuple[bytes, int | None]:
    """``head`` read on until its first byte that is not whitespace, and that byte's index
    (``None`` when the whole stream is whitespace)."""
    found = _CONTENT.search(head)
    while found is None:
        chunk = stream.read(CHUNK)
        if not chunk:
            return head, None
        scanned = len(head)
        head += chunk
        found = _CONTENT.search(head, scanned)
    return head, found.start()


def json_lines(name: str, stream: Readable) -> Iterator[Any]:
    """Every non-blank line of JSON Lines, decoded, one at a time."""
    for number, line in enumerate(_lines(stream), start=1):
        if _BLANK.fullmatch(line) is None:
            try:
                yield orjson.loads(line)
            except orjson.JSONDecodeError as error:
                raise ParseError(name, f"line {number} is not valid JSON: {error}") from None


def _lines(stream: Readable) -> Iterator[bytes]:
    buffer, start, scanned = bytearray(), 0, 0
    while True:
        end = buffer.find(b"\n", max(start, scanned))
        if end != -1:
            yield bytes(buffer[start:end])
            start = end + 1
            continue
        # Drop the lines already given out once per chunk, not once per line.
        del buffer[:start]
        start, scanned = 0, len(buffer)
        chunk = stream.read(CHUNK)
        if not chunk:
            break
        buffer += chunk
    if buffer:
        yield bytes(buffer)


def json_array(name: str, stream: Readable) -> Iterator[Any]:
    """The items of a top-level JSON array, decoded one at a time."""
    try:
        # use_float: times are floats in every export; ijson's default is Decimal.
        yield from ijson.items(stream, "item", use_float=True, buf_size=CHUNK)
    except ijson.JSONError as error:
        raise ParseError(name, f"is not valid JSON: {_reason(error)}") from None


def _reason(error: Exception) -> str:
    """The first line of ijson's message (the rest points at the byte in a text drawing)."""
    message = error.args[0] if error.args else error
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    return str(message).strip().split("\n", 1)[0].strip() or type(error).__name__
