"""graph.json -> the MongoDB documents of one generation of a user's graph.

Every document carries its ``generation`` (the task that built it) and that generation's
``generated_ms``, and its ``_id`` names the user and the generation: two generations of one
user never share a document, so one can be written while the other is still being read, and
the older is collected afterwards by its ``generated_ms``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from pymongo import UpdateOne

from graphnode.adapters.mongo import Collections
from graphnode.contracts.results import GraphFile
from graphnode.storage.codec import epoch_ms
from graphnode.storage.documents import doc_key, owned

GRAPH_PARTS = (Collections.NODES, Collections.EDGES, Collections.CLUSTERS, Collections.SUBCLUSTERS)


@dataclass(frozen=True, slots=True)
class Generation:
    """One build of one user's graph: who, which task, and when it was generated."""

    user_id: str
    generation: str
    generated_ms: int

    @classmethod
    def at(cls, user_id: str, generation: str, generated_at: datetime) -> Generation:
        """The generation ``generation`` of ``user_id``'s graph, generated at ``generated_at``."""
        return cls(user_id, generation, epoch_ms(generated_at))

    def key(self, *parts: object) -> str:
        return doc_key(self.user_id, self.generation, *parts)

    def tags(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "generation": self.generation,
            "generated_ms": self.generated_ms,
        }

    def own(self) -> dict[str, Any]:
        """The query for this generation's documents."""
        return owned(self.user_id, generation=self.generation)


def _upsert(key: str, doc: dict[str, Any]) -> UpdateOne:
    # The owner is in the filter too: a key can never reach another user's document.
    return UpdateOne({"_id": key, "user_id": doc["user_id"]}, {"$set": doc}, upsert=True)


def _renamed_id(gen: Generation, item: BaseModel, id_field: str) -> dict[str, Any]:
    """``item`` as a document of ``gen``, its ``id`` kept as ``id_field`` (``_id`` is the key)."""
    doc = item.model_dump(mode="json", exclude_none=True)
    item_id = doc.pop("id")
    doc.update(gen.tags())
    doc[id_field] = item_id
    return doc


def node_docs(gen: Generation, graph: GraphFile) -> list[UpdateOne]:
    return [
        _upsert(gen.key(node.orig_id), _renamed_id(gen, node, "node_id")) for node in graph.nodes
    ]


def edge_docs(gen: Generation, graph: GraphFile) -> list[UpdateOne]:
    ops = []
    for edge in graph.edges:
        doc = edge.model_dump(mode="json", exclude_none=True)
        doc.update(gen.tags())
        ops.append(_upsert(gen.key("edge", edge.source, edge.target), doc))
    return ops


def cluster_docs(gen: Generation, graph: GraphFile) -> list[UpdateOne]:
    sizes = Counter(node.cluster_id for node in graph.nodes)
    names = {node.cluster_id: node.cluster_name for node in graph.nodes}
    ops = []
    for cluster_id in cluster_ids(graph):
        info = graph.metadata.clusters.get(cluster_id)
        doc: dict[str, Any] = info.model_dump(mode="json") if info else {}
        doc.update(
            gen.tags(),
            cluster_id=cluster_id,
            name=doc.get("name") or names.get(cluster_id, cluster_id),
            size=sizes.get(cluster_id, doc.get("size", 0)),
        )
        ops.append(_upsert(gen.key(cluster_id), doc))
    return ops


def subcluster_docs(gen: Generation, graph: GraphFile) -> list[UpdateOne]:
    return [
        _upsert(gen.key(sub.id), _renamed_id(gen, sub, "subcluster_id"))
        for sub in graph.subclusters
    ]


def cluster_ids(graph: GraphFile) -> list[str]:
    return sorted({node.cluster_id for node in graph.nodes} | set(graph.metadata.clusters))


BUILDERS: dict[str, Callable[[Generation, GraphFile], list[UpdateOne]]] = {
    Collections.NODES: node_docs,
    Collections.EDGES: edge_docs,
    Collections.CLUSTERS: cluster_docs,
    Collections.SUBCLUSTERS: subcluster_docs,
}


def graph_counts(graph: GraphFile) -> dict[str, int]:
    """The stats of a whole generation, from its file (no count query can race a writer)."""
    return {
        "nodes": len(graph.nodes),
        "edges": len(graph.edges),
        "clusters": len(cluster_ids(graph)),
        "subclusters": len(graph.subclusters),
    }
