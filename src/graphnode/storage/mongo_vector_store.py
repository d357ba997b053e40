""":class:`VectorStore` beside the graph in MongoDB.

On Atlas the ``$vectorSearch`` stage answers searches from a vector index; a server without it
(self-hosted MongoDB, the local wire-protocol server) gets an exact cosine scan over the
user's own vectors, which is right for the few thousand items one person has.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
from pymongo import UpdateOne
from pymongo.errors import OperationFailure

from graphnode.adapters.mongo import Collections, DocumentDatabase
from graphnode.storage.documents import owned
from graphnode.storage.graph_documents import Generation
from graphnode.storage.vector_store import DimensionCheck, NodeVector, VectorMatch, vector_id

log = logging.getLogger("graphnode.storage.vectors")

# Name of the Atlas Vector Search index on graph_vectors.embedding (cosine, filter fields
# user_id and generation).
ATLAS_INDEX = "graph_vectors_embedding"
# Atlas considers this many candidates per result: its documented recall/speed trade-off.
CANDIDATES_PER_RESULT = 20


class MongoVectorStore:
    def __init__(self, database: DocumentDatabase) -> None:
        self._database = database
        self._vectors = database.collection(Collections.VECTORS)
        self._atlas: bool | None = None  # learnt on the first search
        self._dimension = DimensionCheck(Collections.VECTORS, self._held_dimension)

    async def _held_dimension(self) -> int | None:
        # One vector of any user, for its length alone (it never leaves this method).
        held = await self._vectors.find_one({"embedding": {"$exists": True}}, {"embedding": 1})
        return len(held["embedding"]) if held else None

    async def ping(self) -> bool:
        return await self._database.ping()

    async def delete_user(self, user_id: str) -> None:
        await self._vectors.delete_many(owned(user_id))

    async def upsert(self, gen: Generation, vectors: Sequence[NodeVector]) -> int:
        await self._dimension.check([len(v.embedding) for v in vectors])
        ops = [
            UpdateOne(
                {"_id": vector_id(gen, v.orig_id), "user_id": gen.user_id},
                {"$set": {**v.metadata(gen), "embedding": [float(x) for x in v.embedding]}},
                upsert=True,
            )
            for v in vectors
        ]
        if ops:
            await self._vectors.bulk_write(ops, ordered=False)
        return len(ops)

    async def drop(self, gen: Generation) -> None:
        await self._vectors.delete_many(gen.own())

    async def delete_items(self, gen: Generation, orig_ids: Sequence[str]) -> None:
        if orig_ids:
            await self._vectors.delete_many({**gen.own(), "orig_id": {"$in": list(orig_ids)}})

    async def collect_older(self, gen: Generation) -> int:
        removed = 0
        for older in (
            {**owned(gen.user_id), "generated_ms": {"$lt": gen.generated_ms}},
            {**owned(gen.user_id), "generated_ms": {"$exists": False}},
        ):
            removed += (await self._vectors.delete_many(older)).deleted_count
        return removed

    async def orig_ids(self, gen: Generation) -> set[str]:
        return {d["orig_id"] async for d in self._vectors.find(gen.own(), {"orig_id": 1})}

    async def vectors(self, gen: Generation) -> dict[str, np.ndarray]:
        cursor = self._vectors.find(gen.own(), {"orig_id": 1, "embedding": 1})
        return {
            d["orig_id"]: np.asarray(d["embedding"], dtype=np.float32)
            async for d in cursor
            if d.get("embedding")
        }

    async def search(
        self, gen: Generation, embedding: Sequence[float], limit: int = 10
    ) -> list[VectorMatch]:
        await self._dimension.check([len(embedding)])
        if self._atlas is not False:
            try:
                matches = await self._atlas_search(gen, embedding, limit)
            except OperationFailure as exc:
                log.info("no $vectorSearch on this server; exact scan", extra={"reason": str(exc)})
                self._atlas = False
            else:
                self._atlas = True
                return matches
        return await self._exact_search(gen, embedding, limit)

    async def _atlas_search(
        self, gen: Generation, embedding: Sequence[float], limit: int
    ) -> list[VectorMatch]:
        pipeline: list[dict[str, Any]] = [
            {
                "$vectorSearch": {
                    "index": ATLAS_INDEX,
                    "path": "embedding",
                    "queryVector": list(embedding),
                    "numCandidates": limit * CANDIDATES_PER_RESULT,
                    "limit": limit,
                    "filter": gen.own(),
                }
            },
            {"$project": {"embedding": 0, "score": {"$meta": "vectorSearchScore"}}},
        ]
        cursor = await self._vectors.aggregate(pipeline)
        # Atlas reports cosine as (1 + cos) / 2; give callers the cosine itself.
        return [
            VectorMatch(orig_id=d["orig_id"], score=2 * d.pop("score") - 1, metadata=_meta(d))
            async for d in cursor
        ]

    async def _exact_search(
        self, gen: Generation, embedding: Sequence[float], limit: int
    ) -> list[VectorMatch]:
        docs = [d async for d in self._vectors.find(gen.own())]
        if not docs:
            return []
        matrix = np.asarray([d["embedding"] for d in docs], dtype=np.float32)
        query = np.asarray(embedding, dtype=np.float32)
        norms = np.linalg.norm(matrix, axis=1) * (np.linalg.norm(query) or 1.0)
        scores = matrix @ query / np.where(norms == 0, 1.0, norms)
        best = np.argsort(-scores)[:limit]
        return [
            VectorMatch(orig_id=docs[i]["orig_id"], score=float(scores[i]), metadata=_meta(docs[i]))
            for i in best
        ]


def _meta(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in ("_id", "embedding")}
