"""The worker's /readyz follows every dependency its handlers need, not only SQS: while
MongoDB is down it says not ready, and it recovers when MongoDB is back."""

from __future__ import annotations

import dataclasses

import aiohttp
import pytest

from graphnode.local.processes import free_port
from tests.support.waiting import wait_until
from tests.support.worker import running_worker, worker_settings

pytestmark = pytest.mark.usefixtures("aws", "chroma")


async def _ready(http: aiohttp.ClientSession) -> bool:
    async with http.get("/readyz") as answer:
        return answer.status == 200


async def _not_ready(http: aiohttp.ClientSession) -> bool:
    return not await _ready(http)


async def test_readyz_is_false_while_mongodb_is_down_and_true_again_after(settings, own_mongo):
    server, uri = own_mongo
    port = free_port()
    wsettings = worker_settings(dataclasses.replace(settings, mongo_uri=uri), worker_port=port)
    async with (
        running_worker(wsettings),
        aiohttp.ClientSession(f"http://127.0.0.1:{port}") as http,
    ):
        await wait_until(lambda: _ready(http), what="ready")
        server.stop()
        await wait_until(lambda: _not_ready(http), within=20, what="not ready without MongoDB")
        server.start()
        await wait_until(lambda: _ready(http), within=30, what="ready again")
