"""Plain conversations: a JSON array or JSON Lines of ``{id?, title, messages: [...]}``.

Messages are ``{role, content}`` with content a string or a list of ``{type: "text",
text}`` blocks (the OpenAI chat shape). ShareGPT's ``{conversations: [{from, value}]}`` is
read too, since it is the shape most public chat data sets ship in. Items without an id
get one from their content, so the same conversation keeps its id across uploads.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

import orjson

from graphnode.ingest.documents import Document, Section
from graphnode.ingest.parse.common import (
    JSONObject,
    content_id,
    id_text,
    iter_each,
    text_blocks,
    title_text,
    to_epoch,
    type_name,
)
from graphnode.ingest.parse.errors import ParseError

SOURCE = "jsonl"
_ROLES = {
    "user": "user",
    "human": "user",
    "assistant": "assistant",
    "gpt": "assistant",
    "chatgpt": "assistant",
    "ai": "assistant",
    "bot": "assistant",
    "model": "assistant",
    "claude": "assistant",
}
_SKIPPED_ROLES = frozenset({"system", "tool", "function", "developer"})
_MESSAGE_KEYS = ("messages", "conversations")
_ROLE_KEYS = ("role", "from", "sender")
_CONTENT_KEYS = ("content", "value", "text")
_BLANK = re.compile(rb"[ \t\r]*")


def split_json_lines(data: bytes, file: str, start: int = 0) -> list[Any]:
    """Every non-blank line of JSON Lines from ``start`` on, decoded.

    Lines are decoded through a memoryview, so a large file is not copied line by line.
    """
    items: list[Any] = []
    view = memoryview(data)
    line_number, length = 0, len(data)
    while start < length:
        end = data.find(b"\n", start)
        if end == -1:
            end = length
        line_number += 1
        if _BLANK.fullmatch(data, start, end) is None:
            try:
                items.append(orjson.loads(view[start:end]))
            except orjson.JSONDecodeError as error:
                raise ParseError(file, f"line {line_number} is not valid JSON: {error}") from None
        start = end + 1
    return items


def parse_messages(items: Iterable[Any], file: str, skipped: Counter[str]) -> list[Document]:
    """Documents for every item with user or assistant text; the rest are counted."""
    return list(iter_messages(items, file, skipped))


def iter_messages(items: Iterable[Any], file: str, skipped: Counter[str]) -> Iterator[Document]:
    """``parse_messages`` one item at a time, for items read incrementally."""
    return iter_each(items, file, skipped, _conversation)


def _conversation(
    item: JSONObject, where: str, file: str, skipped: Counter[str]
) -> Document | None:
    messages = next((item[key] for key in _MESSAGE_KEYS if key in item), None)
    if messages is None:
        raise ParseError(file, f"{where} has no 'messages'")
    if not isinstance(messages, list):
        raise ParseError(file, f"{where} has 'messages' that is {type_name(messages)}")
    sections = tuple(
        section
        for position, message in enumerate(messages)
        if (section := _section(message, f"{where} message {position}", file, skipped)) is not None
    )
    if not sections:
        return None
    title = title_text(item.get("title"), sections)
    orig_id = (
        id_text(item.get("id"))
        or id_text(item.get("conversation_id"))
        or content_id("conv", title, sections)
    )
    return Document(
        orig_id=orig_id,
        title=title,
        sections=sections,
        source_type="chat",
        source=SOURCE,
        create_time=_time(item, "create_time", "created_at", "timestamp"),
        update_time=_time(item, "update_time", "updated_at"),
    )


def _section(message: Any, where: str, file: str, skipped: Counter[str]) -> Section | None:
    if not isinstance(message, dict):
        raise ParseError(file, f"{where} is {type_name(message)}, not an object")
    role = _role(message)
    if role in _SKIPPED_ROLES:
        skipped[f"{role} message"] += 1
        return None
    kept_role = _ROLES.get(role) if role is not None else None
    if kept_role is None:
        skipped["unknown role"] += 1
        return None
    content = next((message[key] for key in _CONTENT_KEYS if key in message), None)
    text = text_blocks(content, skipped).strip()
    if not text:
        skipped["empty message"] += 1
        return None
    return Section(role=kept_role, text=text)


def _role(message: JSONObject) -> str | None:
    for key in _ROLE_KEYS:
        value = message.get(key)
        if isinstance(value, str):
            return value.strip().lower()
    author = message.get("author")
    if isinstance(author, dict) and isinstance(author.get("role"), str):
        return author["role"].strip().lower()
    return None


def _time(item: JSONObject, *keys: str) -> float | None:
    for key in keys:
        moment = to_epoch(item.get(key))
        if moment is not None:
            return moment
    return None
