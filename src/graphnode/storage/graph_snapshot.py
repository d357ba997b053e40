"""The user's stored graph as the API serves it (camelCase, ready for clients)."""

from __future__ import annotations

from typing import Any

from graphnode.adapters.mongo import Collections, DocumentDatabase
from graphnode.storage.codec import decoded, find_one, iso
from graphnode.storage.documents import owned
from graphnode.storage.graph_status import GraphStatus
from graphnode.storage.node_detail import find_item, neighbour, strongest

_HIDDEN = {"_id": 0, "user_id": 0, "generation": 0, "generated_ms": 0}


def _node(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": doc["node_id"],
        "origId": doc["orig_id"],
        "title": doc.get("title", ""),
        "clusterId": doc.get("cluster_id"),
        "clusterName": doc.get("cluster_name", ""),
        "clusterConfidence": doc.get("cluster_confidence"),
        "subclusterId": doc.get("subcluster_id"),
        "x": doc.get("x"),
        "y": doc.get("y"),
        "keywords": doc.get("top_keywords", []),
        "timestamp": doc.get("timestamp"),
        "sourceType": doc.get("source_type", "chat"),
        "numSections": doc.get("num_sections", 0),
    }


def _edge(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "source": doc["source"],
        "target": doc["target"],
        "weight": doc.get("weight", 0.0),
        "confidence": doc.get("confidence", "medium"),
        "isIntraCluster": doc.get("is_intra_cluster", False),
    }


def _cluster(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "clusterId": doc["cluster_id"],
        "name": doc.get("name", ""),
        "description": doc.get("description", ""),
        "size": doc.get("size", 0),
        "keyThemes": doc.get("key_themes", []),
        "topKeywords": doc.get("top_keywords", []),
    }


def _subcluster(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "subclusterId": doc["subcluster_id"],
        "clusterId": doc.get("cluster_id"),
        "nodeIds": doc.get("node_ids", []),
        "size": doc.get("size", 0),
        "name": doc.get("name"),
        "representativeNodeId": doc.get("representative_node_id"),
        "topKeywords": doc.get("top_keywords", []),
    }


class GraphSnapshotReader:
    def __init__(self, database: DocumentDatabase) -> None:
        self._db = database

    async def _all(self, name: str, current: dict[str, Any], order: str) -> list[dict[str, Any]]:
        if current["generation"]["$eq"] is None:
            return []
        cursor = self._db.collection(name).find(current, _HIDDEN).sort(order, 1)
        return await decoded(cursor)

    async def _current(self, user_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """The stats and the query for the current generation's documents: a generation
        being written, or one being collected, is never mixed into what a reader sees."""
        stats = await find_one(self._db.collection(Collections.STATS), {"_id": user_id}) or {}
        return stats, owned(user_id, generation=stats.get("generation"))

    async def snapshot(self, user_id: str) -> dict[str, Any]:
        stats, current = await self._current(user_id)
        nodes = await self._all(Collections.NODES, current, "node_id")
        edges = await self._all(Collections.EDGES, current, "source")
        clusters = await self._all(Collections.CLUSTERS, current, "cluster_id")
        subclusters = await self._all(Collections.SUBCLUSTERS, current, "subcluster_id")
        generated = stats.get("generated_at")
        return {
            "userId": user_id,
            "status": stats.get("status", GraphStatus.NOT_CREATED.value),
            "generatedAt": iso(generated),
            "runningTaskId": stats.get("running_task"),
            "stats": {
                "nodes": len(nodes),
                "edges": len(edges),
                "clusters": len(clusters),
                "subclusters": len(subclusters),
            },
            "nodes": [_node(d) for d in nodes],
            "edges": [_edge(d) for d in edges],
            "clusters": [_cluster(d) for d in clusters],
            "subclusters": [_subcluster(d) for d in subclusters],
        }

    async def nodes_by_orig_id(self, user_id: str, orig_ids: list[str]) -> dict[str, dict]:
        _, current = await self._current(user_id)
        cursor = self._db.collection(Collections.NODES).find(
            {**current, "orig_id": {"$in": orig_ids}}, _HIDDEN
        )
        return {doc["orig_id"]: _node(doc) for doc in await decoded(cursor)}

    async def _one(self, name: str, query: dict[str, Any]) -> dict[str, Any] | None:
        return await find_one(self._db.collection(name), query, _HIDDEN)

    async def _neighbours(self, current: dict[str, Any], node_id: int) -> list[dict[str, Any]]:
        """The node's strongest neighbours. Two plain queries, not one ``$or``: each is
        served by the (user_id, generation) index on nx-27017 too."""
        edges = self._db.collection(Collections.EDGES)
        touching = [
            doc
            for end in ("source", "target")
            for doc in await decoded(edges.find({**current, end: {"$eq": node_id}}, _HIDDEN))
        ]
        ranked = strongest(node_id, touching)
        cursor = self._db.collection(Collections.NODES).find(
            {**current, "node_id": {"$in": [other for other, _ in ranked]}}, _HIDDEN
        )
        nodes = {doc["node_id"]: doc for doc in await decoded(cursor)}
        return [neighbour(nodes[other], edge) for other, edge in ranked if other in nodes]

    async def node_detail(self, user_id: str, node_id: int) -> dict[str, Any] | None:
        """One node of the user's current graph opened, or None if it has no such node."""
        _, current = await self._current(user_id)
        if current["generation"]["$eq"] is None:
            return None
        doc = await self._one(Collections.NODES, {**current, "node_id": {"$eq": node_id}})
        if doc is None:
            return None
        cluster_id, sub_id = doc.get("cluster_id"), doc.get("subcluster_id")
        cluster = await self._one(
            Collections.CLUSTERS, {**current, "cluster_id": {"$eq": cluster_id}}
        )
        sub = None
        if sub_id is not None:
            sub = await self._one(
                Collections.SUBCLUSTERS, {**current, "subcluster_id": {"$eq": sub_id}}
            )
        return {
            "node": _node(doc),
            "item": await find_item(self._db, user_id, doc["orig_id"], _node(doc)["sourceType"]),
            "cluster": _cluster(cluster) if cluster else None,
            "subcluster": _subcluster(sub) if sub else None,
            "neighbours": await self._neighbours(current, node_id),
        }
