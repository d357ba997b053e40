"""The steps every AI service result takes, whatever it carries.

A result's files in S3 (``graph.json``, ``features.json``, ``summary.json``) are copies of the
user's data: once the worker has stored what they say, nothing reads them again, and a copy
left there would outlive an item the user later removes. So the worker deletes them once the
task has COMPLETED and its push has gone. A result for a task that has COMPLETED is never
applied again (``HandlerContext.is_late``): its files are deleted and the message is done.
A copy that was already past that check when the first one finished finds the files gone and
the task COMPLETED (``ResultFilesGone``): done too, not dead-lettered.
"""

from __future__ import annotations

import logging
from typing import Any

from graphnode.contracts import Message, ResultStatus
from graphnode.worker.handlers.context import HandlerContext, ResultFilesGone

log = logging.getLogger("graphnode.worker")


class ResultHandler:
    """Drop the task's inputs; discard a late result, record a failure, or apply a
    completed result (``apply``, one per task type); then drop the result's files."""

    def __init__(self, context: HandlerContext) -> None:
        self._ctx = context

    async def handle(self, message: Message[Any]) -> None:
        ctx = self._ctx
        task = await ctx.tasks.get(message.task_id, message.payload.user_id)
        await ctx.drop_inputs(message, task)
        if await ctx.is_late(message, task):
            pass  # its files go below, with nothing stored of them
        elif message.payload.status is ResultStatus.FAILED:
            await ctx.record_failure(message)
        else:
            try:
                await self.apply(message)
            except ResultFilesGone:
                log.info("redelivered result of a completed task: already applied")
        await ctx.drop_results(message)

    async def apply(self, message: Message[Any]) -> None:
        raise NotImplementedError
