"""Small helpers every format parser shares: times, ids, titles and error wording."""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from graphnode.ingest.documents import Document, Section
from graphnode.ingest.parse.errors import ParseError

# Epoch values above this are milliseconds: in seconds it would be the year 5138.
_MILLISECONDS_FROM = 1e11
_TITLE_FROM_TEXT_CHARS = 60
_TITLE_IN_ERROR_CHARS = 60

JSONObject = dict[str, Any]
# (item, where, file, skipped) -> its document, or None when it holds no text.
ItemParser = Callable[[JSONObject, str, str, Counter[str]], Document | None]


def to_epoch(value: Any) -> float | None:
    """Epoch seconds from a number, a numeric string or an ISO 8601 string; else ``None``.

    Exports disagree: ChatGPT writes float seconds, Claude ISO strings, hand-made files
    milliseconds. A value that cannot be read is ``None`` rather than an error, because a
    missing time costs the graph one timestamp, not the conversation.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and value.strip():
        seconds = _epoch_from_string(value.strip())
    else:
        return None
    if seconds is None or not math.isfinite(seconds):
        return None
    return seconds / 1000.0 if abs(seconds) >= _MILLISECONDS_FROM else seconds


def _epoch_from_string(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        # Exports write UTC; reading naive times as local would shift them per machine.
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def stable_id(prefix: str, *parts: str) -> str:
    """A short id that is the same for the same input on every run and machine."""
    digest = hashlib.blake2b(digest_size=10)
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return f"{prefix}-{digest.hexdigest()}"


def content_id(prefix: str, title: str, sections: Iterable[Section]) -> str:
    """An id from what a conversation says, for formats whose items may carry none."""
    return stable_id(prefix, title, *(f"{s.role}\x01{s.text}" for s in sections))


def id_text(value: Any) -> str | None:
    """A source id as text: ids may be strings or numbers; anything else counts as missing."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def title_text(value: Any, sections: tuple[Section, ...]) -> str:
    """The item's own title, else the start of its first section (never empty)."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    for section in sections:
        first_line = section.text.strip().split("\n", 1)[0].strip()
        if first_line:
            if len(first_line) <= _TITLE_FROM_TEXT_CHARS:
                return first_line
            return first_line[: _TITLE_FROM_TEXT_CHARS - 1].rstrip() + "…"
    return "Untitled"


def describe(kind: str, index: int, item: Any) -> str:
    """``conversation 3 ('Trip to Rome')``: where in a file a problem is, for error messages.

    ``index`` is the item's position in the file's array, counted from 0 as in the JSON.
    The title is ``title`` (ChatGPT, notes) or ``name`` (Claude), whichever the item has.
    """
    for key in ("title", "name"):
        title = item.get(key) if isinstance(item, dict) else None
        if isinstance(title, str) and title.strip():
            shown = title.strip()
            if len(shown) > _TITLE_IN_ERROR_CHARS:
                shown = shown[: _TITLE_IN_ERROR_CHARS - 1] + "…"
            return f"{kind} {index} ({shown!r})"
    return f"{kind} {index}"


def type_name(value: Any) -> str:
    """The JSON name of a decoded value's type, for messages a person reads."""
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "a number"
    return names.get(type(value), type(value).__name__)


def text_blocks(blocks: Any, skipped: Counter[str]) -> str:
    """The text of a content value that is a string or a list of strings / text blocks.

    ``{"type": "text", "text": ...}`` blocks are kept, everything else (images, files, tool
    use, thinking) is counted as a skipped ``non-text part``.
    """
    if isinstance(blocks, str):
        return blocks
    if not isinstance(blocks, list):
        if blocks is not None:
            skipped["non-text part"] += 1
        return ""
    texts: list[str] = []
    for block in blocks:
        if isinstance(block, str):
            texts.append(block)
        elif (
            isinstance(block, dict)
            and block.get("type") == "text"
            and isinstance(block.get("text"), str)
        ):
            texts.append(block["text"])
        else:
            skipped["non-text part"] += 1
    return "\n".join(text for text in texts if text)


def parse_each(
    items: Iterable[Any],
    file: str,
    skipped: Counter[str],
    parse_one: ItemParser,
    *,
    kind: str = "conversation",
) -> list[Document]:
    """Every document of ``iter_each``, as a list."""
    return list(iter_each(items, file, skipped, parse_one, kind=kind))


def iter_each(
    items: Iterable[Any],
    file: str,
    skipped: Counter[str],
    parse_one: ItemParser,
    *,
    kind: str = "conversation",
) -> Iterator[Document]:
    """Documents for every item that has text; an item without any is counted as skipped
    (``empty conversation``, ``empty note``). Each item must be an object; ``parse_one`` gets
    it with ``where`` (``conversation 3 ('Trip to Rome')``) for its own error messages.

    One item at a time, so a stream of items (a huge export read incrementally) is never
    held whole; ``skipped`` is complete once the iterator is exhausted."""
    for index, item in enumerate(items):
        where = describe(kind, index, item)
        if not isinstance(item, dict):
            raise ParseError(file, f"{where} is {type_name(item)}, not an object")
        document = parse_one(item, where, file, skipped)
        if document is None:
            skipped[f"empty {kind}"] += 1
        else:
            yield document
