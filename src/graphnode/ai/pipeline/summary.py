"""``summary.json``: what the person's graph says about their interests.

The figures (sizes, time span, connections, activity) are computed here from the graph;
only the prose (the overview and one insight per cluster) comes from the text writer, an
LLM or its keyword fallback, so a weak or absent model cannot make the numbers wrong.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import numpy as np

from graphnode.ai.llm.summary_text import ClusterDigest, GraphBrief, SummaryTexts
from graphnode.ai.pipeline.assemble import GraphParts

PRIMARY_INTERESTS = 5
CONNECTIONS = 10
RECOMMENDATIONS = 5


@dataclass(frozen=True, slots=True)
class ClusterFacts:
    cluster_id: str
    name: str
    size: int
    keywords: tuple[str, ...]
    titles: tuple[str, ...]


class SummaryTextWriter(Protocol):
    async def write(self, brief: GraphBrief, *, language: str | None = None) -> SummaryTexts: ...


def _month(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m")


def _times(parts: GraphParts) -> list[float]:
    return [t for d in parts.documents if (t := d.create_time or d.update_time) is not None]


def _time_span(parts: GraphParts) -> dict[str, Any] | None:
    times = _times(parts)
    if not times:
        return None
    first, last = min(times), max(times)
    return {"start": _month(first), "end": _month(last), "days": round((last - first) / 86400)}


def cluster_facts(parts: GraphParts) -> tuple[ClusterFacts, ...]:
    labels = parts.clustering.labels
    facts = []
    for k, label in enumerate(parts.labels):
        members = np.flatnonzero(labels == k)
        facts.append(
            ClusterFacts(
                cluster_id=f"cluster_{k}",
                name=label.name,
                size=len(members),
                keywords=tuple(t for t, _ in parts.keywords.per_cluster[k][:8]),
                titles=tuple(parts.documents[int(i)].title for i in members[:5]),
            )
        )
    return tuple(sorted(facts, key=lambda f: -f.size))


def connections(parts: GraphParts) -> list[dict[str, Any]]:
    """Cluster pairs joined by edges: strength = joining weight / sqrt(size_a x size_b)."""
    labels = parts.clustering.labels
    sizes = np.bincount(labels, minlength=len(parts.labels))
    weight: dict[tuple[int, int], float] = defaultdict(float)
    for edge in parts.edges:
        a, b = int(labels[edge.source]), int(labels[edge.target])
        if a != b:
            weight[(min(a, b), max(a, b))] += edge.weight
    found = []
    for (a, b), total in weight.items():
        shared = [
            t
            for t, _ in parts.keywords.per_cluster[a][:12]
            if t in {u for u, _ in parts.keywords.per_cluster[b][:12]}
        ]
        found.append(
            {
                "source_cluster": f"cluster_{a}",
                "target_cluster": f"cluster_{b}",
                "connection_strength": round(min(1.0, total / math.sqrt(sizes[a] * sizes[b])), 4),
                "bridge_keywords": shared[:5],
            }
        )
    return sorted(found, key=lambda c: -c["connection_strength"])[:CONNECTIONS]


def patterns(parts: GraphParts, facts: Sequence[ClusterFacts]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    total = max(1, len(parts.documents))
    top = facts[:3]
    if top:
        share = sum(f.size for f in top) / total
        found.append(
            {
                "type": "focus",
                "text": f"{share:.0%} of your conversations are about "
                + ", ".join(f.name for f in top),
                "value": round(share, 4),
            }
        )
    months = Counter(_month(t) for t in _times(parts))
    if months:
        month, count = months.most_common(1)[0]
        found.append(
            {
                "type": "activity",
                "text": f"Most active month: {month} ({count} items)",
                "month": month,
                "count": count,
            }
        )
    return found


def recommendations(links: Sequence[dict[str, Any]], names: Mapping[str, str]) -> list[dict]:
    advice = []
    for link in links[:RECOMMENDATIONS]:
        a, b = names[link["source_cluster"]], names[link["target_cluster"]]
        via = (
            f" through {', '.join(link['bridge_keywords'][:3])}" if link["bridge_keywords"] else ""
        )
        advice.append(
            {
                "type": "explore_connection",
                "clusters": [link["source_cluster"], link["target_cluster"]],
                "text": f"Explore how {a} relates to {b}{via}",
            }
        )
    return advice


async def build_summary(
    parts: GraphParts, writer: SummaryTextWriter, *, language: str | None, generated_at: str
) -> dict[str, Any]:
    facts = cluster_facts(parts)
    span = _time_span(parts)
    times = _times(parts)
    brief = GraphBrief(
        total_nodes=len(parts.documents),
        clusters=tuple(ClusterDigest(f.cluster_id, f.name, f.size, f.keywords) for f in facts),
        first_time=datetime.fromtimestamp(min(times), UTC) if times else None,
        last_time=datetime.fromtimestamp(max(times), UTC) if times else None,
    )
    texts = await writer.write(brief, language=language)
    links = connections(parts)
    names = {f.cluster_id: f.name for f in facts}
    return {
        "overview": {
            "total_source_nodes": len(parts.documents),
            "total_clusters": len(facts),
            "time_span": span,
            "primary_interests": [f.name for f in facts[:PRIMARY_INTERESTS]],
            "summary_text": texts.summary_text,
        },
        "clusters": [
            {
                "cluster_id": f.cluster_id,
                "name": f.name,
                "size": f.size,
                "share": round(f.size / max(1, len(parts.documents)), 4),
                "top_keywords": list(f.keywords),
                "representative_titles": list(f.titles[:3]),
                "insight_text": texts.insight_text(f.cluster_id),
            }
            for f in facts
        ],
        "patterns": patterns(parts, facts),
        "connections": links,
        "recommendations": recommendations(links, names),
        "generated_at": generated_at,
        "detail_level": "standard",
        "language": language,
    }
