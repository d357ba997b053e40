"""At most one push per task result, however often its message is delivered.

A push is *claimed* by inserting a document whose ``_id`` names the task and the result kind;
the unique ``_id`` lets exactly one delivery win. Claiming before sending trades a lost push
(a crash between claim and send) for never pushing twice: a duplicate notification is the
worse failure for a user.
"""

from __future__ import annotations

from pymongo.errors import DuplicateKeyError

from graphnode.adapters.mongo import Collections, DocumentDatabase
from graphnode.storage.codec import utc_now


class PushReceipts:
    def __init__(self, database: DocumentDatabase) -> None:
        self._receipts = database.collection(Collections.PUSH_RECEIPTS)

    async def claim(self, user_id: str, task_id: str, kind: str) -> bool:
        """True for the first caller for this (task, kind); False for every later one."""
        try:
            await self._receipts.insert_one(
                {"_id": f"{task_id}:{kind}", "user_id": user_id, "claimed_at": utc_now()}
            )
        except DuplicateKeyError:
            return False
        return True

    async def record_outcome(self, task_id: str, kind: str, **outcome: object) -> None:
        await self._receipts.update_one({"_id": f"{task_id}:{kind}"}, {"$set": outcome})
