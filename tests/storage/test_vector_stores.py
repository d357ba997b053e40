"""Both VectorStore implementations pass the same tests against their real servers."""

from __future__ import annotations

import contextlib
import math

import pytest

from graphnode.adapters.chroma import VectorCollection
from graphnode.adapters.mongo import DocumentDatabase
from graphnode.storage.mongo_vector_store import MongoVectorStore
from graphnode.storage.vector_store import ChromaVectorStore, NodeVector

pytestmark = pytest.mark.usefixtures("mongo", "chroma")


@pytest.fixture(params=["chroma", "mongo"])
async def vectors(request, settings):
    async with contextlib.AsyncExitStack() as stack:
        if request.param == "chroma":
            collection = await stack.enter_async_context(VectorCollection(settings))
            yield ChromaVectorStore(collection)
        else:
            database = await stack.enter_async_context(DocumentDatabase(settings))
            yield MongoVectorStore(database)


def _vector(orig: str, angle: float, cluster: str = "cluster_0") -> NodeVector:
    return NodeVector(
        orig_id=orig,
        embedding=[math.cos(angle), math.sin(angle), 0.0],
        node_id=0,
        cluster_id=cluster,
        cluster_name="Topic",
        keywords=("rust", "borrow"),
        title=orig,
    )


async def test_search_returns_nearest_of_that_user_only(vectors):
    await vectors.upsert("alice", [_vector(f"a{i}", i * 0.2) for i in range(5)])
    await vectors.upsert("bob", [_vector(f"b{i}", i * 0.2) for i in range(5)])
    matches = await vectors.search("alice", [1.0, 0.0, 0.0], limit=3)
    assert [m.orig_id for m in matches] == ["a0", "a1", "a2"]
    assert matches[0].score == pytest.approx(1.0, abs=1e-4)
    assert matches[1].score == pytest.approx(math.cos(0.2), abs=1e-4)
    assert all(m.metadata["user_id"] == "alice" for m in matches)
    assert matches[0].metadata["keywords"] == "rust, borrow"
    assert await vectors.search("carol", [1.0, 0.0, 0.0]) == []


async def test_upsert_twice_keeps_one_vector_per_item(vectors):
    batch = [_vector(f"a{i}", i * 0.1) for i in range(4)]
    await vectors.upsert("alice", batch)
    await vectors.upsert("alice", batch)
    assert await vectors.orig_ids("alice") == {"a0", "a1", "a2", "a3"}


async def test_retain_only_removes_the_rest_of_that_user(vectors):
    await vectors.upsert("alice", [_vector(f"a{i}", i * 0.1) for i in range(4)])
    await vectors.upsert("bob", [_vector("b0", 0.0)])
    assert await vectors.retain_only("alice", {"a1", "a3"}) == 2
    assert await vectors.orig_ids("alice") == {"a1", "a3"}
    assert await vectors.orig_ids("bob") == {"b0"}
