"""The worker end to end on real servers: result messages become stored graphs, vectors
and pushes; redeliveries, stale results and forged keys change nothing."""

from __future__ import annotations

import pytest

from graphnode.adapters.chroma import VectorCollection
from graphnode.adapters.mongo import Collections, DocumentDatabase
from graphnode.adapters.s3 import ObjectStore
from graphnode.adapters.sqs import QueueClient
from graphnode.storage.codec import now_ms
from graphnode.storage.device_store import DeviceStore
from graphnode.storage.graph_status import GraphStatus
from graphnode.storage.graph_store import MongoGraphStore
from graphnode.storage.task_store import TaskStore
from tests.support.graphs import features_file, graph_file, summary_file
from tests.support.waiting import wait_until
from tests.support.worker import (
    archived_dead_letters,
    drain,
    put_result_files,
    running_worker,
    send,
    worker_settings,
)

pytestmark = pytest.mark.usefixtures("aws", "mongo", "chroma")

SEED_EXAMPLE = b"""{"taskType": "GRAPH_GENERATION_RESULT", "taskId": "task_12345",
 "payload": {"userId": "user_abc", "status": "COMPLETED",
  "resultS3Key": "graphs/user_abc/task_12345/output.json",
  "featuresS3Key": "graphs/user_abc/task_12345/features.json"}}"""
SEED_IDS = ["conv-1", "conv-2", "conv-3", "conv-4", "conv-5"]


@pytest.fixture
def wsettings(settings, fcm_server):
    return worker_settings(settings, fcm_server.url)


@pytest.fixture
async def mongo_db(wsettings):
    async with DocumentDatabase(wsettings) as database:
        await DeviceStore(database).register("user_abc", "phone-token", "android")
        yield database


async def _task(database, task_id):
    return await TaskStore(database).get(task_id)


async def _completed(database, task_id):
    task = await _task(database, task_id)
    return task if task and task["status"] in ("COMPLETED", "FAILED") else None


async def _store_seed_files(wsettings, generated_at="2026-11-26T10:00:00Z"):
    await put_result_files(
        wsettings,
        {
            "graphs/user_abc/task_12345/output.json": graph_file(
                SEED_IDS, generated_at=generated_at
            ),
            "graphs/user_abc/task_12345/features.json": features_file(SEED_IDS),
        },
    )


async def test_seed_example_ends_as_graph_vectors_and_one_push(wsettings, mongo_db, fcm_server):
    await _store_seed_files(wsettings)
    async with running_worker(wsettings):
        await send(wsettings, SEED_EXAMPLE)
        await wait_until(lambda: _completed(mongo_db, "task_12345"), what="task completed")

    nodes = mongo_db.collection(Collections.NODES)
    assert await nodes.count_documents({"user_id": "user_abc"}) == 5
    stats = await MongoGraphStore(mongo_db).stats("user_abc")
    assert stats.status is GraphStatus.CREATED
    async with VectorCollection(wsettings) as vectors:
        # Ids name the user, the generation and the item, each escaped: none can collide.
        assert sorted(await vectors.ids("user_abc")) == [
            f"user_abc:task_12345:{i}" for i in SEED_IDS
        ]
        record = (await vectors.get("user_abc", ["user_abc:task_12345:conv-1"]))[
            "user_abc:task_12345:conv-1"
        ]
        assert record.metadata["cluster_id"] == "cluster_0"
        assert record.metadata["orig_id"] == "conv-1"
    [push] = fcm_server.delivered
    assert push["token"] == "phone-token"
    assert push["data"]["taskId"] == "task_12345"
    assert "5 nodes" in push["notification"]["body"]


async def test_redelivered_result_changes_nothing_and_pushes_once(wsettings, mongo_db, fcm_server):
    await _store_seed_files(wsettings)
    async with running_worker(wsettings):
        await send(wsettings, SEED_EXAMPLE, SEED_EXAMPLE, SEED_EXAMPLE)
        await wait_until(lambda: _completed(mongo_db, "task_12345"), what="task completed")
        await wait_until(lambda: _queue_empty(wsettings), what="all copies handled")
    assert await mongo_db.collection(Collections.NODES).count_documents({}) == 5
    assert await mongo_db.collection(Collections.EDGES).count_documents({}) == 4
    async with VectorCollection(wsettings) as vectors:
        assert await vectors.count() == 5
    assert len(fcm_server.delivered) == 1
    # The copies that came after the first had applied it found its files deleted: they
    # were acknowledged as done, not dead-lettered.
    assert await archived_dead_letters(wsettings) == []
    assert await _seed_files_left(wsettings) == []


async def _seed_files_left(wsettings):
    async with ObjectStore(wsettings) as store:
        return await store.list_keys("graphs/user_abc/task_12345/")


async def test_result_files_are_deleted_once_stored_and_a_later_copy_is_done(
    wsettings, mongo_db, fcm_server
):
    """A result's files are copies of the user's data: gone once stored. A second result
    for the completed task (a copy of the message, or the AI service running the request
    again and writing its files anew) changes nothing and leaves nothing, and a result
    whose files are missing for a task that never completed is still poison."""
    await _store_seed_files(wsettings)
    missing = _result("t-never-written", "user_abc")
    async with running_worker(wsettings):
        await send(wsettings, SEED_EXAMPLE)
        await wait_until(lambda: _completed(mongo_db, "task_12345"), what="task completed")
        await wait_until(lambda: _no_seed_files(wsettings), what="result files deleted")
        rerun = graph_file([*SEED_IDS, "conv-6"], generated_at="2026-11-26T11:00:00Z")
        await put_result_files(wsettings, {"graphs/user_abc/task_12345/output.json": rerun})
        await send(wsettings, SEED_EXAMPLE, missing)
        await wait_until(lambda: archived_dead_letters(wsettings), what="the poison archived")
        await wait_until(lambda: _queue_empty(wsettings), what="the late copy handled")
        await wait_until(lambda: _no_seed_files(wsettings), what="the rerun's files deleted")
    assert (await _task(mongo_db, "task_12345"))["status"] == "COMPLETED"
    [letter] = await archived_dead_letters(wsettings)
    assert "'graphs/user_abc/t-never-written/graph.json' does not exist" in letter["reason"]
    assert await mongo_db.collection(Collections.NODES).count_documents({}) == 5
    [push] = fcm_server.delivered
    assert push["data"]["taskId"] == "task_12345"


async def _no_seed_files(wsettings):
    return await _seed_files_left(wsettings) == []


async def _queue_empty(wsettings):
    async with QueueClient(wsettings) as sqs:
        return await sqs.approximate_depth(wsettings.result_queue) == 0


def _result(task_id, user, key_task=None, **extra):
    key_task = key_task or task_id
    return {
        "taskType": "GRAPH_GENERATION_RESULT",
        "taskId": task_id,
        "payload": {
            "userId": user,
            "status": "COMPLETED",
            "resultS3Key": f"graphs/{user}/{key_task}/graph.json",
            **extra,
        },
    }


async def test_stale_result_does_not_overwrite_a_newer_graph(wsettings, mongo_db):
    await put_result_files(
        wsettings,
        {
            "graphs/u1/new/graph.json": graph_file(
                ["n1", "n2"], generated_at="2026-11-26T12:00:00Z"
            ),
            "graphs/u1/old/graph.json": graph_file(
                ["o1", "o2", "o3"], generated_at="2026-11-20T12:00:00Z"
            ),
        },
    )
    async with running_worker(wsettings):
        await send(wsettings, _result("new", "u1"))
        await wait_until(lambda: _completed(mongo_db, "new"), what="newer graph")
        await send(wsettings, _result("old", "u1"))
        await wait_until(lambda: _completed(mongo_db, "old"), what="stale result handled")
    nodes = mongo_db.collection(Collections.NODES)
    assert sorted([d["orig_id"] async for d in nodes.find({"user_id": "u1"})]) == ["n1", "n2"]
    assert (await _task(mongo_db, "old"))["superseded"] is True


def _progress(task_id, percent, stage):
    return {
        "taskType": "GRAPH_GENERATION_PROGRESS",
        "taskId": task_id,
        "payload": {
            "userId": "u1",
            "currentStage": stage,
            "progressPercent": percent,
            "etaSeconds": 30,
        },
    }


async def test_progress_never_moves_backwards(wsettings, mongo_db, fcm_server):
    await TaskStore(mongo_db).create(
        "t-progress", "u1", "GRAPH_GENERATION_REQUEST", deadline_ms=now_ms() + 60_000
    )
    async with running_worker(wsettings):
        await send(wsettings, _progress("t-progress", 60, "Naming clusters"))
        await wait_until(lambda: _stage(mongo_db, "Naming clusters"), what="60%")
        await send(wsettings, _progress("t-progress", 30, "Embedding"))
        await wait_until(lambda: _queue_empty(wsettings), what="late progress handled")
    task = await _task(mongo_db, "t-progress")
    assert (task["progress_percent"], task["stage"]) == (60, "Naming clusters")
    assert fcm_server.delivered == []


async def _stage(database, stage):
    task = await _task(database, "t-progress")
    return task and task.get("stage") == stage


async def test_forged_key_goes_to_the_dlq_with_reason_and_others_go_on(wsettings, mongo_db, aws):
    """Poison goes to the DLQ with its reason; the worker's dead-letter drain then archives
    each one in MongoDB (nothing lost) and takes it off the DLQ."""
    await put_result_files(
        wsettings,
        {
            "graphs/victim/t/graph.json": graph_file(["secret"]),
            "graphs/u1/ok/graph.json": graph_file(["mine"]),
        },
    )
    forged = _result("forged", "u1")
    forged["payload"]["resultS3Key"] = "graphs/victim/t/graph.json"
    letters = mongo_db.collection(Collections.DEAD_LETTERS)
    async with running_worker(wsettings):
        await send(wsettings, forged, b"{not json", _result("ok", "u1"))
        await wait_until(lambda: _completed(mongo_db, "ok"), what="good message handled")

        async def two_archived() -> bool:
            return await letters.count_documents({}) >= 2

        await wait_until(two_archived, what="two dead letters archived")
    reasons = sorted([d["reason"] async for d in letters.find({})])
    assert "not valid JSON" in reasons[0]
    assert "'graphs/victim/t/graph.json' is not under 'graphs/u1/'" in reasons[1]
    assert await drain(wsettings, aws.result_dlq_url) == []  # taken off once archived
    assert await mongo_db.collection(Collections.NODES).count_documents({"user_id": "u1"}) == 1
    assert await mongo_db.collection(Collections.NODES).count_documents({"orig_id": "secret"}) == 0


async def test_failed_generation_restores_status_and_pushes_failure(
    wsettings, mongo_db, fcm_server
):
    graphs = MongoGraphStore(mongo_db)
    await graphs.mark_in_progress("user_abc", GraphStatus.CREATING)
    failed = {
        "taskType": "GRAPH_GENERATION_RESULT",
        "taskId": "t-fail",
        "payload": {
            "userId": "user_abc",
            "status": "FAILED",
            "error": "no conversations in the bundle",
            "errorCode": "EMPTY_INPUT",
        },
    }
    async with running_worker(wsettings):
        await send(wsettings, failed)
        await wait_until(lambda: _completed(mongo_db, "t-fail"), what="failure recorded")
    task = await _task(mongo_db, "t-fail")
    assert (task["status"], task["error_code"]) == ("FAILED", "EMPTY_INPUT")
    assert (await graphs.stats("user_abc")).status is GraphStatus.NOT_CREATED
    [push] = fcm_server.delivered
    assert push["data"]["type"] == "GRAPH_GENERATION_FAILED"


async def test_summary_result_is_stored_and_pushed(wsettings, mongo_db, fcm_server):
    await put_result_files(wsettings, {"graphs/user_abc/s1/summary.json": summary_file()})
    message = {
        "taskType": "GRAPH_SUMMARY_RESULT",
        "taskId": "s1",
        "payload": {
            "userId": "user_abc",
            "status": "COMPLETED",
            "summaryS3Key": "graphs/user_abc/s1/summary.json",
        },
    }
    async with running_worker(wsettings):
        await send(wsettings, message)
        await wait_until(lambda: _completed(mongo_db, "s1"), what="summary stored")
    summary = await MongoGraphStore(mongo_db).summary("user_abc")
    assert summary["overview"]["primary_interests"] == ["Topic 0", "Topic 1"]
    assert [p["data"]["type"] for p in fcm_server.delivered] == ["GRAPH_SUMMARY_COMPLETED"]


async def test_add_node_result_merges_nodes_and_vectors(wsettings, mongo_db):
    base = graph_file(["a", "b"])
    added = graph_file(["c"], first_id=2)
    added["nodes"][0]["embedding"] = [0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    await put_result_files(
        wsettings,
        {
            "graphs/u1/base/graph.json": base,
            "graphs/u1/add/graph.json": added,
        },
    )
    add = {
        "taskType": "ADD_NODE_RESULT",
        "taskId": "add",
        "payload": {
            "userId": "u1",
            "status": "COMPLETED",
            "resultS3Key": "graphs/u1/add/graph.json",
        },
    }
    async with running_worker(wsettings):
        await send(wsettings, _result("base", "u1"))
        await wait_until(lambda: _completed(mongo_db, "base"), what="base graph")
        await send(wsettings, add)
        await wait_until(lambda: _completed(mongo_db, "add"), what="nodes added")
    nodes = mongo_db.collection(Collections.NODES)
    assert sorted([d["orig_id"] async for d in nodes.find({"user_id": "u1"})]) == ["a", "b", "c"]
    assert (await MongoGraphStore(mongo_db).stats("u1")).status is GraphStatus.UPDATED
    async with VectorCollection(wsettings) as vectors:
        assert await vectors.ids("u1") == ["u1:base:c"]  # in the current generation


async def test_a_result_from_another_embedding_model_is_dead_lettered_saying_why(
    wsettings, mongo_db
):
    """The embedding model changed (8 numbers per vector, then 16): the second result's
    vectors are refused, its message goes to the DLQ with the reason, and the graph stays
    the one whose vectors the collection holds."""
    await put_result_files(
        wsettings,
        {
            "graphs/u1/old/graph.json": graph_file(["a", "b"], generated_at="2026-11-26T10:00:00Z"),
            "graphs/u1/old/features.json": features_file(["a", "b"]),
            "graphs/u1/new/graph.json": graph_file(
                ["a", "b", "c"], generated_at="2026-11-27T10:00:00Z"
            ),
            "graphs/u1/new/features.json": features_file(["a", "b", "c"], dimension=16),
        },
    )
    features = {"featuresS3Key": "graphs/u1/{}/features.json"}
    old = _result("old", "u1", featuresS3Key=features["featuresS3Key"].format("old"))
    new = _result("new", "u1", featuresS3Key=features["featuresS3Key"].format("new"))
    letters = mongo_db.collection(Collections.DEAD_LETTERS)
    async with running_worker(wsettings):
        await send(wsettings, old)
        await wait_until(lambda: _completed(mongo_db, "old"), what="first graph stored")
        await send(wsettings, new)

        async def archived() -> bool:
            return await letters.count_documents({}) >= 1

        await wait_until(archived, what="the other model's result dead-lettered")
    [letter] = [d async for d in letters.find({})]
    assert "holds 8-dimension vectors and was offered 16-dimension ones" in letter["reason"]
    nodes = mongo_db.collection(Collections.NODES)
    assert sorted([d["orig_id"] async for d in nodes.find({"user_id": "u1"})]) == ["a", "b"]
