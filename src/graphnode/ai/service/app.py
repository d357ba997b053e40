"""The AI service's aiohttp application: one factory for ``main`` and the tests; each
long-lived resource opened in a ``cleanup_ctx`` and closed only if it was opened."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from graphnode.adapters.s3 import ObjectStore
from graphnode.adapters.sqs import QueueClient
from graphnode.ai.components import open_pipeline
from graphnode.ai.service.graph_tasks import GraphTaskRunner
from graphnode.ai.service.queue_handlers import request_registry
from graphnode.ai.service.routes import setup_routes
from graphnode.ai.service.state import SERVICE, SETTINGS, AiService
from graphnode.ai.service.supervisor import TaskSupervisor
from graphnode.messaging.consumer import Consumer, ConsumerConfig
from graphnode.messaging.metrics import ConsumerMetrics
from graphnode.messaging.retry import ExponentialBackoff
from graphnode.messaging.settler import BatchDeleter
from graphnode.settings import Settings

log = logging.getLogger("graphnode.ai")

MAX_BODY_BYTES = 1024 * 1024  # requests name S3 keys; data never travels in the body
# A graph task takes minutes: a long visibility with heartbeats, a generous hard limit, and
# retries spaced out so a failing dependency gets time to recover.
REQUEST_VISIBILITY_SECONDS = 120
REQUEST_MAX_TASK_SECONDS = 3600.0
REQUEST_RETRY_BASE_SECONDS = 30
SHUTDOWN_GRACE_SECONDS = 30.0


def _consumer_config(settings: Settings) -> ConsumerConfig:
    # Only GRAPHNODE_AI_* settings here: the worker's GRAPHNODE_WORKER_* knobs tune the
    # ResultQueue consumer, and changing them must not retune this one.
    return ConsumerConfig(
        pollers=1,
        concurrency=settings.ai_concurrency,
        wait_seconds=settings.ai_wait_seconds,
        visibility_timeout=REQUEST_VISIBILITY_SECONDS,
        max_handler_seconds=REQUEST_MAX_TASK_SECONDS,
        shutdown_grace=SHUTDOWN_GRACE_SECONDS,
        retry=ExponentialBackoff(REQUEST_RETRY_BASE_SECONDS),
    )


async def _service(app: web.Application, *, warm_up: bool) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    async with contextlib.AsyncExitStack() as stack:
        components = await stack.enter_async_context(open_pipeline(settings, warm_up=warm_up))
        objects = await stack.enter_async_context(ObjectStore(settings))
        config = _consumer_config(settings)
        sqs = await stack.enter_async_context(
            # The read timeout follows the long poll, as the worker's does.
            QueueClient(
                settings,
                max_pool_connections=config.concurrency + 8,
                wait_seconds=config.wait_seconds,
            )
        )
        supervisor = TaskSupervisor(settings.ai_concurrency)
        stack.push_async_callback(supervisor.close, SHUTDOWN_GRACE_SECONDS)
        runner = GraphTaskRunner(objects, sqs, settings.result_queue, components.pipeline)
        service = AiService(
            settings, components, runner, supervisor, sqs, ConsumerMetrics("graphnode_ai")
        )
        deleter = await stack.enter_async_context(BatchDeleter(sqs))
        service.consumer = Consumer(
            sqs,
            await sqs.queue_url(settings.request_queue),
            request_registry(runner, supervisor),
            config,
            service.metrics,
            deleter,
        )
        stop = asyncio.Event()
        consuming = asyncio.create_task(service.consumer.run(stop), name="request-consumer")
        app[SERVICE] = service
        log.info("ai service ready", extra={"llm": settings.llm_backend})
        try:
            yield
        finally:
            stop.set()
            await consuming


def create_app(settings: Settings, *, warm_up: bool = False) -> web.Application:
    """The service; ``warm_up`` (the real process) prepares slow-to-start stages at once."""
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[SETTINGS] = settings
    app.cleanup_ctx.append(functools.partial(_service, warm_up=warm_up))
    setup_routes(app)
    return app
