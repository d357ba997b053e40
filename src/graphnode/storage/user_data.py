"""Every trace of one user in MongoDB, found and removed (``DELETE /v1/me``).

The collections are listed once, here, with how each names its owner; a test lists every
collection afterwards and must find nothing of the user. What stays: the deletion's own task
record (so the client can read its status) and a tombstone keyed by a hash of the user id,
never the id itself, so that a result of a task that was running when the user left is
recognised and discarded instead of bringing their graph back.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from graphnode.adapters.mongo import Collections, DocumentDatabase
from graphnode.storage.codec import find_one, now_ms
from graphnode.storage.documents import owned

# Every collection that holds a user's documents, each found by its ``user_id`` field.
USER_COLLECTIONS = (
    Collections.NODES,
    Collections.EDGES,
    Collections.CLUSTERS,
    Collections.SUBCLUSTERS,
    Collections.STATS,
    Collections.SUMMARIES,
    Collections.VECTORS,
    Collections.TASKS,
    Collections.DEVICES,
    Collections.CONVERSATIONS,
    Collections.PUSH_RECEIPTS,
    Collections.RATE_LIMITS,
    Collections.DEAD_LETTERS,
)
TOMBSTONES = "deleted_users"


def tombstone_key(user_id: str) -> str:
    return hashlib.sha256(user_id.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ErasedCounts:
    documents: int
    task_ids: tuple[str, ...]


class UserDataEraser:
    def __init__(self, database: DocumentDatabase) -> None:
        self._db = database

    async def mark_deleted(self, user_id: str) -> None:
        await self._db.collection(TOMBSTONES).update_one(
            {"_id": tombstone_key(user_id)},
            {"$setOnInsert": {"deleted_ms": now_ms()}},
            upsert=True,
        )

    async def was_deleted(self, user_id: str) -> bool:
        found = await find_one(self._db.collection(TOMBSTONES), {"_id": tombstone_key(user_id)})
        return found is not None

    async def task_ids(self, user_id: str) -> list[str]:
        tasks = self._db.collection(Collections.TASKS)
        return [doc["_id"] async for doc in tasks.find(owned(user_id), {"_id": 1})]

    async def erase(self, user_id: str, *, keep_task: str) -> int:
        """Delete the user's documents everywhere but ``keep_task``'s record; returns how
        many. Safe to run again: a resumed deletion finds less, then nothing."""
        removed = 0
        for name in USER_COLLECTIONS:
            query = owned(user_id)
            if name == Collections.TASKS:
                query["_id"] = {"$ne": keep_task}
            removed += (await self._db.collection(name).delete_many(query)).deleted_count
        return removed

    async def remaining(self, user_id: str) -> dict[str, int]:
        """What is left of the user, by collection (for tests and operators)."""
        left: dict[str, int] = {}
        for name in USER_COLLECTIONS:
            count = len([d async for d in self._db.collection(name).find(owned(user_id))])
            if count:
                left[name] = count
        return left
