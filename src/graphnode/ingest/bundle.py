"""Write stored documents back as the input bundle's files (docs/contract.md, 'Input bundle'):
conversations as ChatGPT-export conversations in ``input.json``, notes in ``notes.json``.

Written incrementally, one conversation at a time, so a user with years of history never has
their whole bundle in memory.
"""

from __future__ import annotations

from typing import Any

import orjson

from graphnode.ingest.documents import Document


def is_note(document: Document) -> bool:
    return document.source_type == "markdown"


def chatgpt_conversation(document: Document) -> dict[str, Any]:
    """A linear ChatGPT conversation: root -> one node per section, ``current_node`` last."""
    mapping: dict[str, Any] = {
        "root": {"id": "root", "message": None, "parent": None, "children": []}
    }
    parent = "root"
    for index, section in enumerate(document.sections):
        node_id = f"m{index}"
        mapping[parent]["children"].append(node_id)
        mapping[node_id] = {
            "id": node_id,
            "parent": parent,
            "children": [],
            "message": {
                "id": node_id,
                "author": {"role": section.role},
                "content": {"content_type": "text", "parts": [section.text]},
                "create_time": document.create_time,
            },
        }
        parent = node_id
    return {
        "id": document.orig_id,
        "conversation_id": document.orig_id,
        "title": document.title,
        "create_time": document.create_time,
        "update_time": document.update_time,
        "mapping": mapping,
        "current_node": parent,
    }


def note_entry(document: Document) -> dict[str, Any]:
    return {
        "id": document.orig_id,
        "title": document.title,
        "source_type": "markdown",
        "sections": [{"id": f"s{i}", "content": s.text} for i, s in enumerate(document.sections)],
        "create_time": document.create_time,
        "update_time": document.update_time,
    }


class JsonArrayWriter:
    """Accumulates ``[item, item, ...]`` as bytes chunks, one item at a time."""

    def __init__(self, prefix: bytes = b"[", suffix: bytes = b"]") -> None:
        self._prefix, self._suffix = prefix, suffix
        self._started = False
        self.count = 0

    def item(self, value: Any) -> bytes:
        head = self._prefix if not self._started else b","
        self._started = True
        self.count += 1
        return head + orjson.dumps(value)

    def close(self) -> bytes:
        return (b"" if self._started else self._prefix) + self._suffix
