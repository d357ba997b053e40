"""ObjectStore against a real S3 endpoint (LocalStack unless the settings name another)."""

from __future__ import annotations

import os

import pytest

from graphnode.adapters.s3 import MIN_PART_SIZE, ObjectNotFoundError, ObjectStore

pytestmark = pytest.mark.usefixtures("aws")


async def test_json_round_trip(settings):
    async with ObjectStore(settings) as store:
        value = {"nodes": [{"id": 1, "title": "한국어 제목"}], "ok": True}
        await store.put_json("graphs/u1/t1/graph.json", value)
        assert await store.get_json("graphs/u1/t1/graph.json") == value
        assert await store.exists("graphs/u1/t1/graph.json")
        assert not await store.exists("graphs/u1/t1/missing.json")


async def test_missing_object_raises_not_found(settings):
    async with ObjectStore(settings) as store:
        with pytest.raises(ObjectNotFoundError, match=r"missing\.json"):
            await store.get_bytes("graphs/u1/missing.json")


async def test_multipart_upload_of_several_parts_reads_back_identically(settings):
    payload = os.urandom(2 * MIN_PART_SIZE + 12345)
    async with ObjectStore(settings) as store:
        async with store.multipart_upload("bundle/big.bin", part_size=MIN_PART_SIZE) as writer:
            for start in range(0, len(payload), 1_000_000):
                await writer.write(payload[start : start + 1_000_000])
        assert writer.part_count == 3
        assert await store.get_bytes("bundle/big.bin") == payload
        streamed = b"".join([chunk async for chunk in store.stream("bundle/big.bin")])
        assert streamed == payload


async def _upload_then_fail(store: ObjectStore) -> None:
    async with store.multipart_upload("bundle/broken.bin", part_size=MIN_PART_SIZE) as writer:
        await writer.write(os.urandom(MIN_PART_SIZE + 1))  # one part is already uploaded
        raise RuntimeError("producer broke")


async def test_small_stream_is_one_put_and_a_failed_upload_leaves_nothing(settings):
    async with ObjectStore(settings) as store:
        async with store.multipart_upload("bundle/small.json") as writer:
            await writer.write(b"[1, 2, 3]")
        assert writer.part_count == 0
        assert await store.get_json("bundle/small.json") == [1, 2, 3]

        with pytest.raises(RuntimeError, match="producer broke"):
            await _upload_then_fail(store)
        assert not await store.exists("bundle/broken.bin")
        uploads = await store.client.list_multipart_uploads(Bucket=settings.bucket)
        assert uploads.get("Uploads", []) == []


async def test_use_before_open_is_a_clear_error(settings):
    store = ObjectStore(settings)
    with pytest.raises(RuntimeError, match="not open"):
        await store.get_bytes("x")


async def test_list_keys_under_a_prefix_across_pages(settings):
    async with ObjectStore(settings) as store:
        for i in range(3):
            await store.put_bytes(f"graph-generation/t1/part{i}.json", b"{}")
        await store.put_bytes("graph-generation/t2/input.json", b"[]")
        keys = await store.list_keys("graph-generation/t1/")
    assert keys == [f"graph-generation/t1/part{i}.json" for i in range(3)]
