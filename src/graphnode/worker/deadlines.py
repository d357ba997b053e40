"""The deadline sweeper: a task that has not ended by its ``deadline_ms`` is FAILED.

It catches what no message will ever report: an AI service that died mid-task and whose
request is not redelivered, an API that died between claiming the graph and dispatching.
Every worker runs one; ending a task is idempotent, so two sweepers finding the same task
record one failure and send one push.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

from graphnode.storage.task_store import TaskStore
from graphnode.worker.task_endings import TaskFailures

log = logging.getLogger("graphnode.worker.deadlines")

DEADLINE_EXCEEDED = "DEADLINE_EXCEEDED"


def _overdue_reason(task: dict) -> str:
    stage = task.get("stage")
    where = f" (last stage: {stage})" if stage else ""
    deadline = datetime.fromtimestamp(task["deadline_ms"] / 1000, UTC)
    return (
        f"the task did not finish by its deadline, {deadline:%Y-%m-%d %H:%M:%S} UTC{where}; "
        "start it again"
    )


class DeadlineSweeper:
    def __init__(self, tasks: TaskStore, failures: TaskFailures, interval_seconds: float) -> None:
        self._tasks, self._failures, self._interval = tasks, failures, interval_seconds

    async def sweep(self) -> int:
        """End every overdue task now; returns how many this call ended."""
        ended = 0
        for task in await self._tasks.overdue():
            if await self._failures.fail(
                task["_id"],
                task["user_id"],
                task.get("task_type", ""),
                _overdue_reason(task),
                DEADLINE_EXCEEDED,
                from_record=True,
            ):
                ended += 1
        return ended

    async def run(self, stop: asyncio.Event) -> None:
        """Sweep every interval until ``stop``; a failed sweep (MongoDB away) is retried."""
        while not stop.is_set():
            try:
                await self.sweep()
            except Exception:  # the store is unreachable: the next sweep tries again
                log.warning("deadline sweep failed", exc_info=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._interval)
