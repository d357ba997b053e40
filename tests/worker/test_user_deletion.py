"""DELETE /v1/me: every store is listed afterwards and holds nothing of the user, and
nothing of another user is missing; a redelivered deletion changes nothing more, and a late
result of a task that was running is discarded instead of bringing the graph back."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import pytest

from graphnode.adapters.chroma import VectorCollection
from graphnode.adapters.mongo import DocumentDatabase
from graphnode.adapters.s3 import ObjectStore
from graphnode.adapters.sqs import QueueClient
from graphnode.contracts import GraphFile
from graphnode.ingest.documents import Document, Section
from graphnode.storage.codec import epoch_ms, now_ms
from graphnode.storage.conversation_store import ConversationStore
from graphnode.storage.device_store import DeviceStore
from graphnode.storage.graph_documents import Generation
from graphnode.storage.graph_store import MongoGraphStore
from graphnode.storage.task_store import TaskStore
from graphnode.storage.user_data import UserDataEraser
from graphnode.storage.vector_store import ChromaVectorStore, NodeVector
from tests.support.api import api_client, auth
from tests.support.graphs import graph_file
from tests.support.waiting import wait_until
from tests.support.worker import put_result_files, running_worker, send, worker_settings

pytestmark = pytest.mark.usefixtures("aws", "mongo", "chroma")

GENERATED = datetime(2026, 11, 26, 10, tzinfo=UTC)


async def _a_user_with_everything(settings, database, user: str) -> None:
    await ConversationStore(database).save(
        user, [Document(f"{user}-c{i}", f"Chat {i}", (Section("user", "hi"),)) for i in range(3)]
    )
    graph = GraphFile.model_validate(graph_file([f"{user}-c{i}" for i in range(3)]))
    assert await MongoGraphStore(database).replace_graph(user, f"{user}-t1", graph, GENERATED)
    await DeviceStore(database).register(user, f"{user}-phone")
    await TaskStore(database).create(
        f"{user}-t1", user, "GRAPH_GENERATION_REQUEST", deadline_ms=now_ms() + 60_000
    )
    async with VectorCollection(settings) as collection:
        await ChromaVectorStore(collection).upsert(
            Generation(user, f"{user}-t1", epoch_ms(GENERATED)),
            [NodeVector(f"{user}-c0", [1.0, 0.0, 0.0], 0, "cluster_0")],
        )
    await put_result_files(
        settings,
        {
            f"graphs/{user}/{user}-t1/graph.json": graph_file([f"{user}-c0"]),
            f"graph-generation/{user}-t1/input.json": [],
        },
    )


async def _keys(settings, prefix: str) -> list[str]:
    async with ObjectStore(settings) as objects:
        return await objects.list_keys(prefix)


async def _completed(database, task_id: str) -> dict | None:
    task = await TaskStore(database).get(task_id)
    return task if task and task["status"] == "COMPLETED" else None


async def test_deleting_a_user_leaves_nothing_of_them_and_everything_of_others(settings):
    wsettings = worker_settings(settings)
    async with DocumentDatabase(settings) as database:
        for user in ("erin", "olga"):
            await _a_user_with_everything(settings, database, user)
        async with running_worker(wsettings), api_client(settings) as client:
            answer = await client.delete("/v1/me", headers=auth(settings, "erin"))
            assert answer.status == 202
            task_id = (await answer.json())["taskId"]
            again = await client.delete("/v1/me", headers=auth(settings, "erin"))
            assert (await again.json())["taskId"] == task_id  # one deletion at a time
            await wait_until(lambda: _completed(database, task_id), what="the deletion")
            status = await client.get(f"/v1/tasks/{task_id}", headers=auth(settings, "erin"))
            assert (await status.json())["status"] == "COMPLETED"

            # Redelivered, and a late result of erin's running task: nothing comes back.
            deletion = {
                "taskType": "USER_DELETION_REQUEST",
                "taskId": task_id,
                "payload": {"userId": "erin"},
            }
            late_key = "graphs/erin/erin-late/graph.json"
            await put_result_files(wsettings, {late_key: graph_file(["erin-c0"])})
            late = {
                "taskType": "GRAPH_GENERATION_RESULT",
                "taskId": "erin-late",
                "payload": {"userId": "erin", "status": "COMPLETED", "resultS3Key": late_key},
            }
            await send(wsettings, orjson.dumps(deletion), late)
            await wait_until(lambda: _queue_quiet(wsettings), what="both handled")
        eraser = UserDataEraser(database)
        assert await eraser.remaining("erin") == {"tasks": 1}  # the deletion's own record
        assert (await MongoGraphStore(database).stats("erin")) is None
        assert await eraser.remaining("olga") == {
            "graph_nodes": 3,
            "graph_edges": 2,
            "graph_clusters": 2,
            "graph_subclusters": 2,
            "graph_stats": 1,
            "tasks": 1,
            "device_tokens": 1,
            "conversations": 3,
        }
    assert (
        await _keys(settings, "graphs/erin/") == [late_key]
        or await _keys(settings, "graphs/erin/") == []
    )
    assert await _keys(settings, "graph-generation/erin-t1/") == []
    assert await _keys(settings, "graphs/olga/") != []
    async with VectorCollection(settings) as collection:
        assert await collection.ids("erin") == []
        assert await collection.ids("olga") != []


async def _queue_quiet(wsettings) -> bool:
    async with QueueClient(wsettings) as sqs:
        return await sqs.approximate_depth(wsettings.result_queue) == 0
