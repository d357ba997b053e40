"""Names must be about their own topic: the invented names seen on real exports (issue 10)
are rejected, with a log line saying why, and good names are kept.

The corpus is nine small invented topics; centroids and names are embedded with the real
embedding model (the semantic check means nothing with a fake one). The LLM is scripted:
what is tested is what the namer does with a given answer, for any backend.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence

import numpy as np
import pytest

from graphnode.ai.llm import ClusterBrief, ClusterNamer, GenerationRequest
from graphnode.ai.llm.base import ModelLifetime
from graphnode.ai.llm.grounding import centroids_of
from graphnode.ai.llm.text_checks import (
    is_vague_name,
    rarely_carried_proper_name,
    reads_as_sentence,
)
from graphnode.ai.pipeline.embedder import SentenceTransformerModel

# Six conversations per topic (title, then text), like a user's export in miniature.
TOPICS: dict[str, list[str]] = {
    "recipes": [
        "Quick chicken curry for a weeknight dinner with rice and spinach",
        "How long to roast vegetables in the oven for a family dinner",
        "Vegetarian lasagna recipe with ricotta and tomato sauce",
        "Meal prep ideas: soups, stews and casseroles for the week",
        "Substitute for buttermilk in pancake batter",
        "Best way to cook salmon fillets in a pan with garlic butter",
    ],
    "sql": [
        "SQL query to join orders and customers and count orders per customer",
        "Why is my PostgreSQL query slow? Adding an index on the foreign key column",
        "Window functions in SQL: running totals with SUM OVER PARTITION BY",
        "SQL for a web marketing dashboard: clicks per campaign per day",
        "Group by month and filter with HAVING in MySQL",
        "Normalising database tables and primary keys for an orders schema",
    ],
    "poetry": [
        "Write a poem about autumn leaves and the passing of time",
        "A sonnet about the sea at night, with rhyme and iambic meter",
        "A short poem for my dog Jaco who loves the beach",
        "Haiku about winter snow and silence",
        "Free verse poem about a city waking up at dawn",
        "Help me find a rhyme for the last stanza of my love poem",
    ],
    "resumes": [
        "Rewrite my resume summary for a software engineering job application",
        "How to list freelance work experience on a CV",
        "Cover letter for a marketing coordinator position at a startup",
        "Resume bullet points that show impact with numbers",
        "Should my resume be one page for a job with five years of experience",
        "Tailoring a CV to a job description and its keywords",
    ],
    "travel": [
        "Ten day itinerary for Portugal: Lisbon, Porto and the Algarve",
        "What to pack for a two week trip to Iceland in winter",
        "Cheap flights and hostels for backpacking in Peru",
        "One day in Kyoto: temples, gardens and where to eat",
        "Road trip route along the coast of California with hotel stops",
        "Travel insurance and visas for a holiday in Vietnam",
    ],
    "react": [
        "React useEffect runs twice in development, how to fetch data once",
        "Managing form state in a React component with useState",
        "Why does my React component re-render on every keystroke",
        "Passing props down versus React context for a theme",
        "Building a todo list app in React with hooks",
        "React router: protected routes and redirects after login",
    ],
    "physics": [
        "Projectile motion: how far does a ball go when thrown at 45 degrees",
        "Explain Newton's second law with a block on an inclined plane",
        "Conservation of momentum in an elastic collision between two carts",
        "What is the difference between speed, velocity and acceleration",
        "Energy of a pendulum at the top and bottom of its swing",
        "Friction force on a box pushed across the floor",
    ],
    "marketing": [
        "Email marketing funnel for launching an online course",
        "Jeff Walker's product launch formula: does it still work",
        "Writing a landing page headline that converts visitors",
        "Social media content calendar for a small bakery brand",
        "How to grow an audience with a newsletter and lead magnets",
        "Facebook ads targeting and budget for a product launch",
    ],
    "finance": [
        "How much should I keep in an emergency fund",
        "Paying off credit card debt versus investing in index funds",
        "Roth IRA or traditional IRA for retirement savings",
        "Monthly budget with the fifty thirty twenty rule",
        "Is a high yield savings account worth it for my cash",
        "Rebalancing my portfolio between stocks and bonds",
    ],
}
NAMES = list(TOPICS)
# The invented names seen on real exports, each with the check that must catch it.
INVENTED = {
    "marketing": ("Jeff Walker", "takes 'Walker'"),  # one conversation's proper name
    "poetry": ("Jaco", "takes 'Jaco'"),  # a dog in one poem
    "react": ("I am a physics based character", "is not a topic"),  # a sentence
    "sql": ("Web Marketing", "lies nearer marketing"),  # another topic's name
    "finance": ("The Third Step", "is not a topic"),  # says nothing about finance
    "travel": ("Kyoto", "takes 'Kyoto'"),  # one title of six mentions Kyoto
}
GOOD = {
    "recipes": "Weeknight Dinner Recipes",
    "resumes": "Resume and Cover Letter Writing",
    "physics": "Newtonian Motion and Forces",
}


class _ModelEncoder:
    """The real model behind the pipeline's ``TextEncoder`` protocol (off the event loop)."""

    def __init__(self, model: SentenceTransformerModel) -> None:
        self._model = model

    async def encode(self, texts: Sequence[str]) -> np.ndarray:
        return await asyncio.to_thread(self._model.encode, list(texts))


class _AnswerByTopic(ModelLifetime):
    """Answers each cluster's request with the name scripted for the topic it shows."""

    def __init__(self, names: dict[str, str]) -> None:
        self._names = names

    async def generate(self, request: GenerationRequest) -> str:
        prompt = request.messages[-1][1]
        topic = next(t for t in NAMES if TOPICS[t][0][:40] in prompt)
        description = f"Conversations about {topic} and related questions."
        return json.dumps({"name": self._names[topic], "description": description, "themes": []})

    async def check_health(self) -> bool:
        return True

    async def close(self) -> None:
        pass


@pytest.fixture(scope="module")
def encoder() -> _ModelEncoder:
    return _ModelEncoder(SentenceTransformerModel())


@pytest.fixture(scope="module")
def corpus(encoder: _ModelEncoder) -> tuple[list[ClusterBrief], np.ndarray]:
    texts = [text for topic in NAMES for text in TOPICS[topic]]
    labels = np.repeat(np.arange(len(NAMES)), [len(TOPICS[t]) for t in NAMES])
    centroids = centroids_of(encoder._model.encode(texts), labels, len(NAMES))
    briefs = [
        ClusterBrief(
            topic,
            len(TOPICS[topic]),
            tuple(topic.split()),
            tuple(TOPICS[topic][:4]),
            tuple(TOPICS[topic]),
        )
        for topic in NAMES
    ]
    return briefs, centroids


async def test_invented_names_fall_back_with_their_reason_and_good_names_stay(
    encoder: _ModelEncoder,
    corpus: tuple[list[ClusterBrief], np.ndarray],
    caplog: pytest.LogCaptureFixture,
) -> None:
    briefs, centroids = corpus
    answers = {**{t: name for t, (name, _) in INVENTED.items()}, **GOOD}
    namer = ClusterNamer(_AnswerByTopic(answers), encoder=encoder)
    with caplog.at_level(logging.INFO, logger="graphnode.ai.llm"):
        labels = await namer.name(briefs, centroids=centroids)
    by_topic = dict(zip(NAMES, labels, strict=True))
    for topic, name in GOOD.items():
        assert (by_topic[topic].name, by_topic[topic].source) == (name, "llm")
    reasons = {r.cluster_id: r.reason for r in caplog.records if hasattr(r, "reason")}
    for topic, (name, why) in INVENTED.items():
        assert by_topic[topic].source == "keywords", name
        assert by_topic[topic].name != name
        assert why in reasons[topic], (name, reasons[topic])


async def test_every_good_name_lies_nearest_its_own_topic(
    encoder: _ModelEncoder, corpus: tuple[list[ClusterBrief], np.ndarray]
) -> None:
    briefs, centroids = corpus
    honest = {
        "recipes": "Cooking Recipes",
        "sql": "SQL Queries",
        "poetry": "Writing Poems",
        "resumes": "Resume Writing",
        "travel": "Travel Planning",
        "react": "React Components",
        "physics": "Motion and Forces",
        "marketing": "Online Marketing",
        "finance": "Personal Finance",
    }
    labels = await ClusterNamer(_AnswerByTopic(honest), encoder=encoder).name(
        briefs, centroids=centroids
    )
    assert [label.name for label in labels] == [honest[t] for t in NAMES]
    assert all(label.source == "llm" for label in labels)


async def test_a_name_of_another_topic_is_caught_only_by_the_semantic_check(
    encoder: _ModelEncoder, corpus: tuple[list[ClusterBrief], np.ndarray]
) -> None:
    briefs, centroids = corpus
    swapped = {t: "Web Marketing" if t == "sql" else t.title() for t in NAMES}
    without = await ClusterNamer(_AnswerByTopic(swapped)).name(briefs, centroids=centroids)
    assert without[NAMES.index("sql")].name == "Web Marketing"  # no encoder: no such check
    checked = await ClusterNamer(_AnswerByTopic(swapped), encoder=encoder).name(
        briefs, centroids=centroids
    )
    assert checked[NAMES.index("sql")].source == "keywords"


async def test_a_new_cluster_is_checked_against_the_stored_ones(
    encoder: _ModelEncoder, corpus: tuple[list[ClusterBrief], np.ndarray]
) -> None:
    # Adding nodes names one cluster; the graph's other centroids follow its own.
    briefs, centroids = corpus
    sql = NAMES.index("sql")
    others = np.delete(centroids, sql, axis=0)
    for name, source in (("Web Marketing", "keywords"), ("SQL Joins and Indexes", "llm")):
        namer = ClusterNamer(_AnswerByTopic({"sql": name}), encoder=encoder)
        [label] = await namer.name([briefs[sql]], centroids=np.vstack([centroids[sql], others]))
        assert label.source == source, name


@pytest.mark.parametrize(
    ("name", "sentence"),
    [
        ("I am a physics based character", True),
        ("This is about budgets", True),
        ("Why is my build slow?", True),
        ("Rust Borrow Checker", False),
        ("Sourdough Starter", False),
    ],
)
def test_sentences_are_not_names(name: str, sentence: bool) -> None:
    assert reads_as_sentence(name) is sentence


@pytest.mark.parametrize(
    ("name", "vague"),
    [("The Third Step", True), ("Tips and Ideas", True), ("Marathon Tips", False)],
)
def test_vague_names(name: str, vague: bool) -> None:
    assert is_vague_name(name) is vague


def test_a_proper_name_must_be_carried_by_a_share_of_the_cluster() -> None:
    texts = ["Temples in Kyoto", "Kyoto or Osaka for food?", "Trams in Lisbon", "Peru hikes"]
    assert rarely_carried_proper_name("Kyoto Travel", texts, 0.2) is None  # half carry it
    assert rarely_carried_proper_name("Lisbon Trip", texts, 0.3) == "Lisbon"
    # A capital that opens a sentence says nothing: "Peru" here is not known to be a name.
    assert rarely_carried_proper_name("Peru Hikes", texts, 0.3) is None
    # A common word is no proper name, however rare; an unmentioned word is left alone.
    assert rarely_carried_proper_name("Food Temples", texts, 0.3) is None
    assert rarely_carried_proper_name("Asian Cities", texts, 0.3) is None
    assert rarely_carried_proper_name("京都旅行", texts, 0.3) is None  # no case to tell by
