"""A small async client of the GraphNode API, with errors a person can act on."""

from __future__ import annotations

import asyncio
import contextlib
import mimetypes
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp

from graphnode.adapters.lifecycle import Resource

TERMINAL = ("COMPLETED", "FAILED")


# How long ``wait`` keeps trying an API that does not answer (a restart takes seconds).
UNREACHABLE_SECONDS = 30.0
# How long ``wait`` follows a task that shows no change at all. The AI service reports at
# least every stage, and the server fails a task at its deadline; this only bounds the wait
# when neither happens (a server without deadlines, a lost task).
STALL_SECONDS = 15 * 60.0
RETRY_SECONDS = 1.0
EXPORT_CHUNK_BYTES = 64 * 1024


class ClientError(RuntimeError):
    """Something the user should read: unreachable API, refused token, a problem detail."""

    def __init__(self, message: str, *, status: int | None = None, body: Any = None) -> None:
        super().__init__(message)
        self.status, self.body = status, body


class Unreachable(ClientError):
    """No answer from the API (refused, reset, timed out) or a 5xx: worth trying again."""


class GenerationRunning(ClientError):
    """409 from generate: a generation of this user's graph is already running."""

    def __init__(self, message: str, task_id: str) -> None:
        super().__init__(message, status=409)
        self.task_id = task_id


class GraphNodeClient(Resource):
    def __init__(self, base_url: str, token: str | None, *, timeout: float = 60.0) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._timeout = aiohttp.ClientTimeout(total=None, sock_connect=10, sock_read=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def _open(self, stack: contextlib.AsyncExitStack) -> None:
        headers = {"Authorization": f"Bearer {self._token}"} if self._token else {}
        self._session = aiohttp.ClientSession(self.base_url, headers=headers, timeout=self._timeout)
        stack.push_async_callback(self._session.close)

    @contextlib.asynccontextmanager
    async def _request(self, method: str, path: str, **kwargs: Any) -> AsyncIterator[Any]:
        assert self._session is not None, "use 'async with GraphNodeClient(...)'"
        try:
            async with self._session.request(method, path, **kwargs) as response:
                if response.status >= 400:
                    message, body = await _explain(response)
                    kind = Unreachable if response.status >= 500 else ClientError
                    raise kind(message, status=response.status, body=body)
                yield response
        except aiohttp.ClientConnectionError as exc:
            raise Unreachable(
                f"cannot reach the GraphNode API at {self.base_url} ({exc or type(exc).__name__}); "
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
        try:
            body = await self._json("POST", "/v1/graphs/generate", json=options)
        except ClientError as exc:
            running = exc.body.get("taskId") if isinstance(exc.body, dict) else None
            if exc.status == 409 and running:
                raise GenerationRunning(str(exc), str(running)) from None
            raise
        return str(body["taskId"])

    async def task(self, task_id: str) -> dict[str, Any]:
        return await self._json("GET", f"/v1/tasks/{task_id}")

    async def wait(
        self,
        task_id: str,
        on_progress: Callable[[dict[str, Any]], None],
        *,
        poll: float = 1.0,
        stall_timeout: float = STALL_SECONDS,
        unreachable_timeout: float = UNREACHABLE_SECONDS,
    ) -> dict[str, Any]:
        """Follow the task until it is COMPLETED or FAILED, reporting each change.

        Never waits without bound: ClientError once the API has not answered for
        ``unreachable_timeout`` seconds, or the task has not changed for ``stall_timeout``.
        """
        loop = asyncio.get_running_loop()
        last: dict[str, Any] | None = None
        changed_at = loop.time()
        while True:
            task = await self._task_patiently(task_id, unreachable_timeout)
            if task != last:
                on_progress(task)
                last, changed_at = task, loop.time()
            if task["status"] in TERMINAL:
                return task
            if loop.time() - changed_at > stall_timeout:
                raise ClientError(
                    f"task {task_id} has not moved for {stall_timeout:.0f}s (it stays at "
                    f"{float(task.get('progressPercent') or 0):.1f}% {task.get('stage') or ''}); "
                    "the AI service or the worker may have stopped: see their logs"
                )
            await asyncio.sleep(poll)

    async def _task_patiently(self, task_id: str, within: float) -> dict[str, Any]:
        """The task, trying again while the API is briefly away (a restart, a 503)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while True:
            try:
                return await self.task(task_id)
            except Unreachable as exc:
                if loop.time() >= deadline:
                    raise Unreachable(
                        f"the API stopped answering while following task {task_id} "
                        f"(for {within:.0f}s): {exc}",
                        status=exc.status,
                    ) from None
            await asyncio.sleep(RETRY_SECONDS)

    async def graph(self) -> dict[str, Any]:
        return await self._json("GET", "/v1/graphs/me")

    async def export(self, export_format: str, out: Path) -> int:
        """Stream ``GET /v1/graphs/me/export`` into ``out`` (through a temporary file beside
        it, so a broken transfer never leaves a truncated export under its name); the bytes
        written."""
        partial = out.with_name(f".{out.name}.part")
        written = 0
        try:
            async with self._request(
                "GET", "/v1/graphs/me/export", params={"format": export_format}
            ) as response:
                with partial.open("wb") as sink:
                    async for chunk in response.content.iter_chunked(EXPORT_CHUNK_BYTES):
                        sink.write(chunk)
                        written += len(chunk)
            partial.replace(out)
        except aiohttp.ClientPayloadError as exc:
            raise Unreachable(f"the export broke off after {written} bytes ({exc})") from None
        finally:
            partial.unlink(missing_ok=True)
        return written

    async def summary(self) -> dict[str, Any] | None:
        try:
            return await self._json("GET", "/v1/graphs/me/summary")
        except ClientError as exc:
            if "No summary yet" in str(exc):
                return None
            raise


async def _explain(response: aiohttp.ClientResponse) -> tuple[str, Any]:
    """A readable message for an error response, and its decoded body (a problem detail)."""
    body: Any = None
    try:
        body = await response.json(content_type=None)
        detail = body.get("detail") if isinstance(body, dict) else None
        detail = detail or body
    except (ValueError, aiohttp.ContentTypeError):
        detail = (await response.text())[:300]
    if response.status == 401:
        message = (
            f"the API refused the token: {detail} (make a development one: graphnode token USER)"
        )
        return message, body
    return f"{response.status}: {detail}", body
