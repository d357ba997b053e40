"""``GRAPH_SUMMARY_RESULT``: a new summary of the user's graph."""

from __future__ import annotations

import logging
from typing import Any

from graphnode.contracts import GraphSummaryResult, Message, parse_summary
from graphnode.storage.task_store import TaskState
from graphnode.worker.handlers.context import generated_at
from graphnode.worker.handlers.result import ResultHandler

log = logging.getLogger("graphnode.worker.summary")


class GraphSummaryResultHandler(ResultHandler):
    async def apply(self, message: Message[Any]) -> None:
        payload: GraphSummaryResult = message.payload
        ctx, user = self._ctx, payload.user_id
        [raw] = await ctx.download(message, payload.summary_s3_key)
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
