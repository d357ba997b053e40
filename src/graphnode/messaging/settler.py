"""Deletes handled messages in batches of up to 10 (one SQS call instead of ten).

Handlers hand their receipt handles to the shared micro-batcher, which waits a few
milliseconds for company and then deletes them together, one call per queue; an entry AWS
reports as failed is logged (such a message comes back and is handled again, which the
handlers make harmless). On closing, what is queued is still sent.
"""

from __future__ import annotations

import contextlib
import logging

from graphnode.adapters.lifecycle import Resource
from graphnode.adapters.sqs import BATCH_LIMIT, QueueClient, ReceivedMessage
from graphnode.batching import MicroBatcher

log = logging.getLogger("graphnode.messaging.settler")

# Long enough for concurrent handlers to share a call, short enough to be invisible.
DEFAULT_LINGER_SECONDS = 0.02


def _queue_of(message: ReceivedMessage) -> str:
    return message.queue_url


class BatchDeleter(Resource):
    def __init__(self, sqs: QueueClient, *, linger_seconds: float = DEFAULT_LINGER_SECONDS) -> None:
        super().__init__()
        self._sqs = sqs
        self._linger = linger_seconds
        self._batcher: MicroBatcher[ReceivedMessage, bool] | None = None

    async def _open(self, stack: contextlib.AsyncExitStack) -> None:
        self._batcher = MicroBatcher(
            self._delete_batch,
            max_batch_size=BATCH_LIMIT,
            max_wait_s=self._linger,
            max_pending=None,  # every handled message must be deleted, never refused
            batch_key=_queue_of,  # one DeleteMessageBatch names one queue
            name="batch-deleter",
        )
        stack.push_async_callback(self._batcher.close, drain=True)

    async def delete(self, message: ReceivedMessage) -> bool:
        """Delete ``message``; returns once its batch was sent (False if AWS refused it)."""
        self._require_open()
        assert self._batcher is not None
        return await self._batcher.submit(message)

    async def _delete_batch(self, messages: list[ReceivedMessage]) -> list[bool]:
        try:
            failed = set(
                await self._sqs.delete_batch(
                    messages[0].queue_url, [m.receipt_handle for m in messages]
                )
            )
        except Exception:  # every waiter hears of it; the messages will come back
            log.warning("delete batch failed", exc_info=True)
            raise
        return [message.receipt_handle not in failed for message in messages]
