"""Split a document into pieces the embedding model can read whole, and choose which to read.

all-MiniLM-L6-v2 reads at most 256 word pieces; anything longer would be cut off without a
word. Documents are split at token boundaries (using the model's own tokenizer offsets) into
windows that fit, and their embeddings pooled by tokens.

A conversation longer than one window also gets a *voice* chunk: the title and the user's own
turns, each cut to an equal share of one window, pooled with the weight of a full window. The
questions say what a person thinks about; the assistant's long answers mostly elaborate and,
pooled by tokens, would drown them. Measured on two labelled ShareGPT corpora of nine subjects
each (``bench/bench_clusters.py``): ARI 0.60 -> 0.63 and 0.45 -> 0.52 of the clusters against
the subjects, NMI 0.68 -> 0.72 and 0.58 -> 0.62, for fewer word pieces than the window of
answer text it replaces.

On a CPU the model is nearly the whole cost of a graph, so a document may be read from a
budget of ``max_chunks`` chunks chosen to cover it (0 reads every window): the first window
(the title and the first user turn say what a conversation is about), the voice chunk (or,
for plain text with no turns, nothing), then the rest spread evenly through what is left.
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


# With a budget of one chunk only the first window is read, so only a prefix of the text that
# holds it is tokenized: a conversation of 50,000 word pieces then costs no more than one of
# 300 (planning 1,000 ShareGPT conversations took 1.3 s instead of 5.4 s, the same plan).
# A prefix starts at this many characters per word piece of the window (English averages
# about four) and doubles until it holds more than a window or is the whole text.
PREFIX_CHARS_PER_TOKEN = 6


class Tokenizer(Protocol):
    def __call__(self, text: str, **kwargs: Any) -> Any: ...


def token_offsets(tokenizer: Tokenizer, text: str) -> list[tuple[int, int]]:
    """Each word piece's (start, end) in ``text``, without special tokens."""
    return tokenizer(text, add_special_tokens=False, return_offsets_mapping=True, verbose=False)[
        "offset_mapping"
    ]


def leading_offsets(tokenizer: Tokenizer, text: str, tokens: int) -> list[tuple[int, int]]:
    """The offsets of at least the first ``tokens + 1`` word pieces of ``text`` (all of them
    when it has fewer), exactly as tokenizing the whole text gives them, from a prefix.

    A prefix ends where whitespace begins, so that no word is cut: every tokenizer the
    model loads splits words at whitespace before it splits them into pieces (a word cut in
    two could come back as other pieces; BERT's turns a word past 100 characters into one
    [UNK], and a cut one into many). A prefix with no whitespace to end at grows instead,
    up to the whole text."""
    limit = (tokens + 1) * PREFIX_CHARS_PER_TOKEN
    while limit < len(text):
        cut = max(text.rfind(space, 0, limit) for space in " \n\t\r")
        if cut > 0:
            offsets = token_offsets(tokenizer, text[:cut])
            if len(offsets) > tokens:
                return offsets
        limit *= 2
    return token_offsets(tokenizer, text)


# A voice chunk gives each user turn at least this many word pieces; with more turns than
# fit, an even spread of them is kept.
MIN_TOKENS_PER_TURN = 16


@dataclass(frozen=True, slots=True)
class Chunk:
    document: int  # index of the document it came from
    text: str
    tokens: int
    # Pooling weight when it is not the token count (the voice chunk weighs a full window).
    weight: int = 0

    @property
    def pool_weight(self) -> int:
        return max(self.weight or self.tokens, 1)


@dataclass(frozen=True, slots=True)
class ChunkPlan:
    chunks: list[Chunk]
    sampled_documents: int  # documents longer than max_chunks, read from a chosen subset


@dataclass(frozen=True, slots=True)
class DocumentText:
    """A document's text and where in it each user turn starts and ends (characters)."""

    text: str
    user_turns: tuple[tuple[int, int], ...] = ()
    title: str = ""  # the start of ``text`` when it has one (the voice chunk repeats it)


def document_text(item: str | Document | DocumentText) -> DocumentText:
    """Plain text has no turns (only the first window and the even spread then apply)."""
    if isinstance(item, DocumentText):
        return item
    if isinstance(item, str):
        return DocumentText(item)
    return DocumentText(item.text, user_turn_spans(item), item.title)


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


def _token_ranges(
    turns: Sequence[tuple[int, int]], offsets: Sequence[tuple[int, int]]
) -> list[tuple[int, int, int, int]]:
    """Each character span as (first token, end token, start char, end char): the tokens
    that overlap it, empty spans dropped."""
    starts = [start for start, _ in offsets]
    ends = [end for _, end in offsets]
    ranges = []
    for start_char, end_char in turns:
        first, end = bisect.bisect_right(ends, start_char), bisect.bisect_left(starts, end_char)
        if end > first:
            ranges.append((first, end, start_char, end_char))
    return ranges


def voice_chunk(
    index: int,
    title: str,
    text: str,
    offsets: Sequence[tuple[int, int]],
    turns: Sequence[tuple[int, int]],
    window: int,
) -> Chunk | None:
    """The title and the user's turns, each cut to an equal share of one window (an even
    spread of the turns when even ``MIN_TOKENS_PER_TURN`` each would not fit); None without
    turns."""
    ranges = _token_ranges(turns, offsets)
    if not ranges:
        return None
    title_tokens = bisect.bisect_left([start for start, _ in offsets], len(title)) if title else 0
    title_tokens = min(title_tokens, window - MIN_TOKENS_PER_TURN)
    room = window - title_tokens
    ranges = _evenly(ranges, max(1, room // MIN_TOKENS_PER_TURN))
    share = max(MIN_TOKENS_PER_TURN, room // len(ranges))
    pieces = [title] if title else []
    tokens = title_tokens
    for first, end, start_char, end_char in ranges:
        last = min(end, first + share) - 1
        pieces.append(text[max(start_char, offsets[first][0]) : min(end_char, offsets[last][1])])
        tokens += last - first + 1
    return Chunk(index, SECTION_SEPARATOR.join(pieces), min(tokens, window), weight=window)


def choose_windows(count: int, budget: int) -> list[int]:
    """Indices of the windows to read, in document order: all when ``budget`` is 0 or
    enough; else the first and the rest of the budget spread evenly over the others."""
    if budget <= 0 or count <= budget:
        return list(range(count))
    return [0, *_evenly(list(range(1, count)), budget - 1)]


def plan_chunks(
    texts: Sequence[str | Document | DocumentText],
    tokenizer: Tokenizer,
    max_tokens: int,
    max_chunks: int,
) -> ChunkPlan:
    """Chunks of at most ``max_tokens`` word pieces; at most ``max_chunks`` per document
    (0: every window, and the voice chunk), chosen as the module doc says when there are
    more (counted and logged, never silent)."""
    window = max_tokens - SPECIAL_TOKENS - RETOKENIZE_MARGIN
    chunks: list[Chunk] = []
    sampled = 0
    for index, item in enumerate(texts):
        source = document_text(item)
        text = source.text
        if max_chunks == 1:
            # Enough to know the first window and whether there is more than one.
            offsets = leading_offsets(tokenizer, text, window)
        else:
            offsets = token_offsets(tokenizer, text)
        if not offsets:
            chunks.append(Chunk(index, text, 0))
            continue
        spans = _windows(len(offsets), window)
        voice = None
        if max_chunks != 1:
            voice = voice_chunk(index, source.title, text, offsets, source.user_turns, window)
        budget = max_chunks - 1 if voice is not None and max_chunks > 0 else max_chunks
        if 0 < budget < len(spans):
            sampled += 1
            spans = [spans[w] for w in choose_windows(len(spans), budget)]
        for start, end in spans:
            chunk_text = text[offsets[start][0] : offsets[end - 1][1]]
            chunks.append(Chunk(index, chunk_text, end - start))
        if voice is not None:
            chunks.append(voice)
    if sampled:
        log.info(
            "long documents embedded from a chunk budget",
            extra={"documents": sampled, "maxChunks": max_chunks},
        )
    return ChunkPlan(chunks, sampled)


def pool(plan: ChunkPlan, vectors: np.ndarray, documents: int) -> np.ndarray:
    """One unit vector per document: the mean of its chunks' vectors weighted by their tokens
    (a voice chunk by a full window's)."""
    dimension = vectors.shape[1]
    pooled = np.zeros((documents, dimension), dtype=np.float32)
    weights = np.array([c.pool_weight for c in plan.chunks], dtype=np.float32)
    owners = np.array([c.document for c in plan.chunks], dtype=np.int64)
    np.add.at(pooled, owners, vectors * weights[:, None])
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return pooled / np.where(norms == 0, 1.0, norms)
