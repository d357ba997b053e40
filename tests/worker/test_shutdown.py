"""Shutdown during a long poll: messages that SQS hands to a poll still open while the worker
stops are released at once, not left hidden for a whole visibility timeout."""

from __future__ import annotations

import asyncio
import time

import pytest

from graphnode.adapters.sqs import QueueClient
from graphnode.contracts import TaskType
from graphnode.messaging.routing import HandlerRegistry
from graphnode.worker.service import open_worker
from tests.support.waiting import wait_until
from tests.support.worker import send, worker_settings

pytestmark = pytest.mark.usefixtures("aws", "mongo", "chroma")

VISIBILITY = 60  # a message taken by a dead poll would stay hidden this long


class _Counting:
    def __init__(self) -> None:
        self.handled: list[str] = []

    async def handle(self, message) -> None:
        self.handled.append(message.task_id)

    def registry(self, _context) -> HandlerRegistry:
        return HandlerRegistry({TaskType.GRAPH_GENERATION_PROGRESS: self})


def _progress(task_id: str) -> dict:
    return {
        "taskType": "GRAPH_GENERATION_PROGRESS",
        "taskId": task_id,
        "payload": {"userId": "u1", "currentStage": "x", "progressPercent": 1},
    }


async def _visible(wsettings, found: set[str]) -> bool:
    async with QueueClient(wsettings) as sqs:
        for message in await sqs.receive(wsettings.result_queue, wait_seconds=1):
            found.add(message.body)
    return len(found) >= 5


async def test_messages_arriving_while_stopping_are_released_at_once(settings):
    wsettings = worker_settings(
        settings, worker_wait_seconds=4, worker_visibility_timeout=VISIBILITY, worker_pollers=2
    )
    handler = _Counting()
    stop = asyncio.Event()
    async with open_worker(wsettings, registry_factory=handler.registry) as worker:
        running = asyncio.create_task(worker.run(stop))
        await send(wsettings, _progress("warm"))
        await wait_until(lambda: _handled(handler), what="the first message")
        stop.set()  # the pollers are in their next long poll now
        await send(wsettings, *(_progress(f"late-{i}") for i in range(5)))
        await running
    stopped_at = time.monotonic()
    found: set[str] = set()
    await wait_until(lambda: _visible(wsettings, found), within=15, what="late messages back")
    assert time.monotonic() - stopped_at < VISIBILITY / 2
    assert handler.handled == ["warm"]


async def _handled(handler: _Counting) -> bool:
    return bool(handler.handled)
