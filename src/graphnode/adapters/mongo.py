"""MongoDB through PyMongo's native async API, with the indexes every service relies on.

Every write the services make is an upsert on a deterministic ``_id`` (see docs/contract.md,
'Persistence'), so the secondary indexes here serve reads by user and the uniqueness rules
that keep a redelivered message or a repeated import from adding anything.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from pymongo import ASCENDING, DESCENDING, AsyncMongoClient, IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from graphnode.adapters.lifecycle import Resource
from graphnode.settings import Settings

log = logging.getLogger("graphnode.mongo")

# Fail start-up within seconds when the server is unreachable, rather than hang for 30 s.
SERVER_SELECTION_TIMEOUT_MS = 5_000


class Collections:
    """Collection names, in one place."""

    NODES = "graph_nodes"
    EDGES = "graph_edges"
    CLUSTERS = "graph_clusters"
    SUBCLUSTERS = "graph_subclusters"
    STATS = "graph_stats"
    SUMMARIES = "graph_summaries"
    VECTORS = "graph_vectors"
    TASKS = "tasks"
    DEVICES = "device_tokens"
    CONVERSATIONS = "conversations"
    PUSH_RECEIPTS = "push_receipts"
    RATE_LIMITS = "rate_limit_events"
    DEAD_LETTERS = "dead_letters"
    MIGRATIONS = "migrations"


# Declared, not discovered: start-up makes the server match this. Graph documents are keyed
# by ``_id`` ("{user_id}:{stable id}", see graphnode.storage), so these indexes serve reads
# by user and sweeps by generation; the unique ones hold rules ``_id`` cannot express.
INDEXES: Mapping[str, Sequence[IndexModel]] = {
    Collections.NODES: [
        IndexModel([("user_id", ASCENDING), ("node_id", ASCENDING)]),
        IndexModel([("user_id", ASCENDING), ("generation", ASCENDING)]),
    ],
    Collections.EDGES: [
        IndexModel([("user_id", ASCENDING), ("generation", ASCENDING)]),
    ],
    Collections.CLUSTERS: [
        IndexModel([("user_id", ASCENDING), ("generation", ASCENDING)]),
    ],
    Collections.SUBCLUSTERS: [
        IndexModel([("user_id", ASCENDING), ("generation", ASCENDING)]),
    ],
    Collections.VECTORS: [
        IndexModel([("user_id", ASCENDING), ("generation", ASCENDING)]),
    ],
    Collections.TASKS: [
        IndexModel([("user_id", ASCENDING), ("created_at", DESCENDING)]),
        # The deadline sweeper's query: open tasks past their deadline.
        IndexModel([("status", ASCENDING), ("deadline_ms", ASCENDING)]),
    ],
    Collections.DEVICES: [
        IndexModel([("user_id", ASCENDING), ("token", ASCENDING)], unique=True),
    ],
    Collections.CONVERSATIONS: [
        IndexModel(
            [("user_id", ASCENDING), ("source", ASCENDING), ("source_id", ASCENDING)],
            unique=True,
        ),
    ],
    Collections.RATE_LIMITS: [
        IndexModel([("user_id", ASCENDING), ("action", ASCENDING)]),
    ],
}


class DocumentDatabase(Resource):
    """An ``AsyncMongoClient`` and the service's database, indexes ensured on open."""

    def __init__(self, settings: Settings, *, ensure_indexes: bool = True) -> None:
        super().__init__()
        self._settings = settings
        self._ensure_indexes = ensure_indexes
        self._client: AsyncMongoClient[dict[str, Any]] | None = None
        self._db: AsyncDatabase[dict[str, Any]] | None = None

    async def _open(self, stack: contextlib.AsyncExitStack) -> None:
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
            self._settings.mongo_uri,
            tz_aware=True,
            serverSelectionTimeoutMS=SERVER_SELECTION_TIMEOUT_MS,
            appname="graphnode",
        )
        stack.push_async_callback(client.close)
        await client.admin.command("ping")
        self._client = client
        self._db = client[self._settings.mongo_db]
        if self._ensure_indexes:
            await self.ensure_indexes()

    @property
    def db(self) -> AsyncDatabase[dict[str, Any]]:
        self._require_open()
        assert self._db is not None
        return self._db

    @property
    def client(self) -> AsyncMongoClient[dict[str, Any]]:
        self._require_open()
        assert self._client is not None
        return self._client

    def collection(self, name: str) -> AsyncCollection[dict[str, Any]]:
        return self.db[name]

    async def ensure_indexes(self) -> None:
        """Create every declared index; a no-op for those that already exist."""
        for name, indexes in INDEXES.items():
            await self.db[name].create_indexes(list(indexes))
        log.info("mongo indexes ensured", extra={"collections": len(INDEXES)})

    async def ping(self) -> bool:
        try:
            await self.client.admin.command("ping")
        except Exception:  # any failure means not ready; the caller only needs a yes/no
            log.warning("mongo ping failed", exc_info=True)
            return False
        return True
