"""Split a document into pieces the embedding model can read whole.

all-MiniLM-L6-v2 reads at most 256 word pieces; anything longer would be cut off without a
word. Documents are split at token boundaries (using the model's own tokenizer offsets) into
windows that fit, and their embeddings pooled, so every part of a conversation counts.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

log = logging.getLogger("graphnode.ai.embed")

# Room for the [CLS] and [SEP] tokens the model adds to every input.
SPECIAL_TOKENS = 2
# A chunk is re-tokenized from its text by the model, and a word cut at a window's edge can
# come back as more pieces (258 > 256 was measured): keep a few tokens spare.
RETOKENIZE_MARGIN = 4


class Tokenizer(Protocol):
    def __call__(self, text: str, **kwargs: Any) -> Any: ...


@dataclass(frozen=True, slots=True)
class Chunk:
    document: int  # index of the document it came from
    text: str
    tokens: int


@dataclass(frozen=True, slots=True)
class ChunkPlan:
    chunks: list[Chunk]
    sampled_documents: int  # documents longer than max_chunks, embedded from evenly spaced chunks


def _windows(count: int, size: int) -> list[tuple[int, int]]:
    return [(start, min(start + size, count)) for start in range(0, count, size)]


def _evenly(items: list[tuple[int, int]], most: int) -> list[tuple[int, int]]:
    if len(items) <= most:
        return items
    picks = np.linspace(0, len(items) - 1, most).round().astype(int)
    return [items[i] for i in sorted(set(picks.tolist()))]


def plan_chunks(
    texts: Sequence[str], tokenizer: Tokenizer, max_tokens: int, max_chunks: int
) -> ChunkPlan:
    """Chunks of at most ``max_tokens`` word pieces; at most ``max_chunks`` per document,
    evenly spaced through it when there are more (counted and logged, never silent)."""
    window = max_tokens - SPECIAL_TOKENS - RETOKENIZE_MARGIN
    chunks: list[Chunk] = []
    sampled = 0
    for index, text in enumerate(texts):
        offsets = tokenizer(
            text, add_special_tokens=False, return_offsets_mapping=True, verbose=False
        )["offset_mapping"]
        if not offsets:
            chunks.append(Chunk(index, text, 0))
            continue
        spans = _windows(len(offsets), window)
        if len(spans) > max_chunks:
            sampled += 1
            spans = _evenly(spans, max_chunks)
        for start, end in spans:
            chunk_text = text[offsets[start][0] : offsets[end - 1][1]]
            chunks.append(Chunk(index, chunk_text, end - start))
    if sampled:
        log.info(
            "long documents embedded from evenly spaced chunks",
            extra={"documents": sampled, "maxChunks": max_chunks},
        )
    return ChunkPlan(chunks, sampled)


def pool(plan: ChunkPlan, vectors: np.ndarray, documents: int) -> np.ndarray:
    """One unit vector per document: the token-weighted mean of its chunks' vectors."""
    dimension = vectors.shape[1]
    pooled = np.zeros((documents, dimension), dtype=np.float32)
    weights = np.array([max(c.tokens, 1) for c in plan.chunks], dtype=np.float32)
    owners = np.array([c.document for c in plan.chunks], dtype=np.int64)
    np.add.at(pooled, owners, vectors * weights[:, None])
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return pooled / np.where(norms == 0, 1.0, norms)
