"""Every task ends, in bounded time, as COMPLETED or FAILED with a reason, and the user's
graph status is freed: a poisoned result, a result that fails every delivery, a request the
AI service never took, and a task nobody reports on at all (its deadline passes)."""

from __future__ import annotations

import orjson
import pytest

from graphnode.adapters.mongo import DocumentDatabase
from graphnode.adapters.s3 import ObjectStore
from graphnode.adapters.sqs import QueueClient
from graphnode.contracts import TaskType
from graphnode.contracts.identifiers import bundle_prefix
from graphnode.messaging.routing import HandlerRegistry
from graphnode.storage.codec import now_ms
from graphnode.storage.device_store import DeviceStore
from graphnode.storage.graph_status import GraphStatus
from graphnode.storage.graph_store import MongoGraphStore
from graphnode.storage.push_receipts import PushReceipts
from graphnode.storage.task_store import TaskState, TaskStore
from graphnode.worker.deadlines import DeadlineSweeper
from graphnode.worker.notifier import Notifier
from graphnode.worker.task_endings import TaskFailures
from tests.support.graphs import graph_file
from tests.support.waiting import wait_until
from tests.support.worker import drain, put_result_files, running_worker, send, worker_settings

pytestmark = pytest.mark.usefixtures("aws", "mongo", "chroma")

USER = "dora"


@pytest.fixture
def wsettings(settings, fcm_server):
    return worker_settings(settings, fcm_server.url, task_sweep_seconds=0.2)


@pytest.fixture
async def database(wsettings):
    async with DocumentDatabase(wsettings) as db:
        await DeviceStore(db).register(USER, "dora-phone", "ios")
        yield db


async def _running_task(database, task_id: str, *, deadline_ms: int | None = None) -> None:
    """What the API leaves behind: a claimed graph and an open task with a deadline."""
    assert await MongoGraphStore(database).claim_for(USER, GraphStatus.CREATING, task_id)
    await TaskStore(database).create(
        task_id,
        USER,
        "GRAPH_GENERATION_REQUEST",
        deadline_ms=deadline_ms or now_ms() + 3_600_000,
    )


def _result(task_id: str, **payload: object) -> dict:
    return {
        "taskType": "GRAPH_GENERATION_RESULT",
        "taskId": task_id,
        "payload": {"userId": USER, "status": "COMPLETED", **payload},
    }


async def _failed(database, task_id: str) -> dict | None:
    task = await TaskStore(database).get(task_id)
    return task if task and task["status"] == "FAILED" else None


async def _assert_ended_and_freed(database, fcm_server, task_id: str, code: str) -> dict:
    task = await wait_until(lambda: _failed(database, task_id), what=f"{task_id} FAILED")
    assert task["error_code"] == code
    assert task["error"]

    async def pushed() -> list[dict]:  # the push follows the status, a moment later
        return [p for p in fcm_server.delivered if p["data"]["taskId"] == task_id]

    pushes = await wait_until(pushed, what=f"{task_id}'s push")
    assert [p["data"]["type"] for p in pushes] == ["GRAPH_GENERATION_FAILED"]
    stats = await MongoGraphStore(database).stats(USER)
    assert stats.status is GraphStatus.NOT_CREATED
    assert stats.running_task is None
    return task


async def test_a_poisoned_result_fails_its_task_frees_the_graph_and_pushes_once(
    wsettings, database, fcm_server
):
    await _running_task(database, "t-poison")
    await put_result_files(wsettings, {"graphs/dora/t-poison/graph.json": {"nodes": "many"}})
    poisoned = _result("t-poison", resultS3Key="graphs/dora/t-poison/graph.json")
    async with running_worker(wsettings):
        await send(wsettings, poisoned, poisoned)  # delivered twice: still one push
        task = await _assert_ended_and_freed(database, fcm_server, "t-poison", "DEAD_LETTERED")
    assert "the result could not be stored" in task["error"]
    assert "graph.json" in task["error"]


async def test_a_missing_result_file_is_poison_at_once_and_fails_its_task(
    wsettings, database, fcm_server
):
    await _running_task(database, "t-missing")
    missing = _result("t-missing", resultS3Key="graphs/dora/t-missing/graph.json")
    async with running_worker(wsettings):
        await send(wsettings, missing)
        task = await _assert_ended_and_freed(database, fcm_server, "t-missing", "DEAD_LETTERED")
    assert "'graphs/dora/t-missing/graph.json' does not exist" in task["error"]


class _AlwaysBroken:
    """A handler whose dependency never comes back: every delivery fails."""

    async def handle(self, message) -> None:
        raise RuntimeError("downstream is broken")


def _broken_registry(_context) -> HandlerRegistry:
    return HandlerRegistry({TaskType.GRAPH_GENERATION_RESULT: _AlwaysBroken()})


async def test_a_result_that_fails_every_delivery_ends_in_the_dlq_and_fails_its_task(
    wsettings, database, fcm_server, aws
):
    await _running_task(database, "t-broken")
    async with running_worker(wsettings, registry_factory=_broken_registry):
        await send(wsettings, _result("t-broken", resultS3Key="graphs/dora/t-broken/graph.json"))
        task = await _assert_ended_and_freed(database, fcm_server, "t-broken", "DEAD_LETTERED")
    assert "deliveries" in task["error"]
    assert await drain(wsettings, aws.result_dlq_url) == []


async def test_a_dead_lettered_request_fails_its_task(wsettings, database, fcm_server, aws):
    await _running_task(database, "t-request")
    request = {
        "taskType": "GRAPH_GENERATION_REQUEST",
        "taskId": "t-request",
        "payload": {"userId": USER, "s3Key": "graph-generation/t-request/"},
    }
    async with QueueClient(wsettings) as sqs:
        await sqs.send(aws.request_dlq_url, orjson.dumps(request))
    async with running_worker(wsettings):
        task = await _assert_ended_and_freed(database, fcm_server, "t-request", "DEAD_LETTERED")
    assert "the AI service could not take the task" in task["error"]


async def test_a_forged_dead_letter_cannot_fail_another_users_task(wsettings, database, aws):
    await _running_task(database, "t-victim")
    forged = _result("t-victim")
    forged["payload"]["userId"] = "mallory"
    async with QueueClient(wsettings) as sqs:
        await sqs.send(aws.result_dlq_url, orjson.dumps(forged))
    async with running_worker(wsettings):
        await wait_until(lambda: _dlq_empty(wsettings, aws), what="dead letter archived")
    assert (await TaskStore(database).get("t-victim"))["status"] == "PENDING"


async def _dlq_empty(wsettings, aws) -> bool:
    async with QueueClient(wsettings) as sqs:
        return await sqs.approximate_depth(aws.result_dlq_url) == 0


async def test_a_stuck_task_fails_at_its_deadline_and_its_late_result_is_discarded(
    wsettings, database, fcm_server
):
    await _running_task(database, "t-stuck", deadline_ms=now_ms() + 500)
    # What the API wrote for it to start from: copies of the user's data.
    inputs = [
        f"{bundle_prefix('t-stuck')}conversations.json",
        "graphs/dora/t-stuck/stored-graph.json",
    ]
    await put_result_files(wsettings, {key: {"copy": True} for key in inputs})
    async with running_worker(wsettings):
        task = await _assert_ended_and_freed(database, fcm_server, "t-stuck", "DEADLINE_EXCEEDED")
        assert "deadline" in task["error"]
        assert await _existing(wsettings, inputs) == []  # the failure deleted them
        # The AI service finishes after all: its result must not resurrect the task.
        key = "graphs/dora/t-stuck/graph.json"
        await put_result_files(wsettings, {key: graph_file(["late"])})
        await send(wsettings, _result("t-stuck", resultS3Key=key))
        await wait_until(lambda: _queue_drained(wsettings), what="late result consumed")
        await wait_until(lambda: _none_left(wsettings, [key]), what="late result files deleted")
    assert (await TaskStore(database).get("t-stuck"))["status"] == "FAILED"
    assert (await MongoGraphStore(database).stats(USER)).nodes == 0
    assert len([p for p in fcm_server.delivered if p["data"]["taskId"] == "t-stuck"]) == 1


class _StoreDownAtFinish(TaskStore):
    """MongoDB lost at the moment the sweeper records the failure, once."""

    failed_once = False

    async def finish(self, task_id: str, user_id: str, state: TaskState, **fields) -> bool:
        if not self.failed_once:
            self.failed_once = True
            raise ConnectionError("MongoDB went away")
        return await super().finish(task_id, user_id, state, **fields)


async def test_a_sweep_cut_off_before_the_failure_is_recorded_still_deletes_the_inputs(
    wsettings, database
):
    """Nothing redelivers a sweep: the inputs go while the task is still open (so overdue),
    and the sweep after the crash ends it."""
    await _running_task(database, "t-cut", deadline_ms=now_ms() - 1)
    inputs = [
        f"{bundle_prefix('t-cut')}conversations.json",
        "graphs/dora/t-cut/stored-features.json",
    ]
    await put_result_files(wsettings, {key: {"copy": True} for key in inputs})
    tasks = _StoreDownAtFinish(database)
    async with ObjectStore(wsettings) as objects:
        failures = TaskFailures(
            tasks,
            MongoGraphStore(database),
            Notifier(None, DeviceStore(database), PushReceipts(database)),
            objects,
        )
        sweeper = DeadlineSweeper(tasks, failures, interval_seconds=60)
        with pytest.raises(ConnectionError):
            await sweeper.sweep()
        assert await _existing(wsettings, inputs) == []
        assert (await tasks.get("t-cut"))["status"] == "PENDING"
        assert await sweeper.sweep() == 1
    task = await tasks.get("t-cut")
    assert (task["status"], task["error_code"]) == ("FAILED", "DEADLINE_EXCEEDED")


async def _none_left(wsettings, keys: list[str]) -> bool:
    return await _existing(wsettings, keys) == []


async def _existing(wsettings, keys: list[str]) -> list[str]:
    async with ObjectStore(wsettings) as store:
        return [key for key in keys if await store.exists(key)]


async def _queue_drained(wsettings) -> bool:
    async with QueueClient(wsettings) as sqs:
        return await sqs.approximate_depth(wsettings.result_queue) == 0
