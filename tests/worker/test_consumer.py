"""The consumer's mechanics on real SQS: concurrency, visibility, retries, dead letters,
and the operations port."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import orjson
import pytest

from graphnode.adapters.sqs import QueueClient
from graphnode.contracts import TaskType
from graphnode.local.processes import free_port
from graphnode.messaging.routing import HandlerRegistry
from tests.support.waiting import wait_until
from tests.support.worker import (
    archived_dead_letters,
    running_worker,
    send,
    worker_settings,
)

pytestmark = pytest.mark.usefixtures("aws", "mongo", "chroma")


def _progress(task_id: str) -> dict:
    return {
        "taskType": "GRAPH_GENERATION_PROGRESS",
        "taskId": task_id,
        "payload": {"userId": "u1", "currentStage": "x", "progressPercent": 1},
    }


class Recording:
    """A handler that records each call and runs ``behaviour``."""

    def __init__(self, behaviour) -> None:
        self.calls: list[str] = []
        self.finished: list[str] = []
        self._behaviour = behaviour

    async def handle(self, message) -> None:
        self.calls.append(message.task_id)
        await self._behaviour(message)
        self.finished.append(message.task_id)

    def registry(self, _context) -> HandlerRegistry:
        return HandlerRegistry({TaskType.GRAPH_GENERATION_PROGRESS: self})


async def _depth(settings) -> int:
    async with QueueClient(settings) as sqs:
        return await sqs.approximate_depth(settings.result_queue)


async def test_n_slow_messages_finish_in_about_t_not_n_times_t(settings):
    count, seconds = 8, 2.0
    handler = Recording(lambda _: asyncio.sleep(seconds))
    wsettings = worker_settings(settings, worker_concurrency=count, worker_pollers=2)
    async with running_worker(wsettings, registry_factory=handler.registry):
        await send(wsettings, *[_progress(f"t{i}") for i in range(count)])
        started = time.monotonic()
        await wait_until(lambda: _all_done(handler, count), within=60, what="all handled")
        elapsed = time.monotonic() - started
    assert sorted(handler.finished) == sorted(f"t{i}" for i in range(count))
    # Sequential handling would take count x seconds = 16 s.
    assert elapsed < count * seconds / 2, f"took {elapsed:.1f}s"


async def _all_done(handler, count):
    return len(handler.finished) >= count


async def test_a_handler_longer_than_visibility_is_not_redelivered_meanwhile(settings):
    # The heartbeat extends when a third of the timeout is left: 2 s of margin for the
    # ChangeMessageVisibility call (1 s was once too little on a loaded 2-core machine).
    visibility, work = 6, 13.0
    handler = Recording(lambda _: asyncio.sleep(work))
    other = Recording(lambda _: asyncio.sleep(0))
    first = worker_settings(settings, worker_visibility_timeout=visibility)
    async with running_worker(first, registry_factory=handler.registry) as worker:
        await send(first, _progress("long"))
        await wait_until(lambda: _called(handler), what="first handler started")
        # A second consumer polls the same queue for the whole time the first one works.
        async with running_worker(first, registry_factory=other.registry):
            await wait_until(lambda: _finished(handler), within=30, what="long handler done")
        extensions = worker.metrics.visibility_extensions._value.get()
    assert other.calls == []
    assert handler.calls == ["long"]
    assert extensions >= 2  # work / (visibility x 2/3) = 3 heartbeats expected


async def _called(handler):
    return bool(handler.calls)


async def _finished(handler):
    return bool(handler.finished)


async def test_an_always_failing_message_reaches_the_dlq_after_max_receives(settings, aws):
    async def fail(message):
        if message.task_id == "poison":
            raise RuntimeError("downstream is broken")

    handler = Recording(fail)
    wsettings = worker_settings(settings, worker_visibility_timeout=2)
    async with running_worker(wsettings, registry_factory=handler.registry):
        await send(wsettings, _progress("poison"), _progress("fine"))
        dead = await wait_until(
            lambda: archived_dead_letters(wsettings), within=60, what="poison in the DLQ"
        )
    assert [m["body"] for m in dead] == [orjson.dumps(_progress("poison")).decode()]
    assert "deliveries" in dead[0]["reason"]
    assert handler.calls.count("poison") == settings.max_receive_count
    assert handler.finished == ["fine"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"type": "GRAPH_GENERATION_RESULT", "taskId": "t", "payload": {}}', "no 'taskType'"),
        (b'{"taskType": "SELF_DESTRUCT", "taskId": "t", "payload": {}}', "unknown taskType"),
        (
            b'{"taskType": "GRAPH_GENERATION_REQUEST", "taskId": "t", "payload": '
            b'{"userId": "u", "s3Key": "graph-generation/t/"}}',
            "no handler for taskType",
        ),
    ],
)
async def test_malformed_or_unroutable_goes_to_the_dlq_at_once(settings, aws, body, reason):
    handler = Recording(lambda _: asyncio.sleep(0))
    wsettings = worker_settings(settings)
    async with running_worker(wsettings, registry_factory=handler.registry) as worker:
        await send(wsettings, body)
        [dead] = await wait_until(lambda: archived_dead_letters(wsettings), what="DLQ")
    # Stopping the worker waited for the message's task: deleted and counted by now.
    assert worker.metrics.dead_lettered._value.get() == 1
    assert reason in dead["reason"]
    assert dead["attributes"]["receiveCount"] == "1"
    assert dead["body"] == body.decode()
    assert handler.calls == []
    assert await _depth(wsettings) == 0


async def test_ops_port_reports_liveness_readiness_and_metrics(settings):
    handler = Recording(lambda _: asyncio.sleep(0))
    port = free_port()
    wsettings = worker_settings(settings, worker_port=port)
    async with running_worker(wsettings, registry_factory=handler.registry):
        await send(wsettings, _progress("t1"))
        await wait_until(lambda: _finished(handler), what="handled")
        async with aiohttp.ClientSession(f"http://127.0.0.1:{port}") as http:
            async with http.get("/healthz") as live:
                assert live.status == 200
            await wait_until(lambda: _ready(http), what="ready")
            # "succeeded" counts once the message is deleted, a moment after the handler ends.
            text = await wait_until(lambda: _metrics_once_deleted(http), what="the metric")
    assert 'graphnode_worker_succeeded_total{task_type="GRAPH_GENERATION_PROGRESS"} 1.0' in text
    assert "graphnode_worker_handler_seconds_bucket" in text
    assert "graphnode_worker_in_flight 0.0" in text


async def _metrics_once_deleted(http):
    async with http.get("/metrics") as metrics:
        text = await metrics.text()
    return text if 'succeeded_total{task_type="GRAPH_GENERATION_PROGRESS"} 1.0' in text else None


async def _ready(http):
    async with http.get("/readyz") as ready:
        return ready.status == 200 and (await ready.json())["ready"]
