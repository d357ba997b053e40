"""Two results for one user at once, handled by two worker processes at the same moment: the
newer graph wins every time, whole (its nodes, edges and vectors, nothing of the older), and
the user's graph-ready push comes from the winner. Twenty users race at once."""

from __future__ import annotations

import asyncio
import dataclasses
import random

import pytest

from graphnode.adapters.chroma import VectorCollection
from graphnode.adapters.mongo import Collections, DocumentDatabase
from graphnode.local.processes import free_port
from graphnode.local.stack import service_process
from graphnode.storage.device_store import DeviceStore
from graphnode.storage.graph_store import MongoGraphStore
from graphnode.storage.task_store import TaskStore
from tests.support.graphs import features_file, graph_file
from tests.support.waiting import wait_until
from tests.support.worker import put_result_files, send, worker_settings

pytestmark = pytest.mark.usefixtures("aws", "mongo", "chroma")

ROUNDS = 20
OLD_IDS = [f"old{i}" for i in range(6)]
NEW_IDS = [f"new{i}" for i in range(4)]


def _result(user: str, folder: str) -> dict:
    return {
        "taskType": "GRAPH_GENERATION_RESULT",
        "taskId": f"{user}-{folder}",
        "payload": {
            "userId": user,
            "status": "COMPLETED",
            "resultS3Key": f"graphs/{user}/{folder}/graph.json",
            "featuresS3Key": f"graphs/{user}/{folder}/features.json",
        },
    }


async def _files(wsettings, user: str) -> None:
    files = {}
    for task, ids, stamp in (
        ("old", OLD_IDS, "2026-11-26T10:00:00Z"),
        ("new", NEW_IDS, "2026-11-26T11:00:00Z"),
    ):
        files[f"graphs/{user}/{task}/graph.json"] = graph_file(ids, generated_at=stamp)
        files[f"graphs/{user}/{task}/features.json"] = features_file(ids)
    await put_result_files(wsettings, files)


async def _all_done(database, users) -> bool:
    tasks = TaskStore(database)
    for user in users:
        for task in ("old", "new"):
            found = await tasks.get(f"{user}-{task}")
            if not found or found["status"] != "COMPLETED":
                return False
    return True


async def test_the_newer_of_two_simultaneous_results_wins_whole_every_time(
    settings, fcm_server, tmp_path
):
    wsettings = worker_settings(settings, fcm_server.url)
    users = [f"racer{i}" for i in range(ROUNDS)]
    async with DocumentDatabase(wsettings) as database:
        for user in users:
            await DeviceStore(database).register(user, f"{user}-phone")
            await _files(wsettings, user)
        messages = [_result(user, folder) for user in users for folder in ("old", "new")]
        random.Random(7).shuffle(messages)
        workers = [
            service_process(
                dataclasses.replace(wsettings, worker_port=free_port()), "worker", tmp_path / str(i)
            )
            for i in range(2)
        ]
        try:
            for worker in workers:
                await asyncio.to_thread(worker.start)
            await send(wsettings, *messages)
            await wait_until(lambda: _all_done(database, users), within=120, what="all results")
        finally:
            for worker in workers:
                worker.stop()
        await _check_every_user(database, wsettings, users, fcm_server)


async def _check_every_user(database, wsettings, users, fcm_server) -> None:
    graphs = MongoGraphStore(database)
    nodes = database.collection(Collections.NODES)
    edges = database.collection(Collections.EDGES)
    async with VectorCollection(wsettings) as vectors:
        for user in users:
            stats = await graphs.stats(user)
            assert stats.generation == f"{user}-new", user
            assert (stats.nodes, stats.edges) == (len(NEW_IDS), len(NEW_IDS) - 1)
            stored = sorted([d["orig_id"] async for d in nodes.find({"user_id": user})])
            assert stored == sorted(NEW_IDS), user
            assert await edges.count_documents({"user_id": user}) == len(NEW_IDS) - 1
            metadata = await vectors.metadatas(user)
            assert sorted(m["orig_id"] for m in metadata) == sorted(NEW_IDS), user
            pushed = [
                p["data"]["taskId"] for p in fcm_server.delivered if p["token"] == f"{user}-phone"
            ]
            assert f"{user}-new" in pushed, user
            assert len(pushed) == len(set(pushed)), user  # never twice for one task
