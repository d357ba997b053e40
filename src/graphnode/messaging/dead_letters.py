"""Send a message that can never succeed to its queue's DLQ at once, with the reason.

SQS's redrive would get it there only after ``maxReceiveCount`` failed receives; a message
we know is malformed goes now, carrying why as message attributes, and is deleted from the
source queue only after the DLQ accepted it, so nothing is ever lost.
"""

from __future__ import annotations

import logging

from graphnode.adapters.sqs import QueueClient, ReceivedMessage

log = logging.getLogger("graphnode.messaging.dead_letters")

# Message attributes share the 256 KiB message limit with the body; keep the reason short.
MAX_REASON_CHARS = 1_000


class NoDeadLetterQueueError(RuntimeError):
    """The source queue has no redrive policy: the message stays where it is."""


class DeadLetters:
    def __init__(self, sqs: QueueClient) -> None:
        self._sqs = sqs
        self._dlq_urls: dict[str, str | None] = {}

    async def dlq_for(self, queue_url: str) -> str | None:
        if queue_url not in self._dlq_urls:
            self._dlq_urls[queue_url] = await self._sqs.dead_letter_queue_url(queue_url)
        return self._dlq_urls[queue_url]

    async def send(self, message: ReceivedMessage, reason: str) -> None:
        """Copy the message to the DLQ with its reason; the caller then deletes the original."""
        dlq = await self.dlq_for(message.queue_url)
        if dlq is None:
            log.error("poison message kept: queue has no DLQ", extra={"reason": reason})
            raise NoDeadLetterQueueError(f"{message.queue_url} has no redrive policy")
        await self._sqs.send(
            dlq,
            message.body,
            attributes={
                "deadLetterReason": reason[:MAX_REASON_CHARS],
                "sourceQueue": message.queue_url,
                "sourceMessageId": message.message_id,
                "receiveCount": str(message.receive_count),
            },
        )
        log.error("message dead-lettered", extra={"reason": reason, "dlq": dlq})
