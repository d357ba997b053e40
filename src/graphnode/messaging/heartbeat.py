"""Keep a message invisible while its handler runs, and no longer."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from graphnode.adapters.sqs import QueueClient, ReceivedMessage
from graphnode.messaging.metrics import ConsumerMetrics

log = logging.getLogger("graphnode.messaging.heartbeat")

# Extend once a third of the visibility timeout is left: room for a slow API call.
EXTEND_WHEN_LEFT = 1 / 3


@contextlib.asynccontextmanager
async def visibility_heartbeat(
    sqs: QueueClient, message: ReceivedMessage, visibility_timeout: int, metrics: ConsumerMetrics
) -> AsyncIterator[None]:
    """While the block runs, push the message's visibility out by ``visibility_timeout``
    whenever less than a third of it is left; the extensions stop with the block."""
    interval = visibility_timeout * (1 - EXTEND_WHEN_LEFT)

    async def extend_forever() -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                await sqs.change_visibility(
                    message.queue_url, message.receipt_handle, visibility_timeout
                )
            except Exception:  # the handler goes on; SQS may redeliver, and handlers are idempotent
                log.warning("visibility extension failed", exc_info=True)
            else:
                metrics.visibility_extensions.inc()

    task = asyncio.create_task(extend_forever(), name=f"heartbeat-{message.message_id}")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
