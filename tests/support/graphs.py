"""Result files in the original system's shape (graph_final.json), for tests and benches."""

from __future__ import annotations

import itertools
import math
from typing import Any


def graph_file(
    orig_ids: list[str],
    *,
    clusters: int = 2,
    generated_at: str = "2026-11-26T10:00:00Z",
    first_id: int = 0,
) -> dict[str, Any]:
    """A small, valid graph.json: nodes round-robin over clusters, a chain of edges."""
    nodes = []
    for offset, orig in enumerate(orig_ids):
        k = offset % clusters
        nodes.append(
            {
                "id": first_id + offset,
                "orig_id": orig,
                "title": f"Conversation {orig}",
                "cluster_id": f"cluster_{k}",
                "cluster_name": f"Topic {k}",
                "cluster_confidence": 0.9,
                "subcluster_id": f"subcluster_{k}_0",
                "keywords": [{"term": f"term{k}", "score": 0.5}],
                "top_keywords": [f"term{k}"],
                "timestamp": "2025-03-01T12:00:00",
                "num_sections": 3,
                "source_type": "chat",
                "x": math.cos(offset),
                "y": math.sin(offset),
            }
        )
    ids = [n["id"] for n in nodes]
    edges = [
        {
            "source": a,
            "target": b,
            "weight": 0.8,
            "type": "semantic",
            "is_intra_cluster": (a - b) % clusters == 0,
            "confidence": "high",
        }
        for a, b in itertools.pairwise(ids)
    ]
    subclusters = [
        {
            "id": f"subcluster_{k}_0",
            "cluster_id": f"cluster_{k}",
            "node_ids": [n["id"] for n in nodes if n["cluster_id"] == f"cluster_{k}"],
            "size": sum(1 for n in nodes if n["cluster_id"] == f"cluster_{k}"),
            "density": 0.7,
            "top_keywords": [f"term{k}"],
            "representative_node_id": first_id + k,
        }
        for k in range(min(clusters, len(nodes)))
    ]
    return {
        "nodes": nodes,
        "edges": edges,
        "subclusters": subclusters,
        "metadata": {
            "generated_at": generated_at,
            "total_nodes": len(nodes),
            "total_edges": len(edges),
            "total_clusters": clusters,
            "clusters": {
                f"cluster_{k}": {
                    "name": f"Topic {k}",
                    "description": f"About {k}",
                    "size": 0,
                    "key_themes": [f"term{k}"],
                }
                for k in range(clusters)
            },
        },
    }


def features_file(orig_ids: list[str], dimension: int = 8) -> dict[str, Any]:
    """One deterministic unit vector per conversation, in the same order."""
    embeddings = []
    for i, _ in enumerate(orig_ids):
        raw = [math.sin(i * 1.7 + d) for d in range(dimension)]
        norm = math.sqrt(sum(x * x for x in raw)) or 1.0
        embeddings.append([x / norm for x in raw])
    return {
        "conversations": [
            {
                "id": i,
                "orig_id": orig,
                "title": f"Conversation {orig}",
                "keywords": [],
                "num_sections": 3,
                "source_type": "chat",
                "create_time": 1700000000.0 + i,
            }
            for i, orig in enumerate(orig_ids)
        ],
        "embeddings": embeddings,
        "metadata": {"embedding_model": "test", "dimension": dimension},
    }


def summary_file(generated_at: str = "2026-11-26T10:00:00Z") -> dict[str, Any]:
    return {
        "overview": {
            "total_source_nodes": 4,
            "time_span": "2025-03",
            "summary_text": "You think about two topics.",
            "primary_interests": ["Topic 0", "Topic 1"],
        },
        "clusters": [
            {
                "cluster_id": "cluster_0",
                "name": "Topic 0",
                "size": 2,
                "top_keywords": ["term0"],
                "insight_text": "...",
            }
        ],
        "patterns": [],
        "connections": [],
        "recommendations": [],
        "generated_at": generated_at,
        "detail_level": "standard",
    }
