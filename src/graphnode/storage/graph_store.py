"""The user's graph in MongoDB: nodes, edges, clusters, subclusters, stats and summary.

A graph generation is written as a *generation* (its task id): upsert every document of the
new graph tagged with it, sweep the user's documents of other generations, then flip the
stats. A crash anywhere in between is repaired by the redelivery doing it all again; a result
generated before the stored graph is refused up front.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime
from typing import Any, Protocol

from pymongo import UpdateOne

from graphnode.adapters.mongo import Collections, DocumentDatabase
from graphnode.contracts.results import GraphFile, SummaryFile
from graphnode.storage.codec import find_one, to_utc, utc_now
from graphnode.storage.documents import doc_key
from graphnode.storage.graph_status import GraphStats, GraphStatus, GraphStatusStore

log = logging.getLogger("graphnode.storage.graph")

_GRAPH_PARTS = (Collections.NODES, Collections.EDGES, Collections.CLUSTERS, Collections.SUBCLUSTERS)


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

    async def merge_graph(
        self, user_id: str, graph: GraphFile, task_id: str | None = None
    ) -> None: ...

    async def store_summary(
        self, user_id: str, task_id: str, summary: SummaryFile, generated_at: datetime
    ) -> bool: ...

    async def claim_for(self, user_id: str, status: GraphStatus, task_id: str) -> bool: ...

    async def extend_claim(self, user_id: str, task_id: str, until_ms: int) -> bool: ...

    async def running_task(self, user_id: str) -> str | None: ...

    async def graph_key(self, user_id: str) -> str | None: ...

    async def mark_in_progress(self, user_id: str, status: GraphStatus) -> None: ...

    async def restore_status(self, user_id: str, task_id: str | None = None) -> GraphStatus: ...


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


class MongoGraphStore(GraphStatusStore):
    """:class:`GraphDocumentStore` on MongoDB (any server speaking its wire protocol); the
    status and claim half is :class:`GraphStatusStore`."""

    def __init__(self, database: DocumentDatabase) -> None:
        super().__init__(database)
        self._db = database

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
        generated_at = to_utc(generated_at)
        current = await self.stats(user_id)
        if current and current.generated_at and current.generated_at > generated_at:
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
        doc = await find_one(self._db.collection(Collections.STATS), {"_id": user_id}) or {}
        return {k: doc[k] for k in ("graph_s3_key", "features_s3_key") if doc.get(k)}

    async def merge_graph(self, user_id: str, graph: GraphFile, task_id: str | None = None) -> None:
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
            task_id=task_id,
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
        *,
        task_id: str | None = None,
    ) -> None:
        """The stats of the graph just written. The claim is released only when it is this
        task's (or nobody's): a late result must not free a newer task's claim."""
        counts = {
            "nodes": await self._count(Collections.NODES, user_id),
            "edges": await self._count(Collections.EDGES, user_id),
            "clusters": await self._count(Collections.CLUSTERS, user_id),
            "subclusters": await self._count(Collections.SUBCLUSTERS, user_id),
        }
        fields: dict[str, Any] = {
            "user_id": user_id,
            "generation": generation,
            "generated_at": generated_at,
            "updated_at": utc_now(),
            **counts,
        }
        if graph is not None and graph.metadata.language:
            fields["language"] = graph.metadata.language
        stats = self._db.collection(Collections.STATS)
        await stats.update_one({"_id": user_id}, {"$set": fields}, upsert=True)
        owner = task_id or generation
        await stats.update_one(
            {"_id": user_id, "running_task": {"$in": [owner, None]}},
            {
                "$set": {"status": status.value},
                "$unset": {"previous_status": "", "running_task": "", "lease_ms": ""},
            },
        )

    async def store_summary(
        self, user_id: str, task_id: str, summary: SummaryFile, generated_at: datetime
    ) -> bool:
        """Store the user's summary unless a newer one is already stored."""
        generated_at = to_utc(generated_at)
        summaries = self._db.collection(Collections.SUMMARIES)
        stored = await find_one(summaries, {"_id": user_id}, {"generated_at": 1})
        if stored and stored.get("generated_at") and stored["generated_at"] > generated_at:
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
        return await find_one(self._db.collection(Collections.SUMMARIES), {"_id": user_id})

    async def summary(self, user_id: str) -> dict[str, Any] | None:
        doc = await self.summary_document(user_id)
        return doc["summary"] if doc else None
