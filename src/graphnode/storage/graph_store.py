"""The user's graph in MongoDB: nodes, edges, clusters, subclusters, stats and summary.

Applying a result is atomic per user, however many workers apply results at once:

1. *stage*: write every document of the new generation under its own keys (readers do not
   see it: they read only the generation the stats document names);
2. *switch*: one compare-and-set on the user's stats document makes it current, only if it
   is newer (``generated_ms``, then the task id) than the current one; a loser drops what it
   staged and is reported stale;
3. *collect*: delete the user's documents of older generations.

Every step is idempotent, so a redelivery after a crash anywhere completes the same steps.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Protocol

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from graphnode.adapters.mongo import Collections, DocumentDatabase
from graphnode.contracts.results import GraphFile, SummaryFile
from graphnode.storage.codec import epoch_ms, find_one, to_utc, utc_now
from graphnode.storage.documents import all_of, owned
from graphnode.storage.graph_documents import (
    BUILDERS,
    GRAPH_PARTS,
    Generation,
    graph_counts,
)
from graphnode.storage.graph_status import (
    GraphStats,
    GraphStatus,
    GraphStatusStore,
    held_by_or_free,
)

log = logging.getLogger("graphnode.storage.graph")


class GraphDocumentStore(Protocol):
    """The port the worker (writes) and the API (reads, status) use for the graph."""

    async def stats(self, user_id: str) -> GraphStats | None: ...

    async def is_stale(self, gen: Generation) -> bool: ...

    async def stage(self, gen: Generation, graph: GraphFile) -> None: ...

    async def switch(self, gen: Generation, graph: GraphFile) -> bool: ...

    async def drop(self, gen: Generation) -> None: ...

    async def collect_older(self, gen: Generation) -> None: ...

    async def current_generation(self, user_id: str) -> Generation | None: ...

    async def replace_graph(
        self,
        user_id: str,
        generation: str,
        graph: GraphFile,
        generated_at: datetime,
    ) -> bool: ...

    async def merge_graph(
        self, user_id: str, graph: GraphFile, task_id: str | None = None
    ) -> None: ...

    async def store_summary(
        self, user_id: str, task_id: str, summary: SummaryFile, generated_at: datetime
    ) -> bool: ...

    async def claim_for(self, user_id: str, status: GraphStatus, task_id: str) -> bool: ...

    async def extend_claim(self, user_id: str, task_id: str, until_ms: int) -> bool: ...

    async def running_task(self, user_id: str) -> str | None: ...

    async def mark_in_progress(self, user_id: str, status: GraphStatus) -> None: ...

    async def restore_status(self, user_id: str, task_id: str | None = None) -> GraphStatus: ...


def _older_than(gen: Generation) -> list[dict[str, Any]]:
    """The user's documents of older generations, as filters each served by an index."""
    return [
        {**owned(gen.user_id), "generated_ms": {"$lt": gen.generated_ms}},
        {**owned(gen.user_id), "generated_ms": {"$exists": False}},
    ]


def _newer_or_same(gen: Generation) -> list[dict[str, Any]]:
    """Stats documents that ``gen`` may replace: older, the same generation again (a
    redelivery), or from before generations were stamped."""
    return [
        {"generated_ms": {"$lt": gen.generated_ms}},
        {"generated_ms": gen.generated_ms, "generation": {"$lte": gen.generation}},
        {"generated_ms": {"$exists": False}},
    ]


class MongoGraphStore(GraphStatusStore):
    """:class:`GraphDocumentStore` on MongoDB (any server speaking its wire protocol); the
    status and claim half is :class:`GraphStatusStore`."""

    def __init__(self, database: DocumentDatabase) -> None:
        super().__init__(database)
        self._db = database

    async def current_generation(self, user_id: str) -> Generation | None:
        current = await self.stats(user_id)
        if current is None or current.generation is None:
            return None
        return Generation(user_id, current.generation, current.generated_ms or 0)

    async def is_stale(self, gen: Generation) -> bool:
        """True when the stored graph is newer than ``gen`` (checked again at the switch)."""
        current = await self.current_generation(gen.user_id)
        if current is None:
            return False
        return (current.generated_ms, current.generation) > (gen.generated_ms, gen.generation)

    async def stage(self, gen: Generation, graph: GraphFile) -> None:
        """Write ``gen``'s documents; nobody reads them before the switch."""
        for name, build in BUILDERS.items():
            ops = build(gen, graph)
            if ops:
                await self._db.collection(name).bulk_write(ops, ordered=False)

    async def switch(self, gen: Generation, graph: GraphFile) -> bool:
        """Make ``gen`` current in one compare-and-set; False if a newer one is current."""
        fields: dict[str, Any] = {
            "user_id": gen.user_id,
            "generation": gen.generation,
            "generated_ms": gen.generated_ms,
            "generated_at": to_utc(gen.generated_ms / 1000),
            "updated_at": utc_now(),
            **graph_counts(graph),
        }
        if graph.metadata.language:
            fields["language"] = graph.metadata.language
        try:
            await self._db.collection(Collections.STATS).update_one(
                all_of({"_id": gen.user_id}, {"$or": _newer_or_same(gen)}),
                {"$set": fields},
                upsert=True,
            )
        except DuplicateKeyError:
            log.warning("stale graph result ignored", extra={"generation": gen.generation})
            return False
        await self._release_claim(gen.user_id, gen.generation, GraphStatus.CREATED)
        return True

    async def drop(self, gen: Generation) -> None:
        """Delete what ``gen`` staged (it lost the switch)."""
        for name in GRAPH_PARTS:
            await self._db.collection(name).delete_many(gen.own())

    async def collect_older(self, gen: Generation) -> None:
        """Delete the user's documents of generations older than ``gen`` (and those from
        before generations were stamped). Two plain filters, not one ``$or``: nx-27017 matches
        an ``$or`` in Python over every document of the collection (340 ms a delete at 2,000
        stored users, against about 1 ms for these)."""
        for name in GRAPH_PARTS:
            for older in _older_than(gen):
                await self._db.collection(name).delete_many(older)

    async def replace_graph(
        self,
        user_id: str,
        generation: str,
        graph: GraphFile,
        generated_at: datetime,
    ) -> bool:
        """Stage, switch and collect in one call; False (nothing left behind) if stale."""
        gen = Generation.at(user_id, generation, generated_at)
        if await self.is_stale(gen):
            log.warning("stale graph result ignored", extra={"generation": generation})
            return False
        await self.stage(gen, graph)
        if not await self.switch(gen, graph):
            await self.drop(gen)
            return False
        await self.collect_older(gen)
        return True

    async def merge_graph(self, user_id: str, graph: GraphFile, task_id: str | None = None) -> None:
        """Add (or update) the nodes, edges and clusters of ``graph`` in the current graph."""
        gen = await self.current_generation(user_id) or Generation(user_id, "merged", 0)
        await self.stage(gen, graph)
        await self.recount(gen, {node.cluster_id for node in graph.nodes})
        await self._release_claim(user_id, task_id or gen.generation, GraphStatus.UPDATED)

    async def recount(self, gen: Generation, cluster_ids: set[str]) -> None:
        """After nodes were added to or removed from ``gen``: the sizes of ``cluster_ids``
        and the graph's counts, counted from what is stored (a repeat counts the same), and
        a topic left without nodes removed. The stats' ``updated_at`` moves, which tells the
        API's snapshot cache the graph changed."""
        nodes = self._db.collection(Collections.NODES)
        clusters = self._db.collection(Collections.CLUSTERS)
        for cluster_id in cluster_ids:
            size = await _count(nodes, {**gen.own(), "cluster_id": {"$eq": cluster_id}})
            key = {"_id": gen.key(cluster_id), "user_id": gen.user_id}
            if size:
                await clusters.update_one(key, {"$set": {"size": size}})
            else:
                await clusters.delete_one(key)
        counts = {
            "nodes": await self._count(Collections.NODES, gen),
            "edges": await self._count(Collections.EDGES, gen),
            "clusters": await self._count(Collections.CLUSTERS, gen),
            "subclusters": await self._count(Collections.SUBCLUSTERS, gen),
        }
        await self._db.collection(Collections.STATS).update_one(
            {"_id": gen.user_id},
            {"$set": {"user_id": gen.user_id, "updated_at": utc_now(), **counts}},
            upsert=True,
        )

    async def _count(self, name: str, gen: Generation) -> int:
        return await _count(self._db.collection(name), gen.own())

    async def _release_claim(self, user_id: str, owner: str, status: GraphStatus) -> None:
        """The graph is built: free the claim, only if it is ``owner``'s (or nobody's) — a
        late result must not free a newer task's claim."""
        await self._db.collection(Collections.STATS).update_one(
            all_of({"_id": user_id}, held_by_or_free(owner)),
            {
                "$set": {"status": status.value},
                "$unset": {"previous_status": "", "running_task": "", "lease_ms": ""},
            },
        )

    async def store_summary(
        self, user_id: str, task_id: str, summary: SummaryFile, generated_at: datetime
    ) -> bool:
        """Store the user's summary unless a newer one is stored (one compare-and-set)."""
        stamp = epoch_ms(generated_at)
        try:
            await self._db.collection(Collections.SUMMARIES).update_one(
                all_of(
                    {"_id": user_id},
                    {
                        "$or": [
                            {"generated_ms": {"$lte": stamp}},
                            {"generated_ms": {"$exists": False}},
                        ]
                    },
                ),
                {
                    "$set": {
                        "user_id": user_id,
                        "task_id": task_id,
                        "generated_at": to_utc(generated_at),
                        "generated_ms": stamp,
                        "summary": summary.model_dump(mode="json", exclude_none=True),
                    }
                },
                upsert=True,
            )
        except DuplicateKeyError:
            log.warning("stale summary ignored", extra={"result_generated_ms": stamp})
            return False
        return True

    async def summary_document(self, user_id: str) -> dict[str, Any] | None:
        """The stored summary with when and by which task it was made."""
        return await find_one(self._db.collection(Collections.SUMMARIES), {"_id": user_id})

    async def summary(self, user_id: str) -> dict[str, Any] | None:
        doc = await self.summary_document(user_id)
        return doc["summary"] if doc else None


async def _count(collection: AsyncCollection[dict[str, Any]], query: dict[str, Any]) -> int:
    """Matching documents, counted from an indexed find of their ids: nx-27017's
    ``count_documents`` scans the collection (600 ms at 35,000 documents)."""
    return len([doc async for doc in collection.find(query, {"_id": 1})])
