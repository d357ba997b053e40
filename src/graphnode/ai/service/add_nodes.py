"""``ADD_NODE_REQUEST``: new conversations placed into a user's existing graph.

The result is a ``graph.json`` holding only the new nodes (each with its ``embedding``, so
the worker can store its vector), their edges, and any cluster opened for them; the worker
merges it into the stored graph.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import numpy as np

from graphnode.ai.llm.grounding import centroids_of, unit_rows
from graphnode.ai.llm.naming import ClusterBrief
from graphnode.ai.pipeline.assemble import cluster_info, edge_models, keyword_list, now_iso
from graphnode.ai.pipeline.keywords import ClassTfidfKeywords
from graphnode.ai.pipeline.placement import NearestClusterPlacement, Placement
from graphnode.ai.pipeline.representatives import central_representatives
from graphnode.ai.pipeline.runner import EmptyInputError, GraphPipeline, cleaned_documents
from graphnode.contracts import FeaturesFile, GraphAdditionFile, GraphFile
from graphnode.contracts.results import ClusterInfo, GraphMetadata, GraphNode
from graphnode.contracts.wire import file_json
from graphnode.ingest.documents import Document


class MissingGraphError(ValueError):
    """The request names no stored graph to add to."""


def _names(graph: GraphFile) -> dict[str, str]:
    names = {cid: info.name for cid, info in graph.metadata.clusters.items()}
    for node in graph.nodes:
        names.setdefault(node.cluster_id, node.cluster_name)
    return names


def _centroids_with(new: np.ndarray, existing: np.ndarray, clusters: Sequence[str]) -> np.ndarray:
    """The new cluster's centroid first, then every stored cluster's: a new name must lie
    nearer its own members than any topic the graph already has."""
    ids = sorted(set(clusters))
    labels = np.array([ids.index(c) for c in clusters], dtype=np.int64)
    stored = centroids_of(existing, labels, len(ids))
    return np.vstack([unit_rows(new.mean(axis=0)), stored])


async def _new_cluster_label(
    pipeline: GraphPipeline,
    placement: Placement,
    docs: Sequence[Document],
    keywords: list[list[tuple[str, float]]],
    vectors: np.ndarray,
    stored: tuple[np.ndarray, Sequence[str]],
) -> dict[str, ClusterInfo]:
    if placement.new_cluster is None:
        return {}
    members = [i for i, c in enumerate(placement.clusters) if c == placement.new_cluster]
    terms = tuple(dict.fromkeys(t for i in members for t, _ in keywords[i][:4]))[:10]
    [central] = central_representatives(vectors[members], np.zeros(len(members), np.int64))
    brief = ClusterBrief(
        placement.new_cluster,
        len(members),
        terms,
        tuple(docs[members[i]].title for i in central[:6]),
        tuple(docs[i].text for i in members),
    )
    centroids = _centroids_with(vectors[members], *stored)
    [label] = await pipeline.namer.name([brief], centroids=centroids)
    return {placement.new_cluster: cluster_info(label, len(members), terms)}


async def build_addition(
    pipeline: GraphPipeline,
    documents: Sequence[Document],
    graph: GraphFile,
    features: FeaturesFile,
) -> dict[str, Any]:
    """The graph.json of the new nodes, placed among the existing ones, built as the
    contract's :class:`GraphAdditionFile` and dumped."""
    known = {node.orig_id for node in graph.nodes}
    # A large addition's CPU work runs where a large graph's does (``GraphPipeline.cpu``).
    items, cpu = len(documents), pipeline.cpu
    docs = [
        d
        for d in await cpu.run(items, cleaned_documents, pipeline.clean, documents)
        if d.orig_id not in known
    ]
    if not docs:
        raise EmptyInputError("none of these conversations is new or has any text")
    vectors = (await pipeline.embedder.embed(docs)).vectors
    by_orig = {n.orig_id: n for n in graph.nodes}
    kept = [i for i, c in enumerate(features.conversations) if c.orig_id in by_orig]
    # 20,000 stored vectors are 7.7 million Python floats: converted off the event loop.
    existing = await asyncio.to_thread(
        lambda: np.asarray([features.embeddings[i] for i in kept], dtype=np.float32)
    )
    nodes = [by_orig[features.conversations[i].orig_id] for i in kept]
    if not nodes:
        raise MissingGraphError("the stored graph has no vectors to place new items against")
    positions = np.asarray([[n.x or 0.0, n.y or 0.0] for n in nodes], dtype=np.float32)
    taken = sorted({n.cluster_id for n in graph.nodes} | set(graph.metadata.clusters))
    placement = await cpu.run(
        items + len(existing),  # its cost grows with the stored graph too
        NearestClusterPlacement().place,
        existing,
        [n.cluster_id for n in nodes],
        positions,
        vectors,
        taken,
    )
    # One label per distinct cluster id, numbered the same in every process (a salted
    # ``hash()`` differed between processes and could merge two clusters).
    labels = np.unique(np.asarray(placement.clusters, dtype=str), return_inverse=True)[1]
    keywords = (
        await cpu.run(items, ClassTfidfKeywords().fit, [d.text for d in docs], labels)
    ).per_item
    new_clusters = await _new_cluster_label(
        pipeline, placement, docs, keywords, vectors, (existing, [n.cluster_id for n in nodes])
    )
    names = {**_names(graph), **{c: info.name for c, info in new_clusters.items()}}
    first_id = max(n.id for n in graph.nodes) + 1
    ids = [n.id for n in nodes] + [first_id + i for i in range(len(docs))]
    addition = GraphAdditionFile(
        nodes=[
            GraphNode(
                id=first_id + i,
                orig_id=d.orig_id,
                title=d.title,
                cluster_id=placement.clusters[i],
                cluster_name=names[placement.clusters[i]],
                cluster_confidence=round(float(placement.confidence[i]), 4),
                keywords=keyword_list(keywords[i]),
                top_keywords=[t for t, _ in keywords[i][:5]],
                num_sections=len(d.sections),
                source_type=d.source_type,
                x=round(float(placement.positions[i, 0]), 4),
                y=round(float(placement.positions[i, 1]), 4),
                # Only additions carry it: the worker stores it as the node's vector.
                embedding=np.round(vectors[i], 6).tolist(),
            )
            for i, d in enumerate(docs)
        ],
        edges=edge_models(placement.edges, ids),
        subclusters=[],
        metadata=GraphMetadata(
            generated_at=now_iso(),
            total_nodes=len(docs),
            total_edges=len(placement.edges),
            total_clusters=len(new_clusters),
            clusters=new_clusters,
        ),
    )
    return file_json(addition)
