"""Every task ends, with the worker as its own process (``python -m graphnode.worker``): a
poisoned result fails its task, frees the user's graph and pushes once; a task nobody reports
on fails at its deadline."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from graphnode.adapters.mongo import DocumentDatabase
from graphnode.local.processes import free_port
from graphnode.local.stack import service_process
from graphnode.storage.codec import now_ms
from graphnode.storage.device_store import DeviceStore
from graphnode.storage.graph_status import GraphStatus
from graphnode.storage.graph_store import MongoGraphStore
from graphnode.storage.task_store import TaskStore
from tests.support.waiting import wait_until
from tests.support.worker import FCM_PROJECT, put_result_files, send

pytestmark = pytest.mark.usefixtures("aws", "mongo", "chroma")

USER = "frank"


@pytest.fixture
def worker_process_settings(settings, fcm_server):
    return dataclasses.replace(
        settings,
        worker_port=free_port(),
        worker_wait_seconds=1,
        worker_retry_base_seconds=0,
        task_sweep_seconds=0.5,
        fcm_endpoint=fcm_server.url,
        fcm_project_id=FCM_PROJECT,
    )


async def _claimed(database, task_id: str, deadline_ms: int) -> None:
    assert await MongoGraphStore(database).claim_for(USER, GraphStatus.CREATING, task_id)
    await TaskStore(database).create(
        task_id, USER, "GRAPH_GENERATION_REQUEST", deadline_ms=deadline_ms
    )


async def _failed(database, task_id: str) -> dict | None:
    task = await TaskStore(database).get(task_id)
    return task if task and task["status"] == "FAILED" else None


async def _freed(database) -> bool:
    """The task that failed no longer holds the user's graph (this follows the FAILED)."""
    stats = await MongoGraphStore(database).stats(USER)
    return (
        stats is not None and stats.running_task is None and stats.status is GraphStatus.NOT_CREATED
    )


async def _pushed(fcm_server, count: int) -> bool:
    return len(fcm_server.delivered) >= count


async def test_poisoned_and_stuck_tasks_end_failed_with_the_worker_as_a_process(
    worker_process_settings, fcm_server, tmp_path
):
    wsettings = worker_process_settings
    async with DocumentDatabase(wsettings) as database:
        await DeviceStore(database).register(USER, "frank-phone")
        await _claimed(database, "t-poison", now_ms() + 3_600_000)
        key = "graphs/frank/t-poison/graph.json"
        await put_result_files(wsettings, {key: {"nodes": "not a list"}})
        poisoned = {
            "taskType": "GRAPH_GENERATION_RESULT",
            "taskId": "t-poison",
            "payload": {"userId": USER, "status": "COMPLETED", "resultS3Key": key},
        }
        worker = service_process(wsettings, "worker", tmp_path)
        await asyncio.to_thread(worker.start)
        try:
            await send(wsettings, poisoned, poisoned)
            poison = await wait_until(lambda: _failed(database, "t-poison"), what="poison FAILED")
            assert poison["error_code"] == "DEAD_LETTERED"
            await wait_until(lambda: _freed(database), what="the graph freed after the poison")

            await _claimed(database, "t-stuck", now_ms() + 1_000)
            stuck = await wait_until(lambda: _failed(database, "t-stuck"), what="stuck FAILED")
            assert stuck["error_code"] == "DEADLINE_EXCEEDED"
            await wait_until(lambda: _freed(database), what="the graph freed after the deadline")
            await wait_until(lambda: _pushed(fcm_server, 2), what="both pushes")
        finally:
            worker.stop()
    pushed = [p["data"]["taskId"] for p in fcm_server.delivered]
    assert sorted(pushed) == ["t-poison", "t-stuck"]  # one each, though poison came twice
