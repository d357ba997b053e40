"""2-D positions for the viewer: clusters placed by how their topics relate, items around
their cluster's centre by how they relate inside it.

Deterministic and linear in the number of items (two small PCAs and a few relaxation
passes), unlike a force simulation over every edge, so it stays instant for thousands of
nodes and the picture does not change between identical runs.
"""

from __future__ import annotations

import numpy as np

RELAXATION_PASSES = 50
GAP = 0.15


def _pca_2d(points: np.ndarray) -> np.ndarray:
    centred = points - points.mean(axis=0)
    if len(points) < 2 or not centred.any():
        return np.zeros((len(points), 2), dtype=np.float32)
    _, _, components = np.linalg.svd(centred, full_matrices=False)
    projected = centred @ components[:2].T
    if projected.shape[1] < 2:
        projected = np.hstack([projected, np.zeros((len(points), 1))])
    return projected.astype(np.float32)


def _unit_disc(points: np.ndarray) -> np.ndarray:
    radius = np.linalg.norm(points, axis=1).max() if len(points) else 0.0
    return points / radius if radius > 0 else points


def _separate(centres: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """Push overlapping cluster discs apart, a little at a time."""
    centres = centres.copy()
    for _ in range(RELAXATION_PASSES):
        moved = False
        for a in range(len(centres)):
            for b in range(a + 1, len(centres)):
                delta = centres[b] - centres[a]
                distance = float(np.linalg.norm(delta)) or 1e-6
                overlap = radii[a] + radii[b] + GAP - distance
                if overlap > 0:
                    direction = delta / distance if distance > 1e-6 else np.array([1.0, 0.0])
                    centres[a] -= direction * overlap / 2
                    centres[b] += direction * overlap / 2
                    moved = True
        if not moved:
            break
    return centres


class ClusterLayout:
    def fit(self, vectors: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """(x, y) per item, roughly within [-10, 10]."""
        items = len(vectors)
        positions = np.zeros((items, 2), dtype=np.float32)
        if items == 0:
            return positions
        clusters = int(labels.max()) + 1
        sizes = np.bincount(labels, minlength=clusters)
        radii = 0.12 * np.sqrt(sizes)
        centroids = np.stack([vectors[labels == k].mean(axis=0) for k in range(clusters)])
        centres = _separate(_unit_disc(_pca_2d(centroids)) * max(1.0, radii.sum() / 2), radii)
        for k in range(clusters):
            members = np.flatnonzero(labels == k)
            local = _unit_disc(_pca_2d(vectors[members]))
            positions[members] = centres[k] + local * radii[k]
        scale = np.abs(positions).max() or 1.0
        return positions / scale * 10
