"""How far the clusters are from what the vectors allow (issue 15.3: ARI >= 0.75, NMI >= 0.80
on the labelled corpora).

    PYTHONPATH=. .venv/bin/python bench/bench_cluster_ceiling.py
    PYTHONPATH=. .venv/bin/python bench/bench_cluster_ceiling.py --seeds 5 --model PATH_OR_NAME

For each corpus of ``bench.labelled``, one real pipeline run (CPU defaults, llm_backend
``keywords``, the model of ``--model`` or the default) gives the conversations' vectors. On
those same vectors, in this process:

- the ceiling: a classifier trained on the subjects (``cluster_quality.supervised_ceiling``);
- ``DensityClusterer`` as shipped, over ``--seeds`` UMAP seeds;
- the variants the issue asks to try, each over the same seeds: UMAP neighbourhoods of 15
  (UMAP's and BERTopic's default, ours before) and 60 items (1.5 sqrt(N) within 15-30 ships),
  5 dimensions (10 ships), HDBSCAN clusters of 1.5x the minimum
  size, and the vectors joined with a lexical one (TF-IDF of the cleaned text folded to 100
  dimensions by truncated SVD, at half the weight) for topics that share words more than
  meaning.

A variant is worth shipping only if it gains on both corpora by more than the seeds' spread.
Writes bench/results/cluster_ceiling.json.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from bench.cluster_quality import (
    PER_SUBJECT,
    labelled_run,
    neighbour_agreement,
    scores,
    supervised_ceiling,
)
from bench.labelled import CORPORA

from graphnode.ai.components import open_pipeline
from graphnode.ai.llm.grounding import unit_rows
from graphnode.ai.pipeline.clustering import DensityClusterer, default_min_cluster_size
from graphnode.ai.pipeline.reduction import UmapReducer
from graphnode.settings import Settings

RESULTS = Path(__file__).resolve().parents[1] / "bench" / "results"
LEXICAL_DIMENSIONS = 100
LEXICAL_WEIGHT = 0.5


def with_lexical(vectors: np.ndarray, texts: list[str]) -> np.ndarray:
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer

    counts = TfidfVectorizer(
        sublinear_tf=True, stop_words="english", min_df=2, max_df=0.5
    ).fit_transform(texts)
    dimensions = min(LEXICAL_DIMENSIONS, counts.shape[1] - 1, counts.shape[0] - 1)
    lexical = unit_rows(TruncatedSVD(dimensions, random_state=0).fit_transform(counts))
    return unit_rows(np.hstack([vectors, LEXICAL_WEIGHT * lexical]))


Variant = Callable[[int, int], DensityClusterer]
VARIANTS: dict[str, Variant] = {
    "shipped": lambda seed, items: DensityClusterer(reducer=UmapReducer(seed=seed)),
    "umap 15 neighbours": lambda seed, items: DensityClusterer(
        reducer=UmapReducer(seed=seed, neighbours=15)
    ),
    "umap 60 neighbours": lambda seed, items: DensityClusterer(
        reducer=UmapReducer(seed=seed, neighbours=60)
    ),
    "umap 5 dimensions": lambda seed, items: DensityClusterer(
        reducer=UmapReducer(seed=seed, components=5)
    ),
    "clusters 1.5x larger": lambda seed, items: DensityClusterer(
        reducer=UmapReducer(seed=seed),
        min_cluster_size=round(1.5 * default_min_cluster_size(items)),
    ),
}


async def corpus_ceiling(
    components: Any, corpus: str, seeds: int, per_subject: int
) -> dict[str, Any]:
    run = await labelled_run(components, corpus, per_subject)
    texts = run.cleaned_texts(components.pipeline.clean)
    vectors, subjects, items = run.vectors, run.subjects, len(run.vectors)
    found = {
        name: scores(subjects, [make(s, items).fit(vectors).labels for s in range(seeds)])
        for name, make in VARIANTS.items()
    }
    joined = with_lexical(vectors, texts)
    found["with a lexical vector"] = scores(
        subjects, [VARIANTS["shipped"](s, items).fit(joined).labels for s in range(seeds)]
    )
    return {
        "corpus": corpus,
        "conversations": items,
        "dimension": int(vectors.shape[1]),
        "neighbour_agreement": neighbour_agreement(vectors, subjects),
        "supervised_ceiling": supervised_ceiling(vectors, subjects),
        "pipeline": scores(subjects, [run.clusters]),
        "variants": found,
    }


def report(rows: list[dict[str, Any]]) -> list[str]:
    lines = []
    for row in rows:
        c = row["supervised_ceiling"]
        lines.append(
            f"corpus {row['corpus']} ({row['conversations']} conversations, {row['dimension']} "
            f"dimensions, 10-NN agreement {row['neighbour_agreement']:.3f}); classifier trained "
            f"on the subjects ARI/NMI {c['trained_ari']:.3f}/{c['trained_nmi']:.3f} "
            f"(accuracy {c['trained_accuracy']:.3f}); 10-NN vote "
            f"{c['neighbour_vote_ari']:.3f}/{c['neighbour_vote_nmi']:.3f}; pipeline "
            f"{row['pipeline']['ari']:.3f}/{row['pipeline']['nmi']:.3f}"
        )
        for name, s in row["variants"].items():
            lines.append(
                f"  {name:24s} ARI {s['ari']:.3f}+-{s['ari_sd']:.3f} NMI {s['nmi']:.3f}"
                f"+-{s['nmi_sd']:.3f} clusters {s['clusters']}"
            )
    return lines


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--model", default=None, help="GRAPHNODE_EMBEDDING_MODEL to measure")
    parser.add_argument("--per-subject", type=int, default=PER_SUBJECT)
    args = parser.parse_args()
    settings = dataclasses.replace(Settings.from_env(), llm_backend="keywords")
    if args.model:
        settings = dataclasses.replace(settings, embedding_model=args.model)
    async with open_pipeline(settings) as components:
        rows = [
            await corpus_ceiling(components, corpus, args.seeds, args.per_subject)
            for corpus in CORPORA
        ]
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = {
        "model": settings.embedding_model,
        "seeds": args.seeds,
        "per_subject": args.per_subject,
        "corpora": rows,
    }
    (RESULTS / "cluster_ceiling.json").write_text(json.dumps(out, indent=2))
    print("\n".join([f"model {settings.embedding_model}", *report(rows)]))


if __name__ == "__main__":
    asyncio.run(main())
