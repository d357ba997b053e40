"""Second runs: the MongoDB-protocol server restarted on the same data, a user's third
generation, summaries and additions after it. nx-27017 returns dates written by ``$set`` (and
some stored ones after a restart) as text; every read goes through one codec, so none of
this may raise or lock a user out."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from graphnode.adapters.mongo import DocumentDatabase
from graphnode.contracts import GraphFile, SummaryFile
from graphnode.storage.codec import now_ms
from graphnode.storage.graph_status import GraphStatus
from graphnode.storage.graph_store import MongoGraphStore
from graphnode.storage.task_store import TaskState, TaskStore
from tests.support.graphs import graph_file, summary_file
from tests.support.waiting import wait_until

T = [datetime(2026, 11, day, 10, tzinfo=UTC) for day in range(1, 6)]


@pytest.fixture
def mongo_settings(settings, own_mongo):
    return dataclasses.replace(settings, mongo_uri=own_mongo[1])


@pytest.fixture
async def graphs(mongo_settings) -> AsyncIterator[MongoGraphStore]:
    async with DocumentDatabase(mongo_settings) as database:
        yield MongoGraphStore(database)


def _graph(ids: list[str]) -> GraphFile:
    return GraphFile.model_validate(graph_file(ids))


async def test_three_generations_in_a_row_are_each_applied(graphs):
    for number, ids in enumerate((["a", "b"], ["b", "c"], ["c", "d", "e"])):
        task = f"t{number}"
        assert await graphs.claim_for("u1", GraphStatus.CREATING, task)
        assert await graphs.replace_graph("u1", task, _graph(ids), T[number])
        stats = await graphs.stats("u1")
        assert stats.status is GraphStatus.CREATED
        assert stats.generated_at == T[number]
        assert stats.running_task is None
    assert (await graphs.stats("u1")).nodes == 3
    summary = SummaryFile.model_validate(summary_file())
    for number in range(3):
        assert await graphs.store_summary("u1", f"s{number}", summary, T[number])
    assert not await graphs.store_summary("u1", "old", summary, T[0])  # stale still refused


async def test_after_a_restart_a_user_regenerates_summarises_and_adds(mongo_settings, own_mongo):
    server, _ = own_mongo
    summary = SummaryFile.model_validate(summary_file())
    async with DocumentDatabase(mongo_settings) as database:
        graphs = MongoGraphStore(database)
        assert await graphs.claim_for("u1", GraphStatus.CREATING, "t1")
        assert await graphs.replace_graph("u1", "t1", _graph(["a", "b"]), T[0])
        assert await graphs.store_summary("u1", "t1", summary, T[0])
        await TaskStore(database).create("t1", "u1", "GRAPH_GENERATION_REQUEST", deadline_ms=1)

    server.stop()
    server.start()  # the same data directory: what was stored comes back, dates as text

    async with DocumentDatabase(mongo_settings) as database:
        graphs, tasks = MongoGraphStore(database), TaskStore(database)
        before = await graphs.stats("u1")
        assert before.generated_at == T[0]
        assert (await tasks.get("t1"))["created_at"].tzinfo is not None
        assert (await graphs.summary_document("u1"))["generated_at"] == T[0]

        assert await graphs.claim_for("u1", GraphStatus.CREATING, "t2")
        assert await graphs.replace_graph("u1", "t2", _graph(["a", "c", "d"]), T[1])
        assert await graphs.store_summary("u1", "t3", summary, T[2])
        assert await graphs.claim_for("u1", GraphStatus.UPDATING, "t4")
        await graphs.merge_graph("u1", _graph(["z"]), task_id="t4")
        after = await graphs.stats("u1")
        assert after.status is GraphStatus.UPDATED
        assert after.running_task is None
        assert after.nodes == 4
        assert await tasks.finish("t1", "u1", TaskState.FAILED, error="x", error_code="Y")


async def test_a_lease_holds_until_it_runs_out_then_the_graph_is_taken_over(graphs):
    assert await graphs.claim_for("u1", GraphStatus.CREATING, "t1")
    assert not await graphs.claim_for("u1", GraphStatus.CREATING, "t2")  # lease holds
    assert await graphs.running_task("u1") == "t1"
    # An API that claims and dies before dispatching never stretches its short lease.
    assert await graphs.extend_claim("u1", "t1", now_ms() + 50)
    await wait_until(
        lambda: graphs.claim_for("u1", GraphStatus.CREATING, "t3"), within=5, what="takeover"
    )
    assert await graphs.running_task("u1") == "t3"
    assert (await graphs.stats("u1")).previous_status is GraphStatus.NOT_CREATED
    assert not await graphs.extend_claim("u1", "t1", 2**62)  # the loser cannot stretch it


async def test_an_old_tasks_failure_never_frees_the_claim_of_the_running_one(graphs):
    assert await graphs.replace_graph("u1", "t1", _graph(["a"]), T[0])
    assert await graphs.claim_for("u1", GraphStatus.CREATING, "t2")
    assert await graphs.restore_status("u1", "t-old") is GraphStatus.CREATING
    assert await graphs.running_task("u1") == "t2"
    assert await graphs.restore_status("u1", "t2") is GraphStatus.CREATED
    assert await graphs.running_task("u1") is None
