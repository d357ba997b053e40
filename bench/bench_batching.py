"""Eight concurrent users embedding 200 conversations each: the shared micro-batcher against
the same work without it, on the CPU.

    PYTHONPATH=. .venv/bin/python bench/bench_batching.py          # ~5-8 min on 2 cores
    PYTHONPATH=. .venv/bin/python bench/bench_batching.py --full   # every chunk (~1 h)

Workload: ShareGPT conversations 0-1,599 (``bench/sharegpt.py``, GraphNode's own parser),
cleaned as the pipeline cleans them; user ``u`` owns conversations ``200u`` to ``200u+199``.
A user's work is one ``DocumentEmbedder.embed(texts)`` call, the pipeline's Embedding stage:
chunk by the model's tokenizer, encode through an ``EmbeddingBatcher``, pool per conversation.
By default each conversation is embedded from its first chunk (``max_chunks_per_document=1``,
at most 254 word pieces; 1,600 chunks in all) so that the run stays near 5 minutes on two
cores; ``--full`` embeds every chunk, as the pipeline does on a GPU. ``--model`` (default
GRAPHNODE_EMBEDDING_MODEL, else the packaged MiniLM) takes a model folder, e.g. the fp16 copy
``bench/gpu_check.sh`` brings to a GPU machine.

Batched (what the AI service does): one ``SentenceTransformerModel`` behind ONE shared
``EmbeddingBatcher`` with the service's defaults (``max_batch=64``, ``max_wait=10 ms``); the 8
users' ``embed`` calls run concurrently (``asyncio.gather``), so each model call takes up to
64 chunks from whichever users have chunks waiting.

Baseline, unbatched: the same model, the same ``DocumentEmbedder`` code and the same chunks,
but each user's chunks are encoded separately, 8 per model call: the users run one after
another, each through its own ``EmbeddingBatcher(max_batch=8, max_wait=0)``. Sequential, so
model calls never compete for the cores (8 unshared concurrent calls would oversubscribe two
cores and flatter the batcher).

Ratio = baseline wall time / batched wall time (target >= 1.5x). Also reported: model calls,
this process's CPU seconds (less sensitive than wall time to other work on a shared machine),
when each user got its result, and the largest difference between the two variants' vectors.
A second, short workload (each conversation's title, one short sentence) repeats the
comparison where the cost per model call, not per word piece, dominates.

Writes bench/results/batching.json and bench/results/batching.png (with matplotlib).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from bench.sharegpt import documents

from graphnode.ai.clean import clean_document
from graphnode.ai.pipeline.chunking import plan_chunks
from graphnode.ai.pipeline.embedder import (
    DEFAULT_MAX_BATCH,
    DEFAULT_MAX_CHUNKS_PER_DOCUMENT,
    DEFAULT_MAX_WAIT_SECONDS,
    DEFAULT_MODEL,
    DocumentEmbedder,
    EmbeddingBatcher,
    SentenceTransformerModel,
)

RESULTS = Path(__file__).resolve().parent / "results"
USERS = 8
PER_USER = 200
UNBATCHED_SIZE = 8
STARTED = time.perf_counter()


def say(message: str) -> None:
    print(f"[{time.perf_counter() - STARTED:7.1f}s] {message}", flush=True)


@dataclass(frozen=True)
class Variant:
    name: str
    wall_s: float
    cpu_s: float
    model_calls: int
    user_done_s: list[float]
    vectors: list[np.ndarray]

    def figures(self) -> dict[str, Any]:
        return {
            "wall_s": round(self.wall_s, 3),
            "cpu_s": round(self.cpu_s, 3),
            "model_calls": self.model_calls,
            "user_done_mean_s": round(statistics.fmean(self.user_done_s), 3),
            "user_done_max_s": round(max(self.user_done_s), 3),
        }


async def _timed(embedder: DocumentEmbedder, texts: Sequence[str], start: float) -> tuple:
    embeddings = await embedder.embed(texts)
    return embeddings.vectors, time.perf_counter() - start


async def batched(
    model: SentenceTransformerModel, users: list[list[str]], max_chunks: int
) -> Variant:
    """All users at once through one shared batcher with the service's defaults."""
    async with EmbeddingBatcher(
        model.encode, max_batch=DEFAULT_MAX_BATCH, max_wait=DEFAULT_MAX_WAIT_SECONDS
    ) as batcher:
        embedder = DocumentEmbedder(model, batcher, max_chunks_per_document=max_chunks)
        cpu, start = time.process_time(), time.perf_counter()
        done = await asyncio.gather(*(_timed(embedder, texts, start) for texts in users))
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        calls = batcher.model_calls
    return Variant(
        "batched", wall, cpu, calls, [seconds for _, seconds in done], [v for v, _ in done]
    )


async def unbatched(
    model: SentenceTransformerModel, users: list[list[str]], max_chunks: int
) -> Variant:
    """One user after another, each with its own batcher of 8: no sharing, small calls."""
    vectors, done, calls = [], [], 0
    cpu, start = time.process_time(), time.perf_counter()
    for texts in users:
        async with EmbeddingBatcher(model.encode, max_batch=UNBATCHED_SIZE, max_wait=0) as batcher:
            embedder = DocumentEmbedder(model, batcher, max_chunks_per_document=max_chunks)
            user_vectors, seconds = await _timed(embedder, texts, start)
            calls += batcher.model_calls
        vectors.append(user_vectors)
        done.append(seconds)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    return Variant("unbatched", wall, cpu, calls, done, vectors)


def warm_up(model: SentenceTransformerModel, sample: list[str]) -> None:
    """First calls of a shape are slow on CPU (kernel selection): keep that out of timings."""
    for size in (UNBATCHED_SIZE, DEFAULT_MAX_BATCH):
        model.encode(sample[:size])


def chunk_count(model: SentenceTransformerModel, users: list[list[str]], max_chunks: int) -> int:
    return sum(
        len(plan_chunks(texts, model.tokenizer, model.max_tokens, max_chunks).chunks)
        for texts in users
    )


async def compare(
    model: SentenceTransformerModel, name: str, users: list[list[str]], max_chunks: int
) -> dict[str, Any]:
    chunks = chunk_count(model, users, max_chunks)
    say(f"{name}: {len(users)} users, {chunks} chunks; unbatched baseline first")
    base = await unbatched(model, users, max_chunks)
    say(f"{name}: unbatched {base.wall_s:.1f} s, {base.model_calls} calls; now batched")
    ours = await batched(model, users, max_chunks)
    say(f"{name}: batched {ours.wall_s:.1f} s, {ours.model_calls} calls")
    difference = max(
        float(np.abs(a - b).max()) for a, b in zip(base.vectors, ours.vectors, strict=True)
    )
    return {
        "workload": name,
        "users": len(users),
        "conversations_per_user": len(users[0]),
        "max_chunks_per_document": max_chunks,
        "chunks": chunks,
        "unbatched": base.figures(),
        "batched": ours.figures(),
        "ratio_wall": round(base.wall_s / ours.wall_s, 3),
        "ratio_cpu": round(base.cpu_s / ours.cpu_s, 3),
        "chunks_per_s_unbatched": round(chunks / base.wall_s, 2),
        "chunks_per_s_batched": round(chunks / ours.wall_s, 2),
        "max_vector_difference": round(difference, 6),
    }


def summary_line(row: dict[str, Any]) -> str:
    b, u = row["batched"], row["unbatched"]
    return (
        f"{row['workload']}: {row['users']} users x {row['conversations_per_user']} "
        f"conversations, {row['chunks']} chunks: batched {b['wall_s']:.1f} s "
        f"({b['model_calls']} model calls) vs unbatched {u['wall_s']:.1f} s "
        f"({u['model_calls']} calls): {row['ratio_wall']:.2f}x wall, "
        f"{row['ratio_cpu']:.2f}x CPU (target >= 1.5x); users done after "
        f"{b['user_done_mean_s']:.0f} s mean / {b['user_done_max_s']:.0f} s max vs "
        f"{u['user_done_mean_s']:.0f} / {u['user_done_max_s']:.0f} s; "
        f"max vector difference {row['max_vector_difference']:.1e}"
    )


def plot(rows: list[dict[str, Any]], path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, axes = plt.subplots(1, len(rows), figsize=(5 * len(rows), 4.5), squeeze=False)
    for axis, row in zip(axes[0], rows, strict=True):
        names = ["unbatched\n(8 per call, per user)", "batched\n(shared, up to 64)"]
        values = [row["unbatched"]["wall_s"], row["batched"]["wall_s"]]
        bars = axis.bar(names, values, color=["C7", "C0"])
        for bar, variant in zip(bars, ("unbatched", "batched"), strict=True):
            calls = row[variant]["model_calls"]
            axis.annotate(
                f"{calls} calls", (bar.get_x() + bar.get_width() / 2, bar.get_height()), ha="center"
            )
        axis.set_ylabel("wall seconds, 8 users")
        axis.set_title(f"{row['workload']}: {row['ratio_wall']:.2f}x ({row['chunks']} chunks)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return True


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--full", action="store_true", help="every chunk of every document")
    parser.add_argument(
        "--model", default=os.environ.get("GRAPHNODE_EMBEDDING_MODEL") or DEFAULT_MODEL
    )
    parser.add_argument("--users", type=int, default=int(os.environ.get("BENCH_USERS", USERS)))
    parser.add_argument(
        "--per-user", type=int, default=int(os.environ.get("BENCH_PER_USER", PER_USER))
    )
    parser.add_argument("--skip-titles", action="store_true", help="skip the short workload")
    return parser.parse_args()


def user_documents(users: int, per_user: int) -> list[list[Any]]:
    docs = [clean_document(d) for d in documents(users * per_user)]
    return [docs[u * per_user : (u + 1) * per_user] for u in range(users)]


async def main() -> None:
    args = arguments()
    say(f"loading {args.users} x {args.per_user} ShareGPT conversations and the model")
    users = user_documents(args.users, args.per_user)
    model = SentenceTransformerModel(args.model)
    texts = [[d.text for d in docs] for docs in users]
    warm_up(model, texts[0])
    max_chunks = DEFAULT_MAX_CHUNKS_PER_DOCUMENT if args.full else 1
    rows = [await compare(model, "conversations", texts, max_chunks)]
    if not args.skip_titles:
        titles = [[d.title for d in docs] for docs in users]
        rows.append(await compare(model, "titles", titles, 1))
    report = {
        "model": model.name,
        "device": model.device,
        "torch_threads": __import__("torch").get_num_threads(),
        "load_average_end": os.getloadavg(),
        "rows": rows,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "batching.json").write_text(json.dumps(report, indent=2))
    print("\n".join(["", *(summary_line(row) for row in rows)]))
    drawn = plot(rows, RESULTS / "batching.png")
    print(f"wrote {RESULTS / 'batching.json'}" + (" and batching.png" if drawn else ""))


if __name__ == "__main__":
    asyncio.run(main())
