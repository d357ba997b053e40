"""Chroma stops in the middle of the worker's handlers and comes back: every result ends
applied whole (graph, vectors, one push), none half-applied, none dead-lettered. The
vectors are written before the graph switches, so a failure leaves nothing visible and the
redelivery completes every step."""

from __future__ import annotations

import dataclasses

import pytest

from graphnode.adapters.chroma import VectorCollection
from graphnode.adapters.mongo import DocumentDatabase
from graphnode.storage.device_store import DeviceStore
from graphnode.storage.graph_store import MongoGraphStore
from graphnode.storage.task_store import TaskStore
from tests.support.graphs import features_file, graph_file
from tests.support.waiting import wait_until
from tests.support.worker import put_result_files, running_worker, send, worker_settings

pytestmark = pytest.mark.usefixtures("aws", "mongo")

USERS = [f"outage{i}" for i in range(6)]
IDS = ["a", "b", "c"]


def _result(user: str) -> dict:
    return {
        "taskType": "GRAPH_GENERATION_RESULT",
        "taskId": f"{user}-t",
        "payload": {
            "userId": user,
            "status": "COMPLETED",
            "resultS3Key": f"graphs/{user}/t/graph.json",
            "featuresS3Key": f"graphs/{user}/t/features.json",
        },
    }


async def _all_completed(database) -> bool:
    tasks = TaskStore(database)
    states = [((await tasks.get(f"{user}-t")) or {}).get("status") for user in USERS]
    assert "FAILED" not in states, states
    return all(state == "COMPLETED" for state in states)


async def _handler_failed(worker) -> bool:
    return any(sample.value > 0 for sample in worker.metrics.failed.collect()[0].samples)


async def test_a_chroma_restart_mid_handler_loses_and_half_applies_nothing(
    settings, fcm_server, own_chroma
):
    chroma, url = own_chroma
    wsettings = worker_settings(
        dataclasses.replace(settings, chroma_url=url), fcm_server.url, worker_retry_base_seconds=1
    )
    files = {}
    for user in USERS:
        files[f"graphs/{user}/t/graph.json"] = graph_file(IDS)
        files[f"graphs/{user}/t/features.json"] = features_file(IDS)
    await put_result_files(wsettings, files)
    async with DocumentDatabase(wsettings) as database:
        for user in USERS:
            await DeviceStore(database).register(user, f"{user}-phone")
        async with running_worker(wsettings) as worker:
            chroma.stop()
            await send(wsettings, *(_result(user) for user in USERS))
            await wait_until(lambda: _handler_failed(worker), what="handlers failing")
            # Meanwhile nobody sees a graph without its vectors.
            for user in USERS:
                assert await MongoGraphStore(database).current_generation(user) is None
            chroma.start()
            await wait_until(lambda: _all_completed(database), within=90, what="all applied")
        async with VectorCollection(wsettings) as vectors:
            for user in USERS:
                assert sorted(m["orig_id"] for m in await vectors.metadatas(user)) == IDS
    pushed = sorted(p["data"]["taskId"] for p in fcm_server.delivered)
    assert pushed == sorted(f"{user}-t" for user in USERS)
