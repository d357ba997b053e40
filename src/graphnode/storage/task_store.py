"""Task records: created by the API, moved forward by the worker, read by clients.

Progress only moves forward and never after a terminal status, so messages that arrive out
of order or twice cannot make a task look less done than it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pymongo.errors import DuplicateKeyError

from graphnode.adapters.mongo import Collections, DocumentDatabase
from graphnode.storage.documents import utc_now


class TaskState(StrEnum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


TERMINAL = (TaskState.COMPLETED.value, TaskState.FAILED.value)


@dataclass(frozen=True, slots=True)
class Progress:
    stage: str
    percent: float
    eta_seconds: float | None


class TaskStore:
    def __init__(self, database: DocumentDatabase) -> None:
        self._tasks = database.collection(Collections.TASKS)

    async def create(self, task_id: str, user_id: str, task_type: str, **fields: Any) -> None:
        now = utc_now()
        await self._tasks.update_one(
            {"_id": task_id},
            {
                "$setOnInsert": {
                    "user_id": user_id,
                    "task_type": task_type,
                    "status": TaskState.PENDING.value,
                    "progress_percent": 0.0,
                    "created_at": now,
                    "updated_at": now,
                    **fields,
                }
            },
            upsert=True,
        )

    async def get(self, task_id: str, user_id: str | None = None) -> dict[str, Any] | None:
        query: dict[str, Any] = {"_id": task_id}
        if user_id is not None:
            query["user_id"] = user_id
        return await self._tasks.find_one(query)

    async def record_progress(self, task_id: str, user_id: str, progress: Progress) -> bool:
        """Apply progress unless the task is further along or finished; True if applied."""
        now = utc_now()
        try:
            result = await self._tasks.update_one(
                {
                    "_id": task_id,
                    "status": {"$nin": list(TERMINAL)},
                    "$or": [
                        {"progress_percent": {"$lte": progress.percent}},
                        {"progress_percent": {"$exists": False}},
                    ],
                },
                {
                    "$set": {
                        "user_id": user_id,
                        "status": TaskState.RUNNING.value,
                        "stage": progress.stage,
                        "progress_percent": progress.percent,
                        "eta_seconds": progress.eta_seconds,
                        "updated_at": now,
                    },
                    "$setOnInsert": {"created_at": now},
                },
                upsert=True,
            )
        except DuplicateKeyError:
            # The task exists but the filter refused it: it is further along or finished.
            return False
        return result.upserted_id is not None or result.modified_count > 0

    async def finish(
        self,
        task_id: str,
        user_id: str,
        state: TaskState,
        *,
        error: str | None = None,
        error_code: str | None = None,
        **fields: Any,
    ) -> None:
        now = utc_now()
        update: dict[str, Any] = {
            "user_id": user_id,
            "status": state.value,
            "updated_at": now,
            "finished_at": now,
            **fields,
        }
        if state is TaskState.COMPLETED:
            update.update(progress_percent=100.0, stage="Done", eta_seconds=0)
        else:
            update.update(error=error or "unknown error", error_code=error_code or "INTERNAL")
        await self._tasks.update_one(
            {"_id": task_id},
            {"$set": update, "$setOnInsert": {"created_at": now}},
            upsert=True,
        )
