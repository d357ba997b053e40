"""Keywords per cluster (class-based TF-IDF) and per item (TF-IDF), from one pass over the
corpus, as phrases of one to three words.

The system we replace ran a keyword model per document (1.7 s each, 91% of its time) and let
role words, code identifiers and LaTeX through. Here one sparse count matrix is built once;
item keywords are its TF-IDF rows, cluster keywords its rows summed per cluster with
c-TF-IDF weighting. The analyzer only admits words: no digits, no underscores or backslashes,
no camelCase identifiers, no role words; CJK runs become character bigrams, since Chinese
(and often Korean) text has no spaces to split words at. Runs of such words, unbroken by
punctuation, code or a stop word, also give phrases ("sourdough starter", "return on
investment"): a topic reads as a phrase, and a list of single words ("string, borrow, crate")
does not. A cluster's best candidates are then reordered for relevance and diversity against
the embedding model (``phrases.diversify``) when one is given.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer

from graphnode.ai.llm.grounding import TextEncoder, centroids_of
from graphnode.ai.pipeline.cpu_stages import CpuStages
from graphnode.ai.pipeline.keyword_vocabulary import (
    CHAT_WORDS,
    CJK_FILLER,
    CONNECTORS,
    STOP_WORDS,
    strip_particle,
)
from graphnode.ai.pipeline.phrases import distinct_terms, diversify, prefer_phrases

__all__ = ["CHAT_WORDS", "CJK_FILLER", "STOP_WORDS", "ClassTfidfKeywords", "Keywords", "analyze"]

# Raw tokens include the characters that mark code, LaTeX and ids, so such a token is
# dropped whole rather than split into innocent-looking pieces ("my_variable" -> "variable").
# Any other mark is a token of its own: punctuation ends a phrase.
_RAW_TOKEN = re.compile(r"[\w\\^$]+|[^\w\s]", re.UNICODE)
_CODE_MARKS = re.compile(r"[\d_\\^$]")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
# lowerCamelCase is how code names things (getUserById); ProductNames (PostgreSQL) stay.
_CAMEL = re.compile(r"^[a-z]+[A-Z]")
MAX_TERM_LENGTH = 24
TOP_PER_ITEM = 8
TOP_PER_CLUSTER = 12
# Terms per cluster handed to the reranker: enough for real choice, few enough to embed.
WORD_CANDIDATES = 20
PHRASE_CANDIDATES = 15
PHRASE_MIN_DF = 2


_BREAK, _STOP, _CONNECTOR, _WORD = "break", "stop", "connector", "word"


# Words repeat (1.4 million tokens of 1,000 ShareGPT conversations hold 36,000 distinct
# ones), so each is classified once: the analyzer ran 2.4x faster. Bounded, so a corpus of
# random strings cannot grow it.
@functools.lru_cache(maxsize=1 << 16)
def _classify(token: str) -> tuple[str, str]:
    """(kind, normalised word) of one raw token; CJK runs come back as kind "cjk"."""
    if not (token[0].isalnum() or token[0] in "_\\^$") or _CODE_MARKS.search(token):
        return _BREAK, ""
    if _CJK_RUN.fullmatch(token):
        return "cjk", token
    if _CAMEL.search(token) or len(token) > MAX_TERM_LENGTH:
        return _BREAK, ""  # camelCase and overlong tokens are code or ids, not topics
    lowered = token.lower()
    if _HANGUL.search(lowered):
        lowered = strip_particle(lowered)
    if lowered in CONNECTORS:
        return _CONNECTOR, lowered
    # Two letters make a Korean word (요리, 여행) but rarely an English one.
    shortest = 2 if _HANGUL.search(lowered) else 3
    if lowered in STOP_WORDS or len(lowered) < shortest:
        return _STOP, lowered
    return _WORD, lowered


def _phrases_ending(window: list[tuple[str, bool]], word: str) -> Iterator[str]:
    """The two- and three-word phrases that end at ``word``: ``window`` holds the run's last
    two words as (word, is_content); a connector may stand inside, never at an end."""
    if window and window[-1][1]:
        yield f"{window[-1][0]} {word}"
    if len(window) == 2 and window[0][1]:
        yield f"{window[0][0]} {window[1][0]} {word}"


def analyze(text: str) -> list[str]:
    """Words a person would call keywords, and their 2-3-word phrases: lower-case, no
    identifiers, CJK as bigrams (never inside a phrase: bigrams of bigrams mean nothing)."""
    terms: list[str] = []
    window: list[tuple[str, bool]] = []
    for match in _RAW_TOKEN.finditer(text):
        kind, word = _classify(match.group())
        if kind == _WORD:
            terms.append(word)
            terms.extend(_phrases_ending(window, word))
            window = [*window[-1:], (word, True)]
        elif kind == _CONNECTOR and window and window[-1][1]:
            window = [window[-1], (word, False)]
        else:
            if kind == "cjk":
                bigrams = (word[i : i + 2] for i in range(len(word) - 1))
                terms.extend(b for b in bigrams if b not in CJK_FILLER)
            window = []
    return terms


@dataclass(frozen=True, slots=True)
class Keywords:
    per_item: list[list[tuple[str, float]]]
    per_cluster: list[list[tuple[str, float]]]
    # Each cluster's best c-TF-IDF terms (more than ``per_cluster`` keeps), for reranking.
    candidates: list[list[tuple[str, float]]] = field(default_factory=list)


def _is_phrase(vocabulary: np.ndarray) -> np.ndarray:
    return np.char.find(vocabulary.astype(str), " ") >= 0


def _candidates(
    row: np.ndarray, vocabulary: np.ndarray, phrase: np.ndarray
) -> list[tuple[str, float]]:
    """A cluster's best words and, apart, its best phrases: a phrase's count is split among
    its variants, so on one ranking the words would crowd every phrase out."""
    chosen = []
    for kind, count in ((~phrase, WORD_CANDIDATES), (phrase, PHRASE_CANDIDATES)):
        columns = np.flatnonzero(kind & (row > 0))
        chosen.extend(columns[np.argsort(-row[columns], kind="stable")[:count]])
    if not chosen:
        return []
    best = sorted(chosen, key=lambda i: (-row[i], vocabulary[i]))
    peak = float(row[best[0]])
    return [(str(vocabulary[i]), round(float(row[i]) / peak, 4)) for i in best]


class ClassTfidfKeywords:
    """One count matrix, two weightings. ``fit(texts, labels)`` -> :class:`Keywords`;
    ``extract`` also reranks each cluster's phrases with ``encoder`` (when given) for
    relevance to the cluster's centroid and diversity."""

    def __init__(
        self,
        *,
        min_df: int = 1,
        max_df: float = 0.9,
        encoder: TextEncoder | None = None,
        cpu: CpuStages | None = None,
    ) -> None:
        self._min_df, self._max_df = min_df, max_df
        self._encoder = encoder
        self._cpu = cpu or CpuStages()

    def __getstate__(self) -> dict[str, Any]:
        # ``fit`` may run in the background process (``cpu_stages``): it needs only the
        # counting options, and the encoder and the pool belong to this process.
        return {"_min_df": self._min_df, "_max_df": self._max_df}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._min_df, self._max_df = state["_min_df"], state["_max_df"]
        self._encoder, self._cpu = None, CpuStages()

    async def extract(
        self, texts: Sequence[str], labels: np.ndarray, vectors: np.ndarray
    ) -> Keywords:
        found = await self._cpu.run(len(texts), self.fit, texts, labels)
        if self._encoder is None or not found.candidates:
            return found
        centroids = centroids_of(vectors, labels, len(found.candidates))
        per_cluster = await diversify(found.candidates, centroids, self._encoder, TOP_PER_CLUSTER)
        return Keywords(found.per_item, per_cluster, found.candidates)

    def fit(self, texts: Sequence[str], labels: np.ndarray) -> Keywords:
        clusters = int(labels.max()) + 1 if len(labels) else 0
        counts, vocabulary = self._count(texts)
        if counts is None:
            empty = [[] for _ in range(clusters)]
            return Keywords([[] for _ in texts], empty, empty)
        candidates = self._cluster_keywords(counts, vocabulary, labels, clusters)
        return Keywords(
            per_item=self._item_keywords(counts, vocabulary),
            per_cluster=[prefer_phrases(c, TOP_PER_CLUSTER) for c in candidates],
            candidates=candidates,
        )

    def _count(self, texts: Sequence[str]) -> tuple[sparse.csr_matrix | None, np.ndarray]:
        max_df = self._max_df if len(texts) >= 10 else 1.0  # tiny corpora: keep shared words
        vectorizer = CountVectorizer(
            analyzer=analyze, min_df=self._min_df, max_df=max_df, dtype=np.float32
        )
        try:
            counts = vectorizer.fit_transform(texts).tocsc()
        except ValueError:  # no term survived (empty or code-only corpus)
            return None, np.array([])
        vocabulary = vectorizer.get_feature_names_out()
        # A phrase met in one conversation only is that conversation's wording, not a topic.
        least = PHRASE_MIN_DF if len(texts) >= PHRASE_MIN_DF * 2 else 1
        keep = ~_is_phrase(vocabulary) | (np.diff(counts.indptr) >= least)
        return counts[:, np.flatnonzero(keep)].tocsr(), vocabulary[keep]

    def _item_keywords(
        self, counts: sparse.csr_matrix, vocabulary: np.ndarray
    ) -> list[list[tuple[str, float]]]:
        documents = counts.shape[0]
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        idf = np.log((1 + documents) / (1 + df)) + 1
        weighted = counts.multiply(idf).tocsr()
        result = []
        for i in range(documents):
            start, end = weighted.indptr[i], weighted.indptr[i + 1]
            data, columns = weighted.data[start:end], weighted.indices[start:end]
            top = np.argsort(-data, kind="stable")[: TOP_PER_ITEM * 3]
            peak = float(data[top[0]]) if len(top) else 1.0
            ranked = [(str(vocabulary[columns[j]]), round(float(data[j]) / peak, 4)) for j in top]
            result.append(distinct_terms(ranked, TOP_PER_ITEM))
        return result

    def _cluster_keywords(
        self, counts: sparse.csr_matrix, vocabulary: np.ndarray, labels: np.ndarray, clusters: int
    ) -> list[list[tuple[str, float]]]:
        membership = sparse.csr_matrix(
            (np.ones(len(labels), np.float32), (labels, np.arange(len(labels)))),
            shape=(clusters, len(labels)),
        )
        per_class = np.asarray((membership @ counts).todense())
        # c-TF-IDF: term frequency within the class x log(1 + average class size / term total).
        tf = per_class / np.maximum(per_class.sum(axis=1, keepdims=True), 1)
        average_words = per_class.sum() / max(clusters, 1)
        idf = np.log(1 + average_words / np.maximum(per_class.sum(axis=0), 1))
        scores = tf * idf
        phrase = _is_phrase(vocabulary)
        return [_candidates(scores[k], vocabulary, phrase) for k in range(clusters)]
