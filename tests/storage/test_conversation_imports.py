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


async def _batches(*batches):
    for batch in batches:
        yield batch


async def _seed_conflict(database, orig: str) -> None:
    """A record holding ``orig``'s unique (user, source, id) under another key: writing
    ``orig`` fails at the server."""
    await database.collection(Collections.CONVERSATIONS).insert_one(
        {
            "_id": f"legacy-{orig}",
            "user_id": "u1",
            "source": "chatgpt",
            "source_id": orig,
            "sections": [{"role": "user", "text": f"old {orig}"}],
        }
    )


async def test_a_write_failing_in_a_later_batch_rolls_back_the_batches_before_it(database):
    store = ConversationStore(database)
    await store.save("u1", [_doc("a", "first version"), _doc("keep", "kept")])
    before = await database.collection(Collections.CONVERSATIONS).find_one({"_id": "u1:chatgpt:a"})
    await _seed_conflict(database, "c")
    batches = _batches([_doc("a", "second version"), _doc("b")], [_doc("d")], [_doc("c")])
    with pytest.raises(Exception):  # noqa: B017, PT011 - whatever the server's error is
        await store.save_batches("u1", batches)
    assert await _stored(database, "u1") == {"a": "first version", "keep": "kept", "c": "old c"}
    # The replaced version comes back exactly as it was, down to its import time.
    after = await database.collection(Collections.CONVERSATIONS).find_one({"_id": "u1:chatgpt:a"})
    assert after == before


async def test_an_item_too_large_in_a_later_batch_stores_nothing(database):
    store = ConversationStore(database)
    await store.save("u1", [_doc("a", "first version")])
    huge = _doc("huge", "x" * (MAX_ITEM_BYTES + 1))
    batches = _batches([_doc("a", "second version"), _doc("b")], [_doc("c"), huge])
    with pytest.raises(ItemTooLargeError, match="huge"):
        await store.save_batches("u1", batches)
    assert await _stored(database, "u1") == {"a": "first version"}


async def test_the_same_item_in_two_batches_counts_once_and_the_later_copy_wins(database):
    store = ConversationStore(database)
    await store.save("u1", [_doc("kept", "same"), _doc("old", "v1")])
    saved = await store.save_batches(
        "u1",
        _batches(
            [_doc("a", "v1"), _doc("kept", "same"), _doc("old", "v1")],
            [_doc("b"), _doc("a", "v2"), _doc("old", "v2")],
            [_doc("a", "v2")],
        ),
    )
    # a: new (then twice more); kept: unchanged; old: unchanged, then an update; b: new.
    assert (saved.counts.new, saved.counts.updated, saved.counts.skipped) == (2, 1, 4)
    assert await _stored(database, "u1") == {"a": "v2", "kept": "same", "old": "v2", "b": "hello"}
    assert saved.keys == ["u1:chatgpt:a", "u1:chatgpt:kept", "u1:chatgpt:old", "u1:chatgpt:b"]
    documents = [d async for d in store.documents("u1", saved.keys)]
    assert [(d.orig_id, d.sections[0].text) for d in documents] == [
        ("a", "v2"),
        ("kept", "same"),
        ("old", "v2"),
        ("b", "hello"),
    ]


async def test_a_roll_back_after_a_later_copy_restores_the_version_before_the_import(database):
    store = ConversationStore(database)
    await store.save("u1", [_doc("a", "before")])
    await _seed_conflict(database, "c")
    batches = _batches([_doc("a", "v1")], [_doc("a", "v2")], [_doc("c")])
    with pytest.raises(Exception):  # noqa: B017, PT011 - whatever the server's error is
        await store.save_batches("u1", batches)
    assert await _stored(database, "u1") == {"a": "before", "c": "old c"}
