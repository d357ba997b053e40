"""The embedding budget: how many chunks of a conversation must be read for its vector to stand
for the whole of it? Quality against cost for K = 1, 2, 3, 4, 6, 8 and every chunk, on the CPU.

    PYTHONPATH=. .venv/bin/python bench/bench_budget.py                  # 9 x 30 conversations
    PYTHONPATH=. .venv/bin/python bench/bench_budget.py --per-subject 20 --seeds 2

Corpus: ``bench.labelled`` corpus ``--corpus`` (``a`` or ``b``: ShareGPT V3 first parts whose
first user message names exactly one of nine subjects), cleaned as the pipeline cleans them.
The baseline, measured in this run: every chunk of every conversation
(GRAPHNODE_EMBEDDING_MAX_CHUNKS=0) through the real ``DocumentEmbedder`` and micro-batcher;
its encode function keeps each chunk's vector.
A K-chunk plan reads a subset of the same chunks (``chunking.plan_chunks``: the first window,
the user's voice, the rest spread evenly), so each K's document vectors are pooled from those
recorded chunk vectors, exactly what the embedder would compute. Reported per K, with
ratios to the baseline:

- quality: ARI and NMI of the pipeline's clustering (``DensityClusterer``: UMAP, HDBSCAN)
  against the subjects, mean over ``--seeds`` UMAP seeds (their spread is the noise); the
  share of each conversation's 10 nearest neighbours with its subject (no clustering, less
  noisy); the mean and 5th percentile of the cosine between its K-chunk and all-chunk vectors;
- cost: chunks and word pieces embedded; seconds, measured through the embedder for
  ``--measure`` (default: 1, the CPU default and all; the baseline's rate per word piece
  estimates the others, marked ``seconds_estimated``).

Writes bench/results/budget-{corpus}.json and .png (with matplotlib).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from bench.labelled import CORPORA, labelled_corpus
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from graphnode.ai.clean import clean_document
from graphnode.ai.pipeline.chunking import ChunkPlan, plan_chunks, pool
from graphnode.ai.pipeline.clustering import DensityClusterer
from graphnode.ai.pipeline.embedder import (
    CPU_MAX_CHUNKS_PER_DOCUMENT,
    DEFAULT_MAX_BATCH,
    DEFAULT_MAX_WAIT_SECONDS,
    DocumentEmbedder,
    EmbeddingBatcher,
    SentenceTransformerModel,
)
from graphnode.ai.pipeline.reduction import UmapReducer
from graphnode.ingest.documents import Document

RESULTS = Path(__file__).resolve().parent / "results"
CURVE = (1, 2, 3, 4, 6, 8, 0)  # 0: every chunk, the baseline
NEIGHBOURS = 10
STARTED = time.perf_counter()


def say(message: str) -> None:
    print(f"[{time.perf_counter() - STARTED:7.1f}s] {message}", flush=True)


class RecordingEncode:
    """The model's encode, keeping every chunk's vector by its text."""

    def __init__(self, model: SentenceTransformerModel) -> None:
        self._model = model
        self.vectors: dict[str, np.ndarray] = {}

    def __call__(self, texts: list[str]) -> np.ndarray:
        vectors = self._model.encode(texts)
        self.vectors.update(zip(texts, vectors, strict=True))
        return vectors


async def timed_embed(
    model: SentenceTransformerModel, encode: Any, docs: Sequence[Document], budget: int
) -> tuple[np.ndarray, float]:
    """Document vectors through the real embedder with ``budget`` chunks, and its seconds."""
    async with EmbeddingBatcher(
        encode, max_batch=DEFAULT_MAX_BATCH, max_wait=DEFAULT_MAX_WAIT_SECONDS
    ) as batcher:
        embedder = DocumentEmbedder(model, batcher, max_chunks_per_document=budget)
        started = time.perf_counter()
        embedded = await embedder.embed(docs)
        return embedded.vectors, time.perf_counter() - started


def pooled(plan: ChunkPlan, recorded: dict[str, np.ndarray], documents: int) -> np.ndarray:
    rows = np.stack([recorded[chunk.text] for chunk in plan.chunks])
    return pool(plan, rows, documents)


def neighbour_agreement(vectors: np.ndarray, labels: np.ndarray) -> float:
    """Mean share of each item's nearest neighbours (cosine) that share its label."""
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -np.inf)
    nearest = np.argsort(-sims, axis=1)[:, :NEIGHBOURS]
    return float((labels[nearest] == labels[:, None]).mean())


def clustering_quality(vectors: np.ndarray, labels: np.ndarray, seeds: int) -> dict[str, Any]:
    ari, nmi, clusters = [], [], []
    for seed in range(seeds):
        found = DensityClusterer(reducer=UmapReducer(seed=seed)).fit(vectors)
        ari.append(adjusted_rand_score(labels, found.labels))
        nmi.append(normalized_mutual_info_score(labels, found.labels))
        clusters.append(found.count)
    return {
        "ari": round(float(np.mean(ari)), 4),
        "ari_spread": round(float(np.ptp(ari)), 4),
        "nmi": round(float(np.mean(nmi)), 4),
        "nmi_spread": round(float(np.ptp(nmi)), 4),
        "clusters": clusters,
    }


def curve_row(
    budget: int,
    plan: ChunkPlan,
    vectors: np.ndarray,
    baseline: np.ndarray,
    labels: np.ndarray,
    seeds: int,
) -> dict[str, Any]:
    cosines = np.sum(vectors * baseline, axis=1)
    return {
        "k": budget or "all",
        "chunks": len(plan.chunks),
        "word_pieces": sum(chunk.tokens for chunk in plan.chunks),
        "sampled_documents": plan.sampled_documents,
        "cosine_to_all_mean": round(float(cosines.mean()), 4),
        "cosine_to_all_p5": round(float(np.percentile(cosines, 5)), 4),
        "neighbour_agreement": round(neighbour_agreement(vectors, labels), 4),
        **clustering_quality(vectors, labels, seeds),
    }


def add_costs(rows: list[dict[str, Any]], measured: dict[int, float]) -> None:
    """Seconds (measured, or estimated from the baseline's rate per word piece) and ratios."""
    base = next(row for row in rows if row["k"] == "all")
    rate = measured[0] / base["word_pieces"]
    for row in rows:
        budget = 0 if row["k"] == "all" else row["k"]
        row["seconds_estimated"] = budget not in measured
        seconds = measured.get(budget, row["word_pieces"] * rate)
        row["seconds"] = round(seconds, 2)
        row["ratio_seconds"] = round(seconds / measured[0], 3)
        row["ratio_chunks"] = round(row["chunks"] / base["chunks"], 3)
        for key in ("ari", "nmi", "neighbour_agreement"):
            row[f"ratio_{key}"] = round(row[key] / base[key], 3) if base[key] else None


def plateau(rows: list[dict[str, Any]], tolerance: float, min_cosine_p5: float) -> int:
    """The smallest K whose ARI, NMI and neighbour agreement are all within ``tolerance`` of
    the best any K reaches (every chunk included), where quality stops improving, and whose
    vector still stands for the whole conversation: cosine to the every-chunk vector at least
    ``min_cosine_p5`` for 95% of them. The labels come from the first user message, which
    every K reads, so they cannot reward reading the rest; the cosine can."""
    best = {key: max(row[key] for row in rows) for key in ("ari", "nmi", "neighbour_agreement")}
    for row in rows:
        level = all(row[key] >= best[key] - tolerance for key in best)
        if row["k"] != "all" and level and row["cosine_to_all_p5"] >= min_cosine_p5:
            return int(row["k"])
    return 0


def summary_lines(report: dict[str, Any]) -> list[str]:
    lines = [
        f"{report['conversations']} conversations, {report['subjects']} subjects; "
        f"baseline every chunk: {report['baseline_chunks']} chunks in "
        f"{report['baseline_seconds']:.1f} s",
        "   K  chunks  x all  seconds  x all   ARI (+-)      NMI (+-)      kNN    cos mean/p5",
    ]
    for row in report["curve"]:
        mark = "~" if row["seconds_estimated"] else " "
        lines.append(
            f"{row['k']!s:>4}  {row['chunks']:6d}  {row['ratio_chunks']:5.2f}  "
            f"{mark}{row['seconds']:6.1f}  {row['ratio_seconds']:5.2f}   "
            f"{row['ari']:.3f} ({row['ari_spread']:.3f})  "
            f"{row['nmi']:.3f} ({row['nmi_spread']:.3f})"
            f"  {row['neighbour_agreement']:.3f}  {row['cosine_to_all_mean']:.3f}/"
            f"{row['cosine_to_all_p5']:.3f}"
        )
    lines.append(
        f"quality stops improving at K = {report['plateau_k'] or 'all'} (within "
        f"{report['tolerance']} of the best, cosine p5 >= {report['min_cosine_p5']}); "
        f"CPU default K = {report['cpu_default_k']}"
    )
    return lines


def plot(report: dict[str, Any], path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    rows = report["curve"]
    cost = [row["ratio_seconds"] for row in rows]
    fig, axis = plt.subplots(figsize=(7, 4.5))
    for key, label in (("ari", "ARI"), ("nmi", "NMI"), ("neighbour_agreement", "kNN agreement")):
        axis.plot(cost, [row[key] for row in rows], marker="o", label=label)
    axis.plot(cost, [row["cosine_to_all_mean"] for row in rows], marker="s", label="cosine to all")
    for row, x in zip(rows, cost, strict=True):
        axis.annotate(f"K={row['k']}", (x, row["nmi"]), textcoords="offset points", xytext=(3, 6))
    axis.set_xlabel("embedding seconds / every-chunk seconds (same run)")
    axis.set_ylabel("quality")
    axis.set_title(f"Chunk budget, {report['conversations']} labelled ShareGPT conversations")
    axis.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return True


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-subject", type=int, default=30, help="keep it under 400 in all")
    parser.add_argument("--corpus", choices=sorted(CORPORA), default="a")
    parser.add_argument("--seeds", type=int, default=3, help="UMAP seeds per K (noise)")
    parser.add_argument("--tolerance", type=float, default=0.02, help="within the best")
    parser.add_argument("--min-cosine-p5", type=float, default=0.9, help="to every chunk")
    parser.add_argument(
        "--measure",
        default=f"1,{CPU_MAX_CHUNKS_PER_DOCUMENT}",
        help="budgets timed through the embedder besides the baseline (comma-separated)",
    )
    return parser.parse_args()


async def measure_costs(
    model: SentenceTransformerModel, docs: list[Document], budgets: Sequence[int]
) -> tuple[RecordingEncode, dict[int, float]]:
    recording = RecordingEncode(model)
    model.encode([doc.text for doc in docs[:64]])  # first calls choose kernels: untimed
    measured: dict[int, float] = {}
    _, measured[0] = await timed_embed(model, recording, docs, 0)
    say(f"every chunk: {len(recording.vectors)} chunks in {measured[0]:.1f} s")
    for budget in budgets:
        _, measured[budget] = await timed_embed(model, model.encode, docs, budget)
        say(f"K = {budget}: {measured[budget]:.1f} s")
    return recording, measured


async def main() -> None:
    args = arguments()
    say(f"corpus {args.corpus}: up to {args.per_subject} conversations on each of nine subjects")
    raw, subjects = labelled_corpus(args.per_subject, args.corpus)
    docs = [clean_document(doc) for doc in raw]
    names = sorted(set(subjects))
    labels = np.array([names.index(subject) for subject in subjects])
    model = SentenceTransformerModel()
    budgets = [int(b) for b in args.measure.split(",") if int(b) > 0]
    recording, measured = await measure_costs(model, docs, budgets)
    say("clustering each K")
    DensityClusterer().reducer.warm_up()  # numba compiles once per process: not in any K
    plans = {k: plan_chunks(docs, model.tokenizer, model.max_tokens, k) for k in CURVE}
    vectors = {k: pooled(plans[k], recording.vectors, len(docs)) for k in CURVE}
    rows = [curve_row(k, plans[k], vectors[k], vectors[0], labels, args.seeds) for k in CURVE]
    add_costs(rows, measured)
    found = plateau(rows, args.tolerance, args.min_cosine_p5)
    report = {
        "corpus": args.corpus,
        "model": model.name,
        "device": model.device,
        "conversations": len(docs),
        "subjects": len(names),
        "baseline_chunks": len(plans[0].chunks),
        "baseline_seconds": round(measured[0], 2),
        "tolerance": args.tolerance,
        "min_cosine_p5": args.min_cosine_p5,
        "seeds": args.seeds,
        "plateau_k": found,
        "cpu_default_k": CPU_MAX_CHUNKS_PER_DOCUMENT,
        "load_average_end": os.getloadavg(),
        "curve": rows,
    }
    RESULTS.mkdir(exist_ok=True)
    stem = f"budget-{args.corpus}"
    (RESULTS / f"{stem}.json").write_text(json.dumps(report, indent=2))
    print("\n".join(["", *summary_lines(report)]))
    drawn = plot(report, RESULTS / f"{stem}.png")
    print(f"wrote {RESULTS / stem}.json" + (f" and {stem}.png" if drawn else ""))


if __name__ == "__main__":
    asyncio.run(main())
