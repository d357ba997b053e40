"""Imports larger than one write batch, through the API: parsed to a spool, stored batch by
batch, and still all or nothing; a conversation in two files of one upload counts once."""

from __future__ import annotations

import aiohttp
import orjson
import pytest

from graphnode.adapters.mongo import Collections, DocumentDatabase
from graphnode.storage.conversation_store import MAX_ITEM_BYTES
from tests.support.api import api_client, auth, problem
from tests.support.chat_exports import conversation, export_zip_bytes

pytestmark = pytest.mark.usefixtures("aws", "mongo", "chroma")


@pytest.fixture
async def client(settings):
    async with api_client(settings) as opened:
        yield opened


async def _texts(settings, user) -> dict[str, str]:
    async with DocumentDatabase(settings) as database:
        cursor = database.collection(Collections.CONVERSATIONS).find({"user_id": user})
        return {d["source_id"]: d["sections"][0]["text"] async for d in cursor}


async def _titles(settings, user) -> dict[str, str]:
    async with DocumentDatabase(settings) as database:
        cursor = database.collection(Collections.CONVERSATIONS).find({"user_id": user})
        return {d["source_id"]: d["title"] async for d in cursor}


def _chat(orig: str, text: str) -> dict:
    return {"id": orig, "title": orig, "messages": [{"role": "user", "content": text}]}


async def _upload(client, settings, user, files: dict[str, bytes]):
    form = aiohttp.FormData()
    for name, data in files.items():
        form.add_field("file", data, filename=name, content_type="application/octet-stream")
    return await client.post("/v1/imports", data=form, headers=auth(settings, user))


async def test_a_conversation_in_two_files_counts_once_and_the_later_file_wins(client, settings):
    first = orjson.dumps([_chat("same", "older"), _chat("a", "a")])
    second = orjson.dumps([_chat("b", "b"), _chat("same", "newer")])
    response = await _upload(client, settings, "u1", {"one.json": first, "two.json": second})
    assert response.status == 201
    body = await response.json()
    assert (body["new"], body["updated"], body["skipped"]) == (3, 0, 1)
    assert [f["documents"] for f in body["files"]] == [2, 2]
    assert await _texts(settings, "u1") == {"same": "newer", "a": "a", "b": "b"}


@pytest.mark.slow
async def test_an_item_too_large_after_many_batches_stores_nothing_and_keeps_the_old(
    client, settings
):
    older = {**conversation(3), "title": "Before the new export"}
    stored = await _upload(client, settings, "u1", {"old.json": orjson.dumps([older])})
    assert stored.status == 201
    before = await _titles(settings, "u1")
    export = export_zip_bytes(1200)  # three batches of documents, conv-3 changed below
    huge = _chat("huge", "word " * (MAX_ITEM_BYTES // 5 + 10))
    huge["title"] = "The enormous one"
    late = orjson.dumps([huge])
    response = await _upload(client, settings, "u1", {"export.zip": export, "late.json": late})
    assert response.status == 413
    assert "The enormous one" in (await problem(response))["detail"]
    assert await _titles(settings, "u1") == before == {"conv-3": "Before the new export"}


@pytest.mark.slow
async def test_a_large_export_imports_whole(client, settings):
    response = await _upload(client, settings, "u1", {"export.zip": export_zip_bytes(1200)})
    assert response.status == 201
    body = await response.json()
    assert (body["new"], body["updated"], body["skipped"]) == (1200, 0, 0)
    assert body["files"][0]["format"] == "chatgpt"
    assert len(await _texts(settings, "u1")) == 1200
