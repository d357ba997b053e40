"""How topics moved over time, from the items' timestamps.

The timed items, oldest first, are split into the recent third and the earlier two thirds
(by count, not by calendar, so a burst of activity or a long quiet year cannot leave one
side nearly empty). A topic is **emerging** when it holds a clearly larger share of the
recent items than of the earlier ones, **fading** when the reverse holds, and **dormant**
when none of the recent items belongs to it at all. Shares, not counts, are compared,
because the two sides differ in size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from graphnode.ai.llm.summary_brief import Trend
from graphnode.ai.pipeline.assemble import GraphParts

RECENT_FRACTION = 1 / 3
# Fewer timed items than this say nothing reliable about movement.
MIN_TIMED_ITEMS = 12
# A movement needs this many items on the side it grew on (or, for dormant, in all), ...
MIN_TREND_ITEMS = 3
# ... a share at least this many times the other side's, and this many points apart.
TREND_RATIO = 1.5
TREND_GAP = 0.05


@dataclass(frozen=True, slots=True)
class TopicMovement:
    """Per cluster index: its trend (if any), (recent share, earlier share), last time."""

    trends: dict[int, Trend]
    shares: dict[int, tuple[float, float]]
    last_seen: dict[int, float]
    recent_since: float


def _trend(recent: int, earlier: int, sizes: tuple[int, int]) -> Trend | None:
    recent_share, earlier_share = recent / sizes[0], earlier / sizes[1]
    if recent == 0 and earlier >= MIN_TREND_ITEMS:
        return "dormant"
    if (
        recent >= MIN_TREND_ITEMS
        and recent_share >= TREND_RATIO * earlier_share
        and recent_share - earlier_share >= TREND_GAP
    ):
        return "emerging"
    if (
        earlier >= MIN_TREND_ITEMS
        and earlier_share >= TREND_RATIO * recent_share
        and earlier_share - recent_share >= TREND_GAP
    ):
        return "fading"
    return None


def topic_movement(parts: GraphParts) -> TopicMovement | None:
    """None when too few items carry a timestamp to tell."""
    labels = parts.clustering.labels
    timed = sorted(
        (moment, int(labels[i]))
        for i, document in enumerate(parts.documents)
        if (moment := document.update_time or document.create_time) is not None
    )
    if len(timed) < MIN_TIMED_ITEMS:
        return None
    cut = len(timed) - math.ceil(len(timed) * RECENT_FRACTION)
    clusters = len(parts.labels)
    earlier = np.bincount([k for _, k in timed[:cut]], minlength=clusters)
    recent = np.bincount([k for _, k in timed[cut:]], minlength=clusters)
    sizes = (len(timed) - cut, cut)
    last_seen: dict[int, float] = {}
    for moment, k in timed:
        last_seen[k] = moment  # sorted oldest first: the last write is the latest
    trends: dict[int, Trend] = {}
    shares: dict[int, tuple[float, float]] = {}
    for k in range(clusters):
        shares[k] = (recent[k] / sizes[0], earlier[k] / sizes[1])
        trend = _trend(int(recent[k]), int(earlier[k]), sizes)
        if trend is not None:
            trends[k] = trend
    return TopicMovement(trends, shares, last_seen, timed[cut][0])
