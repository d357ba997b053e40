"""Choosing a cluster's key phrases among its c-TF-IDF candidates.

c-TF-IDF ranks a frequent single word above the phrase it belongs to ("sourdough" above
"sourdough starter"), and its top terms often say one thing three ways. Two rerankings fix
that: ``prefer_phrases`` (no model: a phrase that carries most of a word's weight takes the
word's place) and ``diversify`` (maximal marginal relevance with the embedding model: each
next phrase is the one most similar to the cluster's centroid and least similar to the
phrases already chosen). All clusters' candidates are embedded in one call.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from graphnode.ai.llm.grounding import TextEncoder, unit_rows

Terms = list[tuple[str, float]]

# A phrase whose c-TF-IDF score is at least this share of one of its words' score stands for
# that word: most uses of the word are uses of the phrase.
PHRASE_SHARE = 0.5
# MMR's trade-off: 0 ranks by relevance alone, 1 by novelty alone (KeyBERT's default is 0.5
# over whole documents; over a cluster's best terms, a lighter touch keeps the topic first).
DIVERSITY = 0.3
# How much the c-TF-IDF score adds to the centroid similarity: the embedding alone likes a
# vague phrase near the topic's centre over the specific words the cluster actually uses.
TFIDF_WEIGHT = 0.3
# A phrase's c-TF-IDF score counts this many times (at most the best word's): its uses are
# split among its variants ("long run", "long runs"), each also a use of its words.
PHRASE_WEIGHT = 2.0


def distinct_terms(terms: Sequence[tuple[str, float]], count: int) -> Terms:
    """Best first, skipping a term whose words the terms already kept cover ("starter"
    after "sourdough starter"), so a short list is not one phrase and its pieces."""
    kept: Terms = []
    covered: set[str] = set()
    for term, score in terms:
        words = set(term.split())
        if words <= covered:
            continue
        kept.append((term, score))
        covered |= words
        if len(kept) == count:
            break
    return kept


def prefer_phrases(candidates: Sequence[tuple[str, float]], count: int) -> Terms:
    """Candidates in c-TF-IDF order, a word replaced by the phrase that carries it."""
    phrases = [(term, score) for term, score in candidates if " " in term]
    ordered: Terms = []
    for term, score in candidates:
        if " " not in term:
            carrier = next(
                (p for p, s in phrases if term in p.split() and s >= PHRASE_SHARE * score), None
            )
            term = carrier or term
        if term not in {t for t, _ in ordered}:
            ordered.append((term, score))
    return distinct_terms(ordered, count)


async def diversify(
    candidates: Sequence[Sequence[tuple[str, float]]],
    centroids: np.ndarray,
    encoder: TextEncoder,
    count: int,
) -> list[Terms]:
    """Per cluster k, up to ``count`` of its candidates chosen by MMR against centroid k."""
    unique = sorted({term for terms in candidates for term, _ in terms})
    if not unique:
        return [list(terms[:count]) for terms in candidates]
    vectors = unit_rows(await encoder.encode(unique))
    row = {term: i for i, term in enumerate(unique)}
    return [
        _mmr(terms, vectors[[row[t] for t, _ in terms]], centroids[k], count) if terms else []
        for k, terms in enumerate(candidates)
    ]


def _mmr(
    terms: Sequence[tuple[str, float]], vectors: np.ndarray, centroid: np.ndarray, count: int
) -> Terms:
    scores = np.array([score for _, score in terms], dtype=np.float32)
    phrase = np.array([" " in term for term, _ in terms])
    scores = np.where(phrase, np.minimum(PHRASE_WEIGHT * scores, scores.max()), scores)
    relevance = vectors @ unit_rows(centroid)[0] + TFIDF_WEIGHT * scores / max(scores.max(), 1e-9)
    chosen = [int(np.argmax(relevance))]
    left = [i for i in range(len(terms)) if i != chosen[0]]
    while left and len(chosen) < count * 2:  # twice: distinct_terms drops covered ones
        redundancy = (vectors[left] @ vectors[chosen].T).max(axis=1)
        value = (1 - DIVERSITY) * relevance[left] - DIVERSITY * redundancy
        chosen.append(left.pop(int(np.argmax(value))))
    peak = float(relevance[chosen[0]]) or 1.0
    ranked = [(terms[i][0], round(max(float(relevance[i]) / peak, 0.0), 4)) for i in chosen]
    return distinct_terms(ranked, count)
