"""The user's current graph read back from MongoDB as a ``graph.json`` (the contract's
:class:`GraphFile`), and its vectors from the vector store as a ``features.json``, for the
tasks that start from the stored graph: a new summary and new nodes.

The files in S3 are what the last full generation wrote. What is stored has moved on since:
nodes were added (``ADD_NODE_RESULT``) and items removed (``DELETE /v1/conversations/{id}``).
A task that read the old files would write a summary that still names a removed
conversation, would number new nodes from the old file's highest id (a second addition
reused the ids of the first), and would place new items against the first generation's
vectors only (a second addition on a topic the first one opened opened it again). These
files are what is stored now.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson

from graphnode.adapters.mongo import Collections, DocumentDatabase
from graphnode.contracts.results import (
    ClusterInfo,
    FeatureConversation,
    GraphEdge,
    GraphFile,
    GraphMetadata,
    GraphNode,
    Subcluster,
)
from graphnode.storage.codec import decoded, iso
from graphnode.storage.graph_documents import Generation
from graphnode.storage.graph_store import MongoGraphStore

# What a stored document carries beyond its model's fields: the key and the generation's
# tags (graph_documents.Generation.tags); ``embedding`` is the vector store's, not the file's.
_NOT_THE_FILES = {"_id": 0, "user_id": 0, "generation": 0, "generated_ms": 0, "embedding": 0}


def _renamed(doc: dict[str, Any], id_field: str) -> dict[str, Any]:
    """A stored document with its ``id_field`` back as the file's ``id``."""
    return {**{k: v for k, v in doc.items() if k != id_field}, "id": doc[id_field]}


@dataclass(frozen=True, slots=True)
class StoredGraph:
    """The current generation and its graph.json, read from one look at the stats."""

    gen: Generation
    graph: GraphFile


class StoredGraphFileReader:
    def __init__(self, database: DocumentDatabase) -> None:
        self._db, self._graphs = database, MongoGraphStore(database)

    async def _all(self, name: str, gen: Generation, order: str) -> list[dict[str, Any]]:
        cursor = self._db.collection(name).find(gen.own(), _NOT_THE_FILES).sort(order, 1)
        return await decoded(cursor)

    async def read(self, user_id: str) -> GraphFile | None:
        """The current generation as a graph.json; None before any graph was stored."""
        current = await self.read_current(user_id)
        return current.graph if current else None

    async def read_current(self, user_id: str) -> StoredGraph | None:
        stats = await self._graphs.stats(user_id)
        if stats is None or stats.generation is None:
            return None
        gen = Generation(user_id, stats.generation, stats.generated_ms or 0)
        docs = {
            name: await self._all(name, gen, order)
            for name, order in (
                (Collections.NODES, "node_id"),
                (Collections.EDGES, "source"),
                (Collections.CLUSTERS, "cluster_id"),
                (Collections.SUBCLUSTERS, "subcluster_id"),
            )
        }
        # Tens of thousands of models are built and checked off the event loop.
        graph = await asyncio.to_thread(_graph_file, docs, iso(stats.generated_at), stats.language)
        return StoredGraph(gen, graph)


def _graph_file(
    docs: dict[str, list[dict[str, Any]]], generated_at: str | None, language: str | None
) -> GraphFile:
    nodes = [GraphNode.model_validate(_renamed(d, "node_id")) for d in docs[Collections.NODES]]
    edges = [GraphEdge.model_validate(d) for d in docs[Collections.EDGES]]
    clusters = {
        d["cluster_id"]: ClusterInfo.model_validate(
            {k: v for k, v in d.items() if k != "cluster_id"}
        )
        for d in docs[Collections.CLUSTERS]
    }
    subclusters = [
        Subcluster.model_validate(_renamed(d, "subcluster_id"))
        for d in docs[Collections.SUBCLUSTERS]
    ]
    metadata = GraphMetadata(
        generated_at=generated_at,
        total_nodes=len(nodes),
        total_edges=len(edges),
        total_clusters=len(clusters),
        language=language,
        clusters=clusters,
    )
    return GraphFile(nodes=nodes, edges=edges, subclusters=subclusters, metadata=metadata)


def features_json(graph: GraphFile, vectors: Mapping[str, np.ndarray]) -> bytes:
    """``features.json`` of the graph's items that have a vector, in the graph's order: the
    conversations as the contract's models, the vectors as one float32 matrix (orjson
    writes it without a Python float per element)."""
    held = [node for node in graph.nodes if node.orig_id in vectors]
    conversations = [
        FeatureConversation(
            id=node.id,
            orig_id=node.orig_id,
            title=node.title,
            keywords=node.keywords,
            num_sections=node.num_sections,
            source_type=node.source_type,
        ).model_dump(mode="json")
        for node in held
    ]
    embeddings = np.vstack([vectors[n.orig_id] for n in held]) if held else np.zeros((0, 0))
    return orjson.dumps(
        {"conversations": conversations, "embeddings": embeddings, "metadata": {}},
        option=orjson.OPT_SERIALIZE_NUMPY,
    )
