"""Split a document into pieces the embedding model can read whole, and choose which to read.

all-MiniLM-L6-v2 reads at most 256 word pieces; anything longer would be cut off without a
word. Documents are split at token boundaries (using the model's own tokenizer offsets) into
windows that fit, and their embeddings pooled by tokens.

On a CPU the model is nearly the whole cost of a graph, so a document may be read from a
budget of ``max_chunks`` windows chosen to cover it (0 reads every window): the first window
(the title and the first user turn say what a conversation is about), then the windows that
hold the user's own later turns (the questions steer a conversation; the assistant's long
answers mostly elaborate), then the rest spread evenly through what is left.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from graphnode.ingest.documents import Document

log = logging.getLogger("graphnode.ai.embed")

# Room for the [CLS] and [SEP] tokens the model adds to every input.
SPECIAL_TOKENS = 2
# A chunk is re-tokenized from its text by the model, and a word cut at a window's edge can
# come back as more pieces (258 > 256 was measured): keep a few tokens spare.
RETOKENIZE_MARGIN = 4
# The text ``Document.text`` puts between the title and each section.
SECTION_SEPARATOR = "\n\n"


class Tokenizer(Protocol):
    def __call__(self, text: str, **kwargs: Any) -> Any: ...


@dataclass(frozen=True, slots=True)
class Chunk:
    document: int  # index of the document it came from
    text: str
    tokens: int


@dataclass(frozen=True, slots=True)
class ChunkPlan:
    chunks: list[Chunk]
    sampled_documents: int  # documents longer than max_chunks, read from a chosen subset


@dataclass(frozen=True, slots=True)
class DocumentText:
    """A document's text and where in it each user turn starts and ends (characters)."""

    text: str
    user_turns: tuple[tuple[int, int], ...] = ()


def document_text(item: str | Document | DocumentText) -> DocumentText:
    """Plain text has no turns (only the first window and the even spread then apply)."""
    if isinstance(item, DocumentText):
        return item
    if isinstance(item, str):
        return DocumentText(item)
    return DocumentText(item.text, user_turn_spans(item))


def user_turn_spans(doc: Document) -> tuple[tuple[int, int], ...]:
    """Character spans of the user's sections within ``doc.text`` (built the same way)."""
    spans: list[tuple[int, int]] = []
    position = len(doc.title)
    for section in doc.sections:
        if not section.text:
            continue
        position += len(SECTION_SEPARATOR)
        if section.role == "user":
            spans.append((position, position + len(section.text)))
        position += len(section.text)
    return tuple(spans)


def _windows(count: int, size: int) -> list[tuple[int, int]]:
    return [(start, min(start + size, count)) for start in range(0, count, size)]


def _evenly(candidates: Sequence[int], most: int) -> list[int]:
    """``most`` of ``candidates``, one from the middle of each of ``most`` equal stretches
    (ends are not favoured: a last window is often a short tail)."""
    if most <= 0:
        return []
    if len(candidates) <= most:
        return list(candidates)
    step = len(candidates) / most
    return [candidates[int((i + 0.5) * step)] for i in range(most)]


def _turn_windows(
    turns: Sequence[tuple[int, int]], starts: Sequence[int], window: int
) -> list[int]:
    """For each user turn, the window holding most of its tokens (earliest on a tie)."""
    found: list[int] = []
    for first_char, end_char in turns:
        first = bisect.bisect_left(starts, first_char)
        last = max(first, bisect.bisect_left(starts, end_char) - 1)
        spans = range(first // window, last // window + 1)
        overlap = [min(last + 1, (w + 1) * window) - max(first, w * window) for w in spans]
        best = spans[int(np.argmax(overlap))]
        if best not in found:
            found.append(best)
    return found


def choose_windows(count: int, turn_windows: Sequence[int], budget: int) -> list[int]:
    """Indices of the windows to read, in document order: all when ``budget`` is 0 or
    enough; else the first, the user's turns (evenly among them if they alone exceed the
    budget), and the rest of the budget spread evenly over the windows not yet chosen."""
    if budget <= 0 or count <= budget:
        return list(range(count))
    chosen = [0]
    turns = [w for w in turn_windows if w != 0 and w < count]
    chosen += _evenly(turns, budget - len(chosen))
    taken = set(chosen)
    rest = [w for w in range(count) if w not in taken]
    chosen += _evenly(rest, budget - len(chosen))
    return sorted(chosen)


def plan_chunks(
    texts: Sequence[str | Document | DocumentText],
    tokenizer: Tokenizer,
    max_tokens: int,
    max_chunks: int,
) -> ChunkPlan:
    """Chunks of at most ``max_tokens`` word pieces; at most ``max_chunks`` per document
    (0: every one), chosen by :func:`choose_windows` when there are more (counted and logged,
    never silent)."""
    window = max_tokens - SPECIAL_TOKENS - RETOKENIZE_MARGIN
    chunks: list[Chunk] = []
    sampled = 0
    for index, item in enumerate(texts):
        source = document_text(item)
        text = source.text
        offsets = tokenizer(
            text, add_special_tokens=False, return_offsets_mapping=True, verbose=False
        )["offset_mapping"]
        if not offsets:
            chunks.append(Chunk(index, text, 0))
            continue
        spans = _windows(len(offsets), window)
        if 0 < max_chunks < len(spans):
            sampled += 1
            starts = [start for start, _ in offsets]
            turns = _turn_windows(source.user_turns, starts, window)
            spans = [spans[w] for w in choose_windows(len(spans), turns, max_chunks)]
        for start, end in spans:
            chunk_text = text[offsets[start][0] : offsets[end - 1][1]]
            chunks.append(Chunk(index, chunk_text, end - start))
    if sampled:
        log.info(
            "long documents embedded from a chunk budget",
            extra={"documents": sampled, "maxChunks": max_chunks},
        )
    return ChunkPlan(chunks, sampled)


def pool(plan: ChunkPlan, vectors: np.ndarray, documents: int) -> np.ndarray:
    """One unit vector per document: the token-weighted mean of its chunks' vectors."""
    dimension = vectors.shape[1]
    pooled = np.zeros((documents, dimension), dtype=np.float32)
    weights = np.array([max(c.tokens, 1) for c in plan.chunks], dtype=np.float32)
    owners = np.array([c.document for c in plan.chunks], dtype=np.int64)
    np.add.at(pooled, owners, vectors * weights[:, None])
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return pooled / np.where(norms == 0, 1.0, norms)
