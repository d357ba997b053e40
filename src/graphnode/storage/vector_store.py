"""The ``VectorStore`` port: one vector per source item and graph generation, cosine space,
every read and delete filtered on ``user_id`` (docs/contract.md, 'Persistence').

Vectors follow the graph's generations (see ``graph_store``): a result writes its vectors
under its own generation before it becomes current, searches read only the current
generation, and older generations are collected after the switch. Ids are escaped keys of
(user, generation, orig_id), so no two users' ids can meet, whatever characters they hold.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from graphnode.adapters.chroma import MetadataValue, VectorCollection, VectorRecord
from graphnode.storage.graph_documents import Generation

# Records read from Chroma per call when a whole generation's vectors are read.
VECTOR_PAGE = 1000


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

    def metadata(self, gen: Generation) -> dict[str, MetadataValue]:
        return {
            "user_id": gen.user_id,
            "generation": gen.generation,
            "generated_ms": gen.generated_ms,
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


class VectorDimensionError(ValueError):
    """Vectors of one length offered to a collection that holds another. It happens when
    GRAPHNODE_EMBEDDING_MODEL changes (the default English model makes 384 numbers, most
    multilingual ones 768): nearest-neighbour search across two models means nothing, so the
    collection refuses them instead of mixing them."""

    def __init__(self, collection: str, held: int, offered: int) -> None:
        super().__init__(
            f"the vector collection {collection!r} holds {held}-dimension vectors and was "
            f"offered {offered}-dimension ones: the embedding model changed since it was "
            "written. Give the new model a collection of its own (GRAPHNODE_CHROMA_COLLECTION, "
            "or another GRAPHNODE_MONGO_DB with GRAPHNODE_VECTOR_STORE=mongo) and generate the "
            "graphs again"
        )
        self.collection, self.held, self.offered = collection, held, offered


class DimensionCheck:
    """The one vector length a collection holds: learnt from the store on first use (or
    from the first write to an empty one), then every write and query is held to it."""

    def __init__(self, collection: str, read: Callable[[], Awaitable[int | None]]) -> None:
        self._collection = collection
        self._read = read
        self._held: int | None = None

    async def check(self, lengths: Sequence[int]) -> None:
        """Refuse ``lengths`` (of vectors about to be written or queried) unless they are
        all the collection's own."""
        distinct = sorted(set(lengths))
        if not distinct:
            return
        if self._held is None:
            self._held = await self._read()
        held = self._held if self._held is not None else distinct[0]
        for offered in distinct:
            if offered != held:
                raise VectorDimensionError(self._collection, held, offered)
        self._held = held


def vector_id(gen: Generation, orig_id: str) -> str:
    return gen.key(orig_id)


class VectorStore(Protocol):
    async def upsert(self, gen: Generation, vectors: Sequence[NodeVector]) -> int: ...

    async def drop(self, gen: Generation) -> None:
        """Delete ``gen``'s vectors (it lost the switch)."""
        ...

    async def delete_items(self, gen: Generation, orig_ids: Sequence[str]) -> None:
        """Delete the vectors of these items of ``gen`` (``DELETE /v1/conversations/{id}``)."""
        ...

    async def collect_older(self, gen: Generation) -> int:
        """Delete the user's vectors of generations older than ``gen``; returns how many."""
        ...

    async def search(
        self, gen: Generation, embedding: Sequence[float], limit: int = 10
    ) -> list[VectorMatch]: ...

    async def orig_ids(self, gen: Generation) -> set[str]: ...

    async def vectors(self, gen: Generation) -> dict[str, np.ndarray]:
        """Every item's vector in ``gen``, by its source id, as float32 (so a large graph
        is held in a few bytes an element, not as Python floats)."""
        ...

    async def ping(self) -> bool:
        """True when the store answers (the worker's readiness)."""
        ...

    async def delete_user(self, user_id: str) -> None:
        """Every vector of the user, of every generation."""
        ...


def _older_than(gen: Generation) -> dict[str, Any]:
    return {"generated_ms": {"$lt": gen.generated_ms}}


class ChromaVectorStore:
    """:class:`VectorStore` on a Chroma collection (server or embedded)."""

    def __init__(self, collection: VectorCollection) -> None:
        self._collection = collection
        self._dimension = DimensionCheck(collection.name, collection.dimension)

    async def ping(self) -> bool:
        return await self._collection.heartbeat()

    async def delete_user(self, user_id: str) -> None:
        await self._collection.delete(user_id)

    async def upsert(self, gen: Generation, vectors: Sequence[NodeVector]) -> int:
        await self._dimension.check([len(v.embedding) for v in vectors])
        records = [
            VectorRecord(
                id=vector_id(gen, v.orig_id),
                embedding=v.embedding,
                metadata=v.metadata(gen),
                document=v.title,
            )
            for v in vectors
        ]
        return await self._collection.upsert(records)

    async def drop(self, gen: Generation) -> None:
        await self._collection.delete(gen.user_id, where={"generation": gen.generation})

    async def delete_items(self, gen: Generation, orig_ids: Sequence[str]) -> None:
        if orig_ids:
            await self._collection.delete(gen.user_id, [vector_id(gen, o) for o in orig_ids])

    async def collect_older(self, gen: Generation) -> int:
        stale = await self._collection.ids(gen.user_id, where=_older_than(gen))
        await self._collection.delete(gen.user_id, stale)
        return len(stale)

    async def search(
        self, gen: Generation, embedding: Sequence[float], limit: int = 10
    ) -> list[VectorMatch]:
        await self._dimension.check([len(embedding)])
        hits = await self._collection.query(
            gen.user_id, embedding, limit=limit, where={"generation": gen.generation}
        )
        return [
            VectorMatch(
                orig_id=str(h.metadata.get("orig_id")),
                score=h.similarity,
                metadata=dict(h.metadata),
            )
            for h in hits
        ]

    async def orig_ids(self, gen: Generation) -> set[str]:
        records = await self._collection.metadatas(
            gen.user_id, where={"generation": gen.generation}
        )
        return {str(m.get("orig_id")) for m in records}

    async def vectors(self, gen: Generation) -> dict[str, np.ndarray]:
        ids = await self._collection.ids(gen.user_id, where={"generation": gen.generation})
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(ids), VECTOR_PAGE):
            page = await self._collection.get(gen.user_id, ids[start : start + VECTOR_PAGE])
            for record in page.values():
                orig_id = str(record.metadata.get("orig_id"))
                found[orig_id] = np.asarray(record.embedding, dtype=np.float32)
        return found
