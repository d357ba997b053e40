"""A micro-batcher: concurrent single requests in, one batched call out.

Callers ``await submit(item)``; one background task gathers what arrives within ``max_wait_s``
of the first waiting item (up to ``max_batch_size`` items sharing a batch key), runs them as
one call and resolves each caller's future. While a batch runs, new requests queue up and form
the next batch, so a busy model runs full batches back to back.

It knows nothing about models: the local backend hands it a function that pads prompts into
one ``model.generate``; the unit tests hand it a counter.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from graphnode.ai.llm.base import LOGGER_NAME, LanguageModelBusyError, LanguageModelError

In = TypeVar("In")
Out = TypeVar("Out")

logger = logging.getLogger(LOGGER_NAME)


def _same_batch(_: object) -> Hashable:
    return None


@dataclass(slots=True)
class _Waiting(Generic[In, Out]):
    item: In
    key: Hashable
    future: asyncio.Future[Out]


class MicroBatcher(Generic[In, Out]):
    """Merge concurrent ``submit`` calls into calls of ``run_batch``.

    ``run_batch`` gets the items in arrival order and returns one result per item; if it
    raises, every caller in that batch gets the exception and the batcher keeps going.
    ``batch_key`` keeps items that cannot share a call (different sampling settings) apart.
    A caller that is cancelled before its batch starts is simply left out of it.
    """

    def __init__(
        self,
        run_batch: Callable[[list[In]], Awaitable[Sequence[Out]]],
        *,
        max_batch_size: int = 8,
        max_wait_s: float = 0.01,
        max_pending: int = 1024,
        batch_key: Callable[[In], Hashable] = _same_batch,
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
        self._waiting: deque[_Waiting[In, Out]] = deque()
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

    async def submit(self, item: In) -> Out:
        if self._closed:
            raise LanguageModelError("the language model is closed")
        if len(self._waiting) >= self._max_pending:
            raise LanguageModelBusyError(f"{len(self._waiting)} requests already waiting")
        self._ensure_started()
        future: asyncio.Future[Out] = asyncio.get_running_loop().create_future()
        self._waiting.append(_Waiting(item, self._batch_key(item), future))
        self._arrived.set()
        # Cancelling the caller cancels this future; the loop then skips the item.
        return await future

    async def close(self) -> None:
        """Stop the background task and fail whatever was still waiting; safe to call twice."""
        self._closed = True
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._fail_waiting(LanguageModelError("the language model was closed"))

    def _ensure_started(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="graphnode-llm-batcher")
            self._task.add_done_callback(self._on_loop_exit)

    def _on_loop_exit(self, task: asyncio.Task[None]) -> None:
        # A bug in the loop must not leave callers awaiting futures nobody will resolve.
        if not task.cancelled() and task.exception() is not None:
            logger.error("LLM batcher stopped", exc_info=task.exception())
            self._fail_waiting(LanguageModelError("the batcher stopped unexpectedly"))

    def _fail_waiting(self, error: LanguageModelError) -> None:
        waiting, self._waiting = list(self._waiting), deque()
        _fail(waiting, error)

    async def _loop(self) -> None:
        while True:
            await self._arrived.wait()
            await self._wait_for_fill()
            batch = self._take_batch()
            if self._waiting:
                self._arrived.set()  # another key's items are waiting: go round again
            else:
                self._arrived.clear()
            if batch:
                await self._execute(batch)

    def _head_group_size(self) -> int:
        while self._waiting and self._waiting[0].future.done():
            self._waiting.popleft()
        if not self._waiting:
            return 0
        key = self._waiting[0].key
        return sum(1 for waiting in self._waiting if waiting.key == key)

    async def _wait_for_fill(self) -> None:
        """Give concurrent callers ``max_wait_s`` to join the batch the first item starts."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._max_wait_s
        while 0 < self._head_group_size() < self._max_batch_size:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await self._arrived.wait()

    def _take_batch(self) -> list[_Waiting[In, Out]]:
        if self._head_group_size() == 0:
            return []
        key = self._waiting[0].key
        batch: list[_Waiting[In, Out]] = []
        rest: deque[_Waiting[In, Out]] = deque()
        for waiting in self._waiting:
            if waiting.key == key and len(batch) < self._max_batch_size:
                batch.append(waiting)
            elif not waiting.future.done():
                rest.append(waiting)
        self._waiting = rest
        return batch

    async def _execute(self, batch: list[_Waiting[In, Out]]) -> None:
        live = [waiting for waiting in batch if not waiting.future.done()]
        if not live:
            return
        self.batches_run += 1
        self.items_run += len(live)
        try:
            results = list(await self._run_batch([waiting.item for waiting in live]))
            if len(results) != len(live):
                raise LanguageModelError(f"a batch of {len(live)} returned {len(results)}")
        except asyncio.CancelledError:
            _fail(live, LanguageModelError("the batch was cancelled"))
            raise
        except Exception as error:  # every caller hears about it; the loop stays up
            _fail(live, error)
            return
        for waiting, result in zip(live, results, strict=True):
            if not waiting.future.done():
                waiting.future.set_result(result)


def _fail(batch: list[_Waiting[In, Out]], error: BaseException) -> None:
    for waiting in batch:
        if not waiting.future.done():
            waiting.future.set_exception(error)
