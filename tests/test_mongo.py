"""DocumentDatabase against a real MongoDB wire-protocol server."""

from __future__ import annotations

import dataclasses

import pytest
from pymongo import UpdateOne
from pymongo.errors import BulkWriteError, DuplicateKeyError, ServerSelectionTimeoutError

from graphnode.adapters.mongo import INDEXES, Collections, DocumentDatabase

pytestmark = pytest.mark.usefixtures("mongo")


async def test_indexes_are_ensured_and_ensuring_twice_is_harmless(settings):
    async with DocumentDatabase(settings) as mongo:
        await mongo.ensure_indexes()
        info = await mongo.collection(Collections.CONVERSATIONS).index_information()
        # Index names are the server's business (nx-27017 renames them): compare keys.
        keys = [tuple(spec["key"]) for spec in info.values()]
        assert (("user_id", 1), ("source", 1), ("source_id", 1)) in keys
        assert len(info) >= 1 + len(INDEXES[Collections.CONVERSATIONS])


async def test_upsert_on_a_deterministic_key_is_idempotent(settings):
    async with DocumentDatabase(settings) as mongo:
        nodes = mongo.collection(Collections.NODES)
        ops = [
            UpdateOne(
                {"_id": f"u1:{i}"},
                {"$set": {"user_id": "u1", "node_id": i, "title": f"t{i}"}},
                upsert=True,
            )
            for i in range(5)
        ]
        first = await nodes.bulk_write(ops, ordered=False)
        second = await nodes.bulk_write(ops, ordered=False)
        assert first.upserted_count == 5
        assert second.upserted_count == 0
        assert await nodes.count_documents({"user_id": "u1"}) == 5


async def test_unique_index_refuses_a_duplicate(settings):
    async with DocumentDatabase(settings) as mongo:
        conversations = mongo.collection(Collections.CONVERSATIONS)
        first = {"user_id": "u1", "source": "chatgpt", "source_id": "conv-1"}
        await conversations.insert_one(dict(first))
        await conversations.insert_one({**first, "user_id": "u2"})
        await conversations.insert_one({**first, "source": "notes"})
        with pytest.raises(DuplicateKeyError) as caught:
            await conversations.insert_one(dict(first))
        assert caught.value.code == 11000
        with pytest.raises(BulkWriteError):
            await conversations.insert_many(
                [
                    {"user_id": "u3", "source": "x", "source_id": "a"},
                    {"user_id": "u3", "source": "x", "source_id": "a"},
                ]
            )


async def test_ping_and_unreachable_server_fails_at_open(settings):
    async with DocumentDatabase(settings) as mongo:
        assert await mongo.ping()
    # Port 9 (discard) has no MongoDB: open() must fail, and within its selection timeout.
    unreachable = dataclasses.replace(settings, mongo_uri="mongodb://127.0.0.1:9")
    database = DocumentDatabase(unreachable)
    with pytest.raises(ServerSelectionTimeoutError):
        await database.open()
    assert not database.is_open
