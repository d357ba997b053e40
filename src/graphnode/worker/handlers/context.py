"""What every handler needs, in one object built once per worker."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from graphnode.adapters.s3 import ObjectNotFoundError, ObjectStore
from graphnode.contracts import Message
from graphnode.contracts.results import GraphNode
from graphnode.messaging.routing import PoisonMessage
from graphnode.storage.graph_store import GraphDocumentStore
from graphnode.storage.summary_mend import SummaryMender
from graphnode.storage.task_inputs import delete_task_inputs
from graphnode.storage.task_store import TaskState, TaskStore
from graphnode.storage.user_data import UserDataEraser
from graphnode.storage.vector_store import NodeVector, VectorStore
from graphnode.worker.notifier import Notifier
from graphnode.worker.task_endings import TaskFailures

log = logging.getLogger("graphnode.worker")


class ResultFilesGone(Exception):
    """A result's files are missing and its task has COMPLETED: the worker applied it and
    deleted them, and this is a redelivered copy (see ``handlers.result``)."""


@dataclass(frozen=True, slots=True)
class HandlerContext:
    objects: ObjectStore
    graphs: GraphDocumentStore
    vectors: VectorStore
    tasks: TaskStore
    notifier: Notifier
    eraser: UserDataEraser | None = None  # DELETE /v1/me (the worker's own factory sets it)
    # A summary asked for before items were removed loses what it says of them.
    summaries: SummaryMender | None = None

    async def download(self, message: Message[Any], *keys: str | None) -> list[bytes | None]:
        """Fetch every named key concurrently (None for a key not given). A missing file
        never appears (the AI service uploads before it publishes): if the task has
        COMPLETED, the worker applied it and deleted its files (``ResultFilesGone``);
        otherwise the message is poison."""

        async def fetch(key: str | None) -> bytes | None:
            if key is None:
                return None
            try:
                return await self.objects.get_bytes(key)
            except ObjectNotFoundError:
                return None

        found = await asyncio.gather(*(fetch(key) for key in keys))
        missing = [key for key, body in zip(keys, found, strict=True) if key and body is None]
        if missing:
            task = await self.tasks.get(message.task_id, message.payload.user_id)
            if task is not None and task.get("status") == TaskState.COMPLETED.value:
                raise ResultFilesGone
            raise PoisonMessage(f"result file {missing[0]!r} does not exist in the bucket")
        return list(found)

    async def drop_inputs(self, message: Message[Any], task: dict[str, Any] | None) -> None:
        """What the API wrote for the task to start from (``storage.task_inputs``): the AI
        service is done with it once it has answered. Its bundle's key names no user, so it
        is deleted only for a task of the message's own user (``task``, its record)."""
        user = message.payload.user_id
        await delete_task_inputs(self.objects, user, message.task_id, bundle=task is not None)

    async def drop_results(self, message: Message[Any]) -> None:
        """The result's own files, once what they say is stored (``handlers.result``)."""
        for key in message.payload.result_keys().values():
            await self.objects.delete(key)

    @property
    def failures(self) -> TaskFailures:
        return TaskFailures(self.tasks, self.graphs, self.notifier, self.objects)

    async def record_failure(self, message: Message[Any]) -> None:
        """A FAILED result: the task ends with the AI service's error and code."""
        payload = message.payload
        await self.failures.fail(
            message.task_id,
            payload.user_id,
            message.task_type.value,
            payload.error or "the AI service reported a failure without a reason",
            payload.error_code or "AI_FAILED",
        )

    async def _user_was_deleted(self, user_id: str) -> bool:
        return self.eraser is not None and await self.eraser.was_deleted(user_id)

    async def is_late(self, message: Message[Any], task: dict[str, Any] | None) -> bool:
        """True when a result comes after its task ended, to be discarded (its files with it),
        never applied: the task already FAILED (its deadline passed, or it was
        dead-lettered), its user was deleted (whose task records went with everything else),
        or it already COMPLETED. A task is COMPLETED only once its result is wholly stored,
        so a second result for it (a copy of the message, or the AI service running a
        redelivered request again) has nothing to add, and applying it would undo what the
        user did since: bring back an item they removed. (Its push, if a crash came between
        the two, is lost: pushes are best effort.) ``task``: its record, None if the message's
        user has no task of that id."""
        if task is None:
            if await self._user_was_deleted(message.payload.user_id):
                # Its files arrived after the deletion removed the user's.
                log.warning("late result discarded: its user was deleted")
                return True
            return False
        status = task.get("status")
        if status == TaskState.COMPLETED.value:
            log.info("result of a completed task discarded: it was applied already")
            return True
        if status != TaskState.FAILED.value:
            return False
        log.warning(
            "late result discarded: the task already failed",
            extra={"error": task.get("error"), "errorCode": task.get("error_code")},
        )
        return True


def node_vector(node: GraphNode, embedding: Sequence[float]) -> NodeVector:
    """The vector-store entry of a graph node."""
    return NodeVector(
        orig_id=node.orig_id,
        embedding=embedding,
        node_id=node.id,
        cluster_id=node.cluster_id,
        cluster_name=node.cluster_name,
        keywords=tuple(node.top_keywords),
        source_type=node.source_type,
        title=node.title,
    )


def generated_at(raw: str | None, fallback: datetime | None) -> datetime:
    """When a result was generated: the file's own stamp, else the message's, else now."""
    if raw:
        try:
            stamp = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            stamp = None
        if stamp is not None:
            return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
    return fallback or datetime.now(UTC)
