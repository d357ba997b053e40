"""A summary asked for in Korean (or read from the user's own Korean turns) is Korean where
no model wrote it too: the overview, each insight, the patterns and the recommendations come
from the Korean phrasebook, over the same facts as the English."""

from __future__ import annotations

import json
import re

import pytest

from graphnode.ai.llm.fact_checks import invented_names
from graphnode.ai.llm.phrasebooks import ENGLISH, KOREAN, phrasebook_for
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


@pytest.fixture(scope="module")
async def korean(sample_graph):
    return await build_summary(
        _parts(sample_graph), SummaryWriter(None), language="ko", generated_at="now"
    )


def test_every_sentence_of_it_is_korean(korean, sample_graph):
    names = [c["name"] for c in korean["clusters"]]
    titles = [node["title"] for node in sample_graph.graph["nodes"]]
    texts = [
        korean["overview"]["summary_text"],
        *(c["insight_text"] for c in korean["clusters"]),
        *(p["text"] for p in korean["patterns"]),
        *(r["text"] for r in korean["recommendations"]),
    ]
    assert len(texts) > 2 + len(names)
    for text in texts:
        assert fits_language(text, "ko"), text
        assert not ENGLISH_TEMPLATE_WORDS.search(_own_words(text, names, titles)), text
    assert {c["insight_source"] for c in korean["clusters"]} == {"keywords"}


def test_it_names_the_largest_topics_and_invents_no_name(korean, sample_graph):
    parts = _parts(sample_graph)
    movement = topic_movement(parts)
    brief = graph_brief(parts, cluster_facts(parts, movement), connections(parts), movement)
    overview = korean["overview"]["summary_text"]
    assert all(f"\u2018{c.name}\u2019" in overview for c in brief.largest()[:3])
    assert invented_names(overview, "\n".join(overview_facts(brief))) == []
    for cluster in brief.clusters:
        text = KOREAN.insight(brief, cluster)
        assert invented_names(text, "\n".join(insight_facts(brief, cluster))) == [], text


def test_the_same_graph_in_english_is_unchanged(sample_graph):
    """No language (or one without a phrasebook) keeps the English words."""
    assert phrasebook_for(None) is ENGLISH
    assert phrasebook_for("fr") is ENGLISH
    assert phrasebook_for("ko-KR") is phrasebook_for("ko_kr") is KOREAN
    assert "conversations" in sample_graph.summary["overview"]["summary_text"]
