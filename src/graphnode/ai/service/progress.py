"""Progress messages for one task: at each stage change and at most one every few seconds,
with an overall percent and an ETA, so clients see movement without flooding the queue."""

from __future__ import annotations

import logging
import time

from graphnode.adapters.sqs import QueueClient
from graphnode.contracts import GraphGenerationProgress, Message

log = logging.getLogger("graphnode.ai.progress")

MIN_INTERVAL_SECONDS = 3.0


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
        self._min_interval = min_interval
        self._started = time.monotonic()
        self._last_stage: str | None = None
        self._last_sent = float("-inf")
        self.sent = 0

    def eta_seconds(self, percent: float) -> float | None:
        """Time left if the rest goes as fast as what is done (unknown before 5%)."""
        if percent < 5:
            return None
        elapsed = time.monotonic() - self._started
        return round(elapsed * (100 - percent) / percent, 1)

    async def __call__(self, stage: str, percent: float) -> None:
        now = time.monotonic()
        if stage == self._last_stage and now - self._last_sent < self._min_interval:
            return
        if stage != self._last_stage and now - self._last_sent < self._min_interval / 3:
            # Stages that end within a second of each other: report only the later one.
            self._last_stage = stage
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
        self._last_stage, self._last_sent = stage, now
        self.sent += 1
