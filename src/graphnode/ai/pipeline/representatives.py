"""Representative items of each cluster: its most central members, spread out.

A reader judges a topic by its example titles, and the namer's model names it from them, so
they must be typical of the cluster: the members nearest its centroid (cosine), skipping any
near-duplicate of one already chosen (the same question asked twice says nothing new), and
never an item that density clustering called noise and that only joined the cluster as its
nearest one (it is, by construction, an outlier of it).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from graphnode.ai.llm.grounding import unit_rows

DEFAULT_COUNT = 8
# Cosine above which two members count as the same thing said twice.
NEAR_DUPLICATE = 0.95


def central_representatives(
    vectors: np.ndarray,
    labels: np.ndarray,
    *,
    reassigned: np.ndarray | None = None,
    count: int = DEFAULT_COUNT,
    near_duplicate: float = NEAR_DUPLICATE,
) -> list[list[int]]:
    """Per cluster 0..k-1, up to ``count`` document indices, most central first.

    The centroid is the mean of the cluster's core members (reassigned noise pulls it away
    from the topic). Without vectors (a graph rebuilt from storage keeps none) the members
    come in document order, core members first.
    """
    labels = np.asarray(labels)
    clusters = int(labels.max()) + 1 if len(labels) else 0
    outliers = np.zeros(len(labels), bool) if reassigned is None else np.asarray(reassigned, bool)
    has_vectors = vectors.ndim == 2 and vectors.shape[1] > 0 and len(vectors) == len(labels)
    unit = unit_rows(vectors) if has_vectors else None
    result = []
    for k in range(clusters):
        members = np.flatnonzero(labels == k)
        core = members[~outliers[members]]
        candidates = core if len(core) else members  # a cluster made only of noise keeps it
        if unit is None:
            result.append([int(i) for i in candidates[:count]])
            continue
        result.append(_spread_by_centrality(unit, candidates, count, near_duplicate))
    return result


def _spread_by_centrality(
    unit: np.ndarray, candidates: np.ndarray, count: int, near_duplicate: float
) -> list[int]:
    centroid = unit_rows(unit[candidates].mean(axis=0))[0]
    order = candidates[np.argsort(-(unit[candidates] @ centroid), kind="stable")]
    chosen: list[int] = []
    for item in order:
        if len(chosen) == count:
            break
        if chosen and float(np.max(unit[chosen] @ unit[item])) > near_duplicate:
            continue
        chosen.append(int(item))
    return chosen


def central_half(vectors: np.ndarray, labels: np.ndarray, items: Sequence[int]) -> list[bool]:
    """Whether each item lies in the more central half of its cluster (by cosine to the
    cluster's centroid): the measure the benchmark reports for representative titles."""
    unit = unit_rows(vectors)
    flags = []
    for item in items:
        members = np.flatnonzero(labels == labels[item])
        centroid = unit_rows(unit[members].mean(axis=0))[0]
        scores = unit[members] @ centroid
        flags.append(float(unit[item] @ centroid) >= float(np.median(scores)))
    return flags
