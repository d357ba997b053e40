"""Clusters against known subjects, ours and BERTopic's, on the two labelled corpora of
``bench.labelled`` (issue 15.3; part of ``bench/bench_pipeline.py``'s report).

For each corpus, in one run with the same model and the same cleaned texts:

- ours: the real pipeline (``components.pipeline.run``, llm_backend ``keywords``), its graph's
  clusters against the subjects; then, for the spread, ``DensityClusterer`` over ``seeds``
  UMAP seeds on the run's own document vectors;
- BERTopic's defaults end to end (it embeds each text itself, one truncated window), once;
- BERTopic's defaults on our vectors (its UMAP seeded over the same ``seeds``): the clustering
  alone, with the vectors held equal.

Scores are the adjusted Rand index and normalized mutual information against the subjects.
BERTopic's outliers (topic -1) count as one more topic, as its output gives them; ours puts
every item in a cluster. The subjects come from the user's first message (``bench.labelled``),
so they are noisy: the share of each item's 10 nearest neighbours (cosine, our vectors) with
its subject is reported beside them, and so is ``supervised_ceiling``: the agreement a
classifier *trained on the subjects* reaches with the same vectors, which no clustering, blind
to the subjects, can be expected to pass.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from bench.labelled import CORPORA, labelled_corpus
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from graphnode.ai.components import PipelineComponents
from graphnode.ai.pipeline.clustering import DensityClusterer
from graphnode.ai.pipeline.reduction import UmapReducer
from graphnode.ingest.documents import Document

PER_SUBJECT = 40
NEIGHBOURS = 10


def scores(subjects: np.ndarray, found: Sequence[np.ndarray]) -> dict[str, Any]:
    ari = [adjusted_rand_score(subjects, labels) for labels in found]
    nmi = [normalized_mutual_info_score(subjects, labels) for labels in found]
    return {
        "ari": round(float(np.mean(ari)), 4),
        "ari_sd": round(float(np.std(ari)), 4),
        "nmi": round(float(np.mean(nmi)), 4),
        "nmi_sd": round(float(np.std(nmi)), 4),
        "clusters": [len(set(labels.tolist())) for labels in found],
    }


def nearest_neighbours(vectors: np.ndarray) -> np.ndarray:
    """Each item's ``NEIGHBOURS`` nearest other items by cosine (unit vectors), nearest first."""
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -np.inf)
    return np.argsort(-sims, axis=1)[:, :NEIGHBOURS]


def neighbour_agreement(vectors: np.ndarray, subjects: np.ndarray) -> float:
    nearest = nearest_neighbours(vectors)
    return round(float((subjects[nearest] == subjects[:, None]).mean()), 4)


def supervised_ceiling(vectors: np.ndarray, subjects: np.ndarray) -> dict[str, float]:
    """What the vectors allow when the subjects are *given*: a logistic regression trained on
    them, each item predicted by a model that never saw it (10-fold cross-validation), and
    each item given the majority subject of its 10 nearest neighbours. No clustering, which
    sees no label, can be expected to agree with the subjects better than this."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    folds = StratifiedKFold(n_splits=10, shuffle=True, random_state=0)
    trained = cross_val_predict(
        LogisticRegression(C=10, max_iter=2000), vectors, subjects, cv=folds
    )
    voted = np.array(
        [
            np.bincount(row, minlength=subjects.max() + 1).argmax()
            for row in subjects[nearest_neighbours(vectors)]
        ]
    )
    return {
        "trained_ari": round(float(adjusted_rand_score(subjects, trained)), 4),
        "trained_nmi": round(float(normalized_mutual_info_score(subjects, trained)), 4),
        "trained_accuracy": round(float((trained == subjects).mean()), 4),
        "neighbour_vote_ari": round(float(adjusted_rand_score(subjects, voted)), 4),
        "neighbour_vote_nmi": round(float(normalized_mutual_info_score(subjects, voted)), 4),
    }


def bertopic_topics(st: Any, texts: list[str], vectors: np.ndarray | None, seed: int) -> Any:
    from bertopic import BERTopic
    from umap import UMAP

    # BERTopic's default UMAP, seeded: the same parameters BERTopic() builds itself.
    reducer = UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=seed)
    topics, _ = BERTopic(embedding_model=st, umap_model=reducer).fit_transform(
        texts, embeddings=vectors
    )
    return np.asarray(topics)


@dataclass(frozen=True)
class LabelledRun:
    """The real pipeline's run over one labelled corpus, in its graph's node order."""

    docs: list[Document]
    names: list[str]  # the subjects, sorted
    nodes: list[dict[str, Any]]
    subjects: np.ndarray  # each node's subject, as an index into names
    clusters: np.ndarray
    vectors: np.ndarray
    features: dict[str, Any]
    seconds: float

    def cleaned_texts(self, clean: Callable[[Document], Document]) -> list[str]:
        """Each node's conversation as the pipeline cleaned it, in node order."""
        by_id = {doc.orig_id: doc for doc in self.docs}
        return [clean(by_id[node["orig_id"]]).text for node in self.nodes]

    def seeded_labels(self, seeds: int) -> list[np.ndarray]:
        """Our clustering of the run's own vectors over ``seeds`` UMAP seeds: the spread."""
        return [
            DensityClusterer(reducer=UmapReducer(seed=seed)).fit(self.vectors).labels
            for seed in range(seeds)
        ]


async def labelled_run(
    components: PipelineComponents, corpus: str, per_subject: int = PER_SUBJECT
) -> LabelledRun:
    docs, subject_names = labelled_corpus(per_subject, corpus)
    subject_of = {doc.orig_id: name for doc, name in zip(docs, subject_names, strict=True)}
    started = time.perf_counter()
    result = await components.pipeline.run(docs)
    seconds = time.perf_counter() - started
    nodes = result.graph["nodes"]
    names = sorted(set(subject_names))
    return LabelledRun(
        docs=docs,
        names=names,
        nodes=nodes,
        subjects=np.array([names.index(subject_of[node["orig_id"]]) for node in nodes]),
        clusters=np.array([int(node["cluster_id"].rsplit("_", 1)[1]) for node in nodes]),
        vectors=np.asarray(result.features["embeddings"], dtype=np.float32),
        features=result.features,
        seconds=seconds,
    )


async def corpus_quality(
    components: PipelineComponents, st: Any, corpus: str, seeds: int
) -> dict[str, Any]:
    run = await labelled_run(components, corpus)
    subjects = run.subjects
    texts = run.cleaned_texts(components.pipeline.clean)
    started = time.perf_counter()
    theirs_end_to_end = bertopic_topics(st, texts, None, 0)
    theirs_s = time.perf_counter() - started
    theirs_seeds = [bertopic_topics(st, texts, run.vectors, seed) for seed in range(seeds)]
    return {
        "corpus": corpus,
        "subjects": run.names,
        "conversations": len(run.nodes),
        "neighbour_agreement": neighbour_agreement(run.vectors, subjects),
        "supervised_ceiling": supervised_ceiling(run.vectors, subjects),
        "ours_pipeline": {**scores(subjects, [run.clusters]), "seconds": round(run.seconds, 2)},
        "ours_seeds": scores(subjects, run.seeded_labels(seeds)),
        "bertopic_end_to_end": {
            **scores(subjects, [theirs_end_to_end]),
            "outlier_share": round(float((theirs_end_to_end < 0).mean()), 4),
            "seconds": round(theirs_s, 2),
        },
        "bertopic_our_vectors_seeds": scores(subjects, theirs_seeds),
    }


async def labelled_quality(components: PipelineComponents, st: Any, seeds: int) -> list[dict]:
    return [await corpus_quality(components, st, corpus, seeds) for corpus in CORPORA]


def quality_lines(rows: Sequence[dict[str, Any]]) -> list[str]:
    lines = []
    for row in rows:
        c = row["supervised_ceiling"]
        o, s, e, v = (
            row["ours_pipeline"],
            row["ours_seeds"],
            row["bertopic_end_to_end"],
            row["bertopic_our_vectors_seeds"],
        )
        lines.append(
            f"corpus {row['corpus']} ({row['conversations']} conversations, "
            f"kNN agreement {row['neighbour_agreement']:.3f}): ARI/NMI ours "
            f"{o['ari']:.3f}/{o['nmi']:.3f} (seeds {s['ari']:.3f}+-{s['ari_sd']:.3f}/"
            f"{s['nmi']:.3f}+-{s['nmi_sd']:.3f}), BERTopic end to end "
            f"{e['ari']:.3f}/{e['nmi']:.3f} ({100 * e['outlier_share']:.0f}% outliers), "
            f"BERTopic on our vectors {v['ari']:.3f}+-{v['ari_sd']:.3f}/"
            f"{v['nmi']:.3f}+-{v['nmi_sd']:.3f}; a classifier trained on the subjects "
            f"{c['trained_ari']:.3f}/{c['trained_nmi']:.3f} "
            f"(targets: ahead of BERTopic; >= 0.75/0.80)"
        )
    return lines
