"""The pipeline's stages, and the clock that turns their progress into overall percents.

Each stage is one enum member holding what a person reads ("Embedding") and its share of a
whole run, so progress and timings are keyed by the stage itself, never by a display string
that could drift from the weight table.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Any

ProgressCallback = Callable[[str, float], Awaitable[None]]


class Stage(Enum):
    CLEANING = ("Cleaning text", 4)
    EMBEDDING = ("Embedding", 50)
    CLUSTERING = ("Clustering", 10)
    KEYWORDS = ("Extracting keywords", 8)
    NAMING = ("Naming clusters", 12)
    EDGES = ("Connecting related items", 6)
    SUBCLUSTERS = ("Finding subtopics", 3)
    LAYOUT = ("Laying out the graph", 2)
    SUMMARY = ("Writing the summary", 5)

    def __init__(self, title: str, weight: float) -> None:
        self.title = title
        self.weight = weight


TOTAL_WEIGHT = sum(stage.weight for stage in Stage)


class StageClock:
    """Times each stage and reports the overall percent when a stage starts and, for a stage
    given a :meth:`within` callback, as it moves through its own work."""

    def __init__(self, progress: ProgressCallback) -> None:
        self._progress = progress
        self._done = 0.0
        # By title: features.json's timings are read by people and the benches.
        self.timings: dict[str, float] = {}

    def _percent(self, stage: Stage, fraction: float = 0.0) -> float:
        share = stage.weight * min(1.0, max(0.0, fraction))
        return round(100 * (self._done + share) / TOTAL_WEIGHT, 1)

    def within(self, stage: Stage) -> Callable[[float], Awaitable[None]]:
        """A callback for ``stage`` to report the fraction of it done (0 to 1)."""

        async def report(fraction: float) -> None:
            await self._progress(stage.title, self._percent(stage, fraction))

        return report

    async def run(self, stage: Stage, work: Awaitable[Any]) -> Any:
        await self._progress(stage.title, self._percent(stage))
        started = time.perf_counter()
        result = await work
        self.timings[stage.title] = round(time.perf_counter() - started, 4)
        self._done += stage.weight
        return result
