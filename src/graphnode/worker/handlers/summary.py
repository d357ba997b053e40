"""``GRAPH_SUMMARY_RESULT``: a new summary of the user's graph."""

from __future__ import annotations

import logging
from typing import Any

from graphnode.contracts import GraphSummaryResult, Message, ResultStatus, parse_summary
from graphnode.storage.task_store import TaskState
from graphnode.worker.handlers.context import HandlerContext, generated_at

log = logging.getLogger("graphnode.worker.summary")


class GraphSummaryResultHandler:
    def __init__(self, context: HandlerContext) -> None:
        self._ctx = context

    async def handle(self, message: Message[Any]) -> None:
        payload: GraphSummaryResult = message.payload
        ctx, user = self._ctx, payload.user_id
        await ctx.drop_inputs(message)
        if await ctx.is_late(message):
            return
        if payload.status is ResultStatus.FAILED:
            await ctx.record_failure(message)
            return
        [raw] = await ctx.download(payload.summary_s3_key)
        assert raw is not None  # the contract requires summaryS3Key when COMPLETED
        summary = parse_summary(raw)
        if ctx.summaries is not None:
            summary = await ctx.summaries.fitted(user, summary)
        stamp = generated_at(summary.generated_at, message.timestamp)
        applied = await ctx.graphs.store_summary(user, message.task_id, summary, stamp)
        await ctx.tasks.finish(message.task_id, user, TaskState.COMPLETED, superseded=not applied)
        if applied:
            await ctx.notifier.notify(
                user,
                message.task_id,
                "GRAPH_SUMMARY_COMPLETED",
                title="Your graph summary is ready",
                body=summary.overview.summary_text[:120] or "A new summary of your interests",
            )
