"""Rebuild the stages' results from a stored ``graph.json``, so a new summary can be written
for a graph without running the pipeline (or its embedding model) again."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from graphnode.ai.pipeline.assemble import GraphParts
from graphnode.ai.pipeline.clustering import Clustering
from graphnode.ai.pipeline.edges import Edge
from graphnode.ai.pipeline.keywords import Keywords
from graphnode.contracts import GraphFile
from graphnode.ingest.documents import Document


@dataclass(frozen=True, slots=True)
class StoredLabel:
    name: str
    description: str
    themes: tuple[str, ...]
    # The stored id: clusters are renumbered 0..k-1 here, and "cluster_10" sorts before
    # "cluster_2", so the summary must name each cluster by the id the graph gave it.
    cluster_id: str | None = None


def _epoch(stamp: str | float | None) -> float | None:
    if stamp is None or isinstance(stamp, int | float):
        return stamp
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _representatives(graph: GraphFile, cluster_ids: list[str]) -> list[list[int]]:
    """Per cluster, its members by falling clustering confidence: without vectors, the
    confidence the pipeline stored is the best sign of how typical a member is (noise that
    joined a cluster afterwards has a low one)."""
    members: dict[str, list[tuple[float, int]]] = {cluster_id: [] for cluster_id in cluster_ids}
    for position, node in enumerate(graph.nodes):
        confidence = node.cluster_confidence if node.cluster_confidence is not None else 0.0
        members[node.cluster_id].append((-confidence, position))
    return [[position for _, position in sorted(members[c])] for c in cluster_ids]


def parts_from_graph(graph: GraphFile) -> GraphParts:
    """Items are the graph's nodes in order; clusters numbered in their id order."""
    cluster_ids = sorted({n.cluster_id for n in graph.nodes} | set(graph.metadata.clusters))
    index = {cluster_id: k for k, cluster_id in enumerate(cluster_ids)}
    position = {node.id: i for i, node in enumerate(graph.nodes)}
    labels = np.array([index[n.cluster_id] for n in graph.nodes], dtype=np.int64)
    per_cluster = []
    for cluster_id in cluster_ids:
        info = graph.metadata.clusters.get(cluster_id)
        stored = list(info.top_keywords or []) if info else []
        counted = Counter(
            t for n in graph.nodes if n.cluster_id == cluster_id for t in n.top_keywords
        )
        terms = stored or [t for t, _ in counted.most_common(12)]
        per_cluster.append([(t, 1.0) for t in terms])
    names = []
    for cluster_id in cluster_ids:
        info = graph.metadata.clusters.get(cluster_id)
        fallback = next((n.cluster_name for n in graph.nodes if n.cluster_id == cluster_id), "")
        names.append(
            StoredLabel(
                name=(info.name if info and info.name else fallback) or cluster_id,
                description=info.description if info else "",
                themes=tuple(info.key_themes) if info else (),
                cluster_id=cluster_id,
            )
        )
    return GraphParts(
        documents=[
            Document(
                orig_id=n.orig_id,
                title=n.title,
                sections=(),
                source_type=n.source_type,
                create_time=_epoch(n.timestamp),
            )
            for n in graph.nodes
        ],
        vectors=np.zeros((len(graph.nodes), 0), dtype=np.float32),
        clustering=Clustering(labels, np.ones(len(labels), np.float32), 0),
        keywords=Keywords(
            [[(k.term, k.score) for k in n.keywords] for n in graph.nodes], per_cluster
        ),
        labels=names,
        edges=[
            Edge(position[e.source], position[e.target], e.weight, e.is_intra_cluster, e.confidence)
            for e in graph.edges
        ],
        subclusters=[],
        positions=np.zeros((len(graph.nodes), 2), dtype=np.float32),
        representatives=_representatives(graph, cluster_ids),
    )
