"""Serialised graph snapshots, rebuilt only when the user's graph changed.

A 2,000-node graph is thousands of documents to read and shape; clients (the viewer, the
app) ask for it far more often than it changes. Every write to a graph moves its stats
document's ``updated_at``, so one small read tells whether the cached bytes still hold.
"""

from __future__ import annotations

from collections import OrderedDict

import orjson

from graphnode.adapters.mongo import Collections, DocumentDatabase
from graphnode.storage.codec import find_one, iso
from graphnode.storage.graph_snapshot import GraphSnapshotReader

DEFAULT_CAPACITY = 256  # users whose snapshots stay in memory (least recently used first out)


class SnapshotCache:
    def __init__(
        self,
        database: DocumentDatabase,
        reader: GraphSnapshotReader,
        capacity: int = DEFAULT_CAPACITY,
    ) -> None:
        self._stats = database.collection(Collections.STATS)
        self._reader, self._capacity = reader, capacity
        self._entries: OrderedDict[str, tuple[str, bytes]] = OrderedDict()

    async def snapshot_bytes(self, user_id: str) -> bytes:
        stats = await find_one(self._stats, {"_id": user_id}, {"updated_at": 1, "status": 1})
        version = f"{iso((stats or {}).get('updated_at'))}|{(stats or {}).get('status')}"
        cached = self._entries.get(user_id)
        if cached is not None and cached[0] == version:
            self._entries.move_to_end(user_id)
            return cached[1]
        body = orjson.dumps(await self._reader.snapshot(user_id))
        self._entries[user_id] = (version, body)
        self._entries.move_to_end(user_id)
        while len(self._entries) > self._capacity:
            self._entries.popitem(last=False)
        return body
