"""The pipeline assembled from settings: the embedding model behind its micro-batcher, the
language model, and the stage objects. Used by the AI service and ``graphnode build``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

from graphnode.ai.clean import clean_document
from graphnode.ai.llm.base import LanguageModel
from graphnode.ai.llm.naming import ClusterNamer
from graphnode.ai.llm.summary_text import SummaryWriter
from graphnode.ai.pipeline.clustering import DensityClusterer
from graphnode.ai.pipeline.edges import NeighbourEdges
from graphnode.ai.pipeline.embedder import (
    DocumentEmbedder,
    MicroBatcher,
    SentenceModel,
    SentenceTransformerModel,
)
from graphnode.ai.pipeline.keywords import ClassTfidfKeywords
from graphnode.ai.pipeline.layout import ClusterLayout
from graphnode.ai.pipeline.runner import GraphPipeline
from graphnode.ai.pipeline.subclusters import KMeansSubclusters
from graphnode.settings import Settings

log = logging.getLogger("graphnode.ai")


@dataclass(frozen=True)
class PipelineComponents:
    pipeline: GraphPipeline
    embedder: DocumentEmbedder
    batcher: MicroBatcher
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


@contextlib.asynccontextmanager
async def open_pipeline(settings: Settings) -> AsyncIterator[PipelineComponents]:
    async with contextlib.AsyncExitStack() as stack:
        model = await asyncio.to_thread(SentenceTransformerModel, settings.embedding_model)
        log.info(
            "embedding model loaded",
            extra={"model": model.name, "device": model.device, "dimension": model.dimension},
        )
        batcher = await stack.enter_async_context(
            MicroBatcher(
                model.encode,
                max_batch=settings.embedding_batch,
                max_wait=settings.embedding_wait_ms / 1000,
            )
        )
        language_model = await _open_language_model(settings, stack)
        embedder = DocumentEmbedder(model, batcher)
        pipeline = GraphPipeline(
            clean=clean_document,
            embedder=embedder,
            clusterer=DensityClusterer(),
            keywords=ClassTfidfKeywords(),
            namer=ClusterNamer(language_model),
            edges=NeighbourEdges(),
            subclusters=KMeansSubclusters(),
            layout=ClusterLayout(),
            summary_writer=SummaryWriter(language_model),
            model_name=model.name,
        )
        yield PipelineComponents(pipeline, embedder, batcher, model, language_model)
