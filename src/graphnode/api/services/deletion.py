"""``DELETE /v1/me``: hand the erasing of a user to the worker, as a task on its queue.

The worker owns every store the user's data lives in (MongoDB, the vector store, S3), and a
queue message survives a crash of either side: the deletion resumes on redelivery, and its
status is read at ``GET /v1/tasks/{id}`` like any other task's.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from graphnode.adapters.sqs import QueueClient
from graphnode.contracts import Message, TaskType, UserDeletionRequest
from graphnode.storage.codec import now_ms
from graphnode.storage.task_store import TaskStore


class DeletionNotQueuedError(RuntimeError):
    """The worker's queue did not take the deletion; nothing was changed."""


@dataclass(frozen=True)
class UserDeletionService:
    tasks: TaskStore
    sqs: QueueClient
    worker_queue: str
    deadline: timedelta

    async def request(self, user_id: str) -> str:
        """The deletion task's id: the one already under way, or a new one."""
        running = await self.tasks.open_task_of(user_id, TaskType.USER_DELETION_REQUEST.value)
        if running is not None:
            return running
        task_id = f"task_{uuid.uuid4().hex}"
        deadline_ms = now_ms() + int(self.deadline.total_seconds() * 1000)
        await self.tasks.create(
            task_id, user_id, TaskType.USER_DELETION_REQUEST.value, deadline_ms=deadline_ms
        )
        message = Message(task_id=task_id, payload=UserDeletionRequest(user_id=user_id))
        try:
            await self.sqs.send(self.worker_queue, message.to_json())
        except Exception as exc:  # not handed over: the task must not look under way
            await self.tasks.delete(task_id, user_id)
            raise DeletionNotQueuedError(str(exc)) from exc
        return task_id
