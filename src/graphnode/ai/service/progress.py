"""Progress messages for one task: at each stage change and, within a stage that reports how
far it is, at most one every few seconds, with an overall percent and an ETA, so clients see
movement without flooding the queue."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from graphnode.adapters.sqs import QueueClient
from graphnode.contracts import GraphGenerationProgress, Message

log = logging.getLogger("graphnode.ai.progress")

MIN_INTERVAL_SECONDS = 3.0
# Below this the elapsed time says too little about the rest (model loading, start-up).
ETA_FROM_PERCENT = 5.0

Clock = Callable[[], float]


class EtaClock:
    """Time left if the rest goes as fast as what is done so far (unknown below 5%)."""

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self._started = clock()

    def seconds_left(self, percent: float) -> float | None:
        if percent < ETA_FROM_PERCENT:
            return None
        elapsed = self._clock() - self._started
        return round(elapsed * (100 - percent) / percent, 1)


class Throttle:
    """Which reports go out: a stage change at once, unless the last message went out less
    than a third of the interval ago (stages that end within a second of each other: only
    the later one is seen); a stage's own progress at most once per interval."""

    def __init__(
        self, min_interval: float = MIN_INTERVAL_SECONDS, clock: Clock = time.monotonic
    ) -> None:
        self._min_interval, self._clock = min_interval, clock
        self._last_stage: str | None = None
        self._last_sent = float("-inf")

    def allows(self, stage: str) -> bool:
        since = self._clock() - self._last_sent
        if stage == self._last_stage:
            return since >= self._min_interval
        if since < self._min_interval / 3:
            self._last_stage = stage  # skipped; its later progress follows the interval
            return False
        return True

    def sent(self, stage: str) -> None:
        self._last_stage, self._last_sent = stage, self._clock()


class ProgressPublisher:
    def __init__(
        self,
        sqs: QueueClient,
        queue: str,
        task_id: str,
        user_id: str,
        *,
        min_interval: float = MIN_INTERVAL_SECONDS,
    ) -> None:
        self._sqs, self._queue = sqs, queue
        self._task_id, self._user_id = task_id, user_id
        self._eta = EtaClock()
        self._throttle = Throttle(min_interval)
        self.sent = 0

    def eta_seconds(self, percent: float) -> float | None:
        return self._eta.seconds_left(percent)

    async def __call__(self, stage: str, percent: float) -> None:
        if not self._throttle.allows(stage):
            return
        message = Message(
            task_id=self._task_id,
            payload=GraphGenerationProgress(
                user_id=self._user_id,
                current_stage=stage,
                progress_percent=min(100.0, max(0.0, percent)),
                eta_seconds=self.eta_seconds(percent),
            ),
        )
        try:
            await self._sqs.send(self._queue, message.to_json())
        except Exception:  # progress is informative: never fail the task for it
            log.warning("progress not published", exc_info=True)
            return
        self._throttle.sent(stage)
        self.sent += 1
