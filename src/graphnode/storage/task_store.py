"""Task records: created by the API, moved forward by the worker, read by clients.

Progress only moves forward and never after a terminal status, so messages that arrive out
of order or twice cannot make a task look less done than it is. A terminal status is final:
a task the sweeper ended at its ``deadline_ms`` stays FAILED when its result comes late.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pymongo.errors import DuplicateKeyError

from graphnode.adapters.mongo import Collections, DocumentDatabase
from graphnode.storage.codec import decoded, find_one, now_ms, utc_now
from graphnode.storage.documents import all_of, owned


class TaskState(StrEnum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


TERMINAL = (TaskState.COMPLETED.value, TaskState.FAILED.value)
OPEN = (TaskState.PENDING.value, TaskState.RUNNING.value)
# Tasks one sweep ends at most; the next sweep takes the rest.
SWEEP_BATCH = 100


@dataclass(frozen=True, slots=True)
class Progress:
    stage: str
    percent: float
    eta_seconds: float | None


class TaskStore:
    def __init__(self, database: DocumentDatabase) -> None:
        self._tasks = database.collection(Collections.TASKS)

    async def create(
        self, task_id: str, user_id: str, task_type: str, *, deadline_ms: int, **fields: Any
    ) -> None:
        """A PENDING task that the sweeper fails if it has not ended by ``deadline_ms``."""
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
                    "deadline_ms": deadline_ms,
                    **fields,
                }
            },
            upsert=True,
        )

    async def get(self, task_id: str, user_id: str | None = None) -> dict[str, Any] | None:
        query: dict[str, Any] = {"_id": task_id}
        if user_id is not None:
            query["user_id"] = user_id
        return await find_one(self._tasks, query)

    async def record_progress(self, task_id: str, user_id: str, progress: Progress) -> bool:
        """Apply progress unless the task is further along or finished; True if applied."""
        now = utc_now()
        try:
            result = await self._tasks.update_one(
                all_of(
                    {"_id": task_id, "status": {"$nin": list(TERMINAL)}},
                    {
                        "$or": [
                            {"progress_percent": {"$lte": progress.percent}},
                            {"progress_percent": {"$exists": False}},
                        ]
                    },
                ),
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

    async def open_task_of(self, user_id: str, task_type: str) -> str | None:
        """The id of the user's open task of ``task_type``, if there is one."""
        found = await find_one(
            self._tasks,
            {**owned(user_id, task_type=task_type), "status": {"$in": list(OPEN)}},
            {"_id": 1},
        )
        return found["_id"] if found else None

    async def delete(self, task_id: str, user_id: str) -> None:
        await self._tasks.delete_one({"_id": task_id, **owned(user_id)})

    async def set_deadline(self, task_id: str, deadline_ms: int) -> None:
        """Move an open task's deadline (the API does once the task is dispatched)."""
        await self._tasks.update_one(
            {"_id": task_id, "status": {"$in": list(OPEN)}}, {"$set": {"deadline_ms": deadline_ms}}
        )

    async def overdue(self, limit: int = SWEEP_BATCH) -> list[dict[str, Any]]:
        """Open tasks whose deadline has passed, oldest deadline first."""
        cursor = (
            self._tasks.find({"status": {"$in": list(OPEN)}, "deadline_ms": {"$lt": now_ms()}})
            .sort("deadline_ms", 1)
            .limit(limit)
        )
        return await decoded(cursor)

    async def finish(
        self,
        task_id: str,
        user_id: str,
        state: TaskState,
        *,
        error: str | None = None,
        error_code: str | None = None,
        **fields: Any,
    ) -> bool:
        """End the task as ``state``; False (nothing written) if it had already ended in the
        other terminal state, or is another user's (a forged message cannot end it). Ending
        it again in the same state is harmless (redelivery)."""
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
        try:
            await self._tasks.update_one(
                {"_id": task_id, "user_id": user_id, "status": {"$in": [*OPEN, state.value]}},
                {"$set": update, "$setOnInsert": {"created_at": now}},
                upsert=True,
            )
        except DuplicateKeyError:
            return False  # it ended the other way, or is another user's: that stands
        return True
