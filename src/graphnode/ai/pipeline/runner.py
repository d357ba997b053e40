"""The pipeline's orchestrator: a short list of named stages over swappable stage objects.

CPU-heavy stages run in worker threads, so the service's event loop keeps answering (health
checks, other users' tasks) while a graph is built; the embedder shares its model with every
concurrent run through the micro-batcher.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from graphnode.ai.llm.grounding import centroids_of
from graphnode.ai.llm.naming import ClusterBrief
from graphnode.ai.pipeline.assemble import GraphParts, Label, build_features, build_graph, now_iso
from graphnode.ai.pipeline.clustering import Clustering
from graphnode.ai.pipeline.cpu_stages import CpuStages
from graphnode.ai.pipeline.edges import Edge
from graphnode.ai.pipeline.embedder import Embeddings, FractionCallback
from graphnode.ai.pipeline.keywords import Keywords
from graphnode.ai.pipeline.language import dominant_language
from graphnode.ai.pipeline.representatives import central_representatives
from graphnode.ai.pipeline.stages import ProgressCallback, Stage, StageClock
from graphnode.ai.pipeline.subclusters import Subcluster
from graphnode.ai.pipeline.summary import SummaryTextWriter, build_summary
from graphnode.contracts.tasks import GenerationOptions
from graphnode.ingest.documents import Document

log = logging.getLogger("graphnode.ai.pipeline")


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


# Documents cleaned per call: a large task's go to the background process a batch at a
# time, so that pickling them never holds this process's GIL for long.
CLEAN_BATCH = 500


def cleaned_documents(
    clean: Callable[[Document], Document], documents: Sequence[Document]
) -> list[Document]:
    """``documents`` cleaned, without those left with no text (a stage function: it may run
    in the background process, so it takes all it needs as arguments)."""
    cleaned = [clean(d) for d in documents]
    return [d for d in cleaned if any(s.text.strip() for s in d.sections)]


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
    # Where the CPU stages run: threads, or for a large task a background process.
    cpu: CpuStages = field(default_factory=CpuStages)

    async def run(
        self,
        documents: Sequence[Document],
        options: PipelineOptions | None = None,
        progress: ProgressCallback = _no_progress,
    ) -> PipelineResult:
        options = options or PipelineOptions()
        stages = StageClock(progress)
        docs = await stages.run(Stage.CLEANING, self._cleaned(documents))
        # From here a task's size is what is left of it (the keyword stage counts the same).
        items, cpu = len(docs), self.cpu
        texts = [d.text for d in docs]
        # Unset, names and the summary follow the language the user writes in (a pass over
        # up to 200,000 characters: off the event loop, like every CPU stage).
        language = options.language or await asyncio.to_thread(dominant_language, docs)
        embedded: Embeddings = await stages.run(
            Stage.EMBEDDING, self.embedder.embed(docs, progress=stages.within(Stage.EMBEDDING))
        )
        vectors = embedded.vectors
        clustering: Clustering = await stages.run(
            Stage.CLUSTERING,
            cpu.run(
                items,
                self.clusterer.fit,
                vectors,
                min_clusters=options.min_clusters,
                max_clusters=options.max_clusters,
            ),
        )
        labels = clustering.labels
        keywords: Keywords = await stages.run(
            Stage.KEYWORDS, self.keywords.extract(texts, labels, vectors)
        )
        central = central_representatives(vectors, labels, reassigned=clustering.reassigned)
        names = await stages.run(
            Stage.NAMING,
            self._name(docs, vectors, clustering, keywords, central, language),
        )
        edges = await stages.run(Stage.EDGES, cpu.run(items, self.edges.fit, vectors, labels))
        subclusters = await stages.run(
            Stage.SUBCLUSTERS, cpu.run(items, self.subclusters.fit, vectors, labels)
        )
        positions = await stages.run(Stage.LAYOUT, cpu.run(items, self.layout.fit, vectors, labels))
        parts = GraphParts(
            docs, vectors, clustering, keywords, names, edges, subclusters, positions, central
        )
        generated_at = now_iso()
        summary = None
        if options.include_summary:
            summary = await stages.run(
                Stage.SUMMARY,
                build_summary(
                    parts,
                    self.summary_writer,
                    language=options.summary_language or language,
                    generated_at=generated_at,
                ),
            )
        graph = build_graph(parts, language=language, generated_at=generated_at)
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

    async def _cleaned(self, documents: Sequence[Document]) -> list[Document]:
        items = len(documents)
        batches = [documents[i : i + CLEAN_BATCH] for i in range(0, items, CLEAN_BATCH)]
        kept = []
        for batch in batches:
            kept += await self.cpu.run(items, cleaned_documents, self.clean, batch)
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
