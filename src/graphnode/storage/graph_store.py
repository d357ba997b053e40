"""The user's graph in MongoDB: nodes, edges, clusters, subclusters, stats and summary.

A graph generation is written as a *generation* (its task id): upsert every document of the
new graph tagged with it, sweep the user's documents of other generations, then flip the
stats. A crash anywhere in between is repaired by the redelivery doing it all again; a result
generated before the stored graph is refused up front.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from pymongo import UpdateOne
from pymongo.errors import DuplicateKeyError

from graphnode.adapters.mongo import Collections, DocumentDatabase
from graphnode.contracts.results import GraphFile, SummaryFile
from graphnode.storage.documents import as_utc, doc_key, utc_now

log = logging.getLogger("graphnode.storage.graph")

_GRAPH_PARTS = (Collections.NODES, Collections.EDGES, Collections.CLUSTERS, Collections.SUBCLUSTERS)


class GraphStatus(StrEnum):
    NOT_CREATED = "NOT_CREATED"
    CREATING = "CREATING"
    CREATED = "CREATED"
    UPDATING = "UPDATING"
    UPDATED = "UPDATED"


_IN_PROGRESS = (GraphStatus.CREATING, GraphStatus.UPDATING)
# A generation takes minutes; a claim this old belongs to a task that was lost.
STALE_CLAIM = timedelta(hours=2)


@dataclass(frozen=True, slots=True)
class GraphStats:
    user_id: str
    status: GraphStatus
    generation: str | None
    generated_at: datetime | None
    nodes: int
    edges: int
    clusters: int
    previous_status: GraphStatus | None = None

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> GraphStats:
        previous = doc.get("previous_status")
        return cls(
            user_id=doc["user_id"],
            status=GraphStatus(doc.get("status", GraphStatus.NOT_CREATED)),
            generation=doc.get("generation"),
            generated_at=doc.get("generated_at"),
            nodes=doc.get("nodes", 0),
            edges=doc.get("edges", 0),
            clusters=doc.get("clusters", 0),
            previous_status=GraphStatus(previous) if previous else None,
        )


class GraphDocumentStore(Protocol):
    """The port the worker (writes) and the API (reads, status) use for the graph."""

    async def stats(self, user_id: str) -> GraphStats | None: ...

    async def replace_graph(
        self,
        user_id: str,
        generation: str,
        graph: GraphFile,
        generated_at: datetime,
        graph_key: str | None = None,
        features_key: str | None = None,
    ) -> bool: ...

    async def merge_graph(self, user_id: str, graph: GraphFile) -> None: ...

    async def store_summary(
        self, user_id: str, task_id: str, summary: SummaryFile, generated_at: datetime
    ) -> bool: ...

    async def claim_for(self, user_id: str, status: GraphStatus, task_id: str) -> bool: ...

    async def running_task(self, user_id: str) -> str | None: ...

    async def graph_key(self, user_id: str) -> str | None: ...

    async def mark_in_progress(self, user_id: str, status: GraphStatus) -> None: ...

    async def restore_status(self, user_id: str) -> GraphStatus: ...


def _node_docs(user_id: str, generation: str, graph: GraphFile) -> list[UpdateOne]:
    ops = []
    for node in graph.nodes:
        doc = node.model_dump(mode="json", exclude_none=True)
        doc.update(user_id=user_id, generation=generation, node_id=node.id)
        doc.pop("id", None)
        ops.append(UpdateOne({"_id": doc_key(user_id, node.orig_id)}, {"$set": doc}, upsert=True))
    return ops


def _edge_docs(user_id: str, generation: str, graph: GraphFile) -> list[UpdateOne]:
    ops = []
    for edge in graph.edges:
        doc = edge.model_dump(mode="json", exclude_none=True)
        doc.update(user_id=user_id, generation=generation)
        key = doc_key(user_id, "edge", edge.source, edge.target)
        ops.append(UpdateOne({"_id": key}, {"$set": doc}, upsert=True))
    return ops


def _cluster_docs(user_id: str, generation: str, graph: GraphFile) -> list[UpdateOne]:
    sizes = Counter(node.cluster_id for node in graph.nodes)
    names = {node.cluster_id: node.cluster_name for node in graph.nodes}
    ops = []
    for cluster_id in sorted(set(sizes) | set(graph.metadata.clusters)):
        info = graph.metadata.clusters.get(cluster_id)
        doc: dict[str, Any] = info.model_dump(mode="json") if info else {}
        doc.update(
            user_id=user_id,
            generation=generation,
            cluster_id=cluster_id,
            name=doc.get("name") or names.get(cluster_id, cluster_id),
            size=sizes.get(cluster_id, doc.get("size", 0)),
        )
        ops.append(UpdateOne({"_id": doc_key(user_id, cluster_id)}, {"$set": doc}, upsert=True))
    return ops


def _subcluster_docs(user_id: str, generation: str, graph: GraphFile) -> list[UpdateOne]:
    ops = []
    for sub in graph.subclusters:
        doc = sub.model_dump(mode="json", exclude_none=True)
        doc.update(user_id=user_id, generation=generation, subcluster_id=sub.id)
        doc.pop("id", None)
        ops.append(UpdateOne({"_id": doc_key(user_id, sub.id)}, {"$set": doc}, upsert=True))
    return ops


class MongoGraphStore:
    """:class:`GraphDocumentStore` on MongoDB (any server speaking its wire protocol)."""

    def __init__(self, database: DocumentDatabase) -> None:
        self._db = database

    async def stats(self, user_id: str) -> GraphStats | None:
        doc = await self._db.collection(Collections.STATS).find_one({"_id": user_id})
        return GraphStats.from_doc(doc) if doc else None

    async def replace_graph(
        self,
        user_id: str,
        generation: str,
        graph: GraphFile,
        generated_at: datetime,
        graph_key: str | None = None,
        features_key: str | None = None,
    ) -> bool:
        """Make ``graph`` the user's graph; False (and nothing written) if it is stale.
        Its files' keys in S3 are kept: a new summary and added nodes start from them."""
        generated_at = as_utc(generated_at)
        current = await self.stats(user_id)
        if current and current.generated_at and as_utc(current.generated_at) > generated_at:
            log.warning(
                "stale graph result ignored",
                extra={
                    "stored_generated_at": str(current.generated_at),
                    "result_generated_at": str(generated_at),
                },
            )
            return False
        await self._write_parts(user_id, generation, graph)
        for name in _GRAPH_PARTS:
            await self._db.collection(name).delete_many(
                {"user_id": user_id, "generation": {"$ne": generation}}
            )
        await self._write_stats(user_id, generation, graph, generated_at, GraphStatus.CREATED)
        keys = {"graph_s3_key": graph_key, "features_s3_key": features_key}
        if any(keys.values()):
            await self._db.collection(Collections.STATS).update_one(
                {"_id": user_id}, {"$set": {k: v for k, v in keys.items() if v}}
            )
        return True

    async def graph_key(self, user_id: str) -> str | None:
        """Where the stored graph's graph.json is (for a new summary)."""
        return (await self.source_keys(user_id)).get("graph_s3_key")

    async def source_keys(self, user_id: str) -> dict[str, str]:
        """The stored graph's graph.json and features.json keys in S3, where known."""
        doc = await self._db.collection(Collections.STATS).find_one({"_id": user_id}) or {}
        return {k: doc[k] for k in ("graph_s3_key", "features_s3_key") if doc.get(k)}

    async def merge_graph(self, user_id: str, graph: GraphFile) -> None:
        """Add (or update) the nodes, edges and clusters of ``graph`` in the stored graph."""
        current = await self.stats(user_id)
        generation = current.generation if current and current.generation else "merged"
        await self._write_parts(user_id, generation, graph)
        await self._recount_clusters(user_id, {node.cluster_id for node in graph.nodes})
        await self._write_stats(
            user_id,
            generation,
            None,
            current.generated_at if current else utc_now(),
            GraphStatus.UPDATED,
        )

    async def _write_parts(self, user_id: str, generation: str, graph: GraphFile) -> None:
        builders = {
            Collections.NODES: _node_docs,
            Collections.EDGES: _edge_docs,
            Collections.CLUSTERS: _cluster_docs,
            Collections.SUBCLUSTERS: _subcluster_docs,
        }
        for name, build in builders.items():
            ops = build(user_id, generation, graph)
            if ops:
                await self._db.collection(name).bulk_write(ops, ordered=False)

    async def _recount_clusters(self, user_id: str, cluster_ids: set[str]) -> None:
        """Cluster sizes from the stored nodes: an addition only knows its own members."""
        nodes = self._db.collection(Collections.NODES)
        clusters = self._db.collection(Collections.CLUSTERS)
        for cluster_id in cluster_ids:
            size = await nodes.count_documents({"user_id": user_id, "cluster_id": cluster_id})
            await clusters.update_one(
                {"_id": doc_key(user_id, cluster_id)}, {"$set": {"size": size}}
            )

    async def _count(self, name: str, user_id: str) -> int:
        return await self._db.collection(name).count_documents({"user_id": user_id})

    async def _write_stats(
        self,
        user_id: str,
        generation: str,
        graph: GraphFile | None,
        generated_at: datetime | None,
        status: GraphStatus,
    ) -> None:
        counts = {
            "nodes": await self._count(Collections.NODES, user_id),
            "edges": await self._count(Collections.EDGES, user_id),
            "clusters": await self._count(Collections.CLUSTERS, user_id),
            "subclusters": await self._count(Collections.SUBCLUSTERS, user_id),
        }
        fields: dict[str, Any] = {
            "user_id": user_id,
            "status": status.value,
            "generation": generation,
            "generated_at": generated_at,
            "updated_at": utc_now(),
            **counts,
        }
        if graph is not None and graph.metadata.language:
            fields["language"] = graph.metadata.language
        await self._db.collection(Collections.STATS).update_one(
            {"_id": user_id},
            {"$set": fields, "$unset": {"previous_status": "", "running_task": ""}},
            upsert=True,
        )

    async def store_summary(
        self, user_id: str, task_id: str, summary: SummaryFile, generated_at: datetime
    ) -> bool:
        """Store the user's summary unless a newer one is already stored."""
        generated_at = as_utc(generated_at)
        summaries = self._db.collection(Collections.SUMMARIES)
        stored = await summaries.find_one({"_id": user_id}, {"generated_at": 1})
        if stored and stored.get("generated_at") and as_utc(stored["generated_at"]) > generated_at:
            log.warning("stale summary ignored", extra={"result_generated_at": str(generated_at)})
            return False
        await summaries.update_one(
            {"_id": user_id},
            {
                "$set": {
                    "user_id": user_id,
                    "task_id": task_id,
                    "generated_at": generated_at,
                    "summary": summary.model_dump(mode="json", exclude_none=True),
                }
            },
            upsert=True,
        )
        return True

    async def summary_document(self, user_id: str) -> dict[str, Any] | None:
        """The stored summary with when and by which task it was made."""
        return await self._db.collection(Collections.SUMMARIES).find_one({"_id": user_id})

    async def summary(self, user_id: str) -> dict[str, Any] | None:
        doc = await self.summary_document(user_id)
        return doc["summary"] if doc else None

    async def claim_for(self, user_id: str, status: GraphStatus, task_id: str) -> bool:
        """Atomically move to CREATING/UPDATING for ``task_id``; False if another task holds
        the graph (a claim older than STALE_CLAIM is taken over: its task was lost)."""
        current = await self.stats(user_id)
        previous = current.status if current else GraphStatus.NOT_CREATED
        if previous in _IN_PROGRESS and current:
            previous = current.previous_status or GraphStatus.NOT_CREATED
        now = utc_now()
        try:
            await self._db.collection(Collections.STATS).update_one(
                {
                    "_id": user_id,
                    "$or": [
                        {"status": {"$nin": [s.value for s in _IN_PROGRESS]}},
                        {"updated_at": {"$lt": now - STALE_CLAIM}},
                    ],
                },
                {
                    "$set": {
                        "user_id": user_id,
                        "status": status.value,
                        "running_task": task_id,
                        "previous_status": previous.value,
                        "updated_at": now,
                    }
                },
                upsert=True,
            )
        except DuplicateKeyError:
            return False  # the filter refused an existing document: someone holds it
        return True

    async def running_task(self, user_id: str) -> str | None:
        doc = await self._db.collection(Collections.STATS).find_one({"_id": user_id})
        return doc.get("running_task") if doc else None

    async def mark_in_progress(self, user_id: str, status: GraphStatus) -> None:
        """CREATING/UPDATING, remembering the status to restore if the task fails."""
        current = await self.stats(user_id)
        previous = current.status if current else GraphStatus.NOT_CREATED
        if previous in (GraphStatus.CREATING, GraphStatus.UPDATING) and current:
            previous = current.previous_status or previous
        await self._db.collection(Collections.STATS).update_one(
            {"_id": user_id},
            {
                "$set": {
                    "user_id": user_id,
                    "status": status.value,
                    "previous_status": previous.value,
                    "updated_at": utc_now(),
                }
            },
            upsert=True,
        )

    async def restore_status(self, user_id: str) -> GraphStatus:
        """After a failed task: back to what it was before CREATING/UPDATING."""
        current = await self.stats(user_id)
        if current is None:
            return GraphStatus.NOT_CREATED
        if current.status not in (GraphStatus.CREATING, GraphStatus.UPDATING):
            return current.status
        restored = current.previous_status or (
            GraphStatus.CREATED if current.generation else GraphStatus.NOT_CREATED
        )
        await self._db.collection(Collections.STATS).update_one(
            {"_id": user_id},
            {
                "$set": {"status": restored.value, "updated_at": utc_now()},
                "$unset": {"previous_status": "", "running_task": ""},
            },
        )
        return restored
