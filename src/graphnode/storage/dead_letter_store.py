"""Dead letters kept for people: every message the worker takes off a dead-letter queue is
archived here first (body, reason, where it came from), so taking it off loses nothing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphnode.adapters.mongo import Collections, DocumentDatabase
from graphnode.storage.codec import find_all, utc_now


class DeadLetterStore:
    def __init__(self, database: DocumentDatabase) -> None:
        self._letters = database.collection(Collections.DEAD_LETTERS)

    async def archive(
        self,
        message_id: str,
        *,
        queue_url: str,
        body: str,
        reason: str,
        attributes: Mapping[str, str],
        task_id: str | None,
        user_id: str | None,
    ) -> None:
        """Keep one dead letter (idempotent: archiving it again changes nothing)."""
        await self._letters.update_one(
            {"_id": message_id},
            {
                "$setOnInsert": {
                    "queue_url": queue_url,
                    "body": body,
                    "reason": reason,
                    "attributes": dict(attributes),
                    "task_id": task_id,
                    "user_id": user_id,
                    "archived_at": utc_now(),
                }
            },
            upsert=True,
        )

    async def for_task(self, task_id: str) -> list[dict[str, Any]]:
        return await find_all(self._letters, {"task_id": task_id})
