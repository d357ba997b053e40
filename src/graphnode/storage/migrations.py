"""Bring data stored by earlier versions to today's keys, once, at the worker's start.

``keys-v2``: keys became escaped (user ``a:b`` and user ``a`` with item ``b:x`` once shared
``a:b:x``; Chroma ids ``{user}_{orig}`` met the same way), and graph documents and vectors
became scoped to their generation. Documents written before lack ``generated_ms``: each is
rewritten under its new key (copy first, then the old one deleted, so a crash half way loses
nothing and the next start finishes the job), and the migration is recorded as done.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from graphnode.adapters.chroma import VectorCollection, VectorRecord
from graphnode.adapters.mongo import Collections, DocumentDatabase
from graphnode.storage.codec import decoded, epoch_ms, find_one, utc_now
from graphnode.storage.documents import doc_key
from graphnode.storage.graph_documents import Generation

log = logging.getLogger("graphnode.storage.migrations")

KEYS_V2 = "keys-v2"
CHROMA_PAGE = 500
LEGACY = {"generated_ms": {"$exists": False}}

# The parts of each graph document that name it within its generation.
_GRAPH_KEYS: dict[str, Callable[[dict[str, Any]], tuple[object, ...]]] = {
    Collections.NODES: lambda d: (d["orig_id"],),
    Collections.EDGES: lambda d: ("edge", d["source"], d["target"]),
    Collections.CLUSTERS: lambda d: (d["cluster_id"],),
    Collections.SUBCLUSTERS: lambda d: (d["subcluster_id"],),
    Collections.VECTORS: lambda d: (d["orig_id"],),
}
# Documents keyed by the user and fields of their own (no generation).
_USER_KEYS: dict[str, Callable[[dict[str, Any]], tuple[object, ...]]] = {
    Collections.CONVERSATIONS: lambda d: (d["source"], d["source_id"]),
    Collections.DEVICES: lambda d: (d["token"],),
}


@dataclass
class MigrationReport:
    rewritten: dict[str, int] = field(default_factory=dict)
    removed: int = 0
    already_done: bool = False


class KeyMigration:
    def __init__(self, database: DocumentDatabase, chroma: VectorCollection | None) -> None:
        self._db, self._chroma = database, chroma
        self._report = MigrationReport()
        self._current: dict[str, Generation] = {}

    async def run(self) -> MigrationReport:
        done = self._db.collection(Collections.MIGRATIONS)
        if await done.find_one({"_id": KEYS_V2}):
            return MigrationReport(already_done=True)
        await self._stamp_stats()
        for name, parts in _GRAPH_KEYS.items():
            await self._rekey_generations(name, parts)
        for name, parts in _USER_KEYS.items():
            await self._rekey_user_documents(name, parts)
        if self._chroma is not None:
            await self._rekey_chroma(self._chroma)
        await done.update_one(
            {"_id": KEYS_V2}, {"$set": {"done_at": utc_now(), **self._summary()}}, upsert=True
        )
        log.info("migration done", extra={"migration": KEYS_V2, **self._summary()})
        return self._report

    def _summary(self) -> dict[str, Any]:
        return {"rewritten": self._report.rewritten, "removed": self._report.removed}

    def _count(self, name: str) -> None:
        self._report.rewritten[name] = self._report.rewritten.get(name, 0) + 1

    async def _stamp_stats(self) -> None:
        """Every stats document gets ``generated_ms``; remember each user's generation."""
        stats = self._db.collection(Collections.STATS)
        for doc in await decoded(stats.find({})):
            if doc.get("generation") is None:
                continue
            stamp = doc.get("generated_ms") or (
                epoch_ms(doc["generated_at"]) if doc.get("generated_at") else 0
            )
            if doc.get("generated_ms") is None:
                await stats.update_one({"_id": doc["_id"]}, {"$set": {"generated_ms": stamp}})
            self._current[doc["user_id"]] = Generation(doc["user_id"], doc["generation"], stamp)

    async def _rekey_generations(
        self, name: str, parts: Callable[[dict[str, Any]], tuple[object, ...]]
    ) -> None:
        collection = self._db.collection(name)
        for doc in await decoded(collection.find(LEGACY)):
            gen = self._current.get(doc.get("user_id", ""))
            if gen is None or doc.get("generation") != gen.generation:
                # A leftover of a generation that is no longer current.
                await collection.delete_one({"_id": doc["_id"]})
                self._report.removed += 1
                continue
            moved = {**doc, **gen.tags(), "_id": gen.key(*parts(doc))}
            await collection.replace_one({"_id": moved["_id"]}, moved, upsert=True)
            if moved["_id"] != doc["_id"]:
                await collection.delete_one({"_id": doc["_id"]})
            self._count(name)

    async def _rekey_user_documents(
        self, name: str, parts: Callable[[dict[str, Any]], tuple[object, ...]]
    ) -> None:
        collection = self._db.collection(name)
        fields = {"user_id": 1, "source": 1, "source_id": 1, "token": 1}
        async for head in collection.find({}, fields):
            key = doc_key(head["user_id"], *parts(head))
            if key != head["_id"]:
                doc = await collection.find_one({"_id": head["_id"]})
                if doc is not None:
                    await _move_unique(collection, doc, key)
                    self._count(name)

    async def _rekey_chroma(self, chroma: VectorCollection) -> None:
        offset = 0
        while page := await chroma.page(offset, CHROMA_PAGE):
            legacy = [r for r in page if "generation" not in r.metadata]
            offset += len(page) - len(legacy)  # rewritten records move out of the way
            for record in legacy:
                await self._rekey_vector(chroma, record)
            if not legacy and len(page) < CHROMA_PAGE:
                break

    async def _rekey_vector(self, chroma: VectorCollection, record: VectorRecord) -> None:
        user = str(record.metadata.get("user_id", ""))
        gen = self._current.get(user)
        if gen is not None:
            await chroma.upsert(
                [
                    VectorRecord(
                        id=gen.key(record.metadata.get("orig_id", "")),
                        embedding=record.embedding,
                        metadata={**record.metadata, **gen.tags()},
                        document=record.document,
                    )
                ]
            )
            self._count("chroma")
        else:
            self._report.removed += 1
        if user:
            await chroma.delete(user, [record.id])


async def _move_unique(
    collection: AsyncCollection[dict[str, Any]], doc: dict[str, Any], key: str
) -> None:
    """Re-key a document of a collection with a unique index over the key's own fields: the
    copy cannot exist beside the original, so the original goes first and comes back if the
    copy is refused."""
    await collection.delete_one({"_id": doc["_id"]})
    try:
        await collection.insert_one({**doc, "_id": key})
    except DuplicateKeyError:
        log.warning("re-keyed document already present", extra={"key": key})
    except Exception:
        await collection.insert_one(doc)
        raise


async def migration_done(database: DocumentDatabase) -> bool:
    return await find_one(database.collection(Collections.MIGRATIONS), {"_id": KEYS_V2}) is not None
