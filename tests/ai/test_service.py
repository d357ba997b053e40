"""The AI service end to end on LocalStack: request -> three files in S3 -> one result
message (with progress before it); a bad bundle -> one FAILED result with its reason."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import orjson
import pytest
from aiohttp.test_utils import TestClient, TestServer

from graphnode.adapters.s3 import ObjectStore
from graphnode.adapters.sqs import QueueClient
from graphnode.ai.service.app import create_app
from graphnode.contracts import GraphGenerationRequest, Message, parse_graph, parse_message
from tests.support.waiting import wait_until

pytestmark = pytest.mark.usefixtures("aws")

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "chatgpt-export"


@pytest.fixture
async def ai(settings):
    ai_settings = dataclasses.replace(settings, llm_backend="keywords", ai_wait_seconds=1)
    async with TestClient(TestServer(create_app(ai_settings))) as client:
        yield client, ai_settings


async def _upload_bundle(settings, task_id, files):
    async with ObjectStore(settings) as store:
        for name, data in files.items():
            await store.put_bytes(f"graph-generation/{task_id}/{name}", data)


async def _results(settings, found):
    async with QueueClient(settings) as sqs:
        for received in await sqs.receive(settings.result_queue, wait_seconds=1):
            found.append(parse_message(received.body))
            await sqs.delete_batch(settings.result_queue, [received.receipt_handle])
    return any(m.task_type.value.endswith("RESULT") for m in found)


def _request(task_id, user="u1"):
    payload = GraphGenerationRequest(user_id=user, s3_key=f"graph-generation/{task_id}/")
    return Message(task_id=task_id, payload=payload).to_json()


async def test_request_from_the_queue_ends_as_files_and_one_result(ai):
    _, settings = ai
    await _upload_bundle(
        settings,
        "t1",
        {
            "input.json": (SAMPLE / "conversations.json").read_bytes(),
            "notes.json": (SAMPLE / "notes.json").read_bytes(),
        },
    )
    async with QueueClient(settings) as sqs:
        await sqs.send(settings.request_queue, _request("t1"))
    messages = []
    await wait_until(lambda: _results(settings, messages), within=120, what="result message")
    results = [m for m in messages if m.task_type.value == "GRAPH_GENERATION_RESULT"]
    progress = [m for m in messages if m.task_type.value == "GRAPH_GENERATION_PROGRESS"]
    [result] = results
    assert result.payload.status.value == "COMPLETED"
    assert result.payload.result_s3_key == "graphs/u1/t1/graph.json"
    assert progress
    assert progress[0].payload.current_stage == "Cleaning text"
    async with ObjectStore(settings) as store:
        graph = parse_graph(await store.get_bytes(result.payload.result_s3_key))
        assert await store.exists(result.payload.features_s3_key)
        assert await store.exists(result.payload.summary_s3_key)
    assert len(graph.nodes) == 66


async def test_bad_bundle_ends_as_one_failed_result_with_reason(ai):
    _, settings = ai
    await _upload_bundle(settings, "bad", {"input.json": b'[{"title": "no mapping here"}]'})
    async with QueueClient(settings) as sqs:
        await sqs.send(settings.request_queue, _request("bad"))
    messages = []
    await wait_until(lambda: _results(settings, messages), within=60, what="failed result")
    [result] = [m for m in messages if m.task_type.value == "GRAPH_GENERATION_RESULT"]
    assert result.payload.status.value == "FAILED"
    assert result.payload.error_code == "BAD_BUNDLE"
    assert "mapping" in result.payload.error


async def test_http_generate_answers_202_and_the_result_follows(ai):
    client, settings = ai
    await _upload_bundle(
        settings, "t-http", {"input.json": (SAMPLE / "conversations.json").read_bytes()}
    )
    response = await client.post(
        "/v1/graphs/generate",
        json={"taskId": "t-http", "userId": "u2", "s3Key": "graph-generation/t-http/"},
    )
    assert response.status == 202
    assert await response.json() == {"taskId": "t-http", "status": "PENDING"}
    bad = await client.post("/v1/graphs/generate", json={"userId": "u2", "s3Key": "x"})
    assert bad.status == 422
    assert "ending with '/'" in (await bad.json())["error"]
    messages = []
    await wait_until(lambda: _results(settings, messages), within=120, what="result")
    [result] = [m for m in messages if m.task_type.value == "GRAPH_GENERATION_RESULT"]
    assert result.payload.status.value == "COMPLETED"
    assert result.payload.user_id == "u2"


async def test_embed_and_health(ai):
    client, _ = ai
    response = await client.post("/v1/embed", json={"texts": ["sourdough starter", "rust"]})
    body = await response.json()
    assert response.status == 200
    assert body["dimension"] == 384
    assert len(body["embeddings"]) == 2
    assert (await client.post("/v1/embed", json={"texts": []})).status == 422
    assert (await client.get("/healthz")).status == 200
    ready = await client.get("/readyz")
    assert (await ready.json())["ready"] is True
    assert orjson.loads(await (await client.get("/healthz")).read()) == {"status": "ok"}
