"""A user's second run, as processes: the services and the MongoDB-protocol server stop and
start again on the same data, then the user regenerates (twice), asks for a new summary and
adds conversations. Each task must end COMPLETED and free the graph's status; before the
codec, the first regeneration after a restart was dead-lettered and locked the user out."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import orjson
import pytest

from graphnode.client.api_client import GraphNodeClient
from graphnode.local.processes import ServerProcess, free_port
from graphnode.local.stack import service_process
from tests.support.api import token

pytestmark = [pytest.mark.usefixtures("aws", "chroma"), pytest.mark.slow]

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "chatgpt-export"
SERVICES = ("ai", "worker", "api")


@pytest.fixture
def stack_settings(settings, own_mongo):
    ai_port = free_port()
    return dataclasses.replace(
        settings,
        mongo_uri=own_mongo[1],
        api_port=free_port(),
        ai_port=ai_port,
        worker_port=free_port(),
        ai_url=f"http://127.0.0.1:{ai_port}",
        llm_backend="keywords",
        worker_visibility_timeout=10,
        worker_wait_seconds=1,
        ai_wait_seconds=1,
        worker_retry_base_seconds=0,
        generate_per_hour=20,
    )


async def _start(settings, folder: Path) -> list[ServerProcess]:
    started = []
    for name in SERVICES:
        process = service_process(settings, name, folder)
        await asyncio.to_thread(process.start)
        started.append(process)
    return started


def _stop(processes: list[ServerProcess]) -> None:
    for process in reversed(processes):
        process.stop()


async def _completed(client: GraphNodeClient, task_id: str) -> dict:
    task = await client.wait(task_id, lambda _: None)
    assert task["status"] == "COMPLETED", task
    return task


def _notes(path: Path) -> Path:
    path.write_bytes(
        orjson.dumps(
            {
                "source_nodes": [
                    {
                        "id": "note-sourdough-hydration",
                        "title": "Sourdough hydration notes",
                        "source_type": "markdown",
                        "sections": [
                            {
                                "id": "s1",
                                "content": "Raising hydration to 78% made the sourdough crumb "
                                "more open; the starter peaks six hours after feeding.",
                            }
                        ],
                    }
                ]
            }
        )
    )
    return path


async def test_restart_then_regenerate_twice_summarise_and_add(stack_settings, own_mongo, tmp_path):
    mongo, _ = own_mongo
    user = token(stack_settings, "erin")
    api_url = f"http://127.0.0.1:{stack_settings.api_port}"
    processes = await _start(stack_settings, tmp_path / "first")
    try:
        async with GraphNodeClient(api_url, user) as client:
            await client.import_file(SAMPLE / "conversations.json")
            await _completed(client, await client.generate())
    finally:
        _stop(processes)

    mongo.stop()
    mongo.start()  # the same data directory: stored dates now come back as text
    processes = await _start(stack_settings, tmp_path / "second")
    try:
        async with GraphNodeClient(api_url, user) as client:
            for _ in range(2):
                await _completed(client, await client.generate())
                assert (await client.graph())["status"] == "CREATED"
            summary = await client._json("POST", "/v1/graphs/me/summary", json={})
            await _completed(client, summary["taskId"])
            notes = _notes(tmp_path / "notes.json")
            with notes.open("rb") as body:
                added = await client._json(
                    "POST",
                    "/v1/graphs/me/nodes?filename=notes.json",
                    data=body,
                    headers={"Content-Type": "application/json"},
                )
            await _completed(client, added["taskId"])
            graph = await client.graph()
            assert graph["status"] == "UPDATED"
            assert graph["runningTaskId"] is None
            assert "note-sourdough-hydration" in {n["origId"] for n in graph["nodes"]}
    finally:
        _stop(processes)
