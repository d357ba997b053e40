"""Keywords per cluster (class-based TF-IDF) and per item (TF-IDF), from one pass over the
corpus.

The system we replace ran a keyword model per document (1.7 s each, 91% of its time) and let
role words, code identifiers and LaTeX through. Here one sparse count matrix is built once;
item keywords are its TF-IDF rows, cluster keywords its rows summed per cluster with
c-TF-IDF weighting. The analyzer only admits words: no digits, no underscores or backslashes,
no camelCase identifiers, no role words; CJK runs become character bigrams, since Chinese
(and often Korean) text has no spaces to split words at.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

# Role words and conversational filler: present in every chat, never what it is about.
CHAT_WORDS = frozenset(
    {
        "user",
        "assistant",
        "chatgpt",
        "gpt",
        "human",
        "ai",
        "system",
        "tool",
        "claude",
        "gemini",
        "model",
        "bot",
        "answer",
        "question",
        "please",
        "thanks",
        "thank",
        "sure",
        "help",
        "hi",
        "hello",
        "okay",
        "ok",
        "yes",
        "let",
        "like",
        "want",
        "need",
        "know",
        "think",
        "use",
        "using",
        "used",
        "make",
        "way",
        "just",
        "also",
        "can",
        "could",
        "would",
        "should",
        "code",
        "example",
        "here",
        "following",
        "provide",
        "provided",
        "based",
        "response",
        "请",
        "你",
        "我",
        "的",
        "了",
        "是",
    }
)
# Korean endings and function words, Chinese function bigrams: frequent, never topics.
CJK_FILLER = frozenset(
    {
        "같은",
        "있어요",
        "있는",
        "하는",
        "그리고",
        "그런데",
        "합니다",
        "해요",
        "이런",
        "어떤",
        "어떻게",
        "정도",
        "때문에",
        "그래서",
        "하지만",
        "있습니다",
        "없어요",
        "좋은",
        "수도",
        "것이",
        "그냥",
        "조금",
        "계속",
        "너무",
        "많이",
        "정말",
        "可以",
        "我们",
        "什么",
        "这个",
        "一个",
        "如果",
        "因为",
        "所以",
        "没有",
        "就是",
        "需要",
        "怎么",
        "还是",
        "或者",
        "时候",
        "你们",
        "他们",
        "然后",
        "但是",
        "已经",
    }
)
STOP_WORDS = frozenset(ENGLISH_STOP_WORDS) | CHAT_WORDS | CJK_FILLER

# Raw tokens include the characters that mark code, LaTeX and ids, so such a token is
# dropped whole rather than split into innocent-looking pieces ("my_variable" -> "variable").
_RAW_TOKEN = re.compile(r"[\w\\^$]+", re.UNICODE)
_CODE_MARKS = re.compile(r"[\d_\\^$]")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
# lowerCamelCase is how code names things (getUserById); ProductNames (PostgreSQL) stay.
_CAMEL = re.compile(r"^[a-z]+[A-Z]")
MAX_TERM_LENGTH = 24
TOP_PER_ITEM = 8
TOP_PER_CLUSTER = 12


# A Korean word is often a stem glued to a particle (여행을, 여행은): dropping the common
# particles keeps the word countable without a morphological analyser.
_PARTICLES = (
    "에서",
    "으로",
    "을",
    "를",
    "은",
    "는",
    "이",
    "가",
    "에",
    "의",
    "도",
    "로",
    "와",
    "과",
)


def _strip_particle(word: str) -> str:
    for particle in _PARTICLES:
        if word.endswith(particle) and len(word) - len(particle) >= 2:
            return word[: -len(particle)]
    return word


def analyze(text: str) -> list[str]:
    """Words a person would call keywords: lower-case, no identifiers, CJK as bigrams."""
    terms: list[str] = []
    for match in _RAW_TOKEN.finditer(text):
        word = match.group()
        if _CODE_MARKS.search(word):
            continue
        if _CJK_RUN.fullmatch(word):
            bigrams = (word[i : i + 2] for i in range(len(word) - 1))
            terms.extend(b for b in bigrams if b not in CJK_FILLER)
            continue
        if _CAMEL.search(word) or len(word) > MAX_TERM_LENGTH:
            continue  # camelCase and overlong tokens are code or ids, not topics
        lowered = word.lower()
        if _HANGUL.search(lowered):
            lowered = _strip_particle(lowered)
        # Two letters make a Korean word (요리, 여행) but rarely an English one.
        shortest = 2 if _HANGUL.search(lowered) else 3
        if lowered in STOP_WORDS or len(lowered) < shortest:
            continue
        terms.append(lowered)
    return terms


@dataclass(frozen=True, slots=True)
class Keywords:
    per_item: list[list[tuple[str, float]]]
    per_cluster: list[list[tuple[str, float]]]


def _top(row: np.ndarray, vocabulary: np.ndarray, count: int) -> list[tuple[str, float]]:
    if not row.any():
        return []
    best = np.argsort(-row, kind="stable")[:count]
    peak = float(row[best[0]]) or 1.0
    return [(str(vocabulary[i]), round(float(row[i]) / peak, 4)) for i in best if row[i] > 0]


class ClassTfidfKeywords:
    """One count matrix, two weightings. ``fit(texts, labels)`` -> :class:`Keywords`."""

    def __init__(self, *, min_df: int = 1, max_df: float = 0.9) -> None:
        self._min_df, self._max_df = min_df, max_df

    def fit(self, texts: Sequence[str], labels: np.ndarray) -> Keywords:
        clusters = int(labels.max()) + 1 if len(labels) else 0
        counts, vocabulary = self._count(texts)
        if counts is None:
            return Keywords([[] for _ in texts], [[] for _ in range(clusters)])
        return Keywords(
            per_item=self._item_keywords(counts, vocabulary),
            per_cluster=self._cluster_keywords(counts, vocabulary, labels, clusters),
        )

    def _count(self, texts: Sequence[str]) -> tuple[sparse.csr_matrix | None, np.ndarray]:
        max_df = self._max_df if len(texts) >= 10 else 1.0  # tiny corpora: keep shared words
        vectorizer = CountVectorizer(
            analyzer=analyze, min_df=self._min_df, max_df=max_df, dtype=np.float32
        )
        try:
            counts = vectorizer.fit_transform(texts).tocsr()
        except ValueError:  # no term survived (empty or code-only corpus)
            return None, np.array([])
        return counts, vectorizer.get_feature_names_out()

    def _item_keywords(
        self, counts: sparse.csr_matrix, vocabulary: np.ndarray
    ) -> list[list[tuple[str, float]]]:
        documents = counts.shape[0]
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        idf = np.log((1 + documents) / (1 + df)) + 1
        weighted = counts.multiply(idf).tocsr()
        result = []
        for i in range(documents):
            row = weighted.getrow(i)
            top = np.argsort(-row.data)[:TOP_PER_ITEM]
            peak = float(row.data[top[0]]) if len(top) else 1.0
            result.append(
                [
                    (str(vocabulary[row.indices[j]]), round(float(row.data[j]) / peak, 4))
                    for j in top
                ]
            )
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
        return [_top(scores[k], vocabulary, TOP_PER_CLUSTER) for k in range(clusters)]
