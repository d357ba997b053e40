"""The ``VectorStore`` port: one vector per source item, id ``{userId}_{orig_id}``, cosine
space, and every read filtered on ``user_id`` (CONTRACT.md, 'Persistence')."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from graphnode.adapters.chroma import MetadataValue, VectorCollection, VectorRecord


@dataclass(frozen=True, slots=True)
class NodeVector:
    """A node's embedding and the metadata searches return with it."""

    orig_id: str
    embedding: Sequence[float]
    node_id: int
    cluster_id: str
    cluster_name: str = ""
    keywords: Sequence[str] = ()
    source_type: str = "chat"
    title: str = ""

    def metadata(self, user_id: str) -> dict[str, MetadataValue]:
        return {
            "user_id": user_id,
            "orig_id": self.orig_id,
            "node_id": self.node_id,
            "cluster_id": self.cluster_id,
            "cluster_name": self.cluster_name,
            # Chroma metadata values are scalars: keywords travel as one comma-joined string.
            "keywords": ", ".join(self.keywords),
            "source_type": self.source_type,
            "title": self.title,
        }


@dataclass(frozen=True, slots=True)
class VectorMatch:
    orig_id: str
    score: float  # cosine similarity, 1 = same direction
    metadata: dict[str, Any] = field(default_factory=dict)


def vector_id(user_id: str, orig_id: str) -> str:
    return f"{user_id}_{orig_id}"


class VectorStore(Protocol):
    async def upsert(self, user_id: str, vectors: Sequence[NodeVector]) -> int: ...

    async def retain_only(self, user_id: str, orig_ids: Collection[str]) -> int:
        """Delete the user's vectors whose orig_id is not in ``orig_ids``; returns how many."""
        ...

    async def search(
        self, user_id: str, embedding: Sequence[float], limit: int = 10
    ) -> list[VectorMatch]: ...

    async def orig_ids(self, user_id: str) -> set[str]: ...

    async def ping(self) -> bool:
        """True when the store answers (the worker's readiness)."""
        ...


class ChromaVectorStore:
    """:class:`VectorStore` on a Chroma collection (server or embedded)."""

    def __init__(self, collection: VectorCollection) -> None:
        self._collection = collection

    async def ping(self) -> bool:
        return await self._collection.heartbeat()

    async def upsert(self, user_id: str, vectors: Sequence[NodeVector]) -> int:
        records = [
            VectorRecord(
                id=vector_id(user_id, v.orig_id),
                embedding=v.embedding,
                metadata=v.metadata(user_id),
                document=v.title,
            )
            for v in vectors
        ]
        return await self._collection.upsert(records)

    async def retain_only(self, user_id: str, orig_ids: Collection[str]) -> int:
        keep = {vector_id(user_id, orig) for orig in orig_ids}
        stale = [i for i in await self._collection.ids(user_id) if i not in keep]
        await self._collection.delete(user_id, stale)
        return len(stale)

    async def search(
        self, user_id: str, embedding: Sequence[float], limit: int = 10
    ) -> list[VectorMatch]:
        hits = await self._collection.query(user_id, embedding, limit=limit)
        return [
            VectorMatch(
                orig_id=str(h.metadata.get("orig_id")),
                score=h.similarity,
                metadata=dict(h.metadata),
            )
            for h in hits
        ]

    async def orig_ids(self, user_id: str) -> set[str]:
        prefix = f"{user_id}_"
        return {i.removeprefix(prefix) for i in await self._collection.ids(user_id)}
