"""A per-user sliding-window limit, kept in MongoDB so every API process shares it."""

from __future__ import annotations

from datetime import timedelta

from graphnode.adapters.mongo import Collections, DocumentDatabase
from graphnode.storage.codec import find_one, utc_now


class RateLimitedError(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after}s")
        self.retry_after = retry_after


class SlidingWindowLimit:
    def __init__(
        self, database: DocumentDatabase, action: str, limit: int, window: timedelta
    ) -> None:
        self._events = database.collection(Collections.RATE_LIMITS)
        self._action, self._limit, self._window = action, limit, window

    async def take(self, user_id: str) -> None:
        """Record one use, or raise :class:`RateLimitedError` if the window is full."""
        now = utc_now()
        since = now - self._window
        query = {"user_id": user_id, "action": self._action, "at": {"$gte": since}}
        used = await self._events.count_documents(query)
        if used >= self._limit:
            oldest = await find_one(self._events, query, sort=[("at", 1)])
            retry = (oldest["at"] + self._window - now).total_seconds() if oldest else 60
            raise RateLimitedError(max(1, int(retry) + 1))
        await self._events.insert_one({"user_id": user_id, "action": self._action, "at": now})
        await self._events.delete_many(
            {"user_id": user_id, "action": self._action, "at": {"$lt": since}}
        )
