"""``GRAPH_GENERATION_PROGRESS``: record how far the AI service is; never backwards, no push."""

from __future__ import annotations

import logging
from typing import Any

from graphnode.contracts import GraphGenerationProgress, Message
from graphnode.storage.task_store import Progress
from graphnode.worker.handlers.context import HandlerContext

log = logging.getLogger("graphnode.worker.progress")


class GraphGenerationProgressHandler:
    def __init__(self, context: HandlerContext) -> None:
        self._ctx = context

    async def handle(self, message: Message[Any]) -> None:
        payload: GraphGenerationProgress = message.payload
        progress = Progress(payload.current_stage, payload.progress_percent, payload.eta_seconds)
        applied = await self._ctx.tasks.record_progress(message.task_id, payload.user_id, progress)
        log.info(
            "progress",
            extra={"stage": progress.stage, "percent": progress.percent, "applied": applied},
        )
