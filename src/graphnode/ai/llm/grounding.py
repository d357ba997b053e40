"""Semantic grounding: is a piece of generated text about the topic it claims to be about?

A name, an insight or a sentence of the overview is embedded with the same model as the
conversations and compared with every cluster's centroid. Text that lies nearer another
cluster than its own (or below a similarity floor) is not grounded, whatever the model meant.
Names and prose checks both use this module; the encoder is the pipeline's own embedding
batcher (``EmbeddingBatcher.encode``), so grounding costs one shared model call per graph.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np


class TextEncoder(Protocol):
    """Short texts -> one unit vector per text (the pipeline's embedding batcher)."""

    async def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero)."""
    matrix = np.asarray(matrix, dtype=np.float32)
    if matrix.ndim == 1:
        matrix = matrix[None, :]
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms > 0, norms, 1.0)


def similarities(texts: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Cosine similarity of each text vector (rows) to each centroid (columns)."""
    return unit_rows(texts) @ unit_rows(centroids).T


def nearest_centroid(texts: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Index of the nearest centroid for each text vector."""
    if len(texts) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.argmax(similarities(texts, centroids), axis=1)


def is_grounded(
    text_vector: np.ndarray, own: int, centroids: np.ndarray, *, floor: float = 0.0
) -> bool:
    """True when ``text_vector`` lies nearest centroid ``own`` and at least ``floor`` to it."""
    sims = similarities(np.asarray(text_vector)[None, :], centroids)[0]
    return int(np.argmax(sims)) == own and float(sims[own]) >= floor


def grounded_flags(
    vectors: np.ndarray, owners: Sequence[int], centroids: np.ndarray, *, floor: float = 0.0
) -> list[bool]:
    """``is_grounded`` for many texts at once: row i claims to be about ``owners[i]``."""
    if len(owners) == 0:
        return []
    sims = similarities(vectors, centroids)
    best = np.argmax(sims, axis=1)
    return [int(best[i]) == own and float(sims[i, own]) >= floor for i, own in enumerate(owners)]


def centroids_of(vectors: np.ndarray, labels: np.ndarray, count: int) -> np.ndarray:
    """Unit mean vector of each cluster 0..count-1 (a zero row for an empty cluster)."""
    dimension = vectors.shape[1] if vectors.ndim == 2 else 0
    means = np.zeros((count, dimension), dtype=np.float32)
    for k in range(count):
        members = vectors[labels == k]
        if len(members):
            means[k] = members.mean(axis=0)
    return unit_rows(means)
