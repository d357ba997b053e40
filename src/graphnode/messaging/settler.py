"""Deletes handled messages in batches of up to 10 (one SQS call instead of ten).

Handlers hand their receipt handles to one background task that waits a few milliseconds
for company, then deletes them together and logs any entry AWS reports as failed (such a
message comes back and is handled again, which the handlers make harmless).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from graphnode.adapters.lifecycle import Resource
from graphnode.adapters.sqs import BATCH_LIMIT, QueueClient, ReceivedMessage

log = logging.getLogger("graphnode.messaging.settler")

# Long enough for concurrent handlers to share a call, short enough to be invisible.
DEFAULT_LINGER_SECONDS = 0.02


class BatchDeleter(Resource):
    def __init__(self, sqs: QueueClient, *, linger_seconds: float = DEFAULT_LINGER_SECONDS) -> None:
        super().__init__()
        self._sqs = sqs
        self._linger = linger_seconds
        self._pending: asyncio.Queue[tuple[ReceivedMessage, asyncio.Future[bool]]] = asyncio.Queue()

    async def _open(self, stack: contextlib.AsyncExitStack) -> None:
        task = asyncio.create_task(self._run(), name="batch-deleter")
        stack.push_async_callback(self._stop, task)

    async def delete(self, message: ReceivedMessage) -> bool:
        """Delete ``message``; returns once its batch was sent (False if AWS refused it)."""
        self._require_open()
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._pending.put_nowait((message, done))
        return await done

    async def _run(self) -> None:
        while True:
            batch = [await self._pending.get()]
            deadline = asyncio.get_running_loop().time() + self._linger
            while len(batch) < BATCH_LIMIT:
                remaining = deadline - asyncio.get_running_loop().time()
                if remaining <= 0:
                    break
                try:
                    batch.append(await asyncio.wait_for(self._pending.get(), remaining))
                except TimeoutError:
                    break
            await self._flush(batch)

    async def _flush(self, batch: list[tuple[ReceivedMessage, asyncio.Future[bool]]]) -> None:
        by_queue: dict[str, list[tuple[ReceivedMessage, asyncio.Future[bool]]]] = {}
        for item in batch:
            by_queue.setdefault(item[0].queue_url, []).append(item)
        for queue_url, items in by_queue.items():
            try:
                failed = set(
                    await self._sqs.delete_batch(queue_url, [m.receipt_handle for m, _ in items])
                )
            except Exception as exc:  # reported to every waiter; the messages will come back
                log.warning("delete batch failed", exc_info=True)
                for _, done in items:
                    if not done.done():
                        done.set_exception(exc)
                continue
            for message, done in items:
                if not done.done():
                    done.set_result(message.receipt_handle not in failed)

    async def _stop(self, task: asyncio.Task[None]) -> None:
        """Send what is queued, then stop the background task."""
        leftovers = []
        while not self._pending.empty():
            leftovers.append(self._pending.get_nowait())
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        if leftovers:
            await self._flush(leftovers)
