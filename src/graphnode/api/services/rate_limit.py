"""A per-user limit of N uses per window, kept in MongoDB so every API process shares it.

The limit is N *slots* per user and action, one document each; a use occupies a free slot
(one whose ``until_ms`` has passed) for the window, by one conditional update. The update is
atomic on its document, so concurrent requests each get a different slot or none: counting
and then inserting let 30 simultaneous requests through a limit of 6. A request that is
refused after all (already running, nothing to do, dispatch failed) gives its slot back, so
only work that really started costs quota.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta

from pymongo import UpdateOne

from graphnode.adapters.mongo import Collections, DocumentDatabase
from graphnode.storage.codec import now_ms
from graphnode.storage.documents import doc_key


class RateLimitedError(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after}s")
        self.retry_after = retry_after


class SlidingWindowLimit:
    def __init__(
        self, database: DocumentDatabase, action: str, limit: int, window: timedelta
    ) -> None:
        self._slots = database.collection(Collections.RATE_LIMITS)
        self._action, self._limit = action, limit
        self._window_ms = int(window.total_seconds() * 1000)

    def _slot_ids(self, user_id: str) -> list[str]:
        return [doc_key(user_id, self._action, slot) for slot in range(self._limit)]

    async def _ensure_slots(self, user_id: str) -> None:
        """The user's N slot documents (free ones), created on first use; idempotent."""
        ops = [
            UpdateOne(
                {"_id": slot, "user_id": user_id},
                {"$setOnInsert": {"user_id": user_id, "action": self._action, "until_ms": 0}},
                upsert=True,
            )
            for slot in self._slot_ids(user_id)
        ]
        await self._slots.bulk_write(ops, ordered=False)

    async def take(self, user_id: str) -> str:
        """Occupy a free slot for the window and return its id, or raise
        :class:`RateLimitedError` saying when the first slot frees up."""
        now = now_ms()
        ids = self._slot_ids(user_id)
        taken = await self._slots.find_one_and_update(
            {"_id": {"$in": ids}, "user_id": user_id, "until_ms": {"$lte": now}},
            {"$set": {"until_ms": now + self._window_ms}},
            projection={"_id": 1},
        )
        if taken is None and await self._slots.count_documents({"_id": {"$in": ids}}) < len(ids):
            await self._ensure_slots(user_id)
            return await self.take(user_id)
        if taken is None:
            raise RateLimitedError(await self._retry_after(user_id, now))
        return str(taken["_id"])

    async def give_back(self, user_id: str, slot: str) -> None:
        await self._slots.update_one({"_id": slot, "user_id": user_id}, {"$set": {"until_ms": 0}})

    @contextlib.asynccontextmanager
    async def use(self, user_id: str) -> AsyncIterator[None]:
        """One use, kept only if the block succeeds: a refused request costs no quota."""
        slot = await self.take(user_id)
        try:
            yield
        except BaseException:
            await self.give_back(user_id, slot)
            raise

    async def _retry_after(self, user_id: str, now: int) -> int:
        first = await self._slots.find_one(
            {"_id": {"$in": self._slot_ids(user_id)}}, sort=[("until_ms", 1)]
        )
        until = int(first["until_ms"]) if first else now + 60_000
        return max(1, (until - now) // 1000 + 1)
