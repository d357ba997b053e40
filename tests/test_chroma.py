"""VectorCollection against a real Chroma server, and embedded on a path."""

from __future__ import annotations

import dataclasses
import math

import pytest

from graphnode.adapters.chroma import VectorCollection, VectorRecord


def _unit(angle: float) -> list[float]:
    return [math.cos(angle), math.sin(angle), 0.0]


def _record(user: str, orig: str, angle: float) -> VectorRecord:
    return VectorRecord(
        id=f"{user}_{orig}",
        embedding=_unit(angle),
        metadata={"user_id": user, "orig_id": orig, "node_id": 0, "cluster_id": "cluster_0"},
        document=f"title {orig}",
    )


async def _exercise(collection: VectorCollection) -> None:
    await collection.upsert([_record("alice", f"a{i}", i * 0.1) for i in range(5)])
    await collection.upsert([_record("bob", f"b{i}", i * 0.1) for i in range(5)])
    # Upserting again replaces, never duplicates.
    await collection.upsert([_record("alice", "a0", 0.0)])
    assert await collection.count() == 10

    hits = await collection.query("alice", _unit(0.0), limit=20)
    assert [h.id for h in hits][:2] == ["alice_a0", "alice_a1"]
    assert {h.metadata["user_id"] for h in hits} == {"alice"}
    assert len(hits) == 5
    assert hits[0].similarity == pytest.approx(1.0, abs=1e-4)

    # Bob's vectors exist but alice's queries and reads never reach them.
    assert await collection.get("alice", ["bob_b0", "alice_a3"]) != {}
    assert set(await collection.get("alice", ["bob_b0", "alice_a3"])) == {"alice_a3"}
    narrowed = await collection.query("bob", _unit(0.0), limit=3, where={"orig_id": "b4"})
    assert [h.id for h in narrowed] == ["bob_b4"]

    await collection.delete("alice", ["alice_a1", "bob_b1"])
    assert sorted(await collection.ids("alice")) == ["alice_a0", "alice_a2", "alice_a3", "alice_a4"]
    assert len(await collection.ids("bob")) == 5
    await collection.delete("bob")
    assert await collection.ids("bob") == []
    assert await collection.count() == 4


pytestmark = pytest.mark.usefixtures("chroma")


async def test_server_upsert_query_delete_with_user_filtering(settings):
    async with VectorCollection(settings) as collection:
        assert await collection.heartbeat()
        await _exercise(collection)


async def test_embedded_collection_behaves_the_same(settings, tmp_path):
    embedded = dataclasses.replace(settings, chroma_url=None, chroma_path=str(tmp_path / "c"))
    async with VectorCollection(embedded) as collection:
        await _exercise(collection)


async def test_batches_larger_than_the_server_limit_are_split(settings):
    async with VectorCollection(settings) as collection:
        collection._batch_size = 7  # the server's limit is large; force several batches
        records = [_record("carol", f"c{i}", i * 0.01) for i in range(30)]
        assert await collection.upsert(records) == 30
        assert len(await collection.ids("carol")) == 30


def test_a_vector_without_user_is_refused():
    with pytest.raises(ValueError, match="no user_id"):
        VectorRecord(id="x", embedding=[1.0], metadata={"orig_id": "x"})


async def test_a_query_without_user_is_refused(settings):
    async with VectorCollection(settings) as collection:
        with pytest.raises(ValueError, match="must name a user_id"):
            await collection.query("", [1.0, 0.0, 0.0])
