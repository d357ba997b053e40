"""Typed application state of the API, declared in one place."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from graphnode.adapters.mongo import DocumentDatabase
from graphnode.api.auth import TokenVerifier
from graphnode.api.services.ai_client import AiServiceClient
from graphnode.api.services.deletion import UserDeletionService
from graphnode.api.services.generation import GenerationService
from graphnode.api.services.rate_limit import SlidingWindowLimit
from graphnode.api.services.snapshot_cache import SnapshotCache
from graphnode.ingest.pool import ParsePool
from graphnode.settings import Settings
from graphnode.storage.conversation_store import ConversationStore
from graphnode.storage.device_store import DeviceStore
from graphnode.storage.graph_snapshot import GraphSnapshotReader
from graphnode.storage.graph_store import MongoGraphStore
from graphnode.storage.task_store import TaskStore
from graphnode.storage.vector_store import VectorStore


@dataclass
class Api:
    settings: Settings
    verifier: TokenVerifier
    database: DocumentDatabase
    conversations: ConversationStore
    graphs: MongoGraphStore
    snapshots: GraphSnapshotReader
    snapshot_cache: SnapshotCache
    tasks: TaskStore
    devices: DeviceStore
    vectors: VectorStore
    generation: GenerationService
    generate_limit: SlidingWindowLimit
    ai: AiServiceClient
    deletion: UserDeletionService

    def user_of(self, request: web.Request) -> str:
        return self.verifier.user_of(request.headers.get("Authorization"))


SETTINGS = web.AppKey("settings", Settings)
API = web.AppKey("api", Api)
PARSE_POOL = web.AppKey("parse_pool", ParsePool)
