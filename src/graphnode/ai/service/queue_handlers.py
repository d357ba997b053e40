"""Request-queue handlers: the durable door to the pipeline (a request survives a restart
of the AI service; the HTTP door's tasks live in memory only)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from graphnode.ai.service.graph_tasks import GraphTaskRunner
from graphnode.ai.service.supervisor import TaskSupervisor
from graphnode.contracts import Message, TaskType
from graphnode.messaging.routing import HandlerRegistry


class SupervisedTask:
    """Runs one kind of task for a message, under the service's concurrency limit."""

    def __init__(
        self, supervisor: TaskSupervisor, work: Callable[[str, Any], Awaitable[object]]
    ) -> None:
        self._supervisor, self._work = supervisor, work

    async def handle(self, message: Message[Any]) -> None:
        await self._supervisor.run(lambda: self._work(message.task_id, message.payload))


def request_registry(runner: GraphTaskRunner, supervisor: TaskSupervisor) -> HandlerRegistry:
    return HandlerRegistry(
        {
            TaskType.GRAPH_GENERATION_REQUEST: SupervisedTask(supervisor, runner.generate),
            TaskType.GRAPH_SUMMARY_REQUEST: SupervisedTask(supervisor, runner.summarize),
            TaskType.ADD_NODE_REQUEST: SupervisedTask(supervisor, runner.add_nodes),
        }
    )
