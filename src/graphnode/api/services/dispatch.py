"""How a task reaches the AI service: the RequestQueue (durable) or HTTP (direct)."""

from __future__ import annotations

from typing import Any, Protocol

import aiohttp
import orjson

from graphnode.adapters.sqs import QueueClient
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
    def __init__(self, session: aiohttp.ClientSession, base_url: str, token: str | None) -> None:
        self._session, self._base_url = session, base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}

    async def generate(self, task_id: str, request: GraphGenerationRequest) -> None:
        await self._post("/v1/graphs/generate", task_id, request)

    async def summarize(self, task_id: str, request: GraphSummaryRequest) -> None:
        await self._post("/v1/graphs/summary", task_id, request)

    async def add_nodes(self, task_id: str, request: AddNodeRequest) -> None:
        await self._post("/v1/graphs/nodes", task_id, request)

    async def _post(self, path: str, task_id: str, request: Payload) -> None:
        body: dict[str, Any] = {"taskId": task_id, **request.to_wire()}
        try:
            async with self._session.post(
                f"{self._base_url}{path}",
                data=orjson.dumps(body),
                headers={**self._headers, "Content-Type": "application/json"},
                timeout=aiohttp.ClientTimeout(total=DISPATCH_TIMEOUT_SECONDS),
            ) as response:
                if response.status != 202:
                    text = await response.text()
                    raise DispatchError(f"the AI service answered {response.status}: {text[:200]}")
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise DispatchError(f"the AI service is unreachable: {exc}") from exc
