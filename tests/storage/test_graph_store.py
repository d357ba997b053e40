"""MongoGraphStore against the real MongoDB wire-protocol server."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from graphnode.adapters.mongo import Collections, DocumentDatabase
from graphnode.contracts import GraphFile, SummaryFile
from graphnode.storage.codec import now_ms
from graphnode.storage.graph_status import GraphStatus
from graphnode.storage.graph_store import MongoGraphStore
from graphnode.storage.task_store import Progress, TaskStore
from tests.support.graphs import graph_file, summary_file

pytestmark = pytest.mark.usefixtures("mongo")

T1 = datetime(2026, 11, 1, tzinfo=UTC)
T2 = datetime(2026, 11, 2, tzinfo=UTC)


@pytest.fixture
async def store(settings):
    async with DocumentDatabase(settings) as database:
        yield MongoGraphStore(database), database


async def _count(database, name, user="u1"):
    return await database.collection(name).count_documents({"user_id": user})


async def test_replace_graph_writes_every_part_and_is_idempotent(store):
    graphs, database = store
    graph = GraphFile.model_validate(graph_file(["a", "b", "c", "d"], clusters=2))
    assert await graphs.replace_graph("u1", "task-1", graph, T1)
    assert await graphs.replace_graph("u1", "task-1", graph, T1)  # redelivered
    assert await _count(database, Collections.NODES) == 4
    assert await _count(database, Collections.EDGES) == 3
    assert await _count(database, Collections.CLUSTERS) == 2
    assert await _count(database, Collections.SUBCLUSTERS) == 2
    stats = await graphs.stats("u1")
    assert stats.status is GraphStatus.CREATED
    assert (stats.nodes, stats.edges, stats.clusters) == (4, 3, 2)
    node = await database.collection(Collections.NODES).find_one({"_id": "u1:task-1:c"})
    assert node["cluster_name"] == "Topic 0"
    assert node["keywords"] == [{"term": "term0", "score": 0.5}]


async def test_a_newer_graph_replaces_and_sweeps_the_old_one(store):
    graphs, database = store
    await graphs.replace_graph(
        "u1", "t1", GraphFile.model_validate(graph_file(["a", "b", "c"])), T1
    )
    newer = GraphFile.model_validate(graph_file(["b", "x"], clusters=1))
    assert await graphs.replace_graph("u1", "t2", newer, T2)
    nodes = database.collection(Collections.NODES)
    assert sorted([d["orig_id"] async for d in nodes.find({"user_id": "u1"})]) == ["b", "x"]
    assert await _count(database, Collections.CLUSTERS) == 1
    assert (await graphs.stats("u1")).generation == "t2"


async def test_a_stale_graph_never_overwrites_a_newer_one(store):
    graphs, database = store
    await graphs.replace_graph("u1", "t2", GraphFile.model_validate(graph_file(["new"])), T2)
    stale = GraphFile.model_validate(graph_file(["old1", "old2"]))
    assert not await graphs.replace_graph("u1", "t1", stale, T1)
    nodes = database.collection(Collections.NODES)
    assert [d["orig_id"] async for d in nodes.find({"user_id": "u1"})] == ["new"]


async def test_users_never_touch_each_other(store):
    graphs, database = store
    await graphs.replace_graph("u1", "t1", GraphFile.model_validate(graph_file(["a", "b"])), T1)
    await graphs.replace_graph("u2", "t9", GraphFile.model_validate(graph_file(["z"])), T2)
    assert await _count(database, Collections.NODES, "u1") == 2
    assert await _count(database, Collections.NODES, "u2") == 1


async def test_status_goes_back_to_what_it_was_after_a_failure(store):
    graphs, _ = store
    await graphs.mark_in_progress("fresh", GraphStatus.CREATING)
    assert await graphs.restore_status("fresh") is GraphStatus.NOT_CREATED
    await graphs.replace_graph("u1", "t1", GraphFile.model_validate(graph_file(["a"])), T1)
    await graphs.mark_in_progress("u1", GraphStatus.CREATING)
    assert (await graphs.stats("u1")).status is GraphStatus.CREATING
    assert await graphs.restore_status("u1") is GraphStatus.CREATED
    assert await graphs.restore_status("u1") is GraphStatus.CREATED  # twice is harmless


async def test_merge_adds_nodes_without_removing_any(store):
    graphs, database = store
    await graphs.replace_graph("u1", "t1", GraphFile.model_validate(graph_file(["a", "b"])), T1)
    added = GraphFile.model_validate(graph_file(["c"], first_id=2))
    await graphs.merge_graph("u1", added)
    await graphs.merge_graph("u1", added)
    assert await _count(database, Collections.NODES) == 3
    stats = await graphs.stats("u1")
    assert stats.status is GraphStatus.UPDATED
    assert stats.nodes == 3


async def test_summary_is_stored_and_a_stale_one_ignored(store):
    graphs, _ = store
    newer = SummaryFile.model_validate(summary_file("2026-11-02T00:00:00Z"))
    assert await graphs.store_summary("u1", "t2", newer, T2)
    assert not await graphs.store_summary("u1", "t1", newer, T1)
    assert (await graphs.summary("u1"))["overview"]["primary_interests"] == ["Topic 0", "Topic 1"]


async def test_claim_is_exclusive_until_the_task_ends(store):
    graphs, _ = store
    assert await graphs.claim_for("u1", GraphStatus.CREATING, "t1")
    assert not await graphs.claim_for("u1", GraphStatus.CREATING, "t2")
    assert await graphs.running_task("u1") == "t1"
    await graphs.replace_graph("u1", "t1", GraphFile.model_validate(graph_file(["a"])), T1)
    assert await graphs.running_task("u1") is None
    assert await graphs.claim_for("u1", GraphStatus.CREATING, "t3")
    assert await graphs.restore_status("u1") is GraphStatus.CREATED


async def test_a_first_claim_or_graph_never_lands_on_another_users_stats(store):
    """nx-27017 once applied ``{_id, $or}`` update filters to whichever document matched the
    ``$or``: a new user's claim rewrote another user's stats. Filters are spelled with $and."""
    graphs, database = store
    await graphs.mark_in_progress("first", GraphStatus.CREATING)
    await graphs.restore_status("first")
    assert await graphs.claim_for("second", GraphStatus.CREATING, "t2")
    assert await graphs.replace_graph(
        "third", "t3", GraphFile.model_validate(graph_file(["a"])), T1
    )
    stats = database.collection(Collections.STATS)
    by_user = {d["_id"]: d async for d in stats.find({})}
    assert set(by_user) == {"first", "second", "third"}
    assert by_user["first"]["status"] == "NOT_CREATED"
    assert "running_task" not in by_user["first"]
    assert by_user["second"]["running_task"] == "t2"
    assert by_user["third"]["status"] == "CREATED"


async def test_progress_of_one_task_never_lands_on_another(store):
    _, database = store
    tasks = TaskStore(database)
    await tasks.create("t-a", "u1", "GRAPH_GENERATION_REQUEST", deadline_ms=now_ms() + 60_000)
    assert await tasks.record_progress("t-b", "u2", Progress("Embedding", 10.0, None))
    assert (await tasks.get("t-a"))["progress_percent"] == 0.0
    assert (await tasks.get("t-b"))["user_id"] == "u2"
