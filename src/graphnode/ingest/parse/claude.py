"""Claude's export (``conversations.json``): one conversation per item, messages in a list.

Each item has ``uuid``, ``name``, ``created_at``/``updated_at`` (ISO 8601) and
``chat_messages``: ``sender`` (``human``/``assistant``), ``text`` and/or ``content`` blocks.
Newer exports also give each message a ``parent_message_uuid``; where a retried answer
left two children under one message, the branch ending at the last message is kept.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from graphnode.ingest.documents import Document, Section
from graphnode.ingest.parse.common import (
    JSONObject,
    id_text,
    iter_each,
    text_blocks,
    title_text,
    to_epoch,
    type_name,
)
from graphnode.ingest.parse.errors import ParseError

SOURCE = "claude"
_ROLES = {"human": "user", "user": "user", "assistant": "assistant"}


def parse_claude(conversations: Iterable[Any], file: str, skipped: Counter[str]) -> list[Document]:
    """Documents for every conversation with human or assistant text; the rest are counted."""
    return list(iter_claude(conversations, file, skipped))


def iter_claude(
    conversations: Iterable[Any], file: str, skipped: Counter[str]
) -> Iterator[Document]:
    """``parse_claude`` one item at a time, for conversations read incrementally."""
    return iter_each(conversations, file, skipped, _conversation)


def _conversation(
    conversation: JSONObject, where: str, file: str, skipped: Counter[str]
) -> Document | None:
    messages = conversation.get("chat_messages")
    if messages is None:
        raise ParseError(file, f"{where} has no 'chat_messages'")
    if not isinstance(messages, list):
        raise ParseError(file, f"{where} has 'chat_messages' that is {type_name(messages)}")
    orig_id = id_text(conversation.get("uuid")) or id_text(conversation.get("id"))
    if orig_id is None:
        raise ParseError(file, f"{where} has no 'uuid'")

    sections = tuple(
        section
        for message in _current_branch(messages, skipped)
        if (section := _section(message, skipped)) is not None
    )
    if not sections:
        return None
    return Document(
        orig_id=orig_id,
        title=title_text(conversation.get("name"), sections),
        sections=sections,
        source_type="chat",
        source=SOURCE,
        create_time=to_epoch(conversation.get("created_at")),
        update_time=to_epoch(conversation.get("updated_at")),
    )


def _current_branch(messages: list[Any], skipped: Counter[str]) -> list[Any]:
    """The messages on the branch that ends at the last message, in order.

    Only when the parent links show a branch: exports without links, or with a straight
    line of them, are already the conversation as shown.
    """
    by_id: dict[str, JSONObject] = {}
    children: Counter[str] = Counter()
    for message in messages:
        if isinstance(message, dict) and isinstance(message.get("uuid"), str):
            by_id[message["uuid"]] = message
            parent = message.get("parent_message_uuid")
            if isinstance(parent, str):
                children[parent] += 1
    if not children or max(children.values()) < 2 or not messages:
        return messages
    branch: list[Any] = []
    seen: set[Any] = set()
    message: Any = messages[-1]
    while isinstance(message, dict):
        uuid = message.get("uuid")
        if uuid in seen:
            skipped["mapping cycle"] += 1
            break
        seen.add(uuid)
        branch.append(message)
        parent = message.get("parent_message_uuid")
        message = by_id.get(parent) if isinstance(parent, str) else None
    branch.reverse()
    return branch


def _section(message: Any, skipped: Counter[str]) -> Section | None:
    if not isinstance(message, dict):
        skipped["broken message"] += 1
        return None
    sender = message.get("sender")
    role = _ROLES.get(sender) if isinstance(sender, str) else None
    if role is None:
        skipped["unknown role"] += 1
        return None
    # ``text`` repeats the text blocks of ``content`` in most exports: take one, not both.
    text = text_blocks(message.get("content"), skipped) if message.get("content") else ""
    if not text.strip():
        text = message.get("text") if isinstance(message.get("text"), str) else ""
    text = text.strip()
    if not text:
        skipped["empty message"] += 1
        return None
    return Section(role=role, text=text)
