"""The status of each user's graph and the claim that one task holds on it.

One stats document per user (``_id`` = user id) says what the graph is (NOT_CREATED ...
UPDATED), which task is building it (``running_task``) and until when that claim holds
(``lease_ms``). A claim is a lease, never a lock: the API takes it for a short while
(``CLAIM_LEASE``) to write the bundle and dispatch, then stretches it to the task's deadline.
If the API dies in between, or the task is lost, the lease runs out and the next request takes
the graph over; the worker's sweeper ends the lost task as FAILED.

Lease moments are epoch milliseconds (``*_ms``): queries compare them, and a date kept as
text by a wire-protocol server would silently match nothing (see ``codec``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pymongo.errors import DuplicateKeyError

from graphnode.adapters.mongo import Collections, DocumentDatabase
from graphnode.storage.codec import epoch_ms, find_one, now_ms, utc_now
from graphnode.storage.documents import all_of

# Long enough to stream a large bundle to S3 and hand the task over.
CLAIM_LEASE = timedelta(minutes=10)


class GraphStatus(StrEnum):
    NOT_CREATED = "NOT_CREATED"
    CREATING = "CREATING"
    CREATED = "CREATED"
    UPDATING = "UPDATING"
    UPDATED = "UPDATED"


IN_PROGRESS = (GraphStatus.CREATING, GraphStatus.UPDATING)


@dataclass(frozen=True, slots=True)
class GraphStats:
    user_id: str
    status: GraphStatus
    generation: str | None
    generated_at: datetime | None
    nodes: int
    edges: int
    clusters: int
    previous_status: GraphStatus | None = None
    running_task: str | None = None
    lease_ms: int | None = None
    generated_ms: int | None = None
    language: str | None = None  # of the names and summary, as the generation wrote them

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> GraphStats:
        """The stats of a document read back through ``codec`` (its moments decoded)."""
        previous = doc.get("previous_status")
        return cls(
            user_id=doc["user_id"],
            status=GraphStatus(doc.get("status", GraphStatus.NOT_CREATED)),
            generation=doc.get("generation"),
            generated_at=doc.get("generated_at"),
            nodes=int(doc.get("nodes", 0)),
            edges=int(doc.get("edges", 0)),
            clusters=int(doc.get("clusters", 0)),
            previous_status=GraphStatus(previous) if previous else None,
            running_task=doc.get("running_task"),
            lease_ms=doc.get("lease_ms"),
            # Stats written before generations were stamped have only the datetime.
            generated_ms=doc.get("generated_ms")
            or (epoch_ms(doc["generated_at"]) if doc.get("generated_at") else None),
            language=doc.get("language"),
        )

    @property
    def live_claim(self) -> str | None:
        """The task whose lease holds the graph now, if any."""
        if self.running_task and self.lease_ms and self.lease_ms > now_ms():
            return self.running_task
        return None

    @property
    def settled_status(self) -> GraphStatus:
        """What the status goes back to when the running task ends without a graph."""
        if self.status not in IN_PROGRESS:
            return self.status
        return self.previous_status or (
            GraphStatus.CREATED if self.generation else GraphStatus.NOT_CREATED
        )


def held_by_or_free(task_id: str) -> dict[str, Any]:
    """Stats whose claim is ``task_id``'s, or nobody's (spelled out: not every server that
    speaks MongoDB's protocol matches a missing field with ``$in: [None]``)."""
    return {
        "$or": [
            {"running_task": task_id},
            {"running_task": None},
            {"running_task": {"$exists": False}},
        ]
    }


class GraphStatusStore:
    def __init__(self, database: DocumentDatabase) -> None:
        self._stats = database.collection(Collections.STATS)

    async def stats(self, user_id: str) -> GraphStats | None:
        doc = await find_one(self._stats, {"_id": user_id})
        return GraphStats.from_doc(doc) if doc else None

    async def claim_for(
        self, user_id: str, status: GraphStatus, task_id: str, lease: timedelta = CLAIM_LEASE
    ) -> bool:
        """Atomically move to CREATING/UPDATING for ``task_id``; False while another task's
        lease holds. An expired lease (or one from before leases existed) is taken over."""
        current = await self.stats(user_id)
        previous = current.settled_status if current else GraphStatus.NOT_CREATED
        now = now_ms()
        try:
            await self._stats.update_one(
                all_of(
                    {"_id": user_id},
                    {
                        "$or": [
                            {"status": {"$nin": [s.value for s in IN_PROGRESS]}},
                            {"lease_ms": {"$lt": now}},
                            {"lease_ms": {"$exists": False}},
                        ]
                    },
                ),
                {
                    "$set": {
                        "user_id": user_id,
                        "status": status.value,
                        "running_task": task_id,
                        "previous_status": previous.value,
                        "lease_ms": now + int(lease.total_seconds() * 1000),
                        "updated_at": utc_now(),
                    }
                },
                upsert=True,
            )
        except DuplicateKeyError:
            return False  # the filter refused the existing document: a live lease holds it
        return True

    async def extend_claim(self, user_id: str, task_id: str, until_ms: int) -> bool:
        """Stretch ``task_id``'s lease (once dispatched, to its deadline); False if it lost it."""
        result = await self._stats.update_one(
            {"_id": user_id, "running_task": task_id},
            {"$set": {"lease_ms": until_ms, "updated_at": utc_now()}},
        )
        return result.matched_count > 0

    async def running_task(self, user_id: str) -> str | None:
        current = await self.stats(user_id)
        return current.running_task if current else None

    async def mark_in_progress(self, user_id: str, status: GraphStatus) -> None:
        """CREATING/UPDATING, remembering the status to restore if the task fails."""
        current = await self.stats(user_id)
        previous = current.settled_status if current else GraphStatus.NOT_CREATED
        await self._stats.update_one(
            {"_id": user_id},
            {
                "$set": {
                    "user_id": user_id,
                    "status": status.value,
                    "previous_status": previous.value,
                    "updated_at": utc_now(),
                }
            },
            upsert=True,
        )

    async def restore_status(self, user_id: str, task_id: str | None = None) -> GraphStatus:
        """After a failed task: back to what it was before CREATING/UPDATING. With
        ``task_id``, only while that task holds the graph: the failure of an old task must
        not free the claim of the one running now."""
        current = await self.stats(user_id)
        if current is None:
            return GraphStatus.NOT_CREATED
        if current.status not in IN_PROGRESS:
            return current.status
        if task_id is not None and current.running_task not in (None, task_id):
            return current.status
        restored = current.settled_status
        query: dict[str, Any] = {"_id": user_id}
        if task_id is not None:
            query = all_of(query, held_by_or_free(task_id))
        await self._stats.update_one(
            query,
            {
                "$set": {"status": restored.value, "updated_at": utc_now()},
                "$unset": {"previous_status": "", "running_task": "", "lease_ms": ""},
            },
        )
        return restored
