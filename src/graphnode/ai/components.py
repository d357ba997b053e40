"""The pipeline assembled from settings: the embedding model behind its micro-batcher, the
language model, and the stage objects. Used by the AI service and ``graphnode build``."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass

from graphnode.ai.clean import clean_document
from graphnode.ai.llm.base import LanguageModel
from graphnode.ai.llm.naming import ClusterNamer
from graphnode.ai.llm.summary_text import SummaryWriter
from graphnode.ai.pipeline.clustering import DensityClusterer
from graphnode.ai.pipeline.cpu_stages import CpuStages
from graphnode.ai.pipeline.edges import NeighbourEdges
from graphnode.ai.pipeline.embedder import (
    DocumentEmbedder,
    EmbeddingBatcher,
    SentenceModel,
    chunk_budget,
    open_sentence_model,
)
from graphnode.ai.pipeline.keywords import ClassTfidfKeywords
from graphnode.ai.pipeline.layout import ClusterLayout
from graphnode.ai.pipeline.reduction import EXACT_NEIGHBOURS_MAX, UmapReducer
from graphnode.ai.pipeline.runner import GraphPipeline
from graphnode.ai.pipeline.subclusters import KMeansSubclusters
from graphnode.settings import Settings

log = logging.getLogger("graphnode.ai")


@dataclass(frozen=True)
class PipelineComponents:
    pipeline: GraphPipeline
    embedder: DocumentEmbedder
    batcher: EmbeddingBatcher
    model: SentenceModel
    language_model: LanguageModel | None


async def _open_language_model(
    settings: Settings, stack: contextlib.AsyncExitStack
) -> LanguageModel | None:
    if settings.llm_backend == "keywords":
        return None
    from graphnode.ai.llm.factory import open_language_model

    # Each backend takes only the options that mean something to it.
    options = {
        "local": {},
        "openai": {
            "base_url": settings.llm_base_url,
            "model": settings.llm_model,
            "api_key": settings.llm_api_key,
        },
        "vllm": {"model": settings.llm_model},
    }[settings.llm_backend]
    model = open_language_model(
        settings.llm_backend, **{k: v for k, v in options.items() if v is not None}
    )
    if model is None:
        return None
    return await stack.enter_async_context(model)


def _lower_this_threads_priority() -> None:
    """On Linux each thread has its own nice value; elsewhere this does nothing."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)


def _warm_up_in_background(clusterer: DensityClusterer, cpu: CpuStages) -> None:
    """Compile the reducer's kernels off the event loop, so a long-running service's first
    task does not pay for it: here, in a daemon thread (stopping the service never waits for
    it), for the tasks whose CPU stages run in this process, and in the background process
    for the large ones."""
    reducer = clusterer.reducer
    if reducer is None:
        return
    cpu.warm_up(functools.partial(_warm_up_reducer, reducer))
    # Only a graph past 20,000 items needs the approximate search; when such a graph runs
    # in the background process, it is compiled there only.
    approximate_here = not cpu.in_background(EXACT_NEIGHBOURS_MAX + 1)

    def run() -> None:
        try:
            reducer.warm_up()
            if approximate_here:
                # At the lowest priority, so that tasks running meanwhile keep the CPU.
                _lower_this_threads_priority()
                reducer.warm_up_approximate()
        except Exception:  # the first real task will compile it instead
            log.warning("clustering warm-up failed", exc_info=True)

    threading.Thread(target=run, name="clustering-warm-up", daemon=True).start()


def _warm_up_reducer(reducer: UmapReducer) -> None:
    """The background process's warm-up (a module function: it is sent there by pickle)."""
    reducer.warm_up()
    reducer.warm_up_approximate()


@contextlib.asynccontextmanager
async def open_pipeline(
    settings: Settings, *, warm_up: bool = False
) -> AsyncIterator[PipelineComponents]:
    """Everything a graph needs, opened from settings; ``warm_up`` (for long-running services)
    prepares the clustering stage in the background."""
    async with contextlib.AsyncExitStack() as stack:
        model = await asyncio.to_thread(
            open_sentence_model, settings.embedding_model, settings.embedding_precision
        )
        log.info(
            "embedding model loaded",
            extra={
                "model": model.name,
                "device": model.device,
                "precision": model.precision,
                "dimension": model.dimension,
                "multilingual": model.multilingual,
            },
        )
        batcher = await stack.enter_async_context(
            EmbeddingBatcher(
                model.encode,
                max_batch=settings.embedding_batch,
                max_wait=settings.embedding_wait_ms / 1000,
            )
        )
        language_model = await _open_language_model(settings, stack)
        embedder = DocumentEmbedder(
            model,
            batcher,
            max_chunks_per_document=chunk_budget(settings.embedding_max_chunks, model.device),
        )
        clusterer = DensityClusterer()
        cpu = CpuStages(settings.background_items)
        stack.callback(cpu.close)
        if warm_up:
            _warm_up_in_background(clusterer, cpu)
        pipeline = GraphPipeline(
            clean=clean_document,
            embedder=embedder,
            clusterer=clusterer,
            keywords=ClassTfidfKeywords(encoder=batcher, cpu=cpu),
            namer=ClusterNamer(language_model, encoder=batcher),
            edges=NeighbourEdges(),
            subclusters=KMeansSubclusters(),
            layout=ClusterLayout(),
            summary_writer=SummaryWriter(
                language_model, encoder=batcher, encoder_reads_every_language=model.multilingual
            ),
            model_name=model.name,
            cpu=cpu,
        )
        yield PipelineComponents(pipeline, embedder, batcher, model, language_model)
