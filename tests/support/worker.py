"""Run the real worker (the same factory as ``python -m graphnode.worker``) in a test."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import orjson

from graphnode.adapters.mongo import Collections, DocumentDatabase
from graphnode.adapters.s3 import ObjectStore
from graphnode.adapters.sqs import QueueClient, ReceivedMessage
from graphnode.settings import Settings
from graphnode.worker.service import Worker, open_worker

FCM_PROJECT = "graphnode-test"


def worker_settings(settings: Settings, fcm_url: str | None = None, **overrides: Any) -> Settings:
    """Test-sized worker settings: short polls and visibility, immediate retries."""
    values: dict[str, Any] = {
        "worker_port": 0,
        "worker_wait_seconds": 1,
        "worker_visibility_timeout": 10,
        "worker_retry_base_seconds": 0,
        "worker_shutdown_grace": 10.0,
        "fcm_endpoint": fcm_url,
        "fcm_project_id": FCM_PROJECT if fcm_url else None,
    }
    values.update(overrides)
    return dataclasses.replace(settings, **values)


@contextlib.asynccontextmanager
async def running_worker(settings: Settings, **kwargs: Any) -> AsyncIterator[Worker]:
    """A worker consuming in the background; stopped (as on SIGTERM) when the block ends."""
    stop = asyncio.Event()
    async with open_worker(settings, **kwargs) as worker:
        task = asyncio.create_task(worker.run(stop))
        try:
            yield worker
        finally:
            stop.set()
            await task


async def put_result_files(settings: Settings, files: dict[str, Any]) -> None:
    async with ObjectStore(settings) as store:
        for key, value in files.items():
            await store.put_json(key, value)


async def send(settings: Settings, *bodies: bytes | str | dict[str, Any]) -> None:
    async with QueueClient(settings) as sqs:
        for body in bodies:
            raw = orjson.dumps(body) if isinstance(body, dict) else body
            await sqs.send(settings.result_queue, raw)


async def drain(
    settings: Settings, queue_url: str, *, wait_seconds: int = 1
) -> list[ReceivedMessage]:
    """Every message now visible on ``queue_url`` (received and left invisible)."""
    found: list[ReceivedMessage] = []
    async with QueueClient(settings) as sqs:
        while batch := await sqs.receive(
            queue_url, wait_seconds=wait_seconds, visibility_timeout=60
        ):
            found.extend(batch)
    return found


async def archived_dead_letters(settings: Settings) -> list[dict[str, Any]]:
    """What the worker's dead-letter drain archived (it takes messages off the DLQ)."""
    async with DocumentDatabase(settings, ensure_indexes=False) as database:
        cursor = database.collection(Collections.DEAD_LETTERS).find({})
        return [doc async for doc in cursor]
