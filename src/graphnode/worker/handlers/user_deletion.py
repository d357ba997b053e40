"""``USER_DELETION_REQUEST``: remove every trace of a user (``DELETE /v1/me``).

In order, each step idempotent so a redelivery after a crash resumes the work: a tombstone
first (a result of a task that was running is then discarded when it arrives), then the S3
objects (results under ``graphs/{user}/`` and the bundle of every task of theirs), the
vectors, and every MongoDB document, the deletion's own task record last, which ends
COMPLETED with what was removed.
"""

from __future__ import annotations

import logging
from typing import Any

from graphnode.contracts import Message
from graphnode.contracts.identifiers import bundle_prefix, user_result_prefix
from graphnode.storage.task_store import TaskState
from graphnode.storage.user_data import UserDataEraser
from graphnode.worker.handlers.context import HandlerContext

log = logging.getLogger("graphnode.worker.deletion")


class UserDeletionHandler:
    def __init__(self, context: HandlerContext) -> None:
        self._ctx = context

    @property
    def _eraser(self) -> UserDataEraser:
        if self._ctx.eraser is None:  # the worker's factory always gives one
            raise RuntimeError("this worker was built without a user-data eraser")
        return self._ctx.eraser

    async def handle(self, message: Message[Any]) -> None:
        ctx, user, task_id = self._ctx, message.payload.user_id, message.task_id
        await self._eraser.mark_deleted(user)
        task_ids = await self._eraser.task_ids(user)
        files = await self._remove_files(user, task_ids)
        await ctx.vectors.delete_user(user)
        documents = await self._eraser.erase(user, keep_task=task_id)
        await ctx.tasks.finish(
            task_id, user, TaskState.COMPLETED, removed_documents=documents, removed_files=files
        )
        log.info("user deleted", extra={"documents": documents, "files": files})

    async def _remove_files(self, user_id: str, task_ids: list[str]) -> int:
        objects, removed = self._ctx.objects, 0
        for prefix in [user_result_prefix(user_id), *(bundle_prefix(t) for t in task_ids)]:
            for key in await objects.list_keys(prefix):
                await objects.delete(key)
                removed += 1
        return removed
