"""Turn the stages' arrays into the contract's three files (docs/contract.md, 'Result files')."""

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
from graphnode.ai.pipeline.representatives import central_representatives
from graphnode.ai.pipeline.subclusters import Subcluster
from graphnode.contracts.results import (
    ClusterInfo,
    FeatureConversation,
    FeaturesFile,
    GraphEdge,
    GraphFile,
    GraphMetadata,
    GraphNode,
    Keyword,
)
from graphnode.contracts.results import Subcluster as SubclusterEntry
from graphnode.contracts.wire import file_json
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
    # Per cluster index k: its most central members (document indices), best first, never
    # reassigned noise. Computed here when not given, so every builder of parts has them.
    representatives: Sequence[Sequence[int]] = ()

    def __post_init__(self) -> None:
        if not self.representatives and self.clustering.count:
            found = central_representatives(
                self.vectors, self.clustering.labels, reassigned=self.clustering.reassigned
            )
            object.__setattr__(self, "representatives", found)  # frozen: set once, here

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


def keyword_list(pairs: Sequence[tuple[str, float]]) -> list[Keyword]:
    return [Keyword(term=term, score=score) for term, score in pairs]


def edge_models(edges: Sequence[Edge], ids: Sequence[int] | None = None) -> list[GraphEdge]:
    """The contract's edges; ``ids`` maps the stage's item indices to node ids."""
    return [
        GraphEdge(
            source=ids[e.source] if ids is not None else e.source,
            target=ids[e.target] if ids is not None else e.target,
            weight=e.weight,
            type="semantic",
            is_intra_cluster=e.is_intra_cluster,
            confidence=e.confidence,
        )
        for e in edges
    ]


def cluster_info(label: Label, size: int, top_keywords: Sequence[str]) -> ClusterInfo:
    return ClusterInfo(
        name=label.name,
        description=label.description,
        size=size,
        key_themes=list(label.themes),
        top_keywords=list(top_keywords),
    )


def _node(parts: GraphParts, item: int, subcluster: str | None) -> GraphNode:
    document = parts.documents[item]
    cluster = int(parts.clustering.labels[item])
    keywords = parts.keywords.per_item[item]
    return GraphNode(
        id=item,
        orig_id=document.orig_id,
        title=document.title,
        cluster_id=parts.cluster_id(item),
        cluster_name=parts.labels[cluster].name,
        cluster_confidence=round(float(parts.clustering.confidence[item]), 4),
        subcluster_id=subcluster,
        keywords=keyword_list(keywords),
        top_keywords=[term for term, _ in keywords[:5]],
        timestamp=_timestamp(document),
        num_sections=len(document.sections),
        source_type=document.source_type,
        x=round(float(parts.positions[item, 0]), 4),
        y=round(float(parts.positions[item, 1]), 4),
    )


def _subcluster_entry(parts: GraphParts, sub: Subcluster) -> SubclusterEntry:
    terms = Counter(
        term for item in sub.members for term, _ in parts.keywords.per_item[int(item)][:5]
    )
    return SubclusterEntry(
        id=f"subcluster_{sub.cluster}_{sub.index}",
        cluster_id=f"cluster_{sub.cluster}",
        node_ids=[int(i) for i in sub.members],
        size=len(sub.members),
        density=sub.density,
        top_keywords=[term for term, _ in terms.most_common(5)],
        representative_node_id=sub.representative,
        name=parts.documents[sub.representative].title or None,
    )


def build_graph(parts: GraphParts, *, language: str | None, generated_at: str) -> dict[str, Any]:
    """``graph.json``, built as the contract's :class:`GraphFile` and dumped."""
    subcluster_of = _subcluster_of(parts)
    nodes = [_node(parts, i, subcluster_of.get(i)) for i in range(len(parts.documents))]
    sizes = np.bincount(parts.clustering.labels, minlength=len(parts.labels))
    clusters = {
        f"cluster_{k}": cluster_info(
            label, int(sizes[k]), [term for term, _ in parts.keywords.per_cluster[k][:8]]
        )
        for k, label in enumerate(parts.labels)
    }
    graph = GraphFile(
        nodes=nodes,
        edges=edge_models(parts.edges),
        subclusters=[_subcluster_entry(parts, sub) for sub in parts.subclusters],
        metadata=GraphMetadata(
            generated_at=generated_at,
            total_nodes=len(nodes),
            total_edges=len(parts.edges),
            total_clusters=len(parts.labels),
            language=language,
            clusters=clusters,
        ),
    )
    return file_json(graph)


def build_features(
    parts: GraphParts, *, model: str, timings: dict[str, float], extra: dict[str, Any]
) -> dict[str, Any]:
    """``features.json``, built as the contract's :class:`FeaturesFile` and dumped."""
    features = FeaturesFile(
        conversations=[
            FeatureConversation(
                id=i,
                orig_id=d.orig_id,
                title=d.title,
                keywords=keyword_list(parts.keywords.per_item[i]),
                num_sections=len(d.sections),
                source_type=d.source_type,
                create_time=d.create_time,
                update_time=d.update_time,
            )
            for i, d in enumerate(parts.documents)
        ],
        embeddings=np.round(parts.vectors, 6).tolist(),
        metadata={
            "embedding_model": model,
            "dimension": int(parts.vectors.shape[1]) if parts.vectors.size else 0,
            "timings": timings,
            **extra,
        },
    )
    return file_json(features)
