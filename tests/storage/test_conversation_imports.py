"""An import is stored whole or not at all: too large an item refuses it before anything is
written, and a write that fails half way leaves the user's conversations as they were."""

from __future__ import annotations

import pytest

from graphnode.adapters.mongo import Collections, DocumentDatabase
from graphnode.ingest.documents import Document, Section
from graphnode.storage.conversation_store import (
    MAX_ITEM_BYTES,
    ConversationStore,
    ItemTooLargeError,
)

pytestmark = pytest.mark.usefixtures("mongo")


def _doc(orig: str, text: str = "hello") -> Document:
    return Document(orig_id=orig, title=f"About {orig}", sections=(Section("user", text),))


@pytest.fixture
async def database(settings):
    async with DocumentDatabase(settings) as db:
        yield db


async def _stored(database, user: str) -> dict[str, str]:
    cursor = database.collection(Collections.CONVERSATIONS).find({"user_id": user})
    return {d["source_id"]: d["sections"][0]["text"] async for d in cursor}


async def test_one_item_too_large_refuses_the_whole_import(database):
    store = ConversationStore(database)
    huge = _doc("huge", "x" * (MAX_ITEM_BYTES + 1))
    with pytest.raises(ItemTooLargeError, match="huge"):
        await store.save("u1", [_doc("a"), huge, _doc("b")])
    assert await _stored(database, "u1") == {}


async def test_a_write_failing_half_way_rolls_the_import_back(database):
    store = ConversationStore(database)
    await store.save("u1", [_doc("a", "first version")])
    # A record that holds c's unique (user, source, id) under another key: writing c fails.
    await database.collection(Collections.CONVERSATIONS).insert_one(
        {
            "_id": "legacy-c",
            "user_id": "u1",
            "source": "chatgpt",
            "source_id": "c",
            "sections": [{"role": "user", "text": "old c"}],
        }
    )
    with pytest.raises(Exception):  # noqa: B017, PT011 - whatever the server's error is
        await store.save("u1", [_doc("a", "second version"), _doc("b"), _doc("c")])
    assert await _stored(database, "u1") == {"a": "first version", "c": "old c"}


async def test_the_same_item_twice_in_one_import_counts_once(database):
    counts = await ConversationStore(database).save("u1", [_doc("a"), _doc("a"), _doc("b")])
    assert (counts.new, counts.updated, counts.skipped) == (2, 0, 1)
