"""The whole system as users drive it: the three services as real processes on LocalStack,
the MongoDB-protocol server and Chroma; the worker killed mid-task and restarted."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import pytest

from graphnode.client.api_client import GraphNodeClient
from graphnode.local.processes import free_port
from graphnode.local.stack import service_process
from tests.support.api import token
from tests.support.waiting import wait_until
from tests.support.worker import FCM_PROJECT

pytestmark = pytest.mark.usefixtures("aws", "mongo", "chroma")

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "chatgpt-export"


@pytest.fixture
def stack_settings(settings, fcm_server):
    ai_port = free_port()
    return dataclasses.replace(
        settings,
        api_port=free_port(),
        ai_port=ai_port,
        worker_port=free_port(),
        ai_url=f"http://127.0.0.1:{ai_port}",
        llm_backend="keywords",
        fcm_endpoint=fcm_server.url,
        fcm_project_id=FCM_PROJECT,
        worker_visibility_timeout=5,
        worker_wait_seconds=1,
        ai_wait_seconds=1,
        worker_retry_base_seconds=0,
    )


async def test_import_generate_store_serve_and_push_once_with_a_worker_restart(
    stack_settings, fcm_server, tmp_path
):
    processes = {
        name: service_process(stack_settings, name, tmp_path) for name in ("ai", "worker", "api")
    }
    try:
        for process in processes.values():
            await asyncio.to_thread(process.start)
        api_url = f"http://127.0.0.1:{stack_settings.api_port}"
        async with GraphNodeClient(api_url, token(stack_settings, "carol")) as client:
            for name in ("conversations.json", "notes.json"):
                await client.import_file(SAMPLE / name)
            await client._json("POST", "/v1/devices", json={"token": "carol-tablet"})
            task_id = await client.generate()

            # The worker dies while the AI service works; a new one takes over.
            await wait_until(lambda: _running(client, task_id), within=60, what="progress")
            processes["worker"].process.kill()
            processes["worker"] = service_process(stack_settings, "worker", tmp_path / "again")
            await asyncio.to_thread(processes["worker"].start)

            task = await client.wait(task_id, lambda _: None)
            assert task["status"] == "COMPLETED", task
            graph = await client.graph()
            assert graph["stats"]["nodes"] == 66
            summary = await client.summary()
            assert summary is not None
            found = await client._json(
                "POST", "/v1/graphs/me/search", json={"query": "marathon training plan", "limit": 3}
            )
            assert len(found["results"]) == 3
        await wait_until(lambda: _pushed(fcm_server), within=30, what="the push")
        assert [p["token"] for p in fcm_server.delivered] == ["carol-tablet"]
        assert fcm_server.delivered[0]["data"]["taskId"] == task_id
    finally:
        for process in processes.values():
            process.stop()


async def _running(client, task_id):
    task = await client.task(task_id)
    return task["status"] in ("RUNNING", "COMPLETED")


async def _pushed(fcm_server):
    return bool(fcm_server.delivered)
