"""The worker assembled from settings: clients, stores, handlers, consumer, ops port, and
the two watchers that make every task end: the dead-letter drain and the deadline sweeper.

``open_worker`` is the one factory, used by ``python -m graphnode.worker`` and by the tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from graphnode.adapters.chroma import VectorCollection
from graphnode.adapters.fcm import FcmNotifier
from graphnode.adapters.mongo import DocumentDatabase
from graphnode.adapters.s3 import ObjectStore
from graphnode.adapters.sqs import QueueClient
from graphnode.contracts import TaskType
from graphnode.messaging.consumer import Consumer, ConsumerConfig
from graphnode.messaging.metrics import ConsumerMetrics
from graphnode.messaging.retry import ExponentialBackoff
from graphnode.messaging.routing import HandlerRegistry
from graphnode.messaging.settler import BatchDeleter
from graphnode.ops_server import OpsServer
from graphnode.settings import Settings
from graphnode.storage.dead_letter_store import DeadLetterStore
from graphnode.storage.device_store import DeviceStore
from graphnode.storage.graph_store import MongoGraphStore
from graphnode.storage.migrations import KeyMigration
from graphnode.storage.mongo_vector_store import MongoVectorStore
from graphnode.storage.push_receipts import PushReceipts
from graphnode.storage.summary_mend import SummaryMender
from graphnode.storage.task_store import TaskStore
from graphnode.storage.user_data import UserDataEraser
from graphnode.storage.vector_store import ChromaVectorStore, VectorStore
from graphnode.worker.dead_letter_drain import DeadLetterDrain
from graphnode.worker.deadlines import DeadlineSweeper
from graphnode.worker.handlers.add_node import AddNodeResultHandler
from graphnode.worker.handlers.context import HandlerContext
from graphnode.worker.handlers.graph_generation import GraphGenerationResultHandler
from graphnode.worker.handlers.progress import GraphGenerationProgressHandler
from graphnode.worker.handlers.summary import GraphSummaryResultHandler
from graphnode.worker.handlers.user_deletion import UserDeletionHandler
from graphnode.worker.notifier import Notifier

log = logging.getLogger("graphnode.worker")

# Connections beyond polls and handlers: the deleter, heartbeats and readiness probes.
EXTRA_SQS_CONNECTIONS = 4


def worker_consumer_config(settings: Settings) -> ConsumerConfig:
    return ConsumerConfig(
        pollers=settings.worker_pollers,
        concurrency=settings.worker_concurrency,
        wait_seconds=settings.worker_wait_seconds,
        visibility_timeout=settings.worker_visibility_timeout,
        max_handler_seconds=settings.worker_max_handler_seconds,
        shutdown_grace=settings.worker_shutdown_grace,
        retry=ExponentialBackoff(settings.worker_retry_base_seconds),
    )


def default_registry(context: HandlerContext) -> HandlerRegistry:
    return HandlerRegistry(
        {
            TaskType.GRAPH_GENERATION_RESULT: GraphGenerationResultHandler(context),
            TaskType.GRAPH_GENERATION_PROGRESS: GraphGenerationProgressHandler(context),
            TaskType.GRAPH_SUMMARY_RESULT: GraphSummaryResultHandler(context),
            TaskType.ADD_NODE_RESULT: AddNodeResultHandler(context),
            TaskType.USER_DELETION_REQUEST: UserDeletionHandler(context),
        }
    )


@dataclass
class Worker:
    consumer: Consumer
    context: HandlerContext
    metrics: ConsumerMetrics
    ops: OpsServer | None
    sqs: QueueClient
    queue_url: str
    sweeper: DeadlineSweeper
    dead_letters: DeadLetterDrain
    dlq_urls: list[str]

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until ``stop``; the watchers run alongside and stop with the consumer."""
        watchers = [
            asyncio.create_task(self.sweeper.run(stop), name="deadline-sweeper"),
            asyncio.create_task(self.dead_letters.run(self.dlq_urls, stop), name="dlq-drain"),
        ]
        try:
            await self.consumer.run(stop)
        finally:
            for watcher in watchers:
                watcher.cancel()
            await asyncio.gather(*watchers, return_exceptions=True)

    mongo: DocumentDatabase | None = None

    async def is_ready(self) -> bool:
        """Ready only while every dependency a handler needs answers: SQS, MongoDB and the
        vector store (a worker that can only fail its messages should take no traffic)."""
        await self.sqs.attributes(self.queue_url)  # raises when SQS is unreachable
        if self.mongo is not None and not await self.mongo.ping():
            return False
        return self.consumer.running and await self.context.vectors.ping()


async def _open_vector_store(
    settings: Settings, stack: contextlib.AsyncExitStack, mongo: DocumentDatabase
) -> tuple[VectorStore, VectorCollection | None]:
    if settings.vector_store == "mongo":
        return MongoVectorStore(mongo), None
    collection = await stack.enter_async_context(VectorCollection(settings))
    return ChromaVectorStore(collection), collection


async def _open_fcm(settings: Settings, stack: contextlib.AsyncExitStack) -> FcmNotifier | None:
    if not settings.fcm_enabled:
        log.info("pushes disabled: no GRAPHNODE_FCM_CREDENTIALS or GRAPHNODE_FCM_ENDPOINT")
        return None
    notifier = FcmNotifier(
        credentials_path=settings.fcm_credentials,
        endpoint=settings.fcm_endpoint,
        project_id=settings.fcm_project_id,
    )
    return await stack.enter_async_context(notifier)


async def _dead_letter_queues(sqs: QueueClient, settings: Settings) -> list[str]:
    """The DLQs of the result and request queues (those that exist and have one)."""
    found = []
    for queue in (settings.result_queue, settings.request_queue):
        try:
            dlq = await sqs.dead_letter_queue_url(await sqs.queue_url(queue))
        except Exception:  # no such queue here (e.g. HTTP dispatch only): nothing to drain
            log.info("no dead-letter queue to drain", extra={"queue": queue})
            continue
        if dlq is not None and dlq not in found:
            found.append(dlq)
    return found


@contextlib.asynccontextmanager
async def open_worker(
    settings: Settings,
    *,
    registry_factory: Callable[[HandlerContext], HandlerRegistry] = default_registry,
    config: ConsumerConfig | None = None,
) -> AsyncIterator[Worker]:
    """Open every client the worker needs; close them all (in reverse) on exit."""
    config = config or worker_consumer_config(settings)
    async with contextlib.AsyncExitStack() as stack:
        pool = config.pollers + config.concurrency + EXTRA_SQS_CONNECTIONS
        sqs = await stack.enter_async_context(
            QueueClient(settings, max_pool_connections=pool, wait_seconds=config.wait_seconds)
        )
        objects = await stack.enter_async_context(
            ObjectStore(settings, max_pool_connections=config.concurrency + 2)
        )
        mongo = await stack.enter_async_context(DocumentDatabase(settings))
        vectors, chroma = await _open_vector_store(settings, stack, mongo)
        # Data stored by earlier versions is re-keyed before any message is handled.
        await KeyMigration(mongo, chroma).run()
        graphs = MongoGraphStore(mongo)
        context = HandlerContext(
            objects=objects,
            graphs=graphs,
            vectors=vectors,
            tasks=TaskStore(mongo),
            notifier=Notifier(
                await _open_fcm(settings, stack), DeviceStore(mongo), PushReceipts(mongo)
            ),
            eraser=UserDataEraser(mongo),
            summaries=SummaryMender(mongo, graphs),
        )
        queue_url = await sqs.queue_url(settings.result_queue)
        metrics = ConsumerMetrics("graphnode_worker")
        deleter = await stack.enter_async_context(BatchDeleter(sqs))
        consumer = Consumer(sqs, queue_url, registry_factory(context), config, metrics, deleter)
        worker = Worker(
            consumer,
            context,
            metrics,
            None,
            sqs,
            queue_url,
            sweeper=DeadlineSweeper(context.tasks, context.failures, settings.task_sweep_seconds),
            dead_letters=DeadLetterDrain(
                sqs,
                DeadLetterStore(mongo),
                context.tasks,
                context.failures,
                wait_seconds=config.wait_seconds,
            ),
            dlq_urls=await _dead_letter_queues(sqs, settings),
            mongo=mongo,
        )
        if settings.worker_port >= 0 and settings.worker_port != 0:
            worker.ops = await stack.enter_async_context(
                OpsServer(settings.worker_host, settings.worker_port, metrics, worker.is_ready)
            )
        yield worker
