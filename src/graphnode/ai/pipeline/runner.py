"""The pipeline's orchestrator: a short list of named stages over swappable stage objects.

CPU-heavy stages run in worker threads, so the service's event loop keeps answering (health
checks, other users' tasks) while a graph is built; the embedder shares its model with every
concurrent run through the micro-batcher.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from graphnode.ai.llm.grounding import centroids_of
from graphnode.ai.llm.naming import ClusterBrief
from graphnode.ai.pipeline.assemble import GraphParts, Label, build_features, build_graph, now_iso
from graphnode.ai.pipeline.clustering import Clustering
from graphnode.ai.pipeline.edges import Edge
from graphnode.ai.pipeline.embedder import Embeddings, FractionCallback
from graphnode.ai.pipeline.keywords import Keywords
from graphnode.ai.pipeline.representatives import central_representatives
from graphnode.ai.pipeline.subclusters import Subcluster
from graphnode.ai.pipeline.summary import SummaryTextWriter, build_summary
from graphnode.contracts.tasks import GenerationOptions
from graphnode.ingest.documents import Document

log = logging.getLogger("graphnode.ai.pipeline")

# Share of the whole run each stage takes, for progress percentages and ETAs.
STAGE_WEIGHTS: dict[str, float] = {
    "Cleaning text": 4,
    "Embedding": 50,
    "Clustering": 10,
    "Extracting keywords": 8,
    "Naming clusters": 12,
    "Connecting related items": 6,
    "Finding subtopics": 3,
    "Laying out the graph": 2,
    "Writing the summary": 5,
}


class EmptyInputError(ValueError):
    """Nothing left to build a graph from (no conversation with any text)."""


class Embedder(Protocol):
    async def embed(
        self,
        texts: Sequence[str] | Sequence[Document],
        progress: FractionCallback | None = None,
    ) -> Embeddings:
        """Documents, so the chunk budget can find the user's own turns (texts also do)."""
        ...


class Clusterer(Protocol):
    def fit(
        self, vectors: np.ndarray, *, min_clusters: int | None, max_clusters: int | None
    ) -> Clustering: ...


class KeywordExtractor(Protocol):
    async def extract(
        self, texts: Sequence[str], labels: np.ndarray, vectors: np.ndarray
    ) -> Keywords: ...


class Namer(Protocol):
    async def name(
        self,
        briefs: Sequence[ClusterBrief],
        *,
        language: str | None = None,
        centroids: np.ndarray | None = None,
    ) -> Sequence[Label]: ...


class EdgeBuilder(Protocol):
    def fit(self, vectors: np.ndarray, labels: np.ndarray) -> list[Edge]: ...


class SubclusterFinder(Protocol):
    def fit(self, vectors: np.ndarray, labels: np.ndarray) -> list[Subcluster]: ...


class Layout(Protocol):
    def fit(self, vectors: np.ndarray, labels: np.ndarray) -> np.ndarray: ...


ProgressCallback = Callable[[str, float], Awaitable[None]]


# The contract's generation options are the pipeline's options: one definition for the API,
# the request payload and the run.
PipelineOptions = GenerationOptions


@dataclass(frozen=True, slots=True)
class PipelineResult:
    graph: dict[str, Any]
    features: dict[str, Any]
    summary: dict[str, Any] | None
    timings: dict[str, float] = field(default_factory=dict)


async def _no_progress(_stage: str, _percent: float) -> None:
    return None


class _Stages:
    """Times each stage and reports the overall percent when a stage starts and, for a stage
    given a :meth:`within` callback, as it moves through its own work."""

    def __init__(self, progress: ProgressCallback) -> None:
        self._progress = progress
        self._done = 0.0
        self._total = sum(STAGE_WEIGHTS.values())
        self.timings: dict[str, float] = {}

    def _percent(self, name: str, fraction: float = 0.0) -> float:
        share = STAGE_WEIGHTS.get(name, 0) * min(1.0, max(0.0, fraction))
        return round(100 * (self._done + share) / self._total, 1)

    def within(self, name: str) -> Callable[[float], Awaitable[None]]:
        """A callback for stage ``name`` to report the fraction of it done (0 to 1)."""

        async def report(fraction: float) -> None:
            await self._progress(name, self._percent(name, fraction))

        return report

    async def run(self, name: str, work: Awaitable[Any]) -> Any:
        await self._progress(name, self._percent(name))
        started = time.perf_counter()
        result = await work
        self.timings[name] = round(time.perf_counter() - started, 4)
        self._done += STAGE_WEIGHTS.get(name, 0)
        return result


@dataclass(frozen=True)
class GraphPipeline:
    clean: Callable[[Document], Document]
    embedder: Embedder
    clusterer: Clusterer
    keywords: KeywordExtractor
    namer: Namer
    edges: EdgeBuilder
    subclusters: SubclusterFinder
    layout: Layout
    summary_writer: SummaryTextWriter
    model_name: str = "unknown"

    async def run(
        self,
        documents: Sequence[Document],
        options: PipelineOptions | None = None,
        progress: ProgressCallback = _no_progress,
    ) -> PipelineResult:
        options = options or PipelineOptions()
        stages = _Stages(progress)
        docs = await stages.run("Cleaning text", asyncio.to_thread(self._cleaned, documents))
        texts = [d.text for d in docs]
        embedded: Embeddings = await stages.run(
            "Embedding", self.embedder.embed(docs, progress=stages.within("Embedding"))
        )
        vectors = embedded.vectors
        clustering: Clustering = await stages.run(
            "Clustering",
            asyncio.to_thread(
                self.clusterer.fit,
                vectors,
                min_clusters=options.min_clusters,
                max_clusters=options.max_clusters,
            ),
        )
        labels = clustering.labels
        keywords: Keywords = await stages.run(
            "Extracting keywords", self.keywords.extract(texts, labels, vectors)
        )
        central = central_representatives(vectors, labels, reassigned=clustering.reassigned)
        names = await stages.run(
            "Naming clusters",
            self._name(docs, vectors, clustering, keywords, central, options.language),
        )
        edges = await stages.run(
            "Connecting related items", asyncio.to_thread(self.edges.fit, vectors, labels)
        )
        subclusters = await stages.run(
            "Finding subtopics", asyncio.to_thread(self.subclusters.fit, vectors, labels)
        )
        positions = await stages.run(
            "Laying out the graph", asyncio.to_thread(self.layout.fit, vectors, labels)
        )
        parts = GraphParts(
            docs, vectors, clustering, keywords, names, edges, subclusters, positions, central
        )
        generated_at = now_iso()
        summary = None
        if options.include_summary:
            summary = await stages.run(
                "Writing the summary",
                build_summary(
                    parts,
                    self.summary_writer,
                    language=options.summary_language or options.language,
                    generated_at=generated_at,
                ),
            )
        graph = build_graph(parts, language=options.language, generated_at=generated_at)
        features = build_features(
            parts,
            model=self.model_name,
            timings=stages.timings,
            extra={
                "chunks": embedded.chunks,
                "sampled_documents": embedded.sampled_documents,
                "reassigned_noise": clustering.reassigned_noise,
            },
        )
        log.info(
            "graph built",
            extra={
                "nodes": len(docs),
                "clusters": clustering.count,
                "edges": len(edges),
                "timings": stages.timings,
            },
        )
        return PipelineResult(graph, features, summary, stages.timings)

    def _cleaned(self, documents: Sequence[Document]) -> list[Document]:
        cleaned = [self.clean(d) for d in documents]
        kept = [d for d in cleaned if any(s.text.strip() for s in d.sections)]
        if not kept:
            raise EmptyInputError("no conversation or note with any text to build a graph from")
        return kept

    async def _name(
        self,
        docs: Sequence[Document],
        vectors: np.ndarray,
        clustering: Clustering,
        keywords: Keywords,
        representatives: Sequence[Sequence[int]],
        language: str | None,
    ) -> list[Label]:
        """The namer sees each cluster's phrases and its central titles; the members' texts
        let it tell a name the cluster carries from one taken from a single conversation."""
        briefs = []
        for k in range(clustering.count):
            members = np.flatnonzero(clustering.labels == k)
            terms = tuple(t for t, _ in keywords.per_cluster[k][:10])
            titles = tuple(docs[i].title for i in representatives[k][:6] if docs[i].title)
            texts = tuple(docs[int(i)].text for i in members)
            briefs.append(ClusterBrief(f"cluster_{k}", len(members), terms, titles, texts))
        centroids = centroids_of(vectors, clustering.labels, clustering.count)
        return list(await self.namer.name(briefs, language=language, centroids=centroids))
