"""Turn the stages' arrays into the contract's three files (CONTRACT.md, 'Result files')."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import numpy as np

from graphnode.ai.pipeline.clustering import Clustering
from graphnode.ai.pipeline.edges import Edge
from graphnode.ai.pipeline.keywords import Keywords
from graphnode.ai.pipeline.subclusters import Subcluster
from graphnode.ingest.documents import Document


class Label(Protocol):
    name: str
    description: str
    themes: Sequence[str]


@dataclass(frozen=True, slots=True)
class GraphParts:
    """Everything the stages found, indexed like ``documents``."""

    documents: Sequence[Document]
    vectors: np.ndarray
    clustering: Clustering
    keywords: Keywords
    labels: Sequence[Label]
    edges: Sequence[Edge]
    subclusters: Sequence[Subcluster]
    positions: np.ndarray

    def cluster_id(self, item: int) -> str:
        return f"cluster_{int(self.clustering.labels[item])}"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _timestamp(document: Document) -> str | None:
    moment = document.update_time or document.create_time
    if moment is None:
        return None
    return datetime.fromtimestamp(moment, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _subcluster_of(parts: GraphParts) -> dict[int, str]:
    return {
        int(item): f"subcluster_{sub.cluster}_{sub.index}"
        for sub in parts.subclusters
        for item in sub.members
    }


def _node(parts: GraphParts, item: int, subcluster: str | None) -> dict[str, Any]:
    document = parts.documents[item]
    cluster = int(parts.clustering.labels[item])
    keywords = parts.keywords.per_item[item]
    return {
        "id": item,
        "orig_id": document.orig_id,
        "title": document.title,
        "cluster_id": parts.cluster_id(item),
        "cluster_name": parts.labels[cluster].name,
        "cluster_confidence": round(float(parts.clustering.confidence[item]), 4),
        "subcluster_id": subcluster,
        "keywords": [{"term": term, "score": score} for term, score in keywords],
        "top_keywords": [term for term, _ in keywords[:5]],
        "timestamp": _timestamp(document),
        "num_sections": len(document.sections),
        "source_type": document.source_type,
        "x": round(float(parts.positions[item, 0]), 4),
        "y": round(float(parts.positions[item, 1]), 4),
    }


def _subcluster_entry(parts: GraphParts, sub: Subcluster) -> dict[str, Any]:
    terms = Counter(
        term for item in sub.members for term, _ in parts.keywords.per_item[int(item)][:5]
    )
    return {
        "id": f"subcluster_{sub.cluster}_{sub.index}",
        "cluster_id": f"cluster_{sub.cluster}",
        "node_ids": [int(i) for i in sub.members],
        "size": len(sub.members),
        "density": sub.density,
        "top_keywords": [term for term, _ in terms.most_common(5)],
        "representative_node_id": sub.representative,
        "name": parts.documents[sub.representative].title or None,
    }


def build_graph(parts: GraphParts, *, language: str | None, generated_at: str) -> dict[str, Any]:
    subcluster_of = _subcluster_of(parts)
    nodes = [_node(parts, i, subcluster_of.get(i)) for i in range(len(parts.documents))]
    sizes = np.bincount(parts.clustering.labels, minlength=len(parts.labels))
    clusters = {
        f"cluster_{k}": {
            "name": label.name,
            "description": label.description,
            "size": int(sizes[k]),
            "key_themes": list(label.themes),
            "top_keywords": [term for term, _ in parts.keywords.per_cluster[k][:8]],
        }
        for k, label in enumerate(parts.labels)
    }
    return {
        "nodes": nodes,
        "edges": [
            {
                "source": e.source,
                "target": e.target,
                "weight": e.weight,
                "type": "semantic",
                "is_intra_cluster": e.is_intra_cluster,
                "confidence": e.confidence,
            }
            for e in parts.edges
        ],
        "subclusters": [_subcluster_entry(parts, sub) for sub in parts.subclusters],
        "metadata": {
            "generated_at": generated_at,
            "total_nodes": len(nodes),
            "total_edges": len(parts.edges),
            "total_clusters": len(parts.labels),
            "language": language,
            "clusters": clusters,
        },
    }


def build_features(
    parts: GraphParts, *, model: str, timings: dict[str, float], extra: dict[str, Any]
) -> dict[str, Any]:
    return {
        "conversations": [
            {
                "id": i,
                "orig_id": d.orig_id,
                "title": d.title,
                "keywords": [{"term": t, "score": s} for t, s in parts.keywords.per_item[i]],
                "num_sections": len(d.sections),
                "source_type": d.source_type,
                "create_time": d.create_time,
                "update_time": d.update_time,
            }
            for i, d in enumerate(parts.documents)
        ],
        "embeddings": np.round(parts.vectors, 6).tolist(),
        "metadata": {
            "embedding_model": model,
            "dimension": int(parts.vectors.shape[1]) if parts.vectors.size else 0,
            "timings": timings,
            **extra,
        },
    }
