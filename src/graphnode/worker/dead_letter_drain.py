"""The dead-letter consumer: a message that reached a DLQ ends its task as FAILED.

SQS moves a result the worker failed ``maxReceiveCount`` times (or one it refused as poison)
to the result queue's DLQ, and a request the AI service could not take to the request queue's
DLQ. Left there, the task would stay RUNNING and the user's graph CREATING for good. Each
message is archived in MongoDB with its reason, its task is failed with that reason (the graph
status freed, one push), and only then is it deleted from the DLQ. A forged message cannot
fail another user's task: the task's own owner must match the message's ``userId``.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import orjson

from graphnode.adapters.sqs import BATCH_LIMIT, QueueClient, ReceivedMessage
from graphnode.contracts import TaskType
from graphnode.logs import log_context
from graphnode.storage.dead_letter_store import DeadLetterStore
from graphnode.storage.task_store import TaskStore
from graphnode.worker.task_endings import TaskFailures

log = logging.getLogger("graphnode.worker.dead_letters")

DEAD_LETTERED = "DEAD_LETTERED"
# A dead letter is handled in milliseconds; if the worker dies, it comes back after this.
VISIBILITY_SECONDS = 60
RECEIVE_ERROR_PAUSE_SECONDS = 2.0
# A lost progress report is no reason to fail a task that may still finish.
_NOT_FATAL = {TaskType.GRAPH_GENERATION_PROGRESS.value}


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """What can be read off a dead message, however broken its body is."""

    task_id: str | None
    user_id: str | None
    task_type: str | None
    reason: str

    @classmethod
    def read(cls, received: ReceivedMessage) -> DeadLetter:
        try:
            data: Any = orjson.loads(received.body)
        except orjson.JSONDecodeError:
            data = None
        envelope = data if isinstance(data, dict) else {}
        payload = envelope.get("payload")
        payload = payload if isinstance(payload, dict) else {}
        reason = received.message_attributes.get("deadLetterReason") or (
            f"it failed {received.receive_count} or more deliveries"
        )
        return cls(
            task_id=_text(envelope.get("taskId")),
            user_id=_text(payload.get("userId")),
            task_type=_text(envelope.get("taskType")),
            reason=reason,
        )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _user_error(letter: DeadLetter) -> str:
    if letter.task_type and letter.task_type.endswith("_REQUEST"):
        return f"the AI service could not take the task: {letter.reason}"
    return f"the result could not be stored: {letter.reason}"


class DeadLetterDrain:
    def __init__(
        self,
        sqs: QueueClient,
        letters: DeadLetterStore,
        tasks: TaskStore,
        failures: TaskFailures,
        *,
        wait_seconds: int,
    ) -> None:
        self._sqs, self._letters, self._tasks = sqs, letters, tasks
        self._failures, self._wait = failures, wait_seconds

    async def handle(self, received: ReceivedMessage) -> None:
        """Archive one dead letter and end its task; raises (and keeps it) if storage fails."""
        letter = DeadLetter.read(received)
        with log_context(taskId=letter.task_id, userId=letter.user_id, dlq=received.queue_url):
            await self._letters.archive(
                received.message_attributes.get("sourceMessageId") or received.message_id,
                queue_url=received.queue_url,
                body=received.body,
                reason=letter.reason,
                attributes=received.message_attributes,
                task_id=letter.task_id,
                user_id=letter.user_id,
            )
            await self._end_task(letter)

    async def _end_task(self, letter: DeadLetter) -> None:
        if letter.task_id is None or letter.task_type in _NOT_FATAL:
            log.warning("dead letter archived", extra={"reason": letter.reason})
            return
        task = await self._tasks.get(letter.task_id)
        if task is None or (letter.user_id and task.get("user_id") != letter.user_id):
            log.warning(
                "dead letter archived; it names no task of its user",
                extra={"reason": letter.reason},
            )
            return
        await self._failures.fail(
            letter.task_id,
            task["user_id"],
            task.get("task_type") or letter.task_type or "",
            _user_error(letter),
            DEAD_LETTERED,
        )

    async def drain_once(self, dlq_url: str) -> int:
        """One long poll of ``dlq_url``: handle and delete what came; returns how many."""
        messages = await self._sqs.receive(
            dlq_url,
            max_messages=BATCH_LIMIT,
            wait_seconds=self._wait,
            visibility_timeout=VISIBILITY_SECONDS,
        )
        handled = []
        for received in messages:
            try:
                await self.handle(received)
            except Exception:  # kept on the DLQ: it comes back after its visibility timeout
                log.exception("dead letter could not be handled; it stays on the DLQ")
                continue
            handled.append(received.receipt_handle)
        if handled:
            await self._sqs.delete_batch(dlq_url, handled)
        return len(handled)

    async def run(self, dlq_urls: list[str], stop: asyncio.Event) -> None:
        """Drain every DLQ until ``stop``."""
        await asyncio.gather(*(self._drain_forever(url, stop) for url in dlq_urls))

    async def _drain_forever(self, dlq_url: str, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.drain_once(dlq_url)
            except asyncio.CancelledError:
                raise
            except Exception:  # SQS unreachable: keep the worker alive, try again shortly
                log.warning("dead-letter receive failed", exc_info=True)
                await asyncio.sleep(RECEIVE_ERROR_PAUSE_SECONDS)
