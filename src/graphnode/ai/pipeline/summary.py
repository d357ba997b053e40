"""``summary.json``: what the person's graph says about their interests.

Every statement starts as a fact computed here from the graph: the largest topics and their
shares, how topics moved over time (``summary_trends``), the strongest links between topics
and their bridge keywords, and the recommendations that follow from that structure. Those
facts fill ``overview``, ``patterns``, ``connections`` and ``recommendations`` directly; the
prose writer (an LLM held to the facts, or deterministic prose) only words the overview and
each topic's insight, so a weak or absent model cannot make the summary say anything else.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import numpy as np

from graphnode.ai.llm.grounding import centroids_of
from graphnode.ai.llm.phrasebooks import ENGLISH, Phrasebook, phrasebook_for
from graphnode.ai.llm.summary_brief import ClusterDigest, GraphBrief, TopicLink, Trend
from graphnode.ai.llm.summary_text import SummaryTexts
from graphnode.ai.pipeline.assemble import GraphParts
from graphnode.ai.pipeline.edges import Edge
from graphnode.ai.pipeline.summary_trends import TopicMovement, topic_movement
from graphnode.contracts.results import SummaryFile
from graphnode.contracts.wire import file_json

PRIMARY_INTERESTS = 5
CONNECTIONS = 10
RECOMMENDATIONS = 5
REPRESENTATIVE_TITLES = 5
_BRIDGE_TERMS = 12  # keywords per item (and per cluster) a bridge word is looked for in
_BRIDGE_KEYWORDS = 5


@dataclass(frozen=True, slots=True)
class ClusterFacts:
    cluster_id: str
    index: int
    name: str
    size: int
    keywords: tuple[str, ...]
    titles: tuple[str, ...]
    trend: Trend | None = None
    last_time: float | None = None


class SummaryTextWriter(Protocol):
    async def write(self, brief: GraphBrief, *, language: str | None = None) -> SummaryTexts: ...


def _month(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m")


def _times(parts: GraphParts) -> list[float]:
    # An item's last activity, as graph.json's node timestamp says: a summary rebuilt from
    # the stored graph then sees the same timeline as the pipeline's own.
    return [t for d in parts.documents if (t := d.update_time or d.create_time) is not None]


def _time_span(parts: GraphParts) -> dict[str, Any] | None:
    times = _times(parts)
    if not times:
        return None
    first, last = min(times), max(times)
    return {"start": _month(first), "end": _month(last), "days": round((last - first) / 86400)}


def cluster_ids(parts: GraphParts) -> list[str]:
    """Each cluster's id: the one a stored graph gave it, else ``cluster_<k>``."""
    return [
        getattr(label, "cluster_id", None) or f"cluster_{k}" for k, label in enumerate(parts.labels)
    ]


def _titles(parts: GraphParts, k: int) -> tuple[str, ...]:
    """The cluster's most central titles (``GraphParts.representatives``), best first."""
    items = parts.representatives[k] if k < len(parts.representatives) else ()
    titles: dict[str, str] = {}
    for item in items:
        title = " ".join(parts.documents[int(item)].title.split())
        # The same question asked twice shows one example, not two.
        if title:
            titles.setdefault(title.casefold(), title)
    return tuple(titles.values())[:REPRESENTATIVE_TITLES]


def cluster_facts(
    parts: GraphParts, movement: TopicMovement | None = None
) -> tuple[ClusterFacts, ...]:
    """One entry per cluster, largest first."""
    sizes = np.bincount(parts.clustering.labels, minlength=len(parts.labels))
    ids = cluster_ids(parts)
    facts = [
        ClusterFacts(
            cluster_id=ids[k],
            index=k,
            name=label.name,
            size=int(sizes[k]),
            keywords=tuple(t for t, _ in parts.keywords.per_cluster[k][:8]),
            titles=_titles(parts, k),
            trend=movement.trends.get(k) if movement else None,
            last_time=movement.last_seen.get(k) if movement else None,
        )
        for k, label in enumerate(parts.labels)
    ]
    return tuple(sorted(facts, key=lambda f: (-f.size, f.index)))


def _bridge_keywords(parts: GraphParts, a: int, b: int, edges: Sequence[Edge]) -> list[str]:
    """Words both ends of the edges between clusters a and b carry, heaviest first; else
    the keywords the two clusters share."""
    weight: Counter[str] = Counter()
    for edge in edges:
        ends = [parts.keywords.per_item[i][:_BRIDGE_TERMS] for i in (edge.source, edge.target)]
        shared = {t for t, _ in ends[0]} & {t for t, _ in ends[1]}
        for term in shared:
            weight[term] += edge.weight
    # Ties by the word itself: set order changes with the process's hash seed.
    ranked = sorted(weight.items(), key=lambda pair: (-pair[1], pair[0]))
    found = [term for term, _ in ranked[:_BRIDGE_KEYWORDS]]
    if found:
        return found
    theirs = {t for t, _ in parts.keywords.per_cluster[b][:_BRIDGE_TERMS]}
    own = parts.keywords.per_cluster[a][:_BRIDGE_TERMS]
    return [t for t, _ in own if t in theirs][:_BRIDGE_KEYWORDS]


def connections(parts: GraphParts) -> list[dict[str, Any]]:
    """Cluster pairs joined by edges: strength = joining weight / sqrt(size_a x size_b)."""
    labels = parts.clustering.labels
    sizes = np.bincount(labels, minlength=len(parts.labels))
    ids = cluster_ids(parts)
    between: dict[tuple[int, int], list[Edge]] = defaultdict(list)
    for edge in parts.edges:
        a, b = int(labels[edge.source]), int(labels[edge.target])
        if a != b:
            between[(min(a, b), max(a, b))].append(edge)
    found = [
        {
            "source_cluster": ids[a],
            "target_cluster": ids[b],
            "connection_strength": round(
                min(1.0, sum(e.weight for e in edges) / math.sqrt(sizes[a] * sizes[b])), 4
            ),
            "edge_count": len(edges),
            "bridge_keywords": _bridge_keywords(parts, a, b, edges),
        }
        for (a, b), edges in between.items()
    ]
    return sorted(found, key=lambda c: (-c["connection_strength"], c["source_cluster"]))[
        :CONNECTIONS
    ]


def patterns(
    parts: GraphParts,
    facts: Sequence[ClusterFacts],
    movement: TopicMovement | None,
    book: Phrasebook = ENGLISH,
) -> list[dict[str, Any]]:
    """Focus (the largest topics' share), each topic's movement, the busiest month."""
    found: list[dict[str, Any]] = []
    total = max(1, len(parts.documents))
    top = facts[:3]
    if top:
        share = sum(f.size for f in top) / total
        found.append(
            {
                "type": "focus",
                "text": book.focus([f.name for f in top], share),
                "clusters": [f.cluster_id for f in top],
                "value": round(share, 4),
            }
        )
    if movement is not None:
        found += [_movement_pattern(f, movement, book) for f in facts if f.trend is not None]
    months = Counter(_month(t) for t in _times(parts))
    if months:
        month, count = months.most_common(1)[0]
        found.append(
            {
                "type": "activity",
                "text": book.activity(datetime.strptime(month, "%Y-%m"), count),
                "month": month,
                "count": count,
            }
        )
    return found


def _movement_pattern(
    fact: ClusterFacts, movement: TopicMovement, book: Phrasebook
) -> dict[str, Any]:
    recent, earlier = movement.shares[fact.index]
    return {
        "type": fact.trend,
        "cluster": fact.cluster_id,
        "text": book.movement(fact.name, fact.trend or "emerging", _time(fact.last_time)),
        "recent_share": round(recent, 4),
        "earlier_share": round(earlier, 4),
    }


def _bridge_advice(
    link: Mapping[str, Any], names: Mapping[str, str], book: Phrasebook
) -> dict[str, Any]:
    a, b = names[link["source_cluster"]], names[link["target_cluster"]]
    return {
        "type": "bridge_topics",
        "clusters": [link["source_cluster"], link["target_cluster"]],
        "text": book.bridge(a, b, link["bridge_keywords"][:2]),
    }


def _movement_advice(fact: ClusterFacts, book: Phrasebook) -> dict[str, Any] | None:
    if fact.trend == "emerging":
        kind, text = "follow_emerging", book.follow(fact.name)
    elif fact.trend in ("dormant", "fading"):
        since = _time(fact.last_time) if fact.trend == "dormant" else None
        kind, text = "revisit", book.revisit(fact.name, since)
    else:
        return None
    return {"type": kind, "clusters": [fact.cluster_id], "text": text}


def recommendations(
    links: Sequence[Mapping[str, Any]], facts: Sequence[ClusterFacts], book: Phrasebook = ENGLISH
) -> list[dict[str, Any]]:
    """What the structure suggests: bridge linked topics, follow the growing ones, revisit
    the ones left behind; at most ``RECOMMENDATIONS``, in that order."""
    names = {f.cluster_id: f.name for f in facts}
    advice = [_bridge_advice(link, names, book) for link in links[:2]]
    moved = [a for f in facts if (a := _movement_advice(f, book)) is not None]
    advice += sorted(moved, key=lambda a: a["type"] != "follow_emerging")
    return advice[:RECOMMENDATIONS]


def _centroids(parts: GraphParts, facts: Sequence[ClusterFacts]) -> np.ndarray | None:
    vectors = parts.vectors
    if vectors.ndim != 2 or vectors.shape[1] == 0 or len(vectors) != len(parts.documents):
        return None  # a graph from storage: the writer places topics by their words instead
    centroids = centroids_of(vectors, parts.clustering.labels, len(parts.labels))
    return centroids[[f.index for f in facts]]


def _time(moment: float | None) -> datetime | None:
    return datetime.fromtimestamp(moment, UTC) if moment is not None else None


def graph_brief(
    parts: GraphParts,
    facts: Sequence[ClusterFacts],
    links: Sequence[dict[str, Any]],
    movement: TopicMovement | None,
) -> GraphBrief:
    """The facts as the prose writer sees them (names instead of cluster ids)."""
    times = _times(parts)
    names = {f.cluster_id: f.name for f in facts}
    return GraphBrief(
        total_nodes=len(parts.documents),
        clusters=tuple(
            ClusterDigest(
                f.cluster_id, f.name, f.size, f.keywords, f.titles, f.trend, _time(f.last_time)
            )
            for f in facts
        ),
        first_time=_time(min(times)) if times else None,
        last_time=_time(max(times)) if times else None,
        links=tuple(
            TopicLink(
                names[link["source_cluster"]],
                names[link["target_cluster"]],
                link["connection_strength"],
                tuple(link["bridge_keywords"]),
            )
            for link in links
        ),
        has_trends=movement is not None,
        has_links=True,
        centroids=_centroids(parts, facts),
    )


def _cluster_entry(fact: ClusterFacts, total: int, texts: SummaryTexts) -> dict[str, Any]:
    return {
        "cluster_id": fact.cluster_id,
        "name": fact.name,
        "size": fact.size,
        "share": round(fact.size / max(1, total), 4),
        "top_keywords": list(fact.keywords),
        "representative_titles": list(fact.titles[:3]),
        "trend": fact.trend,
        "insight_text": texts.insight_text(fact.cluster_id),
        "insight_source": next(i.source for i in texts.insights if i.cluster_id == fact.cluster_id),
    }


async def build_summary(
    parts: GraphParts, writer: SummaryTextWriter, *, language: str | None, generated_at: str
) -> dict[str, Any]:
    movement = topic_movement(parts)
    facts = cluster_facts(parts, movement)
    links = connections(parts)
    book = phrasebook_for(language)
    texts = await writer.write(graph_brief(parts, facts, links, movement), language=language)
    total = len(parts.documents)
    built = {
        "overview": {
            "total_source_nodes": total,
            "total_clusters": len(facts),
            "time_span": _time_span(parts),
            "primary_interests": [f.name for f in facts[:PRIMARY_INTERESTS]],
            "emerging_interests": [f.name for f in facts if f.trend == "emerging"],
            "summary_text": texts.summary_text,
            "summary_source": texts.summary_source,
        },
        "clusters": [_cluster_entry(f, total, texts) for f in facts],
        "patterns": patterns(parts, facts, movement, book),
        "connections": links,
        "recommendations": recommendations(links, facts, book),
        "generated_at": generated_at,
        "detail_level": "standard",
        "language": language,
    }
    # Built as the contract's model, so a field the worker would refuse fails here, in the
    # AI service, and not as a dead letter later.
    return file_json(SummaryFile(**built))
