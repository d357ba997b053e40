"""Which format a file is, from its name and content, and the parser that reads it."""

from __future__ import annotations

import codecs
import io
import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import PurePosixPath
from typing import IO, Any

import orjson

from graphnode.ingest.documents import Document
from graphnode.ingest.parse.archive import is_zip, open_export
from graphnode.ingest.parse.chatgpt import iter_chatgpt, parse_chatgpt
from graphnode.ingest.parse.claude import iter_claude, parse_claude
from graphnode.ingest.parse.common import type_name
from graphnode.ingest.parse.errors import ParseError, ParseReport, deduplicate
from graphnode.ingest.parse.gemini import is_gemini_item, iter_gemini, parse_gemini
from graphnode.ingest.parse.markdown import parse_markdown
from graphnode.ingest.parse.messages import iter_messages, parse_messages, split_json_lines
from graphnode.ingest.parse.notes import parse_notes
from graphnode.ingest.parse.streams import (
    Prefixed,
    Readable,
    as_utf8_stream,
    first_content,
    json_array,
    json_lines,
)

Parser = Callable[[Any, str, Counter[str]], list[Document]]

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".txt"})
JSON_LINES_SUFFIXES = frozenset({".jsonl", ".ndjson"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
_UTF8_BOM = b"\xef\xbb\xbf"
_CONTENT = re.compile(rb"[^ \t\r\n]")
# The key that tells each kind of conversation item apart, checked in this order.
_ITEM_KEYS = (
    ("mapping", "chatgpt"),
    ("chat_messages", "claude"),
    ("messages", "messages"),
    ("conversations", "messages"),  # ShareGPT: {"conversations": [{"from", "value"}]}
)
_PARSERS: dict[str, Parser] = {
    "chatgpt": parse_chatgpt,
    "claude": parse_claude,
    "gemini": parse_gemini,
    "messages": parse_messages,
    "notes": parse_notes,
}
# The same parsers one item at a time, for items read from a stream.
_ITEM_PARSERS: dict[str, Callable[[Iterable[Any], str, Counter[str]], Iterator[Document]]] = {
    "chatgpt": iter_chatgpt,
    "claude": iter_claude,
    "gemini": iter_gemini,
    "messages": iter_messages,
}
_NOTHING = object()
_EXPECTED = (
    "expected a ChatGPT or Claude export, Gemini's MyActivity.json from Google Takeout, "
    "conversations with 'messages', notes with 'source_nodes', or markdown"
)


def format_names() -> frozenset[str]:
    """Every format the parsers read (what the README promises is tested against it)."""
    return frozenset({*_PARSERS, *_ITEM_PARSERS, "markdown"})


def parse_bytes_report(name: str, data: bytes) -> ParseReport:
    """Detect the format of one file from its name and content, parse it and say what was left out.

    Raises ``ParseError`` naming the file and the problem for an unknown or broken file.
    """
    return parse_file_report(name, io.BytesIO(data))


def parse_file_report(name: str, file: IO[bytes]) -> ParseReport:
    """``parse_bytes_report`` for an open (seekable) file, read as a stream."""
    skipped: Counter[str] = Counter()
    with read_documents(name, file, skipped) as (name, format_name, documents):
        kept = deduplicate(documents, skipped)
    return ParseReport(documents=kept, skipped=dict(skipped), formats={name: format_name})


@contextmanager
def read_documents(
    name: str, file: IO[bytes], skipped: Counter[str]
) -> Iterator[tuple[str, str, Iterator[Document]]]:
    """The file's name (with the member of a zip), its format and its documents, parsed one
    at a time while they are iterated (not deduplicated), within the block.

    A JSON array (every ChatGPT or Claude export) and JSON Lines are read item by item, so
    memory holds one conversation, whatever the file's size. A JSON object (``notes.json``,
    a single conversation) and markdown are read whole: bounded by the upload limit, or by
    ``MAX_UNPACKED_BYTES`` inside a zip."""
    if _starts_like_zip(file) or _suffix(name) == ".zip":
        with open_export(name, file) as (member, stream):
            inner = f"{name}/{member}"
            yield (inner, *_parse_stream(inner, stream, skipped))
        return
    yield (name, *_parse_stream(name, file, skipped))


def _starts_like_zip(file: IO[bytes]) -> bool:
    at = file.tell()
    head = file.read(4)
    file.seek(at)
    return is_zip(head)


def _parse_stream(
    name: str, stream: Readable, skipped: Counter[str]
) -> tuple[str, Iterator[Document]]:
    if _suffix(name) in MARKDOWN_SUFFIXES:
        return "markdown", iter(parse_markdown(_decode_text(name, stream.read()), name, skipped))
    head, stream = as_utf8_stream(name, stream)
    head, first = first_content(head, stream)
    if first is None:
        raise ParseError(name, "is empty")
    rest = Prefixed(head, stream)
    if _suffix(name) in JSON_LINES_SUFFIXES:
        return _parse_items(name, json_lines(name, rest), skipped)
    opening = head[first : first + 1]
    if opening == b"<" and _suffix(name) in HTML_SUFFIXES:
        raise ParseError(
            name,
            "is an HTML page, which cannot be read; for Gemini, choose JSON as the format "
            "of My Activity in Google Takeout and upload MyActivity.json or the zip",
        )
    if opening == b"[":
        return _parse_items(name, json_array(name, rest), skipped)
    if opening != b"{":
        raise ParseError(
            name, f"unknown format: not a zip archive, JSON, JSON Lines or markdown ({_EXPECTED})"
        )
    decoded = decode_json(name, rest.read())
    format_name, items = classify(decoded)
    if format_name is None:
        raise ParseError(name, f"unknown format: {_shape(decoded)} ({_EXPECTED})")
    if format_name == "empty":
        return format_name, iter(())
    return format_name, iter(_PARSERS[format_name](items, name, skipped))


def _parse_items(
    name: str, items: Iterator[Any], skipped: Counter[str]
) -> tuple[str, Iterator[Document]]:
    """The format of a stream of items, judged by the first, and their documents."""
    first = next(items, _NOTHING)
    if first is _NOTHING:
        return "empty", iter(())
    format_name = _item_format(first)
    if format_name is None:
        raise ParseError(name, f"unknown format: {_shape([first])} ({_EXPECTED})")
    return format_name, _ITEM_PARSERS[format_name](itertools.chain([first], items), name, skipped)


def as_utf8(name: str, data: bytes) -> bytes:
    """UTF-16 text (Windows tools save exports so, with a byte-order mark) as UTF-8."""
    if not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data
    try:
        return data.decode("utf-16").encode("utf-8")
    except UnicodeDecodeError as error:
        raise ParseError(name, f"is not valid UTF-16 text (bad byte at {error.start})") from None


def decode_json(name: str, data: bytes) -> Any:
    """The decoded JSON, or for JSON Lines (by suffix or content) the list of its lines."""
    data = as_utf8(name, data)
    start = len(_UTF8_BOM) if data.startswith(_UTF8_BOM) else 0
    content = _CONTENT.search(data, start)
    if content is None:
        raise ParseError(name, "is empty")
    if _suffix(name) in JSON_LINES_SUFFIXES:
        return split_json_lines(data, name, start)
    first = content.start()
    if data[first : first + 1] not in (b"[", b"{"):
        raise ParseError(
            name, f"unknown format: not a zip archive, JSON, JSON Lines or markdown ({_EXPECTED})"
        )
    view = memoryview(data)[start:]
    try:
        return orjson.loads(view)
    except orjson.JSONDecodeError as error:
        if _first_line_is_object(data, first):
            return split_json_lines(data, name, start)
        raise ParseError(name, f"is not valid JSON: {error}") from None


def classify(decoded: Any) -> tuple[str | None, Any]:
    """The format name of decoded JSON and what its parser takes; ``None`` if unknown."""
    if isinstance(decoded, dict):
        if "source_nodes" in decoded:
            return "notes", decoded
        wrapped = decoded.get("conversations")
        if isinstance(wrapped, list) and wrapped and _item_format(wrapped[0]) is not None:
            # {"conversations": [...]}: a list of conversations wrapped in an object.
            return _item_format(wrapped[0]), wrapped
        return _item_format(decoded), [decoded]
    if isinstance(decoded, list):
        if not decoded:
            return "empty", decoded
        return _item_format(decoded[0]), decoded
    return None, decoded


def _item_format(item: Any) -> str | None:
    if isinstance(item, dict):
        for key, format_name in _ITEM_KEYS:
            if key in item:
                return format_name
        if is_gemini_item(item):
            return "gemini"
    return None


def _shape(decoded: Any) -> str:
    """What a decoded file looks like, for an error message about an unknown format."""
    if isinstance(decoded, dict):
        return f"a JSON object with keys {_keys(decoded)}"
    if isinstance(decoded, list):
        first = decoded[0]
        if isinstance(first, dict):
            return f"a JSON array of objects with keys {_keys(first)}"
        return f"a JSON array whose first item is {type_name(first)}"
    return f"JSON that is {type_name(decoded)}"


def _keys(item: dict[str, Any]) -> str:
    keys = sorted(str(key) for key in item)
    shown = ", ".join(repr(key) for key in keys[:8])
    return f"{shown}, ..." if len(keys) > 8 else shown or "(none)"


def _first_line_is_object(data: bytes, first: int) -> bool:
    end = data.find(b"\n", first)
    if end == -1:
        return False
    try:
        return isinstance(orjson.loads(memoryview(data)[first:end]), dict)
    except orjson.JSONDecodeError:
        return False


def _decode_text(name: str, data: bytes) -> str:
    try:
        return as_utf8(name, data).decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ParseError(name, f"is not UTF-8 text (bad byte at {error.start})") from None


def _suffix(name: str) -> str:
    return PurePosixPath(name.replace("\\", "/")).suffix.lower()
