"""A summary asked for in Korean, Japanese or Chinese (or read from the script of the user's
own turns) is in that language where no model wrote it too: the overview, each insight, the
patterns and the recommendations come from its phrasebook, over the same facts as the
English."""

from __future__ import annotations

import json
import re

import pytest

from graphnode.ai.llm.fact_checks import invented_names
from graphnode.ai.llm.phrasebooks import CHINESE, ENGLISH, JAPANESE, KOREAN, phrasebook_for
from graphnode.ai.llm.summary_brief import insight_facts, overview_facts
from graphnode.ai.llm.summary_text import SummaryWriter
from graphnode.ai.llm.text_checks import fits_language
from graphnode.ai.pipeline.from_graph import parts_from_graph
from graphnode.ai.pipeline.summary import build_summary, cluster_facts, connections, graph_brief
from graphnode.ai.pipeline.summary_trends import topic_movement
from graphnode.contracts import parse_graph

# Words of the English templates: none may be left in a Korean summary's own sentences
# (topic names and titles are the user's words, and stay as they are).
ENGLISH_TEMPLATE_WORDS = re.compile(r"\b(your|conversations?|topics?|since|lately)\b", re.I)


def _parts(sample):
    return parts_from_graph(parse_graph(json.dumps(sample.graph)))


def _own_words(text: str, names: list[str], titles: list[str]) -> str:
    for quoted in [*titles, *names]:
        text = text.replace(quoted, "")
    return text


BOOKS = {"ko": KOREAN, "ja": JAPANESE, "zh": CHINESE}
# What tells the three apart: Hangul, kana, and Han with neither.
HANGUL = re.compile(r"[\uac00-\ud7a3]")
KANA = re.compile(r"[\u3040-\u30ff]")
HAN = re.compile(r"[\u4e00-\u9fff]")


def _script_is(text: str, language: str) -> bool:
    if language == "ko":
        return bool(HANGUL.search(text))
    if language == "ja":
        return bool(KANA.search(text)) and not HANGUL.search(text)
    return bool(HAN.search(text)) and not KANA.search(text) and not HANGUL.search(text)


@pytest.fixture(scope="module", params=sorted(BOOKS))
async def written(request, sample_graph):
    summary = await build_summary(
        _parts(sample_graph), SummaryWriter(None), language=request.param, generated_at="now"
    )
    return request.param, summary


def test_every_sentence_of_it_is_in_its_language(written, sample_graph):
    language, summary = written
    names = [c["name"] for c in summary["clusters"]]
    titles = [node["title"] for node in sample_graph.graph["nodes"]]
    texts = [
        summary["overview"]["summary_text"],
        *(c["insight_text"] for c in summary["clusters"]),
        *(p["text"] for p in summary["patterns"]),
        *(r["text"] for r in summary["recommendations"]),
    ]
    assert len(texts) > 2 + len(names)
    for text in texts:
        own = _own_words(text, names, titles)
        assert fits_language(text, language), text
        assert _script_is(own, language), text
        assert not ENGLISH_TEMPLATE_WORDS.search(own), text
    assert {c["insight_source"] for c in summary["clusters"]} == {"keywords"}


@pytest.mark.parametrize("language", sorted(BOOKS))
def test_it_names_the_largest_topics_and_invents_no_name(language, sample_graph):
    parts = _parts(sample_graph)
    movement = topic_movement(parts)
    brief = graph_brief(parts, cluster_facts(parts, movement), connections(parts), movement)
    book = BOOKS[language]
    overview = book.overview(brief)
    assert all(c.name in overview for c in brief.largest()[:3])
    assert invented_names(overview, "\n".join(overview_facts(brief))) == []
    for cluster in brief.clusters:
        text = book.insight(brief, cluster)
        assert invented_names(text, "\n".join(insight_facts(brief, cluster))) == [], text


def test_the_same_graph_in_english_is_unchanged(sample_graph):
    """No language (or one without a phrasebook) keeps the English words."""
    assert phrasebook_for(None) is ENGLISH
    assert phrasebook_for("fr") is ENGLISH
    assert phrasebook_for("ko-KR") is phrasebook_for("ko_kr") is KOREAN
    assert phrasebook_for("zh-TW") is CHINESE
    assert "conversations" in sample_graph.summary["overview"]["summary_text"]
