"""Do the graph's words tell the truth? Topic names, insights, the overview and example titles
on real ChatGPT conversations (ShareGPT V3) whose subjects are known, per LLM backend.

    PYTHONPATH=. .venv/bin/python bench/bench_text.py                         # 9 x 30 conversations
    PYTHONPATH=. .venv/bin/python bench/bench_text.py --per-subject 20 --backends keywords

Corpus: the first ShareGPT conversations (first parts only, ``..._0``) whose first user message
names exactly one of nine subjects (``SUBJECTS``: recipes, SQL, poetry, résumés, travel, React,
physics, marketing, finance), at most ``--per-subject`` each, parsed by GraphNode's own parser.
The pipeline runs once with the ``keywords`` backend; every other backend (``local``, and
``openai`` when GRAPHNODE_LLM_BASE_URL is set) reuses that run's embeddings, so only the words
differ between backends. Reported per backend, each against a baseline measured in this run:

(a) names nearest their own cluster's centroid (the run's document vectors, the same
    embedding model): target >= 0.9; baseline: chance, 1/k.
(b) insights nearest their own cluster: target >= 0.9; baseline: chance.
(c) how many of the 5 largest topics the overview names (``fact_checks.names_topic``): >= 4.
(d) representative titles in the central half of their cluster: target >= 0.9; baseline: the
    cluster's first members in document order (what the summary showed before issue 10).
(e) numbers and proper nouns in any prose (overview and insights, the model's or the
    deterministic) that are not in the facts it was written from: target 0.
Also: the share of texts the model wrote that passed every check (the rest are the
deterministic texts), the clusters against the subjects (adjusted Rand index), wall time.

Writes bench/results/text.json (and bench/results/text.png with matplotlib).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import logging
import os
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from bench.labelled import CORPORA, labelled_corpus
from sklearn.metrics import adjusted_rand_score

from graphnode.ai.components import PipelineComponents, open_pipeline
from graphnode.ai.llm.base import LOGGER_NAME
from graphnode.ai.llm.fact_checks import invented_names, invented_numbers, names_topic
from graphnode.ai.llm.factory import open_language_model
from graphnode.ai.llm.grounding import centroids_of, nearest_centroid
from graphnode.ai.llm.naming import ClusterNamer
from graphnode.ai.llm.summary_brief import GraphBrief, insight_facts, overview_facts
from graphnode.ai.llm.summary_text import SummaryTexts, SummaryWriter
from graphnode.ai.pipeline.embedder import Embeddings
from graphnode.ai.pipeline.representatives import central_half
from graphnode.ai.pipeline.runner import PipelineOptions, PipelineResult
from graphnode.ingest.documents import Document
from graphnode.settings import Settings

RESULTS = Path(__file__).resolve().parent / "results"
SUBJECTS = CORPORA["a"]
LARGEST = 5
TITLES = 3
LLM_TIMEOUT_S = 900.0  # a shared CPU is slow; the bench measures the model, not a timeout


def say(message: str) -> None:
    print(message, flush=True)


class CachedEmbedder:
    """The first run's embeddings again, so every backend clusters the same vectors."""

    def __init__(self, embedded: Embeddings) -> None:
        self._embedded = embedded

    async def embed(self, texts: Sequence[str], progress: Any = None) -> Embeddings:
        return self._embedded


class RecordingEmbedder:
    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.embedded: Embeddings | None = None

    async def embed(self, texts: Sequence[str], progress: Any = None) -> Embeddings:
        self.embedded = await self._inner.embed(texts, progress=progress)
        return self.embedded


class RecordingWriter:
    """The summary writer, keeping the facts it was given (what prose is checked against)."""

    def __init__(self, inner: SummaryWriter) -> None:
        self._inner = inner
        self.brief: GraphBrief | None = None

    async def write(self, brief: GraphBrief, *, language: str | None = None) -> SummaryTexts:
        self.brief = brief
        return await self._inner.write(brief, language=language)


class RejectionLog(logging.Handler):
    """Why the writer dropped the model's texts, by check ("numbers not in the facts", ...)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.reasons: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        reason = getattr(record, "reason", None)
        if "not from the LLM" in record.getMessage() and isinstance(reason, str):
            self.reasons[reason.split(":")[0]] += 1


def _backend_options(backend: str) -> dict[str, Any]:
    if backend != "openai":
        return {}
    options = {
        "base_url": os.environ.get("GRAPHNODE_LLM_BASE_URL"),
        "model": os.environ.get("GRAPHNODE_LLM_MODEL"),
        "api_key": os.environ.get("GRAPHNODE_LLM_API_KEY"),
    }
    return {k: v for k, v in options.items() if v}


async def run_backend(
    components: PipelineComponents,
    backend: str,
    docs: Sequence[Document],
    embedded: Embeddings | None,
) -> tuple[PipelineResult, RecordingWriter, Embeddings, float]:
    model = open_language_model(backend, **_backend_options(backend))
    async with contextlib.AsyncExitStack() as stack:
        if model is not None:
            model = await stack.enter_async_context(model)
        batcher = components.batcher
        writer = RecordingWriter(SummaryWriter(model, encoder=batcher, timeout_s=LLM_TIMEOUT_S))
        embedder = CachedEmbedder(embedded) if embedded else RecordingEmbedder(components.embedder)
        pipeline = dataclasses.replace(
            components.pipeline,
            embedder=embedder,
            namer=ClusterNamer(model, encoder=batcher, timeout_s=LLM_TIMEOUT_S),
            summary_writer=writer,
        )
        started = time.perf_counter()
        result = await pipeline.run(docs, PipelineOptions())
        seconds = time.perf_counter() - started
    vectors = embedded or getattr(embedder, "embedded", None)
    assert vectors is not None
    return result, writer, vectors, seconds


def _cluster_index(graph: dict[str, Any]) -> tuple[list[str], np.ndarray]:
    ids = sorted(graph["metadata"]["clusters"], key=lambda c: int(c.rsplit("_", 1)[1]))
    index = {cluster_id: k for k, cluster_id in enumerate(ids)}
    return ids, np.array([index[n["cluster_id"]] for n in graph["nodes"]])


def _title_items(graph: dict, labels: np.ndarray, k: int, titles: Sequence[str]) -> list[int]:
    members = [i for i in np.flatnonzero(labels == k)]
    items: list[int] = []
    for title in titles:
        match = next(
            (i for i in members if " ".join(graph["nodes"][i]["title"].split()) == title), None
        )
        if match is not None and match not in items:
            items.append(int(match))
    return items


def _invented(summary: dict[str, Any], brief: GraphBrief) -> dict[str, Any]:
    texts = [(summary["overview"]["summary_text"], "\n".join(overview_facts(brief)))]
    texts += [
        (c["insight_text"], "\n".join(insight_facts(brief, digest)))
        for c in summary["clusters"]
        for digest in brief.clusters
        if digest.cluster_id == c["cluster_id"]
    ]
    numbers = [n for text, facts in texts for n in invented_numbers(text, facts)]
    names = [n for text, facts in texts for n in invented_names(text, facts)]
    return {"numbers": numbers, "names": names, "count": len(numbers) + len(names)}


async def measure(
    result: PipelineResult,
    brief: GraphBrief,
    vectors: np.ndarray,
    subjects: Sequence[str],
    encoder: Any,
) -> dict[str, Any]:
    graph, summary = result.graph, result.summary or {}
    ids, labels = _cluster_index(graph)
    centroids = centroids_of(vectors, labels, len(ids))
    names = [graph["metadata"]["clusters"][c]["name"] for c in ids]
    name_hits = nearest_centroid(await encoder.encode(names), centroids) == np.arange(len(ids))
    clusters = summary["clusters"]
    own = np.array([ids.index(c["cluster_id"]) for c in clusters])
    insights = await encoder.encode([c["insight_text"] for c in clusters])
    insight_hits = nearest_centroid(insights, centroids) == own
    overview = summary["overview"]["summary_text"]
    largest = [c["name"] for c in clusters[:LARGEST]]
    shown = [
        i for c, k in zip(clusters, own, strict=True)
        for i in _title_items(graph, labels, int(k), c["representative_titles"][:TITLES])
    ]  # fmt: skip
    first = [int(i) for k in range(len(ids)) for i in np.flatnonzero(labels == k)[:TITLES]]
    sources = [summary["overview"]["summary_source"]] + [c["insight_source"] for c in clusters]
    return {
        "clusters": len(ids),
        "ari_vs_subjects": round(float(adjusted_rand_score(subjects, labels)), 4),
        "names": names,
        "names_nearest_own": round(float(name_hits.mean()), 4),
        "insights_nearest_own": round(float(insight_hits.mean()), 4),
        "chance": round(1 / len(ids), 4),
        "overview": overview,
        "overview_names_of_largest": sum(names_topic(overview, name) for name in largest),
        "representatives_central": round(float(np.mean(central_half(vectors, labels, shown))), 4),
        "baseline_first_members_central": round(
            float(np.mean(central_half(vectors, labels, first))), 4
        ),
        "invented": _invented(summary, brief),
        "model_texts_kept": round(sources.count("llm") / len(sources), 4),
        "insights": {c["name"]: c["insight_text"] for c in clusters},
    }


def report_lines(backend: str, m: dict[str, Any], seconds: float) -> list[str]:
    reps, base = m["representatives_central"], m["baseline_first_members_central"]
    return [
        f"[{backend}] {m['clusters']} clusters, ARI vs subjects {m['ari_vs_subjects']:.2f}, "
        f"{seconds:.0f} s; model texts kept {100 * m['model_texts_kept']:.0f}%, "
        f"rejected by {m.get('model_texts_rejected_by', {})}",
        f"[{backend}] (a) names nearest own centroid {m['names_nearest_own']:.2f} (>= 0.9; "
        f"chance {m['chance']:.2f}, ratio {m['names_nearest_own'] / m['chance']:.1f}x)",
        f"[{backend}] (b) insights nearest own cluster {m['insights_nearest_own']:.2f} (>= 0.9; "
        f"ratio to chance {m['insights_nearest_own'] / m['chance']:.1f}x)",
        f"[{backend}] (c) overview names {m['overview_names_of_largest']} of the 5 largest (>= 4)",
        f"[{backend}] (d) representative titles in the central half {reps:.2f} (>= 0.9; first "
        f"members {base:.2f}, ratio {reps / max(base, 1e-9):.2f})",
        f"[{backend}] (e) numbers and names not in the facts: {m['invented']['count']} (0)"
        + (
            f" {m['invented']['numbers'][:5]} {m['invented']['names'][:5]}"
            if m["invented"]["count"]
            else ""
        ),
    ]


def plot(report: dict[str, Any], path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    keys = ["names_nearest_own", "insights_nearest_own", "representatives_central"]
    fig, axis = plt.subplots(figsize=(8, 4))
    width = 0.8 / max(1, len(report["backends"]))
    for i, (backend, m) in enumerate(report["backends"].items()):
        axis.bar(
            [j + i * width for j in range(len(keys))], [m[k] for k in keys], width, label=backend
        )
    axis.axhline(0.9, color="C3", linestyle="--", label="target")
    axis.set_xticks(range(len(keys)), ["names", "insights", "example titles"])
    axis.set_ylim(0, 1)
    axis.set_title(f"Grounded words, {report['conversations']} ShareGPT conversations")
    axis.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return True


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-subject", type=int, default=30)
    parser.add_argument("--backends", help="comma-separated (default keywords,local[,openai])")
    return parser.parse_args()


async def main() -> None:
    args = arguments()
    backends = (args.backends or "keywords,local").split(",")
    if args.backends is None and os.environ.get("GRAPHNODE_LLM_BASE_URL"):
        backends.append("openai")
    docs, subjects = labelled_corpus(args.per_subject)
    say(f"{len(docs)} conversations: {dict(Counter(subjects))}")
    settings = dataclasses.replace(Settings.from_env({}), llm_backend="keywords")
    report: dict[str, Any] = {"conversations": len(docs), "subjects": dict(Counter(subjects))}
    report["backends"] = {}
    embedded: Embeddings | None = None
    rejections = RejectionLog()
    llm_logger = logging.getLogger(LOGGER_NAME)
    llm_logger.addHandler(rejections)
    llm_logger.setLevel(logging.INFO)
    async with open_pipeline(settings) as components:
        for backend in backends:
            rejections.reasons.clear()
            result, writer, embedded, seconds = await run_backend(
                components, backend, docs, embedded
            )
            assert writer.brief is not None
            figures = await measure(
                result, writer.brief, embedded.vectors, subjects, components.batcher
            )
            figures["seconds"] = round(seconds, 1)
            figures["model_texts_rejected_by"] = dict(rejections.reasons)
            report["backends"][backend] = figures
            for line in report_lines(backend, figures, seconds):
                say(line)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "text.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
    drawn = plot(report, RESULTS / "text.png")
    say(f"wrote {RESULTS / 'text.json'}" + (" and text.png" if drawn else ""))


if __name__ == "__main__":
    asyncio.run(main())
