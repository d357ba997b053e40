"""The conversations and notes each user imported, deduplicated by their source's own id.

Importing the same export twice adds nothing: a conversation whose content is unchanged is
skipped, a changed one (more turns since the last export) is updated. An import of any size
is written batch by batch and is still all or nothing (``save_batches``).
"""

from __future__ import annotations

import asyncio
import enum
import hashlib
import tempfile
from collections.abc import AsyncIterable, AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import IO, Any

import bson
import orjson
from bson.codec_options import CodecOptions
from pymongo import ReplaceOne, UpdateOne

from graphnode.adapters.mongo import Collections, DocumentDatabase
from graphnode.ingest.documents import Document, Section
from graphnode.storage.codec import utc_now
from graphnode.storage.documents import doc_key, owned

WRITE_BATCH = 500
_READ_BATCH = 100
# Previous versions waiting to be backed up are written out at this size.
_BACKUP_FLUSH_BYTES = 4 * 1024 * 1024
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


@dataclass(frozen=True, slots=True)
class SavedImport:
    """What an import did, and the key of every item in it (in order of first appearance)."""

    counts: ImportCounts
    keys: list[str] = field(default_factory=list)


class _Status(enum.Enum):
    NEW = "new"  # not stored before this import: a roll-back deletes it
    REPLACED = "replaced"  # stored before, backed up, overwritten
    UNCHANGED = "unchanged"  # stored before with the same content: not touched


@dataclass
class _ImportState:
    """Per item of the import so far: the hash of what is stored under its key now, and
    how it got there. Keys and 32-byte hashes only, however large the items are."""

    items: dict[str, tuple[bytes, _Status]] = field(default_factory=dict)
    new: int = 0
    updated: int = 0
    skipped: int = 0

    @property
    def counts(self) -> ImportCounts:
        return ImportCounts(self.new, self.updated, self.skipped)

    def take(self, key: str, digest: str, stored: Mapping[str, str | None]) -> tuple[bool, bool]:
        """Count one copy of an item; whether its stored version must be backed up first,
        and whether this copy is written."""
        raw = bytes.fromhex(digest)
        seen = self.items.get(key)
        if seen is None:
            if key not in stored:
                self.new += 1
                self.items[key] = (raw, _Status.NEW)
                return False, True
            if stored[key] == digest:
                self.skipped += 1
                self.items[key] = (raw, _Status.UNCHANGED)
                return False, False
            self.updated += 1
            self.items[key] = (raw, _Status.REPLACED)
            return True, True
        current, status = seen
        if current == raw:
            self.skipped += 1  # the same content again
            return False, False
        if status is _Status.UNCHANGED:
            # Unchanged so far, but a later copy differs: it is an update after all.
            self.updated += 1
            self.items[key] = (raw, _Status.REPLACED)
            return True, True
        self.skipped += 1  # counted once already; the later copy wins
        self.items[key] = (raw, status)
        return False, True

    def new_keys(self) -> list[str]:
        return [key for key, (_, status) in self.items.items() if status is _Status.NEW]


class _Backup:
    """The stored versions an import replaces, as BSON in an anonymous temporary file (gone
    when closed), so a roll-back can put them back without holding them in memory."""

    def __init__(self, codec_options: CodecOptions[Any]) -> None:
        self._codec_options = codec_options
        self._file: IO[bytes] | None = None
        self._pending = bytearray()

    async def add(self, previous: dict[str, Any]) -> None:
        self._pending += bson.encode(previous, codec_options=self._codec_options)
        if len(self._pending) >= _BACKUP_FLUSH_BYTES:
            await self.flush()

    async def flush(self) -> None:
        if not self._pending:
            return
        if self._file is None:
            self._file = await asyncio.to_thread(tempfile.TemporaryFile)
        await asyncio.to_thread(self._file.write, bytes(self._pending))
        self._pending.clear()

    async def batches(self, size: int) -> AsyncIterator[list[dict[str, Any]]]:
        await self.flush()
        if self._file is None:
            return
        file = self._file
        await asyncio.to_thread(file.seek, 0)
        previous = bson.decode_file_iter(file, self._codec_options)
        while batch := await asyncio.to_thread(lambda: list(islice(previous, size))):
            yield batch

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


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
        """Store an import whole or not at all (see ``save_batches``)."""

        async def batches() -> AsyncIterator[Sequence[Document]]:
            for start in range(0, len(documents), WRITE_BATCH):
                yield documents[start : start + WRITE_BATCH]

        return (await self.save_batches(user_id, batches())).counts

    async def save_batches(
        self, user_id: str, batches: AsyncIterable[Sequence[Document]]
    ) -> SavedImport:
        """Store an import, batch by batch, whole or not at all: each batch is checked before
        it is written, and if a check or a write fails the new items are deleted and the
        replaced ones put back as they were.

        Memory holds one batch and each item's key and hash, never the whole import: the
        versions an import replaces are kept in a temporary file until it has succeeded.
        The same item twice in one import is stored once, the later copy winning."""
        state = _ImportState()
        backup = _Backup(self._conversations.codec_options)
        try:
            async for batch in batches:
                check_sizes(batch)
                await self._write_batch(user_id, batch, state, backup)
        except BaseException:
            # Shielded: a cancelled request still restores what it changed (the roll-back
            # closes the backup when it is done with it).
            await asyncio.shield(self._roll_back(user_id, state, backup))
            raise
        backup.close()
        return SavedImport(state.counts, list(state.items))

    async def _write_batch(
        self,
        user_id: str,
        batch: Sequence[Document],
        state: _ImportState,
        backup: _Backup,
    ) -> None:
        entries: dict[str, tuple[Document, str]] = {}
        for document in batch:
            key = doc_key(user_id, document.source, document.orig_id)
            if key in entries:
                state.skipped += 1  # twice in this very batch: the later copy is kept
            entries[key] = (document, content_hash(document))
        stored = await self._stored_hashes(user_id, [k for k in entries if k not in state.items])
        replaced: list[str] = []
        writes: list[UpdateOne] = []
        for key, (document, digest) in entries.items():
            back_up, write = state.take(key, digest, stored)
            if back_up:
                replaced.append(key)
            if write:
                doc = {**_to_doc(user_id, document, digest), "imported_at": utc_now()}
                writes.append(
                    UpdateOne({"_id": key, "user_id": user_id}, {"$set": doc}, upsert=True)
                )
        # The versions about to be replaced are saved before anything of the batch is written.
        await self._back_up(user_id, replaced, backup)
        if writes:
            await self._conversations.bulk_write(writes, ordered=False)

    async def _stored_hashes(self, user_id: str, keys: list[str]) -> dict[str, str | None]:
        if not keys:
            return {}
        query = {"_id": {"$in": keys}, **owned(user_id)}
        cursor = self._conversations.find(query, {"hash": 1})
        return {d["_id"]: d.get("hash") async for d in cursor}

    async def _back_up(self, user_id: str, keys: list[str], backup: _Backup) -> None:
        if not keys:
            return
        query = {"_id": {"$in": keys}, **owned(user_id)}
        async for previous in self._conversations.find(query):
            await backup.add(previous)
        await backup.flush()

    async def _roll_back(self, user_id: str, state: _ImportState, backup: _Backup) -> None:
        try:
            new_keys = state.new_keys()
            for start in range(0, len(new_keys), WRITE_BATCH):
                keys = new_keys[start : start + WRITE_BATCH]
                await self._conversations.delete_many({"_id": {"$in": keys}, **owned(user_id)})
            async for previous_batch in backup.batches(WRITE_BATCH):
                restores = [ReplaceOne({"_id": p["_id"]}, p) for p in previous_batch]
                await self._conversations.bulk_write(restores, ordered=False)
        finally:
            backup.close()

    async def documents(self, user_id: str, keys: Sequence[str]) -> AsyncIterator[Document]:
        """The user's stored documents under ``keys``, in that order, a few at a time."""
        for start in range(0, len(keys), _READ_BATCH):
            chunk = keys[start : start + _READ_BATCH]
            query = {"_id": {"$in": list(chunk)}, **owned(user_id)}
            found = {d["_id"]: d async for d in self._conversations.find(query)}
            for key in chunk:
                if key in found:
                    yield from_doc(found[key])

    async def count(self, user_id: str) -> int:
        return len([d async for d in self._conversations.find(owned(user_id), {"_id": 1})])

    async def has_any(self, user_id: str) -> bool:
        return await self._conversations.find_one(owned(user_id), {"_id": 1}) is not None

    async def stream(self, user_id: str) -> AsyncIterator[Document]:
        """The user's documents in a stable order, one at a time (never all in memory)."""
        cursor = self._conversations.find(owned(user_id)).sort("_id", 1)
        async for doc in cursor:
            yield from_doc(doc)
