"""Runs graph tasks in the background under one concurrency limit, whichever door (HTTP or
the request queue) they came in by, and waits for or cancels them at shutdown."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

log = logging.getLogger("graphnode.ai.supervisor")

T = TypeVar("T")


class TaskSupervisor:
    def __init__(self, concurrency: int) -> None:
        self._slots = asyncio.Semaphore(concurrency)
        self._background: set[asyncio.Task[object]] = set()

    async def run(self, work: Callable[[], Awaitable[T]]) -> T:
        """Run ``work`` when a slot is free (the queue path awaits its task)."""
        async with self._slots:
            return await work()

    def start(self, name: str, work: Callable[[], Awaitable[object]]) -> None:
        """Run ``work`` in the background (the HTTP path answers 202 at once)."""
        task = asyncio.create_task(self.run(work), name=name)
        self._background.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[object]) -> None:
        self._background.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error(
                "background task failed", exc_info=task.exception(), extra={"task": task.get_name()}
            )

    @property
    def running(self) -> int:
        return len(self._background)

    async def close(self, grace: float) -> None:
        if not self._background:
            return
        _, pending = await asyncio.wait(set(self._background), timeout=grace)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
