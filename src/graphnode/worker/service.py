"""The worker assembled from settings: clients, stores, handlers, consumer, ops port.

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
from graphnode.storage.device_store import DeviceStore
from graphnode.storage.graph_store import MongoGraphStore
from graphnode.storage.mongo_vector_store import MongoVectorStore
from graphnode.storage.push_receipts import PushReceipts
from graphnode.storage.task_store import TaskStore
from graphnode.storage.vector_store import ChromaVectorStore, VectorStore
from graphnode.worker.handlers.add_node import AddNodeResultHandler
from graphnode.worker.handlers.context import HandlerContext
from graphnode.worker.handlers.graph_generation import GraphGenerationResultHandler
from graphnode.worker.handlers.progress import GraphGenerationProgressHandler
from graphnode.worker.handlers.summary import GraphSummaryResultHandler
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

    async def run(self, stop: asyncio.Event) -> None:
        await self.consumer.run(stop)

    async def is_ready(self) -> bool:
        await self.sqs.attributes(self.queue_url)  # raises when SQS is unreachable
        return self.consumer.running


async def _open_vector_store(
    settings: Settings, stack: contextlib.AsyncExitStack, mongo: DocumentDatabase
) -> VectorStore:
    if settings.vector_store == "mongo":
        return MongoVectorStore(mongo)
    collection = await stack.enter_async_context(VectorCollection(settings))
    return ChromaVectorStore(collection)


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
        context = HandlerContext(
            objects=objects,
            graphs=MongoGraphStore(mongo),
            vectors=await _open_vector_store(settings, stack, mongo),
            tasks=TaskStore(mongo),
            notifier=Notifier(
                await _open_fcm(settings, stack), DeviceStore(mongo), PushReceipts(mongo)
            ),
        )
        queue_url = await sqs.queue_url(settings.result_queue)
        metrics = ConsumerMetrics("graphnode_worker")
        deleter = await stack.enter_async_context(BatchDeleter(sqs))
        consumer = Consumer(sqs, queue_url, registry_factory(context), config, metrics, deleter)
        worker = Worker(consumer, context, metrics, None, sqs, queue_url)
        if settings.worker_port >= 0 and settings.worker_port != 0:
            worker.ops = await stack.enter_async_context(
                OpsServer(settings.worker_host, settings.worker_port, metrics, worker.is_ready)
            )
        yield worker
