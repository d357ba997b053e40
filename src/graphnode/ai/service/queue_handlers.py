"""Request-queue handlers: the durable door to the pipeline (a request survives a restart
of the AI service; the HTTP door's tasks live in memory only)."""

from __future__ import annotations

from typing import Any

from graphnode.ai.service.graph_tasks import GraphTaskRunner
from graphnode.ai.service.supervisor import TaskSupervisor
from graphnode.contracts import GraphGenerationRequest, GraphSummaryRequest, Message, TaskType
from graphnode.messaging.routing import HandlerRegistry


class GraphGenerationRequestHandler:
    def __init__(self, runner: GraphTaskRunner, supervisor: TaskSupervisor) -> None:
        self._runner, self._supervisor = runner, supervisor

    async def handle(self, message: Message[Any]) -> None:
        payload: GraphGenerationRequest = message.payload
        await self._supervisor.run(lambda: self._runner.generate(message.task_id, payload))


class GraphSummaryRequestHandler:
    def __init__(self, runner: GraphTaskRunner, supervisor: TaskSupervisor) -> None:
        self._runner, self._supervisor = runner, supervisor

    async def handle(self, message: Message[Any]) -> None:
        payload: GraphSummaryRequest = message.payload
        await self._supervisor.run(lambda: self._runner.summarize(message.task_id, payload))


def request_registry(runner: GraphTaskRunner, supervisor: TaskSupervisor) -> HandlerRegistry:
    return HandlerRegistry(
        {
            TaskType.GRAPH_GENERATION_REQUEST: GraphGenerationRequestHandler(runner, supervisor),
            TaskType.GRAPH_SUMMARY_REQUEST: GraphSummaryRequestHandler(runner, supervisor),
        }
    )
