"""Topic clusters: density clustering (HDBSCAN) after a dimensionality reduction, with
defaults that scale with the number of items, every item ending in a cluster and no cluster
swallowing the graph.

The system we replace asked an LLM to cluster 20 conversations at a time and ended with one
cluster holding 62% of the nodes. Here the vectors are first folded by UMAP (``reduction``)
into a few dimensions where dense topics stand out, HDBSCAN finds them (never one larger than
``max_share`` of the graph), noise points join their nearest cluster in the original cosine
space with a lower confidence, a cluster still above ``max_share`` is split again, and the
user's ``minClusters``/``maxClusters`` are honoured by splitting the largest or merging the
closest clusters. Small graphs (below the reducer's minimum) cluster the raw vectors by cosine.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
from sklearn.cluster import HDBSCAN, KMeans

from graphnode.ai.pipeline.reduction import UmapReducer

log = logging.getLogger("graphnode.ai.cluster")

# A cluster larger than this share of a graph (of at least SPLIT_MIN_ITEMS) is split again.
DEFAULT_MAX_SHARE = 0.35
SPLIT_MIN_ITEMS = 20
# Confidence given to a noise point reassigned to its nearest cluster, times its similarity.
NOISE_CONFIDENCE = 0.5
# HDBSCAN's min_samples: small, so that sparse but coherent topics are not called noise.
MAX_MIN_SAMPLES = 3
SEED = 7
DEFAULT_REDUCER = UmapReducer()


@dataclass(frozen=True, slots=True)
class Clustering:
    labels: np.ndarray  # cluster index per item, 0..k-1, no noise
    confidence: np.ndarray  # 0-1 per item
    reassigned_noise: int
    # True for an item density clustering called noise and that joined its nearest cluster
    # afterwards (an outlier of that cluster); None when not known (a graph from storage).
    reassigned: np.ndarray | None = None

    @property
    def count(self) -> int:
        return int(self.labels.max()) + 1 if len(self.labels) else 0

    @property
    def reassigned_mask(self) -> np.ndarray:
        """``reassigned`` as a boolean array per item (all False when not known)."""
        if self.reassigned is None:
            return np.zeros(len(self.labels), dtype=bool)
        return np.asarray(self.reassigned, dtype=bool)


def default_min_cluster_size(items: int) -> int:
    """Grows with the square root of the graph: 3 for 30 items, 8 for 250, 16 for 1,000."""
    return max(3, round(math.sqrt(items) / 2))


def _centroids(vectors: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    centroids = np.zeros((k, vectors.shape[1]), dtype=np.float32)
    np.add.at(centroids, labels, vectors)
    norms = np.linalg.norm(centroids, axis=1, keepdims=True)
    return centroids / np.where(norms == 0, 1.0, norms)


def _relabel(labels: np.ndarray) -> np.ndarray:
    """Dense 0..k-1 ids ordered by size, largest first (noise stays -1)."""
    kept = labels[labels >= 0]
    if kept.size == 0:
        return labels
    ids, counts = np.unique(kept, return_counts=True)
    order = ids[np.argsort(-counts, kind="stable")]
    mapping = {int(old): new for new, old in enumerate(order)}
    return np.array([mapping.get(int(x), -1) for x in labels], dtype=np.int64)


class DensityClusterer:
    """UMAP then HDBSCAN on unit vectors; see the module doc for the guarantees.

    ``reducer=None`` clusters the raw vectors by cosine at every size.
    """

    def __init__(
        self,
        *,
        min_cluster_size: int | None = None,
        max_share: float = DEFAULT_MAX_SHARE,
        reducer: UmapReducer | None = DEFAULT_REDUCER,
    ) -> None:
        self._min_cluster_size = min_cluster_size
        self._max_share = max_share
        self.reducer = reducer

    def fit(
        self,
        vectors: np.ndarray,
        *,
        min_clusters: int | None = None,
        max_clusters: int | None = None,
    ) -> Clustering:
        items = len(vectors)
        if items == 0:
            return Clustering(np.zeros(0, np.int64), np.zeros(0, np.float32), 0)
        if items < 3:
            return Clustering(np.zeros(items, np.int64), np.ones(items, np.float32), 0)
        labels, confidence = self._density(vectors)
        noise = labels < 0
        labels, confidence = self._absorb_noise(vectors, labels, confidence)
        labels = self._split_oversized(vectors, labels)
        labels = self._honour_bounds(vectors, labels, min_clusters, max_clusters)
        return Clustering(
            _relabel(labels), confidence.astype(np.float32), int(noise.sum()), reassigned=noise
        )

    def _density(self, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        items = len(vectors)
        size = self._min_cluster_size or default_min_cluster_size(items)
        size = max(2, min(size, items - 1))
        options = {
            "min_cluster_size": size,
            "min_samples": max(1, min(MAX_MIN_SAMPLES, size // 2)),
            # HDBSCAN then prefers a large cluster's dense children to the cluster itself
            # (the same limit as _split_oversized, which catches what remains).
            "max_cluster_size": (
                max(size + 1, int(self._max_share * items)) if items >= SPLIT_MIN_ITEMS else None
            ),
            "copy": True,
        }
        if self.reducer is not None and self.reducer.applies_to(vectors):
            model = HDBSCAN(**options).fit(self.reducer.reduce(vectors))
        else:
            model = HDBSCAN(metric="cosine", **options).fit(vectors)
        return _relabel(model.labels_), np.asarray(model.probabilities_, dtype=np.float32)

    def _absorb_noise(
        self, vectors: np.ndarray, labels: np.ndarray, confidence: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        noise = labels < 0
        if not noise.any():
            return labels, confidence
        if noise.all():  # no dense region at all: one cluster, split below if too large
            return np.zeros_like(labels), np.full(len(labels), NOISE_CONFIDENCE, np.float32)
        k = int(labels.max()) + 1
        similarity = vectors[noise] @ _centroids(vectors[~noise], labels[~noise], k).T
        labels, confidence = labels.copy(), confidence.copy()
        labels[noise] = similarity.argmax(axis=1)
        confidence[noise] = NOISE_CONFIDENCE * np.clip(similarity.max(axis=1), 0, 1)
        return labels, confidence

    def _split_oversized(self, vectors: np.ndarray, labels: np.ndarray) -> np.ndarray:
        items = len(labels)
        if items < SPLIT_MIN_ITEMS:
            return labels
        limit = max(1, int(self._max_share * items))
        labels = labels.copy()
        for _ in range(items):  # each pass splits one cluster; bounded for safety
            sizes = np.bincount(labels)
            largest = int(sizes.argmax())
            if sizes[largest] <= limit:
                break
            members = np.flatnonzero(labels == largest)
            parts = math.ceil(sizes[largest] / limit)
            sub = KMeans(n_clusters=parts, n_init=4, random_state=SEED).fit_predict(
                vectors[members]
            )
            next_id = int(labels.max()) + 1
            labels[members[sub > 0]] = next_id + sub[sub > 0] - 1
        return labels

    def _honour_bounds(
        self,
        vectors: np.ndarray,
        labels: np.ndarray,
        min_clusters: int | None,
        max_clusters: int | None,
    ) -> np.ndarray:
        labels = _relabel(labels)
        low = min(min_clusters or 1, len(labels))
        high = max_clusters or len(labels)
        k = int(labels.max()) + 1
        while k < low:  # split the largest cluster in two
            members = np.flatnonzero(labels == 0)
            if len(members) < 2:
                break
            sub = KMeans(n_clusters=2, n_init=4, random_state=SEED).fit_predict(vectors[members])
            labels[members[sub == 1]] = k
            labels, k = _relabel(labels), k + 1
        while k > high:  # merge the two clusters whose centroids are closest
            centroids = _centroids(vectors, labels, k)
            similarity = centroids @ centroids.T
            np.fill_diagonal(similarity, -np.inf)
            a, b = np.unravel_index(int(similarity.argmax()), similarity.shape)
            labels[labels == max(a, b)] = min(a, b)
            labels, k = _relabel(labels), k - 1
        return labels
