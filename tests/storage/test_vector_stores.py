"""Both VectorStore implementations pass the same tests against their real servers."""

from __future__ import annotations

import contextlib
import math

import numpy as np
import pytest

from graphnode.adapters.chroma import VectorCollection
from graphnode.adapters.mongo import DocumentDatabase
from graphnode.storage.graph_documents import Generation
from graphnode.storage.mongo_vector_store import MongoVectorStore
from graphnode.storage.vector_store import ChromaVectorStore, NodeVector, VectorDimensionError

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


def _gen(user: str, generation: str = "t1", stamp: int = 1_000) -> Generation:
    return Generation(user, generation, stamp)


async def test_search_returns_nearest_of_that_user_only(vectors):
    await vectors.upsert(_gen("alice"), [_vector(f"a{i}", i * 0.2) for i in range(5)])
    await vectors.upsert(_gen("bob"), [_vector(f"b{i}", i * 0.2) for i in range(5)])
    matches = await vectors.search(_gen("alice"), [1.0, 0.0, 0.0], limit=3)
    assert [m.orig_id for m in matches] == ["a0", "a1", "a2"]
    assert matches[0].score == pytest.approx(1.0, abs=1e-4)
    assert matches[1].score == pytest.approx(math.cos(0.2), abs=1e-4)
    assert all(m.metadata["user_id"] == "alice" for m in matches)
    assert matches[0].metadata["keywords"] == "rust, borrow"
    assert await vectors.search(_gen("carol"), [1.0, 0.0, 0.0]) == []


async def test_upsert_twice_keeps_one_vector_per_item(vectors):
    batch = [_vector(f"a{i}", i * 0.1) for i in range(4)]
    await vectors.upsert(_gen("alice"), batch)
    await vectors.upsert(_gen("alice"), batch)
    assert await vectors.orig_ids(_gen("alice")) == {"a0", "a1", "a2", "a3"}


async def test_generations_are_apart_until_the_older_is_collected(vectors):
    old, new = _gen("alice", "t1", 1_000), _gen("alice", "t2", 2_000)
    await vectors.upsert(old, [_vector(f"a{i}", i * 0.1) for i in range(4)])
    await vectors.upsert(new, [_vector("a1", 0.5), _vector("n1", 0.0)])
    await vectors.upsert(_gen("bob", "t0", 10), [_vector("b0", 0.0)])
    assert [m.orig_id for m in await vectors.search(old, [1.0, 0.0, 0.0], limit=9)] == [
        "a0",
        "a1",
        "a2",
        "a3",
    ]
    assert await vectors.collect_older(new) == 4
    assert await vectors.orig_ids(new) == {"a1", "n1"}
    assert await vectors.orig_ids(old) == set()
    assert await vectors.orig_ids(_gen("bob", "t0", 10)) == {"b0"}  # another user: untouched
    await vectors.drop(new)
    assert await vectors.orig_ids(new) == set()


async def test_ids_that_once_collided_across_users_stay_apart(vectors):
    """User e3bv with item a_x and user e3bv_a with item x (Chroma's old ``{user}_{orig}``),
    user e3bm with item a:x and user e3bm:a with item x (MongoDB's old ``:`` joins)."""
    pairs = [("e3bv", "a_x"), ("e3bv_a", "x"), ("e3bm", "a:x"), ("e3bm:a", "x")]
    for user, orig in pairs:
        await vectors.upsert(_gen(user), [_vector(orig, 0.0)])
    for user, orig in pairs:
        assert await vectors.orig_ids(_gen(user)) == {orig}


def _wide(orig: str) -> NodeVector:
    """A vector of another model: five numbers where the others have three."""
    return NodeVector(orig_id=orig, embedding=[0.6, 0.8, 0.0, 0.0, 0.0], node_id=0, cluster_id="c")


async def _reopened(vectors, settings, stack):
    """The same collection as another process sees it: nothing learnt in this one."""
    if isinstance(vectors, ChromaVectorStore):
        return ChromaVectorStore(await stack.enter_async_context(VectorCollection(settings)))
    return MongoVectorStore(await stack.enter_async_context(DocumentDatabase(settings)))


async def test_vectors_of_another_dimension_are_refused_with_a_reason(vectors, settings):
    await vectors.upsert(_gen("alice"), [_vector("a0", 0.0)])
    async with contextlib.AsyncExitStack() as stack:
        for store in (vectors, await _reopened(vectors, settings, stack)):
            with pytest.raises(VectorDimensionError, match=r"holds 3-dimension .* offered 5"):
                await store.upsert(_gen("bob"), [_wide("b0")])
            with pytest.raises(VectorDimensionError):
                await store.search(_gen("alice"), [1.0, 0.0, 0.0, 0.0, 0.0])
    # Nothing of the refused write was kept, and the collection still answers in its own.
    assert await vectors.orig_ids(_gen("bob")) == set()
    assert [m.orig_id for m in await vectors.search(_gen("alice"), [1.0, 0.0, 0.0])] == ["a0"]


async def test_one_write_of_mixed_dimensions_is_refused_whole(vectors):
    with pytest.raises(VectorDimensionError, match="holds 3-dimension"):
        await vectors.upsert(_gen("alice"), [_vector("a0", 0.0), _wide("a1")])
    assert await vectors.orig_ids(_gen("alice")) == set()


async def test_a_generations_vectors_are_read_whole_as_float32(vectors):
    old, new = _gen("alice", "t1", 1_000), _gen("alice", "t2", 2_000)
    await vectors.upsert(old, [_vector("stale", 1.0)])
    await vectors.upsert(new, [_vector(f"a{i}", i * 0.3) for i in range(3)])
    await vectors.upsert(_gen("bob", "t2", 2_000), [_vector("b0", 0.0)])
    found = await vectors.vectors(new)
    assert sorted(found) == ["a0", "a1", "a2"]  # not the older generation's, not bob's
    assert found["a1"].dtype == np.float32
    assert found["a1"].tolist() == pytest.approx([math.cos(0.3), math.sin(0.3), 0.0], abs=1e-6)
    assert await vectors.vectors(_gen("carol")) == {}
