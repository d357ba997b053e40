"""The FCM registration tokens of each user's devices."""

from __future__ import annotations

from collections.abc import Sequence

from graphnode.adapters.mongo import Collections, DocumentDatabase
from graphnode.storage.codec import now_ms, utc_now
from graphnode.storage.documents import doc_key, owned

# Devices one user may have registered; registering another forgets the longest unseen.
MAX_DEVICES_PER_USER = 20


class DeviceStore:
    def __init__(self, database: DocumentDatabase) -> None:
        self._devices = database.collection(Collections.DEVICES)

    async def register(self, user_id: str, token: str, platform: str | None = None) -> None:
        """Remember ``token`` (again: it is the user's latest), keeping the newest
        ``MAX_DEVICES_PER_USER``: one user cannot grow the collection without bound."""
        await self._devices.update_one(
            {"_id": doc_key(user_id, token), "user_id": user_id},
            {
                "$set": {
                    "user_id": user_id,
                    "token": token,
                    "platform": platform,
                    "updated_at": utc_now(),
                    "updated_ms": now_ms(),  # sorted on: a number orders alike everywhere
                }
            },
            upsert=True,
        )
        cursor = self._devices.find(owned(user_id), {"_id": 1}).sort("updated_ms", -1)
        stale = [doc["_id"] async for doc in cursor.skip(MAX_DEVICES_PER_USER)]
        if stale:
            await self._devices.delete_many({**owned(user_id), "_id": {"$in": stale}})

    async def tokens(self, user_id: str) -> list[str]:
        cursor = self._devices.find(owned(user_id), {"token": 1}).sort("token", 1)
        return [doc["token"] async for doc in cursor]

    async def remove(self, user_id: str, tokens: Sequence[str]) -> int:
        if not tokens:
            return 0
        result = await self._devices.delete_many({**owned(user_id), "token": {"$in": list(tokens)}})
        return result.deleted_count
