"""Place new items into an existing graph without rebuilding it.

Each new item joins the existing cluster whose centroid it is closest to; items far from
every cluster (below ``join_threshold``) open one new cluster together. Edges and positions
come from the item's nearest neighbours among all items, old and new.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from graphnode.ai.pipeline.edges import Edge, NeighbourEdges

# all-MiniLM cosine between an item and a topic's centroid: below this it is another topic.
DEFAULT_JOIN_THRESHOLD = 0.35
NEIGHBOURS_FOR_POSITION = 3
JITTER = 0.15
SEED = 7


@dataclass(frozen=True, slots=True)
class Placement:
    clusters: list[str]  # cluster id per new item (an existing one, or the new one)
    confidence: np.ndarray
    new_cluster: str | None  # the id of the cluster opened for far items, if any
    edges: list[Edge]  # indexes: existing items first, then the new ones
    positions: np.ndarray  # (x, y) per new item


def _centroids(vectors: np.ndarray, labels: list[str]) -> tuple[list[str], np.ndarray]:
    ids = sorted(set(labels))
    rows = []
    for cluster in ids:
        members = vectors[[i for i, label in enumerate(labels) if label == cluster]]
        centre = members.mean(axis=0)
        rows.append(centre / (np.linalg.norm(centre) or 1.0))
    return ids, np.asarray(rows, dtype=np.float32)


def _next_cluster_id(existing: list[str]) -> str:
    numbers = [int(c.split("_")[-1]) for c in existing if c.split("_")[-1].isdigit()]
    return f"cluster_{max(numbers, default=-1) + 1}"


class NearestClusterPlacement:
    def __init__(self, *, join_threshold: float = DEFAULT_JOIN_THRESHOLD) -> None:
        self._threshold = join_threshold

    def place(
        self,
        existing: np.ndarray,
        existing_clusters: list[str],
        existing_positions: np.ndarray,
        new: np.ndarray,
        taken: Sequence[str] = (),
    ) -> Placement:
        """``taken``: every cluster id the graph holds, with those of items that have no
        vector here (an earlier addition's): a cluster opened now must not reuse one."""
        ids, centroids = _centroids(existing, existing_clusters)
        similarity = new @ centroids.T
        best = similarity.argmax(axis=1)
        score = similarity.max(axis=1)
        far = (score < self._threshold).any()
        opened = _next_cluster_id([*ids, *taken]) if far else None
        clusters = [
            ids[b] if s >= self._threshold else str(opened)
            for b, s in zip(best, score, strict=True)
        ]
        everything = np.vstack([existing, new])
        labels = np.array([*existing_clusters, *clusters])
        edges = [
            e
            for e in NeighbourEdges().fit(everything, _as_ints(labels))
            if e.source >= len(existing) or e.target >= len(existing)
        ]
        return Placement(
            clusters,
            np.clip(score, 0, 1).astype(np.float32),
            opened,
            edges,
            self._positions(existing, existing_positions, new),
        )

    @staticmethod
    def _positions(existing: np.ndarray, positions: np.ndarray, new: np.ndarray) -> np.ndarray:
        """Beside its nearest existing neighbours, a little apart so it can be seen."""
        rng = np.random.default_rng(SEED)
        k = min(NEIGHBOURS_FOR_POSITION, len(existing))
        nearest = np.argsort(-(new @ existing.T), axis=1)[:, :k]
        placed = positions[nearest].mean(axis=1)
        return placed + rng.normal(scale=JITTER, size=placed.shape)


def _as_ints(labels: np.ndarray) -> np.ndarray:
    mapping = {label: i for i, label in enumerate(sorted(set(labels.tolist())))}
    return np.array([mapping[label] for label in labels.tolist()], dtype=np.int64)
