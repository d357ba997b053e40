"""The fp16 embedder on a GPU (run by ``bench/gpu_check.sh``): the pipeline's Embedding stage on
ShareGPT conversations, every chunk (GRAPHNODE_EMBEDDING_MAX_CHUNKS=auto on CUDA), against
the same model computing in fp32 on the same GPU, measured in the same run.

    PYTHONPATH=src:. python3 bench/gpu_embedder_check.py MODEL_DIR OUT.json [--conversations N]

MODEL_DIR is the fp16 copy from ``bench/make_gpu_bundle.py``; the fp32 run upcasts those same
weights, so the comparison is of the arithmetic, not of the weights' rounding.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from bench.sharegpt import documents

from graphnode.ai.clean import clean_document
from graphnode.ai.pipeline.chunking import plan_chunks
from graphnode.ai.pipeline.embedder import (
    DEFAULT_MAX_BATCH,
    DEFAULT_MAX_WAIT_SECONDS,
    DocumentEmbedder,
    EmbeddingBatcher,
    SentenceTransformerModel,
    chunk_budget,
)
from graphnode.ingest.documents import Document

COSINE_SAMPLE = 512


async def embed_stage(
    model: SentenceTransformerModel, docs: Sequence[Document], budget: int
) -> dict[str, Any]:
    """The Embedding stage as the AI service runs it: plan, micro-batched encode, pooling."""
    async with EmbeddingBatcher(
        model.encode, max_batch=DEFAULT_MAX_BATCH, max_wait=DEFAULT_MAX_WAIT_SECONDS
    ) as batcher:
        embedder = DocumentEmbedder(model, batcher, max_chunks_per_document=budget)
        await embedder.embed(docs[:64])  # the first calls of a shape choose kernels: untimed
        started = time.perf_counter()
        embedded = await embedder.embed(docs)
        seconds = time.perf_counter() - started
    return {
        "precision": model.precision,
        "chunks": embedded.chunks,
        "seconds": round(seconds, 3),
        "chunks_per_s": round(embedded.chunks / seconds, 1),
        "conversations_per_s": round(len(docs) / seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model_dir")
    parser.add_argument("out", type=Path)
    parser.add_argument("--conversations", type=int, default=1600)
    args = parser.parse_args()
    fp16 = SentenceTransformerModel(args.model_dir)
    if not fp16.device.startswith("cuda"):
        raise SystemExit(f"no CUDA device: the model loaded on {fp16.device}")
    docs = [clean_document(doc) for doc in documents(args.conversations)]
    budget = chunk_budget("auto", fp16.device)
    plan = plan_chunks(docs, fp16.tokenizer, fp16.max_tokens, budget)
    picks = np.linspace(0, len(plan.chunks) - 1, COSINE_SAMPLE).round().astype(int)
    sample = [plan.chunks[int(i)].text for i in sorted(set(picks.tolist()))]
    fp16_stage = asyncio.run(embed_stage(fp16, docs, budget))
    fp16_vectors = fp16.encode(sample)
    fp32 = SentenceTransformerModel(args.model_dir, precision="fp32")
    fp32._model.float()  # the copy is stored in fp16 and loads so: compute in fp32 here
    fp32_stage = asyncio.run(embed_stage(fp32, docs, budget))
    cosines = np.sum(fp16_vectors * fp32.encode(sample), axis=1)
    import torch

    report = {
        "gpu": torch.cuda.get_device_name(0),
        "torch": torch.__version__,
        "conversations": len(docs),
        "max_chunks_per_document": budget,
        "fp16": fp16_stage,
        "fp32": fp32_stage,
        "speedup_fp16_vs_fp32": round(fp32_stage["seconds"] / fp16_stage["seconds"], 3),
        "cosine_fp16_to_fp32_mean": round(float(cosines.mean()), 5),
        "cosine_fp16_to_fp32_min": round(float(cosines.min()), 5),
    }
    args.out.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
