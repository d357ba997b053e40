"""The facts a summary is written from, as the prose writer sees them.

The pipeline computes these from the graph (``graphnode.ai.pipeline.summary``); the model's
prompt lists them (``overview_facts``, ``insight_facts``) and its answer is checked against
exactly those lines, so a number or a name the prompt did not hold is an invention. The
deterministic prose (``summary_prose``) is built from the same values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import numpy as np

from graphnode.ai.llm.keyword_text import distinct_keywords, join_words

# "emerging": a larger share of the recent conversations than of the earlier ones;
# "fading": the reverse; "dormant": none at all among the recent ones.
Trend = Literal["emerging", "fading", "dormant"]

PROMPT_TOPICS = 8
PROMPT_KEYWORDS = 5
PROMPT_TITLES = 3


@dataclass(frozen=True, slots=True)
class TopicLink:
    """Two topics joined by edges between their conversations (names, not ids)."""

    source: str
    target: str
    strength: float
    bridge_keywords: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ClusterDigest:
    """One named cluster as the writer sees it; ``titles`` are its most central ones."""

    cluster_id: str
    name: str
    size: int
    keywords: tuple[str, ...]
    titles: tuple[str, ...] = ()
    trend: Trend | None = None
    last_time: datetime | None = None


@dataclass(frozen=True, slots=True)
class GraphBrief:
    """The facts the summary is written from; ``clusters`` in any order.

    ``centroids`` (row i belongs to ``clusters[i]``) place each topic in the embedding
    space for the semantic check; None when the graph has no vectors (the writer then
    embeds each topic's name, keywords and titles instead). ``has_trends`` says whether
    the items had enough timestamps to tell a topic's movement at all, ``has_links``
    whether ``links`` was computed from the graph's edges (so that none means the topics
    stand apart).
    """

    total_nodes: int
    clusters: tuple[ClusterDigest, ...]
    first_time: datetime | None = None
    last_time: datetime | None = None
    links: tuple[TopicLink, ...] = ()
    has_trends: bool = False
    has_links: bool = False
    centroids: np.ndarray | None = field(default=None, compare=False, repr=False)

    def span_text(self) -> str | None:
        """ "from March 2023 to May 2024", or None when the dates are unknown."""
        if self.first_time is None or self.last_time is None:
            return None
        start, end = (moment.strftime("%B %Y") for moment in (self.first_time, self.last_time))
        return f"in {start}" if start == end else f"from {start} to {end}"

    def largest(self) -> list[ClusterDigest]:
        """Clusters largest first (ties by id, so the order is stable)."""
        return sorted(self.clusters, key=lambda cluster: (-cluster.size, cluster.cluster_id))

    def share(self, cluster: ClusterDigest) -> float:
        return cluster.size / self.total_nodes if self.total_nodes else 0.0

    def with_trend(self, trend: Trend) -> list[ClusterDigest]:
        return [cluster for cluster in self.largest() if cluster.trend == trend]

    def links_of(self, name: str) -> list[tuple[str, TopicLink]]:
        """(the other topic's name, the link) for each link of topic ``name``, strongest first."""
        found = [(link.target, link) for link in self.links if link.source == name]
        found += [(link.source, link) for link in self.links if link.target == name]
        return sorted(found, key=lambda pair: -pair[1].strength)


def percent(share: float) -> str:
    return f"{round(100 * share)}%"


def _trend_words(trend: Trend | None, last: datetime | None) -> str | None:
    if trend == "emerging":
        return "more frequent in the recent conversations than earlier"
    if trend == "fading":
        return "less frequent in the recent conversations than earlier"
    if trend == "dormant":
        since = f" since {last.strftime('%B %Y')}" if last else ""
        return f"not discussed recently{since}"
    return None


def overview_facts(brief: GraphBrief) -> list[str]:
    """The prompt's fact lines for the overview, and what its answer is checked against."""
    span = brief.span_text()
    lines = [f"{brief.total_nodes} conversations" + (f" {span}" if span else "") + "."]
    lines.append("Topics, largest first (share of conversations; keywords):")
    for cluster in brief.largest()[:PROMPT_TOPICS]:
        words = ", ".join(distinct_keywords(cluster.keywords, PROMPT_KEYWORDS))
        lines.append(f"- {cluster.name} ({percent(brief.share(cluster))}; {words})")
    for trend, label in (("emerging", "Growing lately"), ("fading", "Fading lately")):
        names = [cluster.name for cluster in brief.with_trend(trend)]
        if names:
            lines.append(f"{label}: {join_words(names, 'and')}.")
    if brief.links:
        link = brief.links[0]
        via = (
            f" (shared words: {', '.join(link.bridge_keywords[:3])})"
            if link.bridge_keywords
            else ""
        )
        lines.append(f"Most closely linked: {link.source} and {link.target}{via}.")
    return lines


def insight_facts(brief: GraphBrief, cluster: ClusterDigest) -> list[str]:
    """The prompt's fact lines for one topic's insight."""
    noun = "conversation" if cluster.size == 1 else "conversations"
    lines = [
        f"Topic: {cluster.name} ({cluster.size} {noun}, {percent(brief.share(cluster))} of all).",
        f"Keywords: {', '.join(distinct_keywords(cluster.keywords, PROMPT_KEYWORDS))}.",
    ]
    titles = [f'"{title}"' for title in cluster.titles[:PROMPT_TITLES] if title.strip()]
    if titles:
        lines.append(f"Example titles: {', '.join(titles)}.")
    trend = _trend_words(cluster.trend, cluster.last_time)
    if trend:
        lines.append(f"Over time: {trend}.")
    links = brief.links_of(cluster.name)
    if links:
        other, link = links[0]
        via = (
            f" (shared words: {', '.join(link.bridge_keywords[:3])})"
            if link.bridge_keywords
            else ""
        )
        lines.append(f"Most closely linked topic: {other}{via}.")
    return lines
