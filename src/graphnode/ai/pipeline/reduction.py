"""Dimensionality reduction before density clustering.

HDBSCAN estimates density from distances, and in 384 dimensions the distances between
sentence embeddings crowd together: on 1,000 ShareGPT conversations HDBSCAN on the raw
vectors (cosine) marked 60% of them as noise and found 5-11 topics. UMAP keeps each item's
neighbourhood while folding the vectors into a few dimensions where dense regions stand out
(the same approach BERTopic takes): 13% noise, 29 topics, and a better silhouette measured
back in the original cosine space (bench/bench_pipeline.py reports the figures).

UMAP compiles its numba kernels on first use (about 6 s on 2 cores, once per process), so
``warm_up`` lets a long-running service pay that at start rather than in a user's task. The
neighbour graph UMAP starts from is computed here, exactly, by scikit-learn (brute-force
cosine, in bounded memory): UMAP's own approximate search (NNDescent, used from 4,096 items)
compiled for another 44 s inside the first large user's task, and exact neighbours are
faster anyway at the sizes people's chat histories have (1,000 items: 1.1 s against 2.6 s
for UMAP's own path; 5,000: 6 s). Above ``EXACT_NEIGHBOURS_MAX`` items the quadratic search
would dominate, so NNDescent (pynndescent, what UMAP itself uses, with UMAP's parameters)
finds them approximately; ``warm_up_approximate`` compiles that path (the AI service runs it
after ``warm_up``, in the same background thread, at the lowest CPU priority).
"""

from __future__ import annotations

import logging
import warnings

import numpy as np

log = logging.getLogger("graphnode.ai.cluster")

DEFAULT_COMPONENTS = 10
# UMAP's neighbourhood grows with the graph, from UMAP's own 15 to 30 (reached at 400
# items): on the labelled ShareGPT corpora (bench/bench_cluster_ceiling.py; 344-661
# conversations, 5 seeds each) 30 neighbours against 15 raised ARI by 0.03-0.04 on all four,
# with a smaller spread between seeds (a topic of a few dozen conversations is held together
# rather than cut along its sub-threads). A small graph keeps 15: 30 would span whole topics.
MIN_NEIGHBOURS = 15
MAX_NEIGHBOURS = 30
# Below this, HDBSCAN on the raw vectors does as well and UMAP's neighbour graph is too thin.
REDUCE_MIN_ITEMS = 30
EXACT_NEIGHBOURS_MAX = 20_000
SEED = 7


class UmapReducer:
    """Cosine UMAP to ``components`` dimensions; deterministic for a given input (seeded),
    so regenerating a graph from the same conversations gives the same topics."""

    def __init__(
        self,
        *,
        components: int = DEFAULT_COMPONENTS,
        neighbours: int | None = None,
        min_items: int = REDUCE_MIN_ITEMS,
        seed: int = SEED,
    ) -> None:
        self.components, self.neighbours = components, neighbours
        self.min_items, self.seed = min_items, seed

    def neighbours_for(self, items: int) -> int:
        """The fixed neighbourhood if one was given, else 1.5 sqrt(items) within 15-30; never
        more than the other items."""
        wanted = self.neighbours or max(
            MIN_NEIGHBOURS, min(MAX_NEIGHBOURS, round(1.5 * items**0.5))
        )
        return max(1, min(wanted, items - 1))

    def applies_to(self, vectors: np.ndarray) -> bool:
        items, dimension = vectors.shape
        return items >= self.min_items and dimension > self.components

    def reduce(self, vectors: np.ndarray) -> np.ndarray:
        """Rows in ``components`` dimensions; call ``applies_to`` first (blocking, CPU)."""
        import umap  # imported on first use: it pulls in numba, a few seconds

        neighbours = self.neighbours_for(len(vectors))
        model = umap.UMAP(
            n_components=self.components,
            n_neighbors=neighbours,
            min_dist=0.0,  # pack neighbours tightly: we want clusters, not a picture
            metric="cosine",
            random_state=self.seed,
            low_memory=True,
            precomputed_knn=_exact_neighbours(vectors, neighbours),
        )
        with warnings.catch_warnings():
            # "n_jobs overridden by setting random_state": deterministic is what we want.
            warnings.simplefilter("ignore", UserWarning)
            return np.asarray(model.fit_transform(vectors), dtype=np.float32)

    def warm_up(self) -> None:
        """Compile UMAP's kernels on a small random input (blocking, ~6 s once)."""
        rng = np.random.default_rng(self.seed)
        sample = rng.normal(size=(max(self.min_items, 60), self.components + 8))
        self.reduce(sample.astype(np.float32))
        log.info("dimensionality reduction ready", extra={"reducer": "umap"})

    def warm_up_approximate(self) -> None:
        """Compile the approximate-neighbour search of graphs past ``EXACT_NEIGHBOURS_MAX``
        (blocking, ~45 s once on 2 cores)."""
        rng = np.random.default_rng(self.seed)
        sample = rng.normal(size=(APPROXIMATE_WARM_UP_ITEMS, self.components + 8))
        # Compiled for the neighbourhood a graph past the exact limit gets.
        neighbours = self.neighbours_for(EXACT_NEIGHBOURS_MAX + 1)
        _approximate_neighbours(sample.astype(np.float32), neighbours, self.seed)
        log.info("approximate neighbours ready", extra={"reducer": "umap"})


# Enough rows for NNDescent to run every stage (trees, descent) and compile each kernel.
APPROXIMATE_WARM_UP_ITEMS = 300


def _exact_neighbours(
    vectors: np.ndarray, neighbours: int
) -> tuple[np.ndarray | None, np.ndarray | None, None]:
    """UMAP's ``precomputed_knn``: each row's nearest rows by cosine, itself first, as UMAP's
    own search returns them; approximate (NNDescent) past ``EXACT_NEIGHBOURS_MAX`` rows."""
    if len(vectors) > EXACT_NEIGHBOURS_MAX:
        return _approximate_neighbours(vectors, neighbours, SEED)
    from sklearn.neighbors import NearestNeighbors

    search = NearestNeighbors(n_neighbors=neighbours, metric="cosine", algorithm="brute")
    distances, indices = search.fit(vectors).kneighbors(vectors)
    # No search index: the graph is built once and nothing is added to it with transform().
    return indices, distances.astype(np.float32), None


def _approximate_neighbours(
    vectors: np.ndarray, neighbours: int, seed: int
) -> tuple[np.ndarray, np.ndarray, None]:
    """NNDescent with the parameters UMAP gives it (``umap_.nearest_neighbors``), in memory
    linear in the rows; the search index is dropped as in the exact case."""
    from pynndescent import NNDescent

    items = len(vectors)
    search = NNDescent(
        vectors,
        n_neighbors=neighbours,
        metric="cosine",
        random_state=seed,
        n_trees=min(64, 5 + round(items**0.5 / 20)),
        n_iters=max(5, round(np.log2(items))),
        max_candidates=60,
        low_memory=True,
        compressed=False,
    )
    indices, distances = search.neighbor_graph
    return indices, distances.astype(np.float32), None
