"""How a task reaches the AI service: the RequestQueue (durable) or HTTP (direct)."""

from __future__ import annotations

from typing import Any, Protocol

from graphnode.adapters.sqs import QueueClient
from graphnode.api.services.ai_client import AiServiceClient, AiServiceError
from graphnode.contracts import (
    AddNodeRequest,
    GraphGenerationRequest,
    GraphSummaryRequest,
    Message,
    Payload,
)

DISPATCH_TIMEOUT_SECONDS = 15


class DispatchError(RuntimeError):
    """The AI service could not be given the task."""


class Dispatcher(Protocol):
    async def generate(self, task_id: str, request: GraphGenerationRequest) -> None: ...

    async def summarize(self, task_id: str, request: GraphSummaryRequest) -> None: ...

    async def add_nodes(self, task_id: str, request: AddNodeRequest) -> None: ...


class QueueDispatcher:
    def __init__(self, sqs: QueueClient, queue: str) -> None:
        self._sqs, self._queue = sqs, queue

    async def generate(self, task_id: str, request: GraphGenerationRequest) -> None:
        await self._send(task_id, request)

    async def summarize(self, task_id: str, request: GraphSummaryRequest) -> None:
        await self._send(task_id, request)

    async def add_nodes(self, task_id: str, request: AddNodeRequest) -> None:
        await self._send(task_id, request)

    async def _send(self, task_id: str, request: Payload) -> None:
        try:
            await self._sqs.send(self._queue, Message(task_id=task_id, payload=request).to_json())
        except Exception as exc:  # any SQS failure means the task was not handed over
            raise DispatchError(f"the request queue did not take the task: {exc}") from exc


class HttpDispatcher:
    """POSTs each task to the AI service (through :class:`AiServiceClient`, which owns its
    address and bearer token); the task lives in the AI service's memory only."""

    def __init__(self, ai: AiServiceClient) -> None:
        self._ai = ai

    async def generate(self, task_id: str, request: GraphGenerationRequest) -> None:
        await self._post("/v1/graphs/generate", task_id, request)

    async def summarize(self, task_id: str, request: GraphSummaryRequest) -> None:
        await self._post("/v1/graphs/summary", task_id, request)

    async def add_nodes(self, task_id: str, request: AddNodeRequest) -> None:
        await self._post("/v1/graphs/nodes", task_id, request)

    async def _post(self, path: str, task_id: str, request: Payload) -> None:
        body: dict[str, Any] = {"taskId": task_id, **request.to_wire()}
        try:
            # 202: the AI service accepted the task and runs it in the background.
            await self._ai.post_json(
                path, body, expect=202, timeout_seconds=DISPATCH_TIMEOUT_SECONDS
            )
        except AiServiceError as exc:
            raise DispatchError(str(exc)) from exc
