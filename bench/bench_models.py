"""Embedding models side by side: what switching ``GRAPHNODE_EMBEDDING_MODEL`` gives and costs.

    PYTHONPATH=. .venv/bin/python bench/bench_models.py
    PYTHONPATH=. .venv/bin/python bench/bench_models.py --models a,b,c --seeds 5

Each model, the first being the baseline, runs the real pipeline (CPU defaults, llm_backend
``keywords``) in this process over:

- the bilingual corpus of ``tests/ai/fixtures/bilingual_conversations.json`` (40 conversations,
  four subjects, each asked in Korean and in English): ARI of the clusters against the
  subjects, and the share of clusters holding both languages (a subject is one topic
  whatever the language it was asked in);
- the two English labelled corpora of ``bench.labelled``: ARI and NMI against the subjects
  (the pipeline's own run, then the mean over ``--seeds`` UMAP seeds on its vectors), the share
  of each conversation's 10 nearest neighbours with its subject (no clustering: the steadier
  measure), and the seconds of the embedding stage and of the whole run, with their ratio to
  the baseline's.

The bilingual corpus runs first for every model, so clustering's one-off compilation never
falls inside a labelled corpus's timings. Writes bench/results/models.json.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
from pathlib import Path
from typing import Any

from bench.cluster_quality import labelled_run, neighbour_agreement, scores
from bench.labelled import CORPORA
from sklearn.metrics import adjusted_rand_score

from graphnode.ai.components import open_pipeline
from graphnode.ai.pipeline.embedder import DEFAULT_MODEL
from graphnode.ai.pipeline.multilingual_model import MULTILINGUAL_MODEL
from graphnode.ingest.documents import Document, Section
from graphnode.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
BILINGUAL = ROOT / "tests" / "ai" / "fixtures" / "bilingual_conversations.json"


def bilingual_corpus() -> tuple[list[Document], list[str], list[str]]:
    rows = json.loads(BILINGUAL.read_text("utf-8"))
    docs = [
        Document(
            orig_id=row["id"],
            title=row["user"][:60],
            sections=(Section("user", row["user"]), Section("assistant", row["assistant"])),
        )
        for row in rows
    ]
    return docs, [row["subject"] for row in rows], [row["language"] for row in rows]


async def bilingual_quality(components: Any) -> dict[str, Any]:
    docs, subjects, languages = bilingual_corpus()
    result = await components.pipeline.run(docs)
    subject_of = {d.orig_id: s for d, s in zip(docs, subjects, strict=True)}
    language_of = {d.orig_id: lang for d, lang in zip(docs, languages, strict=True)}
    nodes = result.graph["nodes"]
    held: dict[str, set[str]] = {}
    for node in nodes:
        held.setdefault(node["cluster_id"], set()).add(language_of[node["orig_id"]])
    return {
        "ari": round(
            adjusted_rand_score(
                [subject_of[n["orig_id"]] for n in nodes], [n["cluster_id"] for n in nodes]
            ),
            4,
        ),
        "clusters": len(held),
        "clusters_in_both_languages": round(
            sum(len(languages) == 2 for languages in held.values()) / len(held), 4
        ),
    }


async def labelled_quality(components: Any, corpus: str, seeds: int) -> dict[str, Any]:
    run = await labelled_run(components, corpus)
    return {
        "conversations": len(run.nodes),
        "pipeline": scores(run.subjects, [run.clusters]),
        "seeds": scores(run.subjects, run.seeded_labels(seeds)),
        "neighbour_agreement": neighbour_agreement(run.vectors, run.subjects),
        "embedding_seconds": run.features["metadata"]["timings"]["Embedding"],
        "seconds": round(run.seconds, 2),
    }


async def measure(model: str, seeds: int) -> dict[str, Any]:
    settings = dataclasses.replace(
        Settings.from_env(), llm_backend="keywords", embedding_model=model
    )
    async with open_pipeline(settings) as components:
        row: dict[str, Any] = {
            "model": model,
            "dimension": components.model.dimension,
            "bilingual": await bilingual_quality(components),
        }
        for corpus in CORPORA:
            row[corpus] = await labelled_quality(components, corpus, seeds)
    return row


def report(rows: list[dict[str, Any]]) -> list[str]:
    base = rows[0]
    lines = []
    for row in rows:
        b = row["bilingual"]
        parts = [
            f"{row['model']} ({row['dimension']} numbers): bilingual ARI {b['ari']:.2f}, "
            f"{100 * b['clusters_in_both_languages']:.0f}% of {b['clusters']} topics in both"
        ]
        for corpus in CORPORA:
            c, c0 = row[corpus], base[corpus]
            parts.append(
                f"corpus {corpus}: ARI/NMI {c['pipeline']['ari']:.2f}/{c['pipeline']['nmi']:.2f} "
                f"(seeds {c['seeds']['ari']:.2f}/{c['seeds']['nmi']:.2f}), 10-NN "
                f"{c['neighbour_agreement']:.2f}, embedding {c['embedding_seconds']:.1f} s "
                f"({c['embedding_seconds'] / c0['embedding_seconds']:.2f}x), run "
                f"{c['seconds']:.1f} s ({c['seconds'] / c0['seconds']:.2f}x)"
            )
        lines.append("; ".join(parts))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default=f"{DEFAULT_MODEL},{MULTILINGUAL_MODEL}")
    parser.add_argument("--seeds", type=int, default=3, help="UMAP seeds on labelled corpora")
    args = parser.parse_args()
    rows = [asyncio.run(measure(model, args.seeds)) for model in args.models.split(",")]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "models.json").write_text(json.dumps(rows, indent=1) + "\n")
    print("\n".join(report(rows)))


if __name__ == "__main__":
    main()
