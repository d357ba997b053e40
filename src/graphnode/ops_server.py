"""A service's operations port: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from graphnode.adapters.lifecycle import Resource
from graphnode.messaging.metrics import ConsumerMetrics

log = logging.getLogger("graphnode.ops")

# A readiness probe must answer well inside a load balancer's probe timeout.
READINESS_TIMEOUT_SECONDS = 3.0


class OpsServer(Resource):
    def __init__(
        self,
        host: str,
        port: int,
        metrics: ConsumerMetrics,
        is_ready: Callable[[], Awaitable[bool]],
    ) -> None:
        super().__init__()
        self._host, self._port = host, port
        self._metrics, self._is_ready = metrics, is_ready
        self.port: int | None = None

    def _app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/healthz", self._live)
        app.router.add_get("/readyz", self._ready)
        app.router.add_get("/metrics", self._metrics_view)
        return app

    async def _open(self, stack: contextlib.AsyncExitStack) -> None:
        runner = web.AppRunner(self._app(), access_log=None)
        await runner.setup()
        stack.push_async_callback(runner.cleanup)
        site = web.TCPSite(runner, self._host, self._port)
        await site.start()
        sockets = site._server.sockets if site._server else []  # type: ignore[union-attr]
        self.port = sockets[0].getsockname()[1] if sockets else self._port
        log.info("ops server listening", extra={"host": self._host, "port": self.port})

    async def _live(self, _: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def _ready(self, _: web.Request) -> web.Response:
        try:
            ready = await asyncio.wait_for(self._is_ready(), READINESS_TIMEOUT_SECONDS)
        except Exception:  # a probe that errors or hangs means not ready
            ready = False
        return web.json_response({"ready": ready}, status=200 if ready else 503)

    async def _metrics_view(self, _: web.Request) -> web.Response:
        response = web.Response(body=self._metrics.render())
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response
