"""Data stored by the version before escaped, generation-scoped keys is re-keyed once at
the worker's start, and reads (graph, search) work on it as on new data."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

import pytest

from graphnode.adapters.chroma import VectorCollection, VectorRecord
from graphnode.adapters.mongo import Collections, DocumentDatabase
from graphnode.storage.graph_snapshot import GraphSnapshotReader
from graphnode.storage.graph_store import MongoGraphStore
from graphnode.storage.migrations import KeyMigration
from graphnode.storage.vector_store import ChromaVectorStore

pytestmark = pytest.mark.usefixtures("mongo", "chroma")

STORED_AT = datetime(2026, 11, 20, 9, tzinfo=UTC)


@pytest.fixture
async def stores(settings):
    async with contextlib.AsyncExitStack() as stack:
        database = await stack.enter_async_context(DocumentDatabase(settings))
        chroma = await stack.enter_async_context(VectorCollection(settings))
        yield database, chroma


async def _legacy_user(database, chroma, user: str, orig_ids: list[str]) -> None:
    """One user's graph as the earlier version stored it: ``user:orig`` ids, no stamps."""
    await database.collection(Collections.STATS).insert_one(
        {
            "_id": user,
            "user_id": user,
            "status": "CREATED",
            "generation": "t-old",
            "generated_at": STORED_AT,
            "nodes": len(orig_ids),
        }
    )
    for number, orig in enumerate(orig_ids):
        await database.collection(Collections.NODES).insert_one(
            {
                "_id": f"{user}:{orig}",
                "user_id": user,
                "generation": "t-old",
                "orig_id": orig,
                "node_id": number,
                "cluster_id": "cluster_0",
                "title": orig,
            }
        )
    await database.collection(Collections.NODES).insert_one(
        {
            "_id": f"{user}:gone",
            "user_id": user,
            "generation": "t-older",
            "orig_id": "gone",
            "node_id": 9,
            "cluster_id": "cluster_0",
        }
    )
    await chroma.upsert(
        [
            VectorRecord(
                id=f"{user}_{orig}",
                embedding=[1.0, float(number), 0.0],
                metadata={"user_id": user, "orig_id": orig, "node_id": number},
                document=orig,
            )
            for number, orig in enumerate(orig_ids)
        ]
    )


async def test_legacy_graphs_vectors_and_colliding_keys_are_rekeyed_once(stores):
    database, chroma = stores
    await _legacy_user(database, chroma, "e3bm", ["a", "b"])
    await database.collection(Collections.CONVERSATIONS).insert_one(
        {
            "_id": "e3bm:a:x",
            "user_id": "e3bm:a",
            "source": "chatgpt",
            "source_id": "x",
            "sections": [],
        }
    )

    report = await KeyMigration(database, chroma).run()
    assert report.rewritten == {"graph_nodes": 2, "conversations": 1, "chroma": 2}
    assert report.removed == 1  # the node of a generation that was no longer current

    snapshot = await GraphSnapshotReader(database).snapshot("e3bm")
    assert sorted(n["origId"] for n in snapshot["nodes"]) == ["a", "b"]
    current = await MongoGraphStore(database).current_generation("e3bm")
    assert current is not None
    found = await ChromaVectorStore(chroma).search(current, [1.0, 0.0, 0.0], limit=5)
    assert sorted(m.orig_id for m in found) == ["a", "b"]
    assert await chroma.ids("e3bm") == ["e3bm:t-old:a", "e3bm:t-old:b"] or sorted(
        await chroma.ids("e3bm")
    ) == ["e3bm:t-old:a", "e3bm:t-old:b"]
    conversation = await database.collection(Collections.CONVERSATIONS).find_one(
        {"user_id": "e3bm:a"}
    )
    assert conversation["_id"] == "e3bm%3Aa:chatgpt:x"

    again = await KeyMigration(database, chroma).run()
    assert again.already_done
