"""What every handler needs, in one object built once per worker."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from graphnode.adapters.s3 import ObjectStore
from graphnode.contracts import Message
from graphnode.contracts.results import GraphNode
from graphnode.storage.graph_store import GraphDocumentStore
from graphnode.storage.task_store import TaskState, TaskStore
from graphnode.storage.vector_store import NodeVector, VectorStore
from graphnode.worker.notifier import Notifier


@dataclass(frozen=True, slots=True)
class HandlerContext:
    objects: ObjectStore
    graphs: GraphDocumentStore
    vectors: VectorStore
    tasks: TaskStore
    notifier: Notifier

    async def download(self, *keys: str | None) -> list[bytes | None]:
        """Fetch every named key concurrently (None for a key not given)."""

        async def fetch(key: str | None) -> bytes | None:
            return None if key is None else await self.objects.get_bytes(key)

        return list(await asyncio.gather(*(fetch(key) for key in keys)))

    async def record_failure(self, message: Message[Any]) -> None:
        """A FAILED result: the task carries the AI service's error and code."""
        payload = message.payload
        await self.tasks.finish(
            message.task_id,
            payload.user_id,
            TaskState.FAILED,
            error=payload.error,
            error_code=payload.error_code,
        )


def node_vector(node: GraphNode, embedding: Sequence[float]) -> NodeVector:
    """The vector-store entry of a graph node."""
    return NodeVector(
        orig_id=node.orig_id,
        embedding=embedding,
        node_id=node.id,
        cluster_id=node.cluster_id,
        cluster_name=node.cluster_name,
        keywords=tuple(node.top_keywords),
        source_type=node.source_type,
        title=node.title,
    )


def generated_at(raw: str | None, fallback: datetime | None) -> datetime:
    """When a result was generated: the file's own stamp, else the message's, else now."""
    if raw:
        try:
            stamp = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            stamp = None
        if stamp is not None:
            return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
    return fallback or datetime.now(UTC)
