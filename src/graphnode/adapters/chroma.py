"""Chroma vector collection: batched upserts, and queries that always filter on ``user_id``.

A URL gives a server (``AsyncHttpClient``); a path gives an embedded ``PersistentClient``,
whose synchronous calls run in a thread so the event loop never blocks on them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import chromadb
from chromadb.config import Settings as ChromaSettings

from graphnode.adapters.lifecycle import Resource
from graphnode.settings import Settings

log = logging.getLogger("graphnode.chroma")

MetadataValue = str | int | float | bool
# Used until the server tells its own limit (get_max_batch_size).
FALLBACK_BATCH_SIZE = 1_000


@dataclass(frozen=True, slots=True)
class VectorRecord:
    id: str
    embedding: Sequence[float]
    metadata: Mapping[str, MetadataValue]
    document: str | None = None

    def __post_init__(self) -> None:
        # Without it a record would be invisible to every (user-filtered) query.
        if not self.metadata.get("user_id"):
            raise ValueError(f"vector {self.id!r} has no user_id in its metadata")


@dataclass(frozen=True, slots=True)
class VectorHit:
    id: str
    distance: float
    metadata: Mapping[str, MetadataValue]
    document: str | None

    @property
    def similarity(self) -> float:
        """Cosine similarity (the collection uses cosine distance = 1 - similarity)."""
        return 1.0 - self.distance


def _user_filter(user_id: str, where: Mapping[str, Any] | None) -> dict[str, Any]:
    if not user_id:
        raise ValueError("every vector query must name a user_id")
    own = {"user_id": user_id}
    return {"$and": [own, dict(where)]} if where else own


def _records(answer: Mapping[str, Any]) -> list[VectorRecord]:
    """The records of a ``get`` that included embeddings, metadatas and documents."""
    return [
        VectorRecord(id=i, embedding=list(e), metadata=m or {}, document=doc)
        for i, e, m, doc in zip(
            answer["ids"],
            answer["embeddings"],
            answer["metadatas"],
            answer["documents"],
            strict=True,
        )
    ]


class VectorCollection(Resource):
    """One Chroma collection in cosine space. Embeddings are always passed in by us:
    Chroma's default embedding function would try to download a model."""

    def __init__(self, settings: Settings, *, collection: str | None = None) -> None:
        super().__init__()
        self._settings = settings
        self.name = collection or settings.chroma_collection
        self._collection: Any = None
        self._is_async = False
        self._batch_size = FALLBACK_BATCH_SIZE

    async def _open(self, stack: contextlib.AsyncExitStack) -> None:
        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        if self._settings.chroma_path:
            client: Any = await asyncio.to_thread(
                chromadb.PersistentClient, path=self._settings.chroma_path, settings=chroma_settings
            )
            self._is_async = False
        elif self._settings.chroma_url:
            url = urlparse(self._settings.chroma_url)
            client = await chromadb.AsyncHttpClient(
                host=url.hostname or "127.0.0.1",
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
            self._is_async = True
        else:
            raise ValueError("set GRAPHNODE_CHROMA_URL or GRAPHNODE_CHROMA_PATH")
        self._batch_size = await self._call(client.get_max_batch_size)
        self._collection = await self._call(
            client.get_or_create_collection,
            name=self.name,
            configuration={"hnsw": {"space": "cosine"}},
            embedding_function=None,
        )

    async def _call(self, method: Callable[..., Any], **kwargs: Any) -> Any:
        if self._is_async:
            return await method(**kwargs)
        return await asyncio.to_thread(method, **kwargs)

    @property
    def _coll(self) -> Any:
        self._require_open()
        return self._collection

    async def upsert(self, records: Sequence[VectorRecord]) -> int:
        """Insert or replace by id, in batches the server accepts; returns the count."""
        collection = self._coll
        for start in range(0, len(records), self._batch_size):
            batch = records[start : start + self._batch_size]
            await self._call(
                collection.upsert,
                ids=[r.id for r in batch],
                embeddings=[list(r.embedding) for r in batch],
                metadatas=[dict(r.metadata) for r in batch],
                documents=[r.document or "" for r in batch],
            )
        return len(records)

    async def query(
        self,
        user_id: str,
        embedding: Sequence[float],
        *,
        limit: int = 10,
        where: Mapping[str, Any] | None = None,
    ) -> list[VectorHit]:
        """Nearest vectors of ``user_id`` only, closest first."""
        answer = await self._call(
            self._coll.query,
            query_embeddings=[list(embedding)],
            n_results=limit,
            where=_user_filter(user_id, where),
            include=["metadatas", "documents", "distances"],
        )
        ids, distances = answer["ids"][0], answer["distances"][0]
        metadatas, documents = answer["metadatas"][0], answer["documents"][0]
        return [
            VectorHit(id=i, distance=float(d), metadata=m or {}, document=doc)
            for i, d, m, doc in zip(ids, distances, metadatas, documents, strict=True)
        ]

    async def ids(self, user_id: str, *, where: Mapping[str, Any] | None = None) -> list[str]:
        answer = await self._call(self._coll.get, where=_user_filter(user_id, where), include=[])
        return list(answer["ids"])

    async def metadatas(
        self, user_id: str, *, where: Mapping[str, Any] | None = None
    ) -> list[Mapping[str, MetadataValue]]:
        answer = await self._call(
            self._coll.get, where=_user_filter(user_id, where), include=["metadatas"]
        )
        return [m or {} for m in answer["metadatas"]]

    async def page(self, offset: int, limit: int) -> list[VectorRecord]:
        """Every user's records, a page at a time (for migrations, never for reads)."""
        answer = await self._call(
            self._coll.get,
            offset=offset,
            limit=limit,
            include=["embeddings", "metadatas", "documents"],
        )
        return _records(answer)

    async def get(self, user_id: str, ids: Sequence[str]) -> dict[str, VectorRecord]:
        """The user's records among ``ids``, with embeddings; others' records are never read."""
        if not ids:
            return {}
        answer = await self._call(
            self._coll.get,
            ids=list(ids),
            where=_user_filter(user_id, None),
            include=["embeddings", "metadatas", "documents"],
        )
        return {record.id: record for record in _records(answer)}

    async def delete(
        self,
        user_id: str,
        ids: Sequence[str] | None = None,
        *,
        where: Mapping[str, Any] | None = None,
    ) -> None:
        """Delete the user's vectors (all of them, those among ``ids``, or matching ``where``)."""
        if ids is not None and not ids:
            return
        await self._call(
            self._coll.delete,
            ids=list(ids) if ids is not None else None,
            where=_user_filter(user_id, where),
        )

    async def dimension(self) -> int | None:
        """The length of the vectors the collection holds (None while it is empty). One
        record of any user is read for it; only its length leaves this method."""
        answer = await self._call(self._coll.get, limit=1, include=["embeddings"])
        embeddings = answer["embeddings"]
        return None if embeddings is None or len(embeddings) == 0 else len(embeddings[0])

    async def count(self) -> int:
        return int(await self._call(self._coll.count))

    async def heartbeat(self) -> bool:
        try:
            await self.count()
        except Exception:  # any failure means not ready; the caller only needs a yes/no
            log.warning("chroma heartbeat failed", exc_info=True)
            return False
        return True
