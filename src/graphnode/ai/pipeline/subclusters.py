"""Subclusters: the finer topics inside each cluster, each with a representative item."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from sklearn.cluster import KMeans

# Clusters smaller than this are one subcluster: splitting them would say nothing.
MIN_SPLIT_SIZE = 6
MAX_SUBCLUSTERS = 6
SEED = 7


@dataclass(frozen=True, slots=True)
class Subcluster:
    cluster: int
    index: int  # within its cluster
    members: np.ndarray  # item indices
    representative: int  # the member closest to the subcluster's centre
    density: float  # mean cosine similarity of members to that centre


def _count_for(size: int) -> int:
    if size < MIN_SPLIT_SIZE:
        return 1
    return max(1, min(MAX_SUBCLUSTERS, round(math.sqrt(size / 3))))


class KMeansSubclusters:
    def fit(self, vectors: np.ndarray, labels: np.ndarray) -> list[Subcluster]:
        result: list[Subcluster] = []
        for cluster in range(int(labels.max()) + 1 if len(labels) else 0):
            members = np.flatnonzero(labels == cluster)
            parts = _count_for(len(members))
            if parts == 1:
                sub = np.zeros(len(members), dtype=np.int64)
            else:
                sub = KMeans(n_clusters=parts, n_init=4, random_state=SEED).fit_predict(
                    vectors[members]
                )
            for index in range(parts):
                chosen = members[sub == index]
                if len(chosen):
                    result.append(self._describe(vectors, cluster, index, chosen))
        return result

    @staticmethod
    def _describe(vectors: np.ndarray, cluster: int, index: int, members: np.ndarray) -> Subcluster:
        centre = vectors[members].mean(axis=0)
        centre /= np.linalg.norm(centre) or 1.0
        similarity = vectors[members] @ centre
        return Subcluster(
            cluster=cluster,
            index=index,
            members=members,
            representative=int(members[int(similarity.argmax())]),
            density=round(float(similarity.mean()), 4),
        )
