"""The conversations and notes each user imported, deduplicated by their source's own id.

Importing the same export twice adds nothing: a conversation whose content is unchanged is
skipped, a changed one (more turns since the last export) is updated.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from pymongo import UpdateOne

from graphnode.adapters.mongo import Collections, DocumentDatabase
from graphnode.ingest.documents import Document, Section
from graphnode.storage.codec import utc_now
from graphnode.storage.documents import doc_key, owned

WRITE_BATCH = 500


@dataclass(frozen=True, slots=True)
class ImportCounts:
    new: int = 0
    updated: int = 0
    skipped: int = 0


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
        new = updated = skipped = 0
        for start in range(0, len(documents), WRITE_BATCH):
            batch = documents[start : start + WRITE_BATCH]
            keys = [doc_key(user_id, d.source, d.orig_id) for d in batch]
            stored = {
                d["_id"]: d.get("hash")
                async for d in self._conversations.find(
                    {"_id": {"$in": keys}, "user_id": user_id}, {"hash": 1}
                )
            }
            ops = []
            for key, document in zip(keys, batch, strict=True):
                digest = content_hash(document)
                if stored.get(key) == digest:
                    skipped += 1
                    continue
                if key in stored:
                    updated += 1
                else:
                    new += 1
                ops.append(
                    UpdateOne(
                        {"_id": key, "user_id": user_id},
                        {"$set": {**_to_doc(user_id, document, digest), "imported_at": utc_now()}},
                        upsert=True,
                    )
                )
            if ops:
                await self._conversations.bulk_write(ops, ordered=False)
        return ImportCounts(new, updated, skipped)

    async def count(self, user_id: str) -> int:
        return len([d async for d in self._conversations.find(owned(user_id), {"_id": 1})])

    async def has_any(self, user_id: str) -> bool:
        return await self._conversations.find_one(owned(user_id), {"_id": 1}) is not None

    async def stream(self, user_id: str) -> AsyncIterator[Document]:
        """The user's documents in a stable order, one at a time (never all in memory)."""
        cursor = self._conversations.find(owned(user_id)).sort("_id", 1)
        async for doc in cursor:
            yield from_doc(doc)
