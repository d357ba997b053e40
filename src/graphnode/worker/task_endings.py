"""Ending a task as FAILED, the same way whoever finds out: a FAILED result, a dead letter,
or the deadline sweeper.

Four things happen, each idempotent so any number of workers may find the same failure:
the task record becomes FAILED with its reason (unless it already ended), the user's graph
status is freed if this task held it, the copies of the user's data it was to start from are
deleted (``storage.task_inputs``), and the user gets one push.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from graphnode.adapters.s3 import ObjectStore
from graphnode.contracts import TaskType
from graphnode.storage.graph_store import GraphDocumentStore
from graphnode.storage.task_inputs import delete_task_inputs
from graphnode.storage.task_store import TaskState, TaskStore
from graphnode.worker.notifier import Notifier

log = logging.getLogger("graphnode.worker.failures")


@dataclass(frozen=True, slots=True)
class FailureNotice:
    """What the user's device is told when a kind of task fails."""

    kind: str
    title: str
    holds_graph: bool  # the task claimed the user's graph (CREATING/UPDATING)


_GENERATION = FailureNotice(
    "GRAPH_GENERATION_FAILED", "Your knowledge graph could not be built", holds_graph=True
)
_ADD_NODES = FailureNotice(
    "ADD_NODE_FAILED", "New conversations could not be added to your graph", holds_graph=True
)
_SUMMARY = FailureNotice(
    "GRAPH_SUMMARY_FAILED", "Your graph summary could not be written", holds_graph=False
)

_DELETION = FailureNotice(
    "USER_DELETION_FAILED", "Your data could not be deleted yet", holds_graph=False
)

# Requests and their results share a notice: either message may be the one that failed.
NOTICES: dict[str, FailureNotice] = {
    TaskType.GRAPH_GENERATION_REQUEST: _GENERATION,
    TaskType.GRAPH_GENERATION_PROGRESS: _GENERATION,
    TaskType.GRAPH_GENERATION_RESULT: _GENERATION,
    TaskType.ADD_NODE_REQUEST: _ADD_NODES,
    TaskType.ADD_NODE_RESULT: _ADD_NODES,
    TaskType.GRAPH_SUMMARY_REQUEST: _SUMMARY,
    TaskType.GRAPH_SUMMARY_RESULT: _SUMMARY,
    TaskType.USER_DELETION_REQUEST: _DELETION,
}


@dataclass(frozen=True, slots=True)
class TaskFailures:
    tasks: TaskStore
    graphs: GraphDocumentStore
    notifier: Notifier
    objects: ObjectStore

    async def fail(
        self,
        task_id: str,
        user_id: str,
        task_type: str,
        error: str,
        error_code: str,
        *,
        from_record: bool = False,
    ) -> bool:
        """End ``task_id`` as FAILED; False when it had already COMPLETED (nothing changes).

        Redelivered or found twice, it writes nothing new and pushes nothing more.

        The inputs go after the task has ended when a message reports the failure: ending it
        is what proves the task is that message's user's, and a crash in between leaves the
        message to be delivered again. ``from_record`` (the sweeper, reading the open task's
        own record) deletes them first instead: nothing redelivers a sweep, but a task left
        open by a crash is still overdue, so the next sweep repeats the deletion."""
        notice = NOTICES.get(task_type, _GENERATION)
        if from_record:
            await delete_task_inputs(self.objects, user_id, task_id)
        ended = await self.tasks.finish(
            task_id, user_id, TaskState.FAILED, error=error, error_code=error_code
        )
        if not ended:
            log.info("task already completed; failure not recorded", extra={"taskId": task_id})
            return False
        status = None
        if notice.holds_graph:
            status = await self.graphs.restore_status(user_id, task_id)
        if not from_record:
            await delete_task_inputs(self.objects, user_id, task_id)
        await self.notifier.notify(
            user_id,
            task_id,
            notice.kind,
            title=notice.title,
            body=error[:200] or "The task failed",
            data={"errorCode": error_code},
        )
        log.warning(
            "task failed",
            extra={
                "taskId": task_id,
                "userId": user_id,
                "taskType": task_type,
                "error": error,
                "errorCode": error_code,
                "graphStatus": status.value if status else None,
            },
        )
        return True
