"""The SQS consumer: P long polls feed per-message tasks under one concurrency limit.

Each poll iteration is the same few named steps: wait for free slots, receive at most that
many messages, start one task per message. Each task parses, routes, runs its handler under
a visibility heartbeat and a time limit, then settles the message: delete on success,
dead-letter a poison message at once, or leave a failure for SQS to redeliver later.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any

from graphnode.adapters.sqs import BATCH_LIMIT, QueueClient, ReceivedMessage
from graphnode.contracts import ContractError, Message, parse_message
from graphnode.logs import log_context
from graphnode.messaging.dead_letters import DeadLetters
from graphnode.messaging.heartbeat import visibility_heartbeat
from graphnode.messaging.metrics import ConsumerMetrics
from graphnode.messaging.retry import ExponentialBackoff
from graphnode.messaging.routing import HandlerRegistry, PoisonMessage
from graphnode.messaging.settler import BatchDeleter
from graphnode.messaging.slots import SlotPool

log = logging.getLogger("graphnode.consumer")

# After a failed receive (SQS unreachable), wait this long before polling again.
RECEIVE_ERROR_PAUSE_SECONDS = 2.0
# How much longer than the long-poll wait a stopping consumer waits for polls to end.
POLL_END_MARGIN_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class ConsumerConfig:
    pollers: int = 2
    concurrency: int = 16
    wait_seconds: int = 20
    visibility_timeout: int = 60
    max_handler_seconds: float = 900.0
    shutdown_grace: float = 30.0
    retry: ExponentialBackoff = field(default_factory=lambda: ExponentialBackoff(5))


class Consumer:
    def __init__(
        self,
        sqs: QueueClient,
        queue_url: str,
        registry: HandlerRegistry,
        config: ConsumerConfig,
        metrics: ConsumerMetrics,
        deleter: BatchDeleter,
    ) -> None:
        self._sqs, self._queue_url, self._registry = sqs, queue_url, registry
        self._config, self._metrics, self._deleter = config, metrics, deleter
        self._dead_letters = DeadLetters(sqs)
        self._slots = SlotPool(config.concurrency)
        self._tasks: set[asyncio.Task[None]] = set()
        self._stop = asyncio.Event()
        self.running = False

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until ``stop`` is set, then shut down within the grace period."""
        self._stop = stop
        pollers = [
            asyncio.create_task(self._poll_forever(), name=f"poller-{i}")
            for i in range(self._config.pollers)
        ]
        self.running = True
        log.info(
            "worker consuming",
            extra={
                "queue": self._queue_url,
                "pollers": self._config.pollers,
                "concurrency": self._config.concurrency,
            },
        )
        try:
            await stop.wait()
        finally:
            self.running = False
            await self._stop_polling(pollers)
            await self._drain()
            log.info("worker stopped")

    # -- polling -------------------------------------------------------------------------

    async def _poll_forever(self) -> None:
        while not self._stop.is_set():
            room = await self._slots.reserve(BATCH_LIMIT)
            try:
                messages = await self._sqs.receive(
                    self._queue_url,
                    max_messages=room,
                    wait_seconds=self._config.wait_seconds,
                    visibility_timeout=self._config.visibility_timeout,
                )
            except asyncio.CancelledError:
                self._slots.release(room)
                raise
            except Exception:  # SQS unreachable: keep the worker alive, try again shortly
                self._slots.release(room)
                log.warning("receive failed", exc_info=True)
                await asyncio.sleep(RECEIVE_ERROR_PAUSE_SECONDS)
                continue
            self._slots.release(room - len(messages))
            if self._stop.is_set():
                # Arrived while stopping: hand them straight back to the other workers.
                await self._release_all(messages)
                return
            for message in messages:
                self._start(message)

    async def _release_all(self, messages: list[ReceivedMessage]) -> None:
        self._slots.release(len(messages))
        for message in messages:
            await self._release(message, 0)
        if messages:
            log.info("released messages received while stopping", extra={"released": len(messages)})

    def _start(self, message: ReceivedMessage) -> None:
        task = asyncio.create_task(self._process(message), name=f"msg-{message.message_id}")
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._slots.release()
        if not task.cancelled() and task.exception() is not None:
            log.error("message task crashed", exc_info=task.exception())

    # -- one message ---------------------------------------------------------------------

    async def _process(self, received: ReceivedMessage) -> None:
        self._metrics.received.inc()
        with log_context(messageId=received.message_id, receiveCount=received.receive_count):
            try:
                message = parse_message(received.body)
            except ContractError as exc:
                await self._dead_letter(received, exc.reason)
                return
            with log_context(
                taskId=message.task_id,
                userId=message.payload.user_id,
                taskType=message.task_type.value,
            ):
                await self._handle(received, message)

    async def _handle(self, received: ReceivedMessage, message: Message[Any]) -> None:
        task_type = message.task_type.value
        try:
            await self._run_handler(received, message)
        except (ContractError, PoisonMessage) as exc:
            await self._dead_letter(received, exc.reason)
        except asyncio.CancelledError:
            await asyncio.shield(self._release(received, 0))
            raise
        except Exception as exc:
            self._metrics.failed.labels(task_type).inc()
            delay = self._config.retry.delay(received.receive_count)
            log.error(
                "handler failed; message left for redelivery",
                exc_info=not isinstance(exc, TimeoutError),
                extra={"retryInSeconds": delay, "error": repr(exc)},
            )
            await self._release(received, delay)
        else:
            await self._deleter.delete(received)
            self._metrics.succeeded.labels(task_type).inc()
            log.info("message handled")

    async def _run_handler(self, received: ReceivedMessage, message: Message[Any]) -> None:
        handler = self._registry.handler_for(message)
        timer = self._metrics.handler_seconds.labels(message.task_type.value).time()
        with self._metrics.in_flight.track_inprogress(), timer:
            async with (
                visibility_heartbeat(
                    self._sqs, received, self._config.visibility_timeout, self._metrics
                ),
                asyncio.timeout(self._config.max_handler_seconds),
            ):
                await handler.handle(message)

    async def _dead_letter(self, received: ReceivedMessage, reason: str) -> None:
        try:
            await self._dead_letters.send(received, reason)
        except Exception:  # the DLQ could not take it: keep it here rather than lose it
            log.exception("dead-lettering failed; message left on the queue")
            await self._release(received, self._config.retry.delay(received.receive_count))
            return
        await self._deleter.delete(received)
        self._metrics.dead_lettered.inc()

    async def _release(self, received: ReceivedMessage, delay: int) -> None:
        """Make the message visible again after ``delay`` seconds (0: to any worker now)."""
        try:
            await self._sqs.change_visibility(received.queue_url, received.receipt_handle, delay)
        except Exception:  # it reappears when its visibility runs out anyway
            log.warning("could not change visibility", exc_info=True)

    # -- shutdown ------------------------------------------------------------------------

    async def _stop_polling(self, pollers: list[asyncio.Task[None]]) -> None:
        """Let each poll in flight end by itself and release what it brings: a receive
        cancelled on our side may still be answered by SQS, and the messages it takes would
        stay hidden for a whole visibility timeout. Polls still open after the long-poll
        wait (plus a margin), or past the shutdown grace, are cancelled."""
        patience = min(
            self._config.wait_seconds + POLL_END_MARGIN_SECONDS, self._config.shutdown_grace
        )
        _, unfinished = await asyncio.wait(pollers, timeout=patience)
        for poller in unfinished:
            poller.cancel()
        await asyncio.gather(*pollers, return_exceptions=True)

    async def _drain(self) -> None:
        """Let in-flight handlers finish within the grace period; release the rest now."""
        if not self._tasks:
            return
        log.info(
            "waiting for in-flight handlers",
            extra={"inFlight": len(self._tasks), "graceSeconds": self._config.shutdown_grace},
        )
        _, unfinished = await asyncio.wait(set(self._tasks), timeout=self._config.shutdown_grace)
        for task in unfinished:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*unfinished, return_exceptions=True)
        if unfinished:
            log.warning("released unfinished messages", extra={"released": len(unfinished)})
