"""Auth, imports of every format, and bad uploads that store nothing."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import aiohttp
import orjson
import pytest

from graphnode.adapters.mongo import Collections, DocumentDatabase
from graphnode.storage.conversation_store import MAX_ITEM_BYTES
from graphnode.storage.device_store import MAX_DEVICES_PER_USER, DeviceStore
from tests.support.api import api_client, auth, problem, token, zip_bytes

pytestmark = pytest.mark.usefixtures("aws", "mongo", "chroma")

FIXTURES = Path(__file__).resolve().parents[1] / "ai" / "fixtures"
SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "chatgpt-export"


@pytest.fixture
async def client(settings):
    async with api_client(settings) as opened:
        yield opened


async def _stored(settings, user):
    async with DocumentDatabase(settings) as database:
        return await database.collection(Collections.CONVERSATIONS).count_documents(
            {"user_id": user}
        )


async def test_requests_without_a_valid_token_are_refused(client, settings):
    no_token = await client.get("/v1/graphs/me")
    assert no_token.status == 401
    assert "Bearer" in (await problem(no_token))["detail"]
    forged = await client.get(
        "/v1/graphs/me",
        headers={"Authorization": f"Bearer {token(settings, 'u1', secret='not-the-secret')}"},
    )
    assert forged.status == 401
    assert "not valid" in (await problem(forged))["detail"]
    expired = await client.get(
        "/v1/graphs/me",
        headers={"Authorization": f"Bearer {token(settings, 'u1', expires_in=-3600)}"},
    )
    assert expired.status == 401
    assert "expired" in (await problem(expired))["detail"]


async def test_a_fresh_user_sees_an_empty_graph(client, settings):
    response = await client.get("/v1/graphs/me", headers=auth(settings, "newcomer"))
    body = await response.json()
    assert response.status == 200
    assert (body["status"], body["nodes"]) == ("NOT_CREATED", [])


@pytest.mark.parametrize(
    ("name", "content_type", "expected"),
    [
        ("chatgpt_conversations.json", "application/json", 2),
        ("claude_conversations.json", "application/json", 2),
        ("conversations.jsonl", "application/x-ndjson", 2),
        ("notes.json", "application/json", 1),
        ("travel-plans.md", "text/markdown", 1),
    ],
)
async def test_each_format_imports_as_a_raw_body(client, settings, name, content_type, expected):
    data = (FIXTURES / name).read_bytes()
    response = await client.post(
        f"/v1/imports?filename={name}",
        data=data,
        headers={**auth(settings, "u1"), "Content-Type": content_type},
    )
    body = await response.json()
    assert response.status == 201, body
    assert body["new"] >= expected
    assert await _stored(settings, "u1") == body["new"]


async def test_export_zip_as_multipart_and_importing_twice_adds_nothing(client, settings):
    export = zip_bytes({"conversations.json": (SAMPLE / "conversations.json").read_bytes()})
    headers = auth(settings, "u1")

    async def upload():
        form = {"file": export}
        return await client.post("/v1/imports", data=form, headers=headers)

    first = await (await upload()).json()
    assert (first["new"], first["updated"]) == (60, 0)
    assert {"reason": "null message", "count": 60} in first["rejected"]
    again = await upload()
    assert again.status == 200
    assert (await again.json())["skipped"] == 60
    assert await _stored(settings, "u1") == 60


def _bomb() -> bytes:
    return zip_bytes({"conversations.json": b"[" + b" " * (50 * 1024 * 1024) + b"]"})


@pytest.mark.parametrize(
    ("name", "data", "status", "reason"),
    [
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, 422, "photo.png"),
        ("conversations.json", b'[{"title": "x", "mapping": ', 422, "not valid JSON"),
        ("export.zip", zip_bytes({"../../etc/passwd": b"x"}), 422, "export.zip"),
        ("export.zip", _bomb(), 422, "export.zip"),
        ("conversations.json", b"", 422, "empty"),
    ],
)
async def test_bad_uploads_get_a_clear_error_and_store_nothing(
    client, settings, name, data, status, reason
):
    response = await client.post(
        f"/v1/imports?filename={name}",
        data=data,
        headers={**auth(settings, "u1"), "Content-Type": "application/octet-stream"},
    )
    assert response.status == status
    assert reason in (await problem(response))["detail"]
    assert await _stored(settings, "u1") == 0


async def test_an_upload_over_the_limit_is_refused_with_413(settings):
    small = dataclasses.replace(settings, max_upload_bytes=1024)
    async with api_client(small) as client:
        response = await client.post(
            "/v1/imports?filename=conversations.json",
            data=(SAMPLE / "conversations.json").read_bytes(),
            headers=auth(settings, "u1"),
        )
        assert response.status == 413
        assert "limit" in (await problem(response))["detail"]
    assert await _stored(settings, "u1") == 0


async def test_one_conversation_too_large_to_store_refuses_the_import_naming_it(client, settings):
    conversations = [
        {"id": f"c{i}", "title": f"Chat {i}", "messages": [{"role": "user", "content": "hi"}]}
        for i in range(3)
    ]
    conversations[1]["title"] = "The enormous one"
    conversations[1]["messages"][0]["content"] = "word " * (MAX_ITEM_BYTES // 5 + 10)
    response = await client.post(
        "/v1/imports?filename=chats.json",
        data=orjson.dumps(conversations),
        headers={**auth(settings, "u1"), "Content-Type": "application/json"},
    )
    assert response.status == 413
    assert "The enormous one" in (await problem(response))["detail"]
    assert await _stored(settings, "u1") == 0


async def test_devices_register_and_remove(client, settings):
    headers = auth(settings, "u1")
    assert (
        await client.post(
            "/v1/devices", json={"token": "fcm-1", "platform": "ios"}, headers=headers
        )
    ).status == 201
    bad = await client.post("/v1/devices", json={"token": ""}, headers=headers)
    assert bad.status == 422
    removed = await client.delete("/v1/devices", json={"token": "fcm-1"}, headers=headers)
    assert (await removed.json()) == {"removed": 1}


async def test_the_same_note_uploaded_three_times_is_stored_once(client, settings):
    note = b"# Hydration\n\nRaising hydration to 78% opened the crumb.\n"
    answers = []
    for _ in range(3):
        response = await client.post(
            "/v1/imports?filename=bread.md",
            data=note,
            headers={**auth(settings, "u1"), "Content-Type": "text/markdown"},
        )
        answers.append((await response.json())["new"])
    assert answers == [1, 0, 0]  # its id came from the random temporary folder
    assert await _stored(settings, "u1") == 1


async def test_adding_nodes_before_there_is_a_graph_is_refused_and_stores_nothing(client, settings):
    response = await client.post(
        "/v1/graphs/me/nodes?filename=more.md",
        data=b"# A note\n\nabout bread\n",
        headers={**auth(settings, "u1"), "Content-Type": "text/markdown"},
    )
    assert response.status == 409
    assert "generate it first" in (await problem(response))["detail"]
    assert await _stored(settings, "u1") == 0  # it used to keep the refused upload


async def test_device_tokens_must_look_like_tokens_and_a_user_keeps_at_most_the_newest(
    client, settings
):
    headers = auth(settings, "u1")
    bad = await client.post("/v1/devices", json={"token": "<script>x</script>"}, headers=headers)
    assert bad.status == 422
    for number in range(MAX_DEVICES_PER_USER + 5):
        answer = await client.post("/v1/devices", json={"token": f"tok-{number}"}, headers=headers)
        assert answer.status == 201
    async with DocumentDatabase(settings) as database:
        tokens = await DeviceStore(database).tokens("u1")
    assert len(tokens) == MAX_DEVICES_PER_USER
    assert f"tok-{MAX_DEVICES_PER_USER + 4}" in tokens  # the newest stays
    assert "tok-0" not in tokens  # the longest unseen went


async def test_form_fields_count_against_the_upload_limit(settings):
    small = dataclasses.replace(settings, max_upload_bytes=64 * 1024)
    form = aiohttp.FormData()
    form.add_field("comment", "x" * (128 * 1024))  # not a file, and over the limit
    form.add_field("file", b"[]", filename="conversations.json")
    async with api_client(small) as client:
        response = await client.post("/v1/imports", data=form, headers=auth(settings, "u1"))
        assert response.status == 413
