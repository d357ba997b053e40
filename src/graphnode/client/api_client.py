"""A small async client of the GraphNode API, with errors a person can act on."""

from __future__ import annotations

import asyncio
import contextlib
import mimetypes
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import aiohttp

TERMINAL = ("COMPLETED", "FAILED")


class ClientError(RuntimeError):
    """Something the user should read: unreachable API, refused token, a problem detail."""


class GraphNodeClient:
    def __init__(self, base_url: str, token: str | None, *, timeout: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._timeout = aiohttp.ClientTimeout(total=None, sock_connect=10, sock_read=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Self:
        headers = {"Authorization": f"Bearer {self._token}"} if self._token else {}
        self._session = aiohttp.ClientSession(self.base_url, headers=headers, timeout=self._timeout)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._session is not None:
            await self._session.close()

    @contextlib.asynccontextmanager
    async def _request(self, method: str, path: str, **kwargs: Any) -> AsyncIterator[Any]:
        assert self._session is not None, "use 'async with GraphNodeClient(...)'"
        try:
            async with self._session.request(method, path, **kwargs) as response:
                if response.status >= 400:
                    raise ClientError(await _explain(response))
                yield response
        except aiohttp.ClientConnectionError as exc:
            raise ClientError(
                f"cannot reach the GraphNode API at {self.base_url} ({exc}); "
                "is it running? (make run starts it)"
            ) from None

    async def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        async with self._request(method, path, **kwargs) as response:
            return await response.json()

    async def import_file(self, path: Path) -> dict[str, Any]:
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        with path.open("rb") as body:
            return await self._json(
                "POST",
                f"/v1/imports?filename={path.name}",
                data=body,
                headers={"Content-Type": content_type},
            )

    async def generate(self, **options: Any) -> str:
        body = await self._json("POST", "/v1/graphs/generate", json=options)
        return str(body["taskId"])

    async def task(self, task_id: str) -> dict[str, Any]:
        return await self._json("GET", f"/v1/tasks/{task_id}")

    async def wait(
        self, task_id: str, on_progress: Callable[[dict[str, Any]], None], *, poll: float = 1.0
    ) -> dict[str, Any]:
        """Follow the task until it ends, reporting each change."""
        last: dict[str, Any] | None = None
        while True:
            task = await self.task(task_id)
            if task != last:
                on_progress(task)
                last = task
            if task["status"] in TERMINAL:
                return task
            await asyncio.sleep(poll)

    async def graph(self) -> dict[str, Any]:
        return await self._json("GET", "/v1/graphs/me")

    async def summary(self) -> dict[str, Any] | None:
        try:
            return await self._json("GET", "/v1/graphs/me/summary")
        except ClientError as exc:
            if "No summary yet" in str(exc):
                return None
            raise


async def _explain(response: aiohttp.ClientResponse) -> str:
    try:
        body = await response.json(content_type=None)
        detail = body.get("detail") or body
    except (ValueError, aiohttp.ContentTypeError):
        detail = (await response.text())[:300]
    if response.status == 401:
        return f"the API refused the token: {detail} (make a development one: graphnode token USER)"
    return f"{response.status}: {detail}"
