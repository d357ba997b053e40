"""LLM time on a CPU: the summary asks the model only for the prose of the largest topics,
with token caps that leave room for the sentences asked for."""

from __future__ import annotations

from datetime import datetime

from graphnode.ai.llm.summary_brief import ClusterDigest, GraphBrief
from graphnode.ai.llm.summary_text import DEFAULT_MAX_LLM_INSIGHTS, SummaryWriter
from tests.ai.test_llm_naming import ScriptedModel

TOPICS = [f"Topic{chr(65 + i)} Studies" for i in range(12)]
MANY = GraphBrief(
    total_nodes=sum(range(20, 32)),
    clusters=tuple(
        ClusterDigest(f"cluster_{i}", TOPICS[i], 20 + i, (TOPICS[i].split()[0].lower(),))
        for i in range(12)
    ),
    first_time=datetime(2023, 3, 1),
    last_time=datetime(2024, 5, 2),
)


async def test_only_the_largest_topics_insights_are_asked_of_the_model() -> None:
    model = ScriptedModel(lambda _: "They keep coming back to this topic.")
    texts = await SummaryWriter(model).write(MANY)
    assert len(model.requests) == 1 + DEFAULT_MAX_LLM_INSIGHTS  # the overview and the largest
    assert len(texts.insights) == 12  # every topic still has its insight
    asked = {insight.cluster_id for insight in texts.insights[:DEFAULT_MAX_LLM_INSIGHTS]}
    largest = {cluster.cluster_id for cluster in MANY.largest()[:DEFAULT_MAX_LLM_INSIGHTS]}
    assert asked == largest
    assert all(
        insight.source == "keywords" for insight in texts.insights[DEFAULT_MAX_LLM_INSIGHTS:]
    )
    assert max(request.max_tokens for request in model.requests) <= 96


async def test_the_cap_can_be_raised_to_every_topic() -> None:
    model = ScriptedModel(lambda _: "They keep coming back to this topic.")
    await SummaryWriter(model, max_llm_insights=12).write(MANY)
    assert len(model.requests) == 13
