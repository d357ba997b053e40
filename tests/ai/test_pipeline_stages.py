"""The pipeline's numeric stages on synthetic vectors with a known answer."""

from __future__ import annotations

import asyncio
import threading
import time
import zlib

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from graphnode.ai.pipeline import reduction
from graphnode.ai.pipeline.chunking import plan_chunks, pool
from graphnode.ai.pipeline.clustering import DensityClusterer
from graphnode.ai.pipeline.edges import NeighbourEdges
from graphnode.ai.pipeline.embedder import (
    DEFAULT_MAX_CHUNKS_PER_DOCUMENT,
    DocumentEmbedder,
    EmbeddingBatcher,
)
from graphnode.ai.pipeline.keywords import ClassTfidfKeywords, analyze
from graphnode.ai.pipeline.layout import ClusterLayout
from graphnode.ai.pipeline.phrases import diversify, prefer_phrases
from graphnode.ai.pipeline.reduction import UmapReducer
from graphnode.ai.pipeline.representatives import central_half, central_representatives
from graphnode.ai.pipeline.subclusters import KMeansSubclusters


def blobs(sizes, dimension=32, spread=0.15, seed=0):
    """Unit vectors around len(sizes) random directions, with their true labels."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(len(sizes), dimension))
    points, truth = [], []
    for label, size in enumerate(sizes):
        for _ in range(size):
            points.append(
                centres[label] / np.linalg.norm(centres[label])
                + rng.normal(scale=spread, size=dimension)
            )
            truth.append(label)
    vectors = np.asarray(points, dtype=np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True), np.array(truth)


def test_clusters_recover_known_topics_and_every_item_is_placed():
    vectors, truth = blobs([30, 25, 20, 25])
    result = DensityClusterer().fit(vectors)
    assert (result.labels >= 0).all()
    assert adjusted_rand_score(truth, result.labels) > 0.9
    assert ((result.confidence >= 0) & (result.confidence <= 1)).all()


def test_noise_is_reassigned_with_lower_confidence():
    vectors, _ = blobs([30, 30])
    rng = np.random.default_rng(3)
    outliers = rng.normal(size=(6, vectors.shape[1])).astype(np.float32)
    outliers /= np.linalg.norm(outliers, axis=1, keepdims=True)
    result = DensityClusterer().fit(np.vstack([vectors, outliers]))
    assert (result.labels >= 0).all()
    assert result.reassigned_noise >= 1
    assert result.confidence[-6:].mean() < result.confidence[:60].mean()


def test_no_cluster_swallows_the_graph():
    vectors, _ = blobs([150, 10, 10], spread=0.3)
    result = DensityClusterer().fit(vectors)
    shares = np.bincount(result.labels) / len(result.labels)
    assert shares.max() <= 0.35 + 1e-9


@pytest.mark.parametrize(("low", "high"), [(6, None), (None, 2), (3, 3)])
def test_min_and_max_clusters_are_honoured(low, high):
    vectors, _ = blobs([20, 20, 20, 20])
    result = DensityClusterer().fit(vectors, min_clusters=low, max_clusters=high)
    if low:
        assert result.count >= low
    if high:
        assert result.count <= high


def test_tiny_inputs():
    assert DensityClusterer().fit(np.zeros((0, 4), np.float32)).count == 0
    one = DensityClusterer().fit(np.ones((1, 4), np.float32) / 2)
    assert one.labels.tolist() == [0]


def test_analyzer_keeps_words_and_drops_code_latex_roles_and_ids():
    terms = analyze(
        "User: How do I tune PostgreSQL vacuum? Assistant: autovacuum thresholds matter. "
        "my_variable getUserById x86 frac alpha 3f9a2c 한국어 형태소 분석 机器学习模型"
    )
    assert "postgresql" in terms
    assert "vacuum" in terms
    assert "autovacuum" in terms
    for noise in ("user", "assistant", "my_variable", "getuserbyid", "x86", "3f9a2c"):
        assert noise not in terms
    assert "한국어" in terms
    assert "机器" in terms  # Chinese runs become bigrams
    assert "学习" in terms


def test_class_tfidf_finds_each_topic_words_in_one_pass():
    texts = ["sourdough starter hydration bread flour"] * 5 + [
        "kubernetes pod deployment cluster container"
    ] * 5
    labels = np.array([0] * 5 + [1] * 5)
    found = ClassTfidfKeywords().fit(texts, labels)

    def words(k):
        return {word for term, _ in found.per_cluster[k][:5] for word in term.split()}

    assert {"sourdough", "bread"} <= words(0)
    assert {"kubernetes", "container"} <= words(1)
    assert len(found.per_item) == 10
    assert found.per_item[0][0][1] == 1.0  # scores are relative to the item's best


def test_every_node_has_an_edge_and_weights_are_in_range():
    vectors, truth = blobs([15, 15, 3], spread=0.4)
    edges = NeighbourEdges(threshold=0.99).fit(vectors, truth)  # threshold almost unreachable
    touched = {e.source for e in edges} | {e.target for e in edges}
    assert touched == set(range(len(vectors)))
    assert all(0 <= e.weight <= 1 and e.source < e.target for e in edges)
    assert {e.confidence for e in edges} <= {"high", "medium"}
    intra = [e for e in edges if e.is_intra_cluster]
    assert all(truth[e.source] == truth[e.target] for e in intra)


def test_subclusters_cover_each_cluster_with_a_member_representative():
    vectors, truth = blobs([24, 4])
    found = KMeansSubclusters().fit(vectors, truth)
    for cluster in (0, 1):
        members = sorted(i for s in found if s.cluster == cluster for i in s.members)
        assert members == np.flatnonzero(truth == cluster).tolist()
    assert all(s.representative in s.members for s in found)
    assert len([s for s in found if s.cluster == 0]) > 1


def test_layout_separates_clusters():
    vectors, truth = blobs([20, 20, 20])
    positions = ClusterLayout().fit(vectors, truth)
    assert positions.shape == (60, 2)
    assert np.isfinite(positions).all()
    centres = np.stack([positions[truth == k].mean(axis=0) for k in range(3)])
    spread = max(
        np.linalg.norm(positions[truth == k] - centres[k], axis=1).mean() for k in range(3)
    )
    gaps = [np.linalg.norm(centres[a] - centres[b]) for a in range(3) for b in range(a + 1, 3)]
    assert min(gaps) > spread


class WordTokenizer:
    """Splits on spaces and reports character offsets, as a fast tokenizer does."""

    def __call__(self, text, **_):
        offsets, position = [], 0
        for word in text.split(" "):
            offsets.append((position, position + len(word)))
            position += len(word) + 1
        return {"offset_mapping": [o for o in offsets if o[1] > o[0]]}


def test_long_documents_are_chunked_not_truncated():
    text = " ".join(f"w{i}" for i in range(1000))
    plan = plan_chunks([text, "short one"], WordTokenizer(), max_tokens=106, max_chunks=100)
    chunks = [c for c in plan.chunks if c.document == 0]
    assert len(chunks) == 10  # 100 words each: 106 - special tokens - re-tokenizing margin
    assert chunks[-1].text.endswith("w999")
    assert " ".join(c.text for c in chunks) == text
    vectors = np.eye(len(plan.chunks), 4, dtype=np.float32) + 0.1
    pooled = pool(plan, vectors, 2)
    assert np.allclose(np.linalg.norm(pooled, axis=1), 1)


def test_documents_over_the_chunk_cap_are_sampled_evenly_and_counted():
    text = " ".join(f"w{i}" for i in range(1000))
    plan = plan_chunks([text], WordTokenizer(), max_tokens=106, max_chunks=4)
    assert len(plan.chunks) == 4
    assert plan.sampled_documents == 1
    assert plan.chunks[0].text.startswith("w0 ")  # the first, then spread through the rest
    assert [c.text.split(" ")[0] for c in plan.chunks[1:]] == ["w200", "w500", "w800"]


async def test_micro_batcher_merges_concurrent_calls():
    calls = []

    def encode(texts):
        calls.append(len(texts))
        return np.array([[float(len(t))] for t in texts], dtype=np.float32)

    async with EmbeddingBatcher(encode, max_batch=64, max_wait=0.05) as batcher:
        users = [[f"user{u}-text{i}" + "x" * u for i in range(10)] for u in range(5)]
        results = await asyncio.gather(*(batcher.encode(texts) for texts in users))
        assert batcher.model_calls == 1
    assert calls == [50]
    for texts, vectors in zip(users, results, strict=True):
        assert vectors[:, 0].tolist() == [float(len(t)) for t in texts]


async def test_micro_batcher_splits_large_requests_and_reports_errors():
    def encode(texts):
        if any("boom" in t for t in texts):
            raise RuntimeError("model failed")
        return np.ones((len(texts), 2), dtype=np.float32)

    async with EmbeddingBatcher(encode, max_batch=8, max_wait=0.001) as batcher:
        vectors = await batcher.encode([f"t{i}" for i in range(20)])
        assert vectors.shape == (20, 2)
        assert batcher.model_calls == 3
        with pytest.raises(RuntimeError, match="model failed"):
            await batcher.encode(["boom"])


async def test_a_small_task_is_not_queued_behind_a_large_one():
    batches, started = [], threading.Event()

    def encode(texts):
        batches.append(list(texts))
        started.set()
        time.sleep(0.01)  # a model call takes a while; the small task arrives meanwhile
        return np.ones((len(texts), 2), dtype=np.float32)

    async with EmbeddingBatcher(encode, max_batch=4, max_wait=0.001) as batcher:
        large = asyncio.create_task(batcher.encode([f"large{i}" for i in range(40)]))
        await asyncio.to_thread(started.wait, 5)
        small = await batcher.encode([f"small{i}" for i in range(4)])
        assert small.shape == (4, 2)
        assert not large.done()  # the small one finished first
        assert (await large).shape == (40, 2)
    served = next(i for i, batch in enumerate(batches) if batch[0].startswith("small"))
    assert served <= 2, f"the small task waited for {served} of the large one's batches"
    assert len(batches) == 11
    assert all(len(batch) == 4 for batch in batches)


def hashed_vector(text, dimension=8):
    """A fixed pseudo-random unit vector per text, whatever batch the text lands in."""
    vector = np.random.default_rng(zlib.crc32(text.encode())).normal(size=dimension)
    return (vector / np.linalg.norm(vector)).astype(np.float32)


class WordModel:
    """A SentenceModel stand-in: words are tokens, vectors come from ``hashed_vector``."""

    name = "words"
    dimension = 8
    max_tokens = 16  # windows of 10 words, after the special tokens and the margin
    tokenizer = WordTokenizer()

    def __init__(self):
        self.batches = []

    def encode(self, texts):
        self.batches.append(list(texts))
        return np.stack([hashed_vector(t) for t in texts])


async def test_document_embedder_sends_chunks_by_length_and_pools_in_plan_order():
    sizes = [3, 25, 7, 12, 1, 40, 10, 7]
    texts = [" ".join(f"d{d}w{i}" for i in range(n)) for d, n in enumerate(sizes)]
    model = WordModel()
    async with EmbeddingBatcher(model.encode, max_batch=4, max_wait=0.001) as batcher:
        embedded = await DocumentEmbedder(model, batcher).embed(texts)

    plan = plan_chunks(texts, model.tokenizer, model.max_tokens, DEFAULT_MAX_CHUNKS_PER_DOCUMENT)
    in_document_order = np.stack([hashed_vector(c.text) for c in plan.chunks])
    assert np.array_equal(embedded.vectors, pool(plan, in_document_order, len(texts)))
    assert embedded.chunks == len(plan.chunks)

    sent = [text for batch in model.batches for text in batch]
    lengths = [len(text.split(" ")) for text in sent]
    assert lengths == sorted(lengths, reverse=True)  # longest first ...
    tens = [text for text in sent if len(text.split(" ")) == 10]
    assert tens == [c.text for c in plan.chunks if c.tokens == 10]  # ... stable among equals
    assert sent != [c.text for c in plan.chunks]  # the order did change
    assert all(len(batch) <= 4 for batch in model.batches)


def test_reduction_is_deterministic_and_keeps_each_topic_together():
    vectors, truth = blobs([40, 40, 40], dimension=64)
    reducer = UmapReducer(components=5)
    assert reducer.applies_to(vectors)
    first, second = reducer.reduce(vectors), reducer.reduce(vectors)
    assert first.shape == (120, 5)
    np.testing.assert_array_equal(first, second)  # the same conversations, the same graph
    # Each item's nearest neighbour in the folded space is from its own topic.
    distances = np.linalg.norm(first[:, None] - first[None], axis=2)
    np.fill_diagonal(distances, np.inf)
    assert (truth[distances.argmin(axis=1)] == truth).mean() > 0.95


def test_the_neighbourhood_grows_with_the_graph_within_bounds(monkeypatch):
    reducer = UmapReducer()
    assert reducer.neighbours_for(60) == reduction.MIN_NEIGHBOURS == 15  # a small graph
    assert reducer.neighbours_for(250) == 24
    assert reducer.neighbours_for(400) == reducer.neighbours_for(50_000) == 30
    assert reducer.neighbours_for(9) == 8  # never more than the other items
    assert UmapReducer(neighbours=12).neighbours_for(5_000) == 12  # a fixed one is kept
    # UMAP is given what neighbours_for says, and its starting graph has that many.
    seen: list[int] = []
    exact = reduction._exact_neighbours

    def spy(vectors: np.ndarray, neighbours: int) -> tuple:
        seen.append(neighbours)
        return exact(vectors, neighbours)

    monkeypatch.setattr(reduction, "_exact_neighbours", spy)
    vectors, _ = blobs([150, 150, 150], dimension=32)
    UmapReducer(components=5).reduce(vectors)
    assert seen == [30]


def test_small_graphs_cluster_the_raw_vectors():
    reducer = UmapReducer(min_items=30, components=5)
    assert not reducer.applies_to(np.zeros((29, 64), np.float32))
    assert not reducer.applies_to(np.zeros((100, 5), np.float32))  # nothing to fold
    vectors, truth = blobs([9, 9])  # below 20 items no share limit applies
    result = DensityClusterer(reducer=reducer).fit(vectors)
    assert adjusted_rand_score(truth, result.labels) > 0.9


def test_the_raw_and_the_reduced_paths_both_recover_topics():
    vectors, truth = blobs([30, 25, 20, 25])
    for clusterer in (DensityClusterer(reducer=None), DensityClusterer()):
        assert adjusted_rand_score(truth, clusterer.fit(vectors).labels) > 0.9


def test_umap_starts_from_exact_neighbours_up_to_a_size(monkeypatch):
    vectors, _ = blobs([20, 20], dimension=16)
    indices, distances, index = reduction._exact_neighbours(vectors, 5)
    assert index is None
    assert indices.shape == distances.shape == (40, 5)
    assert (indices[:, 0] == np.arange(40)).all()  # itself first, as UMAP's own search does
    assert (np.diff(distances, axis=1) >= 0).all()
    brute = 1 - vectors @ vectors.T
    np.testing.assert_allclose(distances[:, 1], np.sort(brute, axis=1)[:, 1], atol=1e-5)
    # Past the limit the search is approximate, and finds the same neighbours on easy data.
    monkeypatch.setattr(reduction, "EXACT_NEIGHBOURS_MAX", 39)
    approximate, approximate_distances, index = reduction._exact_neighbours(vectors, 5)
    assert index is None
    assert approximate.shape == (40, 5)
    assert (approximate[:, 0] == np.arange(40)).all()
    agree = [len(set(a) & set(b)) / 5 for a, b in zip(approximate, indices, strict=True)]
    assert np.mean(agree) > 0.9
    np.testing.assert_allclose(approximate_distances[:, 1], distances[:, 1], atol=1e-4)


def test_the_warm_up_prepares_both_neighbour_searches(caplog):
    caplog.set_level("INFO", logger="graphnode.ai.cluster")
    reducer = UmapReducer(components=5)
    reducer.warm_up()
    reducer.warm_up_approximate()
    said = [record.getMessage() for record in caplog.records]
    assert said == ["dimensionality reduction ready", "approximate neighbours ready"]


def test_reassigned_noise_is_marked_and_never_a_representative():
    vectors, _ = blobs([30, 30])
    rng = np.random.default_rng(3)
    outliers = rng.normal(size=(6, vectors.shape[1])).astype(np.float32)
    outliers /= np.linalg.norm(outliers, axis=1, keepdims=True)
    everything = np.vstack([vectors, outliers])
    result = DensityClusterer().fit(everything)
    mask = result.reassigned_mask
    assert mask.dtype == bool
    assert mask.sum() == result.reassigned_noise >= 1
    chosen = central_representatives(everything, result.labels, reassigned=result.reassigned)
    assert len(chosen) == result.count
    for k, items in enumerate(chosen):
        assert items
        assert not mask[items].any()
        assert all(result.labels[i] == k for i in items)
        # The best ones lie in the central half (the outliers here make tiny clusters).
        quarter = max(1, int((result.labels == k).sum()) // 4)
        assert all(central_half(everything, result.labels, items[:quarter]))


def test_representatives_are_central_first_and_not_near_duplicates():
    vectors, _labels = blobs([20], spread=0.3)
    twins = np.vstack([vectors, vectors[:3]])  # three conversations asked twice
    order = central_representatives(twins, np.zeros(len(twins), np.int64), count=10)[0]
    centroid = twins.mean(axis=0)
    scores = twins @ (centroid / np.linalg.norm(centroid))
    assert order[0] == int(np.argmax(scores))
    picked = twins[order]
    similarity = picked @ picked.T
    np.fill_diagonal(similarity, 0)
    assert similarity.max() < 0.95  # never the same thing twice
    # Without vectors (a graph rebuilt from storage) members come in order, core first.
    bare = central_representatives(
        np.zeros((4, 0)), np.array([0, 0, 1, 1]), reassigned=np.array([True, False, False, False])
    )
    assert bare == [[1], [2, 3]]


def test_analyzer_makes_phrases_without_stop_words_at_their_ends():
    terms = analyze("The Rust borrow checker rejects it. Return on investment, of course!")
    assert {"rust borrow checker", "borrow checker", "return on investment"} <= set(terms)
    assert "checker rejects" in terms  # a run of words, whatever they are
    assert not any(t.startswith(("the ", "on ")) or t.endswith(" on") for t in terms)
    assert "rejects return" not in terms  # punctuation ends a phrase
    assert "investment of" not in terms
    assert "on investment" not in terms


async def test_phrases_are_reranked_by_the_centroid_in_one_encoder_call():
    calls = []

    class AxisEncoder:  # "bread" words point one way, "cluster" words the other
        async def encode(self, texts):
            calls.append(list(texts))
            return np.array([[1.0, 0.0] if "bread" in t else [0.0, 1.0] for t in texts])

    candidates = [[("kubernetes", 1.0), ("sourdough bread", 0.4), ("bread", 0.5)]]
    [ranked] = await diversify(candidates, np.array([[1.0, 0.0]]), AxisEncoder(), 2)
    assert ranked[0][0] == "sourdough bread"  # nearest the centroid, phrase weighted up
    assert [t for t, _ in ranked] == ["sourdough bread", "kubernetes"]  # "bread" is covered
    assert len(calls) == 1


def test_a_phrase_that_carries_a_word_takes_its_place():
    ranked = prefer_phrases([("fund", 1.0), ("emergency fund", 0.6), ("tax", 0.5)], 3)
    assert [t for t, _ in ranked] == ["emergency fund", "tax"]
