"""The API's aiohttp application: one factory for ``main`` and the tests; each long-lived
resource opened in a ``cleanup_ctx`` and closed only if it was opened."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
from aiohttp import web

from graphnode.adapters.chroma import VectorCollection
from graphnode.adapters.mongo import DocumentDatabase
from graphnode.adapters.s3 import ObjectStore
from graphnode.adapters.sqs import QueueClient
from graphnode.api.auth import TokenVerifier
from graphnode.api.problems import problem_middleware
from graphnode.api.protocol import SERVER_HEADER
from graphnode.api.routes import setup_routes
from graphnode.api.services.ai_client import AiServiceClient
from graphnode.api.services.deletion import UserDeletionService
from graphnode.api.services.dispatch import Dispatcher, HttpDispatcher, QueueDispatcher
from graphnode.api.services.generation import GenerationService
from graphnode.api.services.rate_limit import SlidingWindowLimit
from graphnode.api.services.snapshot_cache import SnapshotCache
from graphnode.api.state import API, PARSE_POOL, SETTINGS, Api
from graphnode.ingest.pool import ParsePool
from graphnode.settings import Settings
from graphnode.storage.conversation_store import ConversationStore
from graphnode.storage.device_store import DeviceStore
from graphnode.storage.graph_file import StoredGraphFileReader
from graphnode.storage.graph_snapshot import GraphSnapshotReader
from graphnode.storage.graph_store import MongoGraphStore
from graphnode.storage.mongo_vector_store import MongoVectorStore
from graphnode.storage.task_store import TaskStore
from graphnode.storage.vector_store import ChromaVectorStore, VectorStore

log = logging.getLogger("graphnode.api")

# Uploads are streamed by their own view with their own limit; this caps everything else.
MAX_BODY_BYTES = 1024 * 1024


async def _dispatcher(
    settings: Settings, stack: contextlib.AsyncExitStack, ai: AiServiceClient
) -> Dispatcher:
    if settings.api_dispatch == "http":
        return HttpDispatcher(ai)
    sqs = await stack.enter_async_context(QueueClient(settings))
    return QueueDispatcher(sqs, settings.request_queue)


async def _vectors(
    settings: Settings, stack: contextlib.AsyncExitStack, database: DocumentDatabase
) -> VectorStore:
    if settings.vector_store == "mongo":
        return MongoVectorStore(database)
    return ChromaVectorStore(await stack.enter_async_context(VectorCollection(settings)))


async def _resources(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    async with contextlib.AsyncExitStack() as stack:
        database = await stack.enter_async_context(DocumentDatabase(settings))
        objects = await stack.enter_async_context(ObjectStore(settings))
        http = await stack.enter_async_context(aiohttp.ClientSession())
        ai = AiServiceClient.from_settings(http, settings)
        graphs, tasks = MongoGraphStore(database), TaskStore(database)
        conversations = ConversationStore(database)
        snapshots = GraphSnapshotReader(database)
        dispatcher = await _dispatcher(settings, stack, ai)
        vectors = await _vectors(settings, stack, database)
        app[API] = Api(
            settings=settings,
            verifier=TokenVerifier.from_settings(settings),
            database=database,
            conversations=conversations,
            graphs=graphs,
            snapshots=snapshots,
            snapshot_cache=SnapshotCache(database, snapshots),
            tasks=tasks,
            devices=DeviceStore(database),
            vectors=vectors,
            generation=GenerationService(
                conversations,
                graphs,
                tasks,
                objects,
                dispatcher,
                StoredGraphFileReader(database),
                vectors,
                task_deadline=timedelta(seconds=settings.task_deadline_seconds),
            ),
            generate_limit=SlidingWindowLimit(
                database, "generate", settings.generate_per_hour, timedelta(hours=1)
            ),
            ai=ai,
            deletion=UserDeletionService(
                tasks,
                # The worker's queue: a deletion is the worker's job, in every dispatch mode.
                await stack.enter_async_context(QueueClient(settings)),
                settings.result_queue,
                timedelta(seconds=settings.task_deadline_seconds),
            ),
        )
        log.info("api ready", extra={"dispatch": settings.api_dispatch})
        yield


async def _parse_pool(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    async with ParsePool(
        settings.parse_workers, settings.parse_seconds, settings.parse_seconds_per_mb
    ) as pool:
        app[PARSE_POOL] = pool
        yield


async def _plain_server_header(_: web.Request, response: web.StreamResponse) -> None:
    # aiohttp names Python's and its own versions: nothing a client needs, much an attacker
    # likes. (The answers aiohttp's parser gives, which never reach the app, set it in
    # api.protocol.)
    response.headers["Server"] = SERVER_HEADER


def create_app(settings: Settings) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=[problem_middleware])
    app.on_response_prepare.append(_plain_server_header)
    app[SETTINGS] = settings
    app.cleanup_ctx.append(_resources)
    app.cleanup_ctx.append(_parse_pool)
    setup_routes(app)
    return app
