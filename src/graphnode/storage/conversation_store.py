"""The conversations and notes each user imported, deduplicated by their source's own id.

Importing the same export twice adds nothing: a conversation whose content is unchanged is
skipped, a changed one (more turns since the last export) is updated.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from pymongo import UpdateOne

from graphnode.adapters.mongo import Collections, DocumentDatabase
from graphnode.ingest.documents import Document, Section
from graphnode.storage.codec import utc_now
from graphnode.storage.documents import doc_key, owned

WRITE_BATCH = 500
# MongoDB refuses documents over 16 MiB; a conversation's text is kept well under that, so
# an import is checked item by item before anything is written.
MAX_ITEM_BYTES = 8 * 1024 * 1024


class ItemTooLargeError(ValueError):
    """One conversation or note is larger than a stored item may be; nothing was stored."""

    def __init__(self, document: Document, size: int) -> None:
        super().__init__(
            f"{document.source_type} {document.title or document.orig_id!r} "
            f"(id {document.orig_id}) holds {size / 1_048_576:.1f} MiB of text, over the "
            f"{MAX_ITEM_BYTES // 1_048_576} MiB one item may hold"
        )
        self.document = document


def item_bytes(document: Document) -> int:
    return len(document.title.encode()) + sum(len(s.text.encode()) for s in document.sections)


def check_sizes(documents: Sequence[Document]) -> None:
    """Raise :class:`ItemTooLargeError` for the first item too large to store."""
    for document in documents:
        size = item_bytes(document)
        if size > MAX_ITEM_BYTES:
            raise ItemTooLargeError(document, size)


@dataclass(frozen=True, slots=True)
class ImportCounts:
    new: int = 0
    updated: int = 0
    skipped: int = 0


@dataclass
class _ImportPlan:
    writes: list[UpdateOne] = field(default_factory=list)
    new_keys: list[str] = field(default_factory=list)
    replaced: list[dict[str, Any]] = field(default_factory=list)
    skipped: int = 0

    @property
    def counts(self) -> ImportCounts:
        return ImportCounts(len(self.new_keys), len(self.replaced), self.skipped)


def content_hash(document: Document) -> str:
    raw = orjson.dumps([document.title, [(s.role, s.text) for s in document.sections]])
    return hashlib.sha256(raw).hexdigest()


def _to_doc(user_id: str, document: Document, digest: str) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "source": document.source,
        "source_id": document.orig_id,
        "title": document.title,
        "source_type": document.source_type,
        "create_time": document.create_time,
        "update_time": document.update_time,
        "sections": [{"role": s.role, "text": s.text} for s in document.sections],
        "hash": digest,
    }


def from_doc(doc: dict[str, Any]) -> Document:
    return Document(
        orig_id=doc["source_id"],
        title=doc.get("title", ""),
        sections=tuple(Section(s["role"], s["text"]) for s in doc.get("sections", [])),
        source_type=doc.get("source_type", "chat"),
        source=doc.get("source", "chatgpt"),
        create_time=doc.get("create_time"),
        update_time=doc.get("update_time"),
    )


class ConversationStore:
    def __init__(self, database: DocumentDatabase) -> None:
        self._conversations = database.collection(Collections.CONVERSATIONS)

    async def save(self, user_id: str, documents: Sequence[Document]) -> ImportCounts:
        """Store an import whole or not at all: every item is checked first, and if a write
        fails half way the new items are deleted and the updated ones put back as they were."""
        check_sizes(documents)
        plan = await self._plan(user_id, documents)
        try:
            for start in range(0, len(plan.writes), WRITE_BATCH):
                batch = plan.writes[start : start + WRITE_BATCH]
                await self._conversations.bulk_write(batch, ordered=False)
        except BaseException:
            await asyncio.shield(self._roll_back(user_id, plan))
            raise
        return plan.counts

    async def _plan(self, user_id: str, documents: Sequence[Document]) -> _ImportPlan:
        """What the import writes, and what it replaces (kept to roll back)."""
        keys = [doc_key(user_id, d.source, d.orig_id) for d in documents]
        stored: dict[str, dict[str, Any]] = {}
        for start in range(0, len(keys), WRITE_BATCH):
            query = {"_id": {"$in": keys[start : start + WRITE_BATCH]}, **owned(user_id)}
            stored.update({d["_id"]: d async for d in self._conversations.find(query)})
        plan, seen = _ImportPlan(), set()
        for key, document in zip(keys, documents, strict=True):
            digest = content_hash(document)
            previous = stored.get(key)
            if key in seen or (previous is not None and previous.get("hash") == digest):
                plan.skipped += 1  # unchanged, or twice in this very import
                continue
            seen.add(key)
            if previous is None:
                plan.new_keys.append(key)
            else:
                plan.replaced.append(previous)
            doc = {**_to_doc(user_id, document, digest), "imported_at": utc_now()}
            plan.writes.append(
                UpdateOne({"_id": key, "user_id": user_id}, {"$set": doc}, upsert=True)
            )
        return plan

    async def _roll_back(self, user_id: str, plan: _ImportPlan) -> None:
        for start in range(0, len(plan.new_keys), WRITE_BATCH):
            keys = plan.new_keys[start : start + WRITE_BATCH]
            await self._conversations.delete_many({"_id": {"$in": keys}, **owned(user_id)})
        for previous in plan.replaced:
            await self._conversations.replace_one({"_id": previous["_id"]}, previous)

    async def count(self, user_id: str) -> int:
        return len([d async for d in self._conversations.find(owned(user_id), {"_id": 1})])

    async def has_any(self, user_id: str) -> bool:
        return await self._conversations.find_one(owned(user_id), {"_id": 1}) is not None

    async def stream(self, user_id: str) -> AsyncIterator[Document]:
        """The user's documents in a stable order, one at a time (never all in memory)."""
        cursor = self._conversations.find(owned(user_id)).sort("_id", 1)
        async for doc in cursor:
            yield from_doc(doc)
