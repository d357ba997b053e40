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

from graphnode.ai.llm.naming import ClusterBrief
from graphnode.ai.pipeline.assemble import now_iso
from graphnode.ai.pipeline.keywords import ClassTfidfKeywords
from graphnode.ai.pipeline.placement import NearestClusterPlacement, Placement
from graphnode.ai.pipeline.runner import EmptyInputError, GraphPipeline
from graphnode.contracts import FeaturesFile, GraphFile
from graphnode.ingest.documents import Document


class MissingGraphError(ValueError):
    """The request names no stored graph to add to."""


def _names(graph: GraphFile) -> dict[str, str]:
    names = {cid: info.name for cid, info in graph.metadata.clusters.items()}
    for node in graph.nodes:
        names.setdefault(node.cluster_id, node.cluster_name)
    return names


async def _new_cluster_label(
    pipeline: GraphPipeline,
    placement: Placement,
    docs: Sequence[Document],
    keywords: list[list[tuple[str, float]]],
) -> dict[str, Any]:
    if placement.new_cluster is None:
        return {}
    members = [i for i, c in enumerate(placement.clusters) if c == placement.new_cluster]
    terms = tuple(dict.fromkeys(t for i in members for t, _ in keywords[i][:4]))[:10]
    brief = ClusterBrief(
        placement.new_cluster, len(members), terms, tuple(docs[i].title for i in members[:6])
    )
    [label] = await pipeline.namer.name([brief])
    return {
        placement.new_cluster: {
            "name": label.name,
            "description": label.description,
            "size": len(members),
            "key_themes": list(label.themes),
            "top_keywords": list(terms),
        }
    }


async def build_addition(
    pipeline: GraphPipeline,
    documents: Sequence[Document],
    graph: GraphFile,
    features: FeaturesFile,
) -> dict[str, Any]:
    """The graph.json of the new nodes, placed among the existing ones."""
    known = {node.orig_id for node in graph.nodes}
    docs = [
        d
        for d in await asyncio.to_thread(lambda: [pipeline.clean(d) for d in documents])
        if d.orig_id not in known and any(s.text.strip() for s in d.sections)
    ]
    if not docs:
        raise EmptyInputError("none of these conversations is new or has any text")
    vectors = (await pipeline.embedder.embed([d.text for d in docs])).vectors
    by_orig = {n.orig_id: n for n in graph.nodes}
    kept = [i for i, c in enumerate(features.conversations) if c.orig_id in by_orig]
    existing = np.asarray([features.embeddings[i] for i in kept], dtype=np.float32)
    nodes = [by_orig[features.conversations[i].orig_id] for i in kept]
    if not nodes:
        raise MissingGraphError("the stored graph has no vectors to place new items against")
    positions = np.asarray([[n.x or 0.0, n.y or 0.0] for n in nodes], dtype=np.float32)
    placement = await asyncio.to_thread(
        NearestClusterPlacement().place, existing, [n.cluster_id for n in nodes], positions, vectors
    )
    labels = np.array([hash(c) % 10_000 for c in placement.clusters])
    keywords = (
        await asyncio.to_thread(
            ClassTfidfKeywords().fit,
            [d.text for d in docs],
            np.unique(labels, return_inverse=True)[1],
        )
    ).per_item
    new_clusters = await _new_cluster_label(pipeline, placement, docs, keywords)
    names = {**_names(graph), **{c: info["name"] for c, info in new_clusters.items()}}
    first_id = max(n.id for n in graph.nodes) + 1
    ids = [n.id for n in nodes] + [first_id + i for i in range(len(docs))]
    return {
        "nodes": [
            {
                "id": first_id + i,
                "orig_id": d.orig_id,
                "title": d.title,
                "cluster_id": placement.clusters[i],
                "cluster_name": names[placement.clusters[i]],
                "cluster_confidence": round(float(placement.confidence[i]), 4),
                "keywords": [{"term": t, "score": s} for t, s in keywords[i]],
                "top_keywords": [t for t, _ in keywords[i][:5]],
                "num_sections": len(d.sections),
                "source_type": d.source_type,
                "x": round(float(placement.positions[i, 0]), 4),
                "y": round(float(placement.positions[i, 1]), 4),
                "embedding": np.round(vectors[i], 6).tolist(),
            }
            for i, d in enumerate(docs)
        ],
        "edges": [
            {
                "source": ids[e.source],
                "target": ids[e.target],
                "weight": e.weight,
                "type": "semantic",
                "is_intra_cluster": e.is_intra_cluster,
                "confidence": e.confidence,
            }
            for e in placement.edges
        ],
        "subclusters": [],
        "metadata": {
            "generated_at": now_iso(),
            "total_nodes": len(docs),
            "total_edges": len(placement.edges),
            "total_clusters": len(new_clusters),
            "clusters": new_clusters,
        },
    }
