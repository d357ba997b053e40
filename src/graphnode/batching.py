"""A micro-batcher: concurrent single requests in, one batched call out.

Callers ``await submit(item)`` (or enqueue many items at once with ``submit_many``); one
background task gathers what arrives within ``max_wait_s`` of the first waiting item (up to
``max_batch_size`` items sharing a batch key), runs them as one call and resolves each
caller's future. While a batch runs, new requests queue up and form the next batch, so a busy
model runs full batches back to back.

It knows nothing about models, queues or its users' error types: the local LLM backend hands
it a function that pads prompts into one ``model.generate`` and maps :class:`BatcherError` to
its own errors; the embedding batcher hands it a function that runs the sentence model once
per batch; the SQS deleter (``messaging.settler``) one ``DeleteMessageBatch`` per queue; the
unit tests hand it a counter.

Per item the work is O(1) (a deque append, a popleft), so one request of thousands of items
costs no more than thousands of small ones: items wait in one FIFO queue per batch key.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

In = TypeVar("In")
Out = TypeVar("Out")

logger = logging.getLogger("graphnode.batching")


class BatcherError(RuntimeError):
    """The batcher itself failed a request (closed, stopped, a malformed batch result)."""


class BatcherClosedError(BatcherError):
    """The batcher was closed before or while the request waited."""


class BatcherBusyError(BatcherError):
    """Too many requests already wait; retrying later may work."""


def _same_batch(_: object) -> Hashable:
    return None


@dataclass(slots=True)
class _Waiting(Generic[In, Out]):
    item: In
    order: int  # arrival number: the oldest waiting item's key decides the next batch
    future: asyncio.Future[Out]


class MicroBatcher(Generic[In, Out]):
    """Merge concurrent ``submit`` calls into calls of ``run_batch``.

    ``run_batch`` gets the items in arrival order and returns one result per item; if it
    raises, every caller in that batch gets the exception and the batcher keeps going.
    ``batch_key`` keeps items that cannot share a call (different sampling settings) apart.
    A caller that is cancelled before its batch starts is simply left out of it.
    ``max_pending=None`` sets no limit on waiting items.
    """

    def __init__(
        self,
        run_batch: Callable[[list[In]], Awaitable[Sequence[Out]]],
        *,
        max_batch_size: int = 8,
        max_wait_s: float = 0.01,
        max_pending: int | None = 1024,
        batch_key: Callable[[In], Hashable] = _same_batch,
        name: str = "graphnode-batcher",
    ) -> None:
        if max_batch_size < 1:
            raise ValueError("max_batch_size must be at least 1")
        if max_wait_s < 0:
            raise ValueError("max_wait_s must not be negative")
        self._run_batch = run_batch
        self._max_batch_size = max_batch_size
        self._max_wait_s = max_wait_s
        self._max_pending = max_pending
        self._batch_key = batch_key
        self._name = name
        # One FIFO per key; few keys exist (sampling settings), so scanning their heads is cheap.
        self._queues: dict[Hashable, deque[_Waiting[In, Out]]] = {}
        self._arrivals = itertools.count()
        self._arrived = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self.batches_run = 0
        self.items_run = 0

    @property
    def is_running(self) -> bool:
        """False once closed or if the background task died; True before the first submit."""
        if self._closed:
            return False
        return self._task is None or not self._task.done()

    @property
    def pending(self) -> int:
        """Items waiting for a batch (cancelled ones included until the loop drops them)."""
        return sum(len(queue) for queue in self._queues.values())

    async def submit(self, item: In) -> Out:
        (future,) = self.submit_many((item,))
        # Cancelling the caller cancels this future; the loop then skips the item.
        return await future

    def submit_many(self, items: Iterable[In]) -> list[asyncio.Future[Out]]:
        """Enqueue every item at once, in order, and return one future per item.

        For a request of many items: no task or coroutine per item, and the items queue back
        to back, so they fill batches together. Cancel the futures to withdraw what has not
        run yet.
        """
        if self._closed:
            raise BatcherClosedError("the batcher is closed")
        if self._task is not None and self._task.done():
            raise BatcherError("the batcher stopped unexpectedly")  # nobody would answer
        items = list(items)
        pending = self.pending
        if self._max_pending is not None and pending + len(items) > self._max_pending:
            raise BatcherBusyError(f"{pending} requests already waiting")
        self._ensure_started()
        loop = asyncio.get_running_loop()
        futures: list[asyncio.Future[Out]] = []
        for item in items:
            future: asyncio.Future[Out] = loop.create_future()
            waiting = _Waiting(item, next(self._arrivals), future)
            self._queues.setdefault(self._batch_key(item), deque()).append(waiting)
            futures.append(future)
        if futures:
            self._arrived.set()
        return futures

    async def close(self, *, drain: bool = False) -> None:
        """Stop the background task and fail whatever was still waiting; safe to call twice.

        With ``drain``, what waits is run first (new submits are refused meanwhile): the SQS
        deleter sends its last deletes rather than let those messages be handled again.
        """
        self._closed = True
        if drain and self._task is not None and not self._task.done():
            waiting = [w.future for queue in self._queues.values() for w in queue]
            if waiting:
                await asyncio.wait(waiting)
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._fail_waiting(BatcherClosedError("the batcher was closed"))

    def _ensure_started(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name=self._name)
            self._task.add_done_callback(self._on_loop_exit)

    def _on_loop_exit(self, task: asyncio.Task[None]) -> None:
        # A bug in the loop must not leave callers awaiting futures nobody will resolve.
        if not task.cancelled() and task.exception() is not None:
            error = task.exception()
            logger.error("batcher stopped", extra={"batcher": self._name}, exc_info=error)
            self._fail_waiting(BatcherError("the batcher stopped unexpectedly"))

    def _fail_waiting(self, error: BatcherError) -> None:
        queues, self._queues = self._queues, {}
        for queue in queues.values():
            _fail(queue, error)

    async def _loop(self) -> None:
        while True:
            await self._arrived.wait()
            await self._wait_for_fill()
            batch = self._take_batch()
            if self._queues:
                self._arrived.set()  # more items (maybe another key's) wait: go round again
            else:
                self._arrived.clear()
            if batch:
                await self._execute(batch)

    def _head_queue(self) -> deque[_Waiting[In, Out]] | None:
        """The queue holding the oldest live item, after dropping cancelled items at the heads."""
        head: deque[_Waiting[In, Out]] | None = None
        for key, queue in list(self._queues.items()):
            while queue and queue[0].future.done():
                queue.popleft()
            if not queue:
                del self._queues[key]
            elif head is None or queue[0].order < head[0].order:
                head = queue
        return head

    async def _wait_for_fill(self) -> None:
        """Give concurrent callers ``max_wait_s`` to join the batch the first item starts."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._max_wait_s
        # The length counts items cancelled mid-queue too: at worst the wait ends early.
        while (head := self._head_queue()) is not None and len(head) < self._max_batch_size:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await self._arrived.wait()

    def _take_batch(self) -> list[_Waiting[In, Out]]:
        head = self._head_queue()
        batch: list[_Waiting[In, Out]] = []
        while head and len(batch) < self._max_batch_size:
            waiting = head.popleft()
            if not waiting.future.done():
                batch.append(waiting)
        self._head_queue()  # drop the queue if it is now empty
        return batch

    async def _execute(self, live: list[_Waiting[In, Out]]) -> None:
        # _take_batch left out cancelled items, and nothing awaits between it and this call.
        self.batches_run += 1
        self.items_run += len(live)
        try:
            results = list(await self._run_batch([waiting.item for waiting in live]))
            if len(results) != len(live):
                raise BatcherError(f"a batch of {len(live)} returned {len(results)}")
        except asyncio.CancelledError:
            _fail(live, BatcherClosedError("the batch was cancelled"))
            raise
        except Exception as error:  # every caller hears about it; the loop stays up
            _fail(live, error)
            return
        for waiting, result in zip(live, results, strict=True):
            if not waiting.future.done():
                waiting.future.set_result(result)


def _fail(batch: Iterable[_Waiting[In, Out]], error: BaseException) -> None:
    for waiting in batch:
        if not waiting.future.done():
            waiting.future.set_exception(error)
