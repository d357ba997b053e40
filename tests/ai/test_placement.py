"""New items placed into a stored graph: each joins the nearest topic when it is near enough,
and items far from every topic open one new topic whose id no topic of the graph holds."""

from __future__ import annotations

import numpy as np

from graphnode.ai.pipeline.placement import NearestClusterPlacement


def _unit(*rows: list[float]) -> np.ndarray:
    vectors = np.asarray(rows, dtype=np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


EXISTING = _unit([1, 0, 0], [0.95, 0.05, 0], [0, 1, 0], [0.05, 0.95, 0])
CLUSTERS = ["cluster_0", "cluster_0", "cluster_1", "cluster_1"]
POSITIONS = np.asarray([[0, 0], [0.1, 0], [5, 5], [5.1, 5]], dtype=np.float32)


def test_a_near_item_joins_its_topic_and_a_far_one_opens_a_new_topic() -> None:
    placed = NearestClusterPlacement().place(
        EXISTING, CLUSTERS, POSITIONS, _unit([0.9, 0.1, 0], [0, 0, 1])
    )
    assert placed.clusters == ["cluster_0", "cluster_2"]
    assert placed.new_cluster == "cluster_2"


def test_the_new_topic_skips_the_ids_of_topics_without_vectors_here() -> None:
    # cluster_2 was opened by an earlier addition whose items have no vector in this call:
    # reusing its id would fold the new items into that topic and rename it.
    placed = NearestClusterPlacement().place(
        EXISTING, CLUSTERS, POSITIONS, _unit([0, 0, 1]), ["cluster_0", "cluster_1", "cluster_2"]
    )
    assert placed.new_cluster == "cluster_3"
    assert placed.clusters == ["cluster_3"]
