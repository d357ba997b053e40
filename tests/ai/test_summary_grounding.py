"""The summary says only what the graph says: facts first, checked prose, logged fallbacks.

The invented texts of issue 10 are kept here as fixtures, and each check must reject them.
The semantic checks use the real embedding model (its batcher, as the pipeline does) over
the sample export, whose six topics are known (``samples/chatgpt-export/topics.json``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from graphnode.ai.llm.base import GenerationRequest, ModelLifetime
from graphnode.ai.llm.fact_checks import (
    names_topic,
    naming_problem,
    numbers_in,
    off_topic_sentences,
    proper_nouns,
    sentences,
    unnamed_topics,
    unsupported_facts,
)
from graphnode.ai.llm.grounding import centroids_of, nearest_centroid
from graphnode.ai.llm.summary_brief import insight_facts, overview_facts
from graphnode.ai.llm.summary_prose import insight_prose, overview_prose, share_words
from graphnode.ai.llm.summary_text import SummaryWriter
from graphnode.ai.pipeline.assemble import GraphParts
from graphnode.ai.pipeline.clustering import Clustering
from graphnode.ai.pipeline.edges import Edge
from graphnode.ai.pipeline.from_graph import StoredLabel, parts_from_graph
from graphnode.ai.pipeline.keywords import Keywords
from graphnode.ai.pipeline.summary import build_summary
from graphnode.contracts import parse_graph
from graphnode.ingest.documents import Document
from graphnode.ingest.parse import parse_paths

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "chatgpt-export"

# What the local model wrote before the checks (issue 10), for a corpus of nine subjects
# and for the sample export; and an insight it wrote for the marketing topic.
INVENTED_OVERVIEW = (
    "This person is an expert in the field of science and technology with a passion for "
    "innovation. Their work reflects sustainable practices and innovative solutions."
)
INVENTED_SAMPLE_OVERVIEW = (
    "This person is exploring the intersection of technology and sustainability, with a "
    "focus on eco-friendly products."
)
INVENTED_INSIGHT = (
    "Jeff Walker is a highly sought-after marketer. He won a 2019 Best Person Award at the "
    "2020 Digital Marketing Awards."
)
# A word from each known topic that any fair name of it carries.
TOPIC_WORDS = {
    "japan-trip": ("kyoto", "japan", "hakone", "tokyo", "trip", "travel", "itinerary"),
    "rust-programming": ("rust", "borrow", "lifetime", "tokio", "struct", "cargo"),
    "houseplants": ("plant", "houseplant", "watering", "soil", "repotting"),
    "personal-finance": ("fund", "money", "finance", "budget", "roth", "ira", "savings"),
    "marathon-running": ("marathon", "run", "running", "pace"),
    "sourdough-baking": ("sourdough", "dough", "starter", "bread", "loaf", "flour"),
}


class ScriptedModel(ModelLifetime):
    """Answers each request with ``answer(request)``."""

    def __init__(self, answer: Callable[[GenerationRequest], str]) -> None:
        self._answer = answer

    async def generate(self, request: GenerationRequest) -> str:
        return self._answer(request)

    async def check_health(self) -> bool:
        return True

    async def close(self) -> None:
        pass


def _is_overview(request: GenerationRequest) -> bool:
    return "largest first" in request.messages[-1][1]


@pytest.fixture(scope="session")
def components(keyword_pipeline):
    return keyword_pipeline


@pytest.fixture(scope="session")
def sample(sample_graph):
    return sample_graph


@pytest.fixture(scope="module")
async def truth_centroids(components):
    """Centroids of the six known topics, from the real embedding model."""
    documents = parse_paths([SAMPLE / "conversations.json", SAMPLE / "notes.json"])
    topics = json.loads((SAMPLE / "topics.json").read_text())
    names = sorted(TOPIC_WORDS)
    labels = np.array([names.index(topics[d.orig_id]) for d in documents])
    vectors = await components.batcher.encode([d.text[:800] for d in documents])
    return names, centroids_of(vectors, labels, len(names))


# --- the fact checks, without a model ---------------------------------------------------


def test_invented_numbers_and_names_are_not_in_the_facts() -> None:
    facts = "Topic: Web Marketing (40 conversations, 11% of all).\nKeywords: marketing, seo."
    assert unsupported_facts(INVENTED_INSIGHT, facts) == "numbers not in the facts: 2019, 2020"
    no_years = "Jeff Walker is a highly sought-after marketer in Web Marketing."
    assert unsupported_facts(no_years, facts) == "names not in the facts: Jeff, Walker"
    assert unsupported_facts("Web Marketing covers SEO, 11% of the graph.", facts) is None
    invented_api = "It uses the `async_traits` method and tokio::spawn in Web Marketing."
    assert unsupported_facts(invented_api, facts) == (
        "names not in the facts: `async_traits`, tokio::spawn"
    )


def test_proper_nouns_are_names_not_sentence_openers() -> None:
    text = "This Rust topic runs on AWS. Their travel to Kyoto. I bake. Lately they use iPhone."
    assert proper_nouns(text) == ["Rust", "AWS", "Kyoto", "iPhone"]
    assert proper_nouns(INVENTED_INSIGHT) == [
        "Jeff", "Walker", "Best", "Person", "Award", "Digital", "Marketing", "Awards",
    ]  # fmt: skip


def test_a_korean_particle_written_onto_a_name_leaves_the_name() -> None:
    facts = "Topics: Emergency Fund, Python"
    assert unsupported_facts("그는 Emergency Fund에 관심이 많고 Python을 씁니다.", facts) is None
    problem = unsupported_facts("이 사람은 Jeff Walker에게 배웁니다.", facts) or ""
    assert "Jeff, Walker" in problem
    # Korean has no capitals: a capitalised word opening its sentence is a name there too.
    assert "Amycana" in (unsupported_facts("Amycana는 Python 라이브러리입니다.", facts) or "")


def test_a_month_the_facts_name_may_be_written_as_its_number() -> None:
    facts = "66 conversations from March 2024 to January 2025."
    assert unsupported_facts("2024년 3월부터 2025년 1월까지 대화가 66개입니다.", facts) is None
    assert unsupported_facts("2024年3月から2025年1月までの会話です。", facts) is None
    assert "5" in (unsupported_facts("2025년 5월에 시작했습니다.", facts) or "")


def test_numbers_compare_however_they_are_written() -> None:
    assert numbers_in("1,200 items, 18%, 3.50 and \uff15 in 2025.") == {
        "1200",
        "18",
        "3.5",
        "5",
        "2025",
    }
    assert sentences("Version 3.5 is out. Next! 日本へ行く。東京。") == [
        "Version 3.5 is out.", "Next!", "日本へ行く。", "東京。",
    ]  # fmt: skip


def test_the_invented_overviews_name_none_of_the_largest_topics() -> None:
    names = ["Kyoto Travel", "Rust Borrow Checker", "Emergency Fund", "Houseplant Care"]
    for text in (INVENTED_OVERVIEW, INVENTED_SAMPLE_OVERVIEW):
        assert unnamed_topics(text, names) == names
    assert names_topic("the borrow checker in Rust", "Rust Borrow Checker")
    assert not names_topic("some Rust code", "Rust Borrow Checker")


def test_an_insight_naming_another_topic_has_wandered_off() -> None:
    text = "This shows how someone with expertise in Marketing improves their resume."
    assert naming_problem(text, [], 0, ["Marketing", "Rust"]) == "names another topic: Marketing"
    assert naming_problem("They trust their resume.", [], 0, ["Rust"]) is None
    assert naming_problem(INVENTED_OVERVIEW, ["Kyoto Travel", "Rust"], 2) == (
        "names 0 of the 2 largest topics, needs 2"
    )


def test_shares_read_as_words() -> None:
    assert [share_words(s) for s in (0.2, 0.52, 0.36, 0.03, 0.95)] == [
        "a fifth", "about half", "about a third", "a small part", "nearly all",
    ]  # fmt: skip


def _timeline_parts() -> GraphParts:
    """Three topics over 30 days: baking throughout, Rust only early, Kyoto only late, and
    two edges joining baking to Kyoto through the word "kyoto"."""
    day = 86400.0
    plan = [(0, d) for d in range(30)] + [(1, d) for d in range(10)]
    plan += [(2, d) for d in range(15, 30)]
    documents = [
        Document(f"d{i}", f"{('Bread', 'Rust', 'Kyoto')[k]} question {i}", (), create_time=d * day)
        for i, (k, d) in enumerate(plan)
    ]
    labels = np.array([k for k, _ in plan])
    words = (["sourdough", "kyoto"], ["rust", "borrow"], ["kyoto", "temples"])
    per_item = [[(w, 1.0) for w in words[k]] for k in labels]
    bread, kyoto = int(np.flatnonzero(labels == 0)[0]), int(np.flatnonzero(labels == 2)[0])
    edges = [
        Edge(bread, kyoto, 0.6, False, "medium"),
        Edge(bread + 1, kyoto + 1, 0.5, False, "medium"),
    ]
    return GraphParts(
        documents=documents,
        vectors=np.zeros((len(plan), 0), np.float32),
        clustering=Clustering(labels, np.ones(len(plan), np.float32), 0),
        keywords=Keywords(per_item, [[(w, 1.0) for w in ws] for ws in words]),
        labels=[
            StoredLabel(name, "", ())
            for name in ("Sourdough Baking", "Rust Lifetimes", "Kyoto Temples")
        ],
        edges=edges,
        subclusters=[],
        positions=np.zeros((len(plan), 2), np.float32),
    )


async def test_facts_follow_the_graph_over_time_and_across_topics() -> None:
    summary = await build_summary(
        _timeline_parts(), SummaryWriter(None), language=None, generated_at="now"
    )
    trends = {c["name"]: c["trend"] for c in summary["clusters"]}
    assert trends == {
        "Sourdough Baking": None,
        "Rust Lifetimes": "dormant",
        "Kyoto Temples": "emerging",
    }
    assert summary["overview"]["emerging_interests"] == ["Kyoto Temples"]
    [link] = summary["connections"]
    assert (link["source_cluster"], link["target_cluster"], link["bridge_keywords"]) == (
        "cluster_0", "cluster_2", ["kyoto"],
    )  # fmt: skip
    assert [r["type"] for r in summary["recommendations"]] == [
        "bridge_topics", "follow_emerging", "revisit",
    ]  # fmt: skip
    assert [p["type"] for p in summary["patterns"]] == ["focus", "emerging", "dormant", "activity"]
    overview = summary["overview"]["summary_text"]
    assert (
        "Lately Kyoto Temples has taken up more of your time, while Rust Lifetimes came up less."
        in overview
    )
    assert "Sourdough Baking and Kyoto Temples" in overview
    rust = next(c for c in summary["clusters"] if c["name"] == "Rust Lifetimes")
    assert "You have not come back to it since January 1970." in rust["insight_text"]


# --- the semantic check, with the real embedding model ----------------------------------


async def test_invented_sentences_lie_near_no_topic(components, truth_centroids) -> None:
    names, centroids = truth_centroids
    every_topic = range(len(names))
    for text in (INVENTED_OVERVIEW, INVENTED_SAMPLE_OVERVIEW, INVENTED_INSIGHT):
        problem = await off_topic_sentences(text, components.batcher, centroids, every_topic)
        assert "sentence" in (problem or ""), text
    faithful = (
        "Most conversations plan a trip to Kyoto and Hakone. "
        "Others ask about the Rust borrow checker and lifetimes."
    )
    assert await off_topic_sentences(faithful, components.batcher, centroids, every_topic) is None
    rust = [names.index("rust-programming")]
    kyoto_only = "They plan a day trip from Kyoto by shinkansen."
    problem = await off_topic_sentences(kyoto_only, components.batcher, centroids, rust)
    assert "nearest another topic" in (problem or "")


# --- summaries of the sample export ------------------------------------------------------


def _topic_named(text: str, topic: str) -> bool:
    folded = text.casefold()
    return any(word in folded for word in TOPIC_WORDS[topic])


def test_the_deterministic_overview_names_every_known_topic(sample) -> None:
    overview = sample.summary["overview"]["summary_text"]
    clusters = sample.summary["clusters"]
    assert all(names_topic(overview, cluster["name"]) for cluster in clusters), overview
    assert all(_topic_named(overview, topic) for topic in TOPIC_WORDS), overview
    assert " of 66" not in overview  # no "N of M" filler
    assert "(11)" not in overview


async def test_deterministic_insights_lie_nearest_their_own_topic(sample, components) -> None:
    clusters = sample.summary["clusters"]
    graph = sample.graph
    ids = sorted(graph["metadata"]["clusters"], key=lambda c: int(c.split("_")[1]))
    labels = np.array([ids.index(n["cluster_id"]) for n in graph["nodes"]])
    vectors = np.asarray(sample.features["embeddings"], dtype=np.float32)
    centroids = centroids_of(vectors, labels, len(ids))
    texts = [cluster["insight_text"] for cluster in clusters]
    nearest = nearest_centroid(await components.batcher.encode(texts), centroids)
    assert [ids[int(k)] for k in nearest] == [c["cluster_id"] for c in clusters]
    # The sentences vary from topic to topic instead of repeating one template.
    shapes = {text.replace(c["name"], "X")[:14] for text, c in zip(texts, clusters, strict=True)}
    assert len(shapes) > 2, texts


async def test_invented_llm_prose_is_replaced_and_logged(
    sample, components, caplog: pytest.LogCaptureFixture
) -> None:
    def answer(request: GenerationRequest) -> str:
        if _is_overview(request):
            return INVENTED_SAMPLE_OVERVIEW
        # Naming its own topic gets it past the crude "names none of its words" check, as
        # the marketing insight did for the marketing topic.
        topic = request.messages[-1][1].split("Topic: ")[1].split(" (")[0]
        return f"{INVENTED_INSIGHT} It shows in {topic}."

    caplog.set_level(logging.INFO, logger="graphnode.ai.llm")
    writer = SummaryWriter(ScriptedModel(answer), encoder=components.batcher)
    parts = parts_from_graph(parse_graph(json.dumps(sample.graph)))
    summary = await build_summary(parts, writer, language=None, generated_at="now")
    assert summary["overview"]["summary_source"] == "keywords"
    assert {c["insight_source"] for c in summary["clusters"]} == {"keywords"}
    assert summary["overview"]["summary_text"] == sample.summary["overview"]["summary_text"]
    reasons = {r.part: r.reason for r in caplog.records if "not from the LLM" in r.getMessage()}
    assert set(reasons) == {"overview"} | {c["cluster_id"] for c in summary["clusters"]}
    assert reasons["overview"].startswith("off topic: 'This person is exploring")
    insight_reasons = [reason for part, reason in reasons.items() if part != "overview"]
    assert set(insight_reasons) == {"numbers not in the facts: 2019, 2020"}


async def test_each_check_names_its_reason(sample, components, caplog) -> None:
    """Past the format checks, an overview that names one topic fails on the largest topics,
    and sentences about something else fail the semantic check."""
    names = [c["name"] for c in sample.summary["clusters"]]
    answers = {
        "largest topics": f"This person is an expert in {names[0]}, with a passion for innovation.",
        "sentence": f"They explore {', '.join(names)}. They collect vintage motorcycles.",
    }
    parts = parts_from_graph(parse_graph(json.dumps(sample.graph)))
    caplog.set_level(logging.INFO, logger="graphnode.ai.llm")
    for expected, overview in answers.items():
        caplog.clear()
        writer = SummaryWriter(
            ScriptedModel(lambda _, text=overview: text), encoder=components.batcher
        )
        summary = await build_summary(parts, writer, language=None, generated_at="now")
        assert summary["overview"]["summary_source"] == "keywords"
        [reason] = [r.reason for r in caplog.records if getattr(r, "part", "") == "overview"]
        assert expected in reason, reason


async def test_faithful_llm_prose_is_kept(sample, components) -> None:
    parts = parts_from_graph(parse_graph(json.dumps(sample.graph)))
    names = [c["name"] for c in sample.summary["clusters"]]

    def answer(request: GenerationRequest) -> str:
        if _is_overview(request):
            return f"Your conversations are mostly about {', '.join(names[:5])}."
        return "You asked about " + request.messages[-1][1].split("Keywords: ")[1].split("\n")[0]

    writer = SummaryWriter(ScriptedModel(answer), encoder=components.batcher)
    summary = await build_summary(parts, writer, language=None, generated_at="now")
    assert summary["overview"]["summary_source"] == "llm"
    assert {c["insight_source"] for c in summary["clusters"]} == {"llm"}


async def test_a_stored_graph_keeps_its_cluster_ids_and_titles(sample, components) -> None:
    graph = parse_graph(json.dumps(sample.graph))
    summary = await build_summary(
        parts_from_graph(graph), SummaryWriter(None), language="ko", generated_at="now"
    )
    assert {c["cluster_id"] for c in summary["clusters"]} == set(graph.metadata.clusters)
    titles = {n.title: n.cluster_id for n in graph.nodes}
    for cluster in summary["clusters"]:
        assert all(titles[t] == cluster["cluster_id"] for t in cluster["representative_titles"])


def test_the_prompt_holds_every_fact_the_prose_uses(sample) -> None:
    """The deterministic prose passes the same fact checks as a model's answer."""
    from graphnode.ai.pipeline.summary import cluster_facts, connections, graph_brief
    from graphnode.ai.pipeline.summary_trends import topic_movement

    parts = parts_from_graph(parse_graph(json.dumps(sample.graph)))
    movement = topic_movement(parts)
    facts = cluster_facts(parts, movement)
    brief = graph_brief(parts, facts, connections(parts), movement)
    assert unsupported_facts(overview_prose(brief), "\n".join(overview_facts(brief))) is None
    for cluster in brief.clusters:
        text = insight_prose(brief, cluster)
        assert unsupported_facts(text, "\n".join(insight_facts(brief, cluster))) is None, text


async def test_korean_prose_is_held_to_the_facts_and_the_script(sample, components) -> None:
    """The English embedding model cannot read Korean, so only the fact and script checks
    apply; an invented year is still caught, and the fallback is the Korean phrasebook's."""
    parts = parts_from_graph(parse_graph(json.dumps(sample.graph)))
    answers = {
        "llm": "이 사람은 여행과 요리에 관심이 많습니다. 다양한 주제를 탐구합니다.",
        "keywords": "이 사람은 2019년부터 여행에 관심이 많습니다. 다양한 주제를 탐구합니다.",
    }
    for source, text in answers.items():
        writer = SummaryWriter(ScriptedModel(lambda _, text=text: text), encoder=components.batcher)
        summary = await build_summary(parts, writer, language="ko", generated_at="now")
        assert summary["overview"]["summary_source"] == source, text
    english = SummaryWriter(ScriptedModel(lambda _: "They like many topics a lot."))
    summary = await build_summary(parts, english, language="ko", generated_at="now")
    assert summary["overview"]["summary_source"] == "keywords"  # not in Korean
    assert "주제" in summary["overview"]["summary_text"]
