"""The viewer page a user gets from ``make run``, on the data ``make run`` really makes.

The sample export goes through the real pipeline (keywords naming, to keep it fast); its
three result files are encoded as the AI service uploads them, and the worker's own
``GRAPH_GENERATION_RESULT`` handler stores them in MongoDB (nx-27017), from a message that
went through the wire format. Only S3 and SQS are left out: the files come from memory
and the message is handed to the handler directly. The real API then serves the page and
the graph, and headless Chromium opens ``{api}/#token=...``, the address ``make run``
prints. The page must draw every node, list every cluster and show the summary, with no
JavaScript error.
"""

from __future__ import annotations

import dataclasses
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest
from aiohttp.test_utils import TestServer

from graphnode.adapters.mongo import DocumentDatabase
from graphnode.api.app import create_app
from graphnode.contracts import (
    FEATURES_FILE,
    GRAPH_FILE,
    SUMMARY_FILE,
    GraphGenerationResult,
    Message,
    ResultStatus,
    parse_message,
    result_key,
)
from graphnode.settings import Settings
from graphnode.storage.device_store import DeviceStore
from graphnode.storage.graph_store import MongoGraphStore
from graphnode.storage.mongo_vector_store import MongoVectorStore
from graphnode.storage.push_receipts import PushReceipts
from graphnode.storage.task_store import TaskStore
from graphnode.worker.handlers.context import HandlerContext
from graphnode.worker.notifier import Notifier
from graphnode.worker.service import default_registry
from tests.api.test_viewer import (
    check_draws_nodes,
    check_legend,
    check_ready,
    check_same_origin_only,
    check_summary,
)
from tests.support.api import auth, token
from tests.support.browser import Browser, find_chromium

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "chatgpt-export"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
USER = "me"  # the user ``make run`` signs in as

if find_chromium() is None:
    if os.environ.get("CI"):
        raise RuntimeError("Chromium is required for the viewer tests: apt-get install -y chromium")
    pytest.skip("Chromium is not installed (apt-get install -y chromium)", allow_module_level=True)

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("mongo")]


class MemoryObjects:
    """The result files as the AI service uploads them (``ObjectStore.put_json``'s bytes)."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def put_json(self, key: str, value: Any) -> None:
        self.files[key] = orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY)

    async def get_bytes(self, key: str, *, bucket: str | None = None) -> bytes:
        return self.files[key]

    async def list_keys(self, prefix: str, *, bucket: str | None = None) -> list[str]:
        return [key for key in self.files if key.startswith(prefix)]

    async def delete(self, key: str, *, bucket: str | None = None) -> None:
        self.files.pop(key, None)


@pytest.fixture
def sample_build(sample_graph: Any) -> Any:
    """The pipeline's result for the sample export (``make run``'s default input)."""
    return sample_graph


async def store_through_worker(settings: Settings, built: Any) -> None:
    """Upload-encode the files, then let the worker's handler store them for ``USER``."""
    task_id = str(uuid.uuid4())
    objects = MemoryObjects()
    keys = {name: result_key(USER, task_id, name) for name in (GRAPH_FILE, FEATURES_FILE)}
    objects.put_json(keys[GRAPH_FILE], built.graph)
    objects.put_json(keys[FEATURES_FILE], built.features)
    keys[SUMMARY_FILE] = result_key(USER, task_id, SUMMARY_FILE)
    objects.put_json(keys[SUMMARY_FILE], built.summary)
    result = GraphGenerationResult(
        user_id=USER,
        status=ResultStatus.COMPLETED,
        result_s3_key=keys[GRAPH_FILE],
        features_s3_key=keys[FEATURES_FILE],
        summary_included=True,
        summary_s3_key=keys[SUMMARY_FILE],
    )
    message = parse_message(Message(task_id=task_id, payload=result).to_json())
    async with DocumentDatabase(settings) as database:
        context = HandlerContext(
            objects=objects,  # type: ignore[arg-type]  # all the handler uses of an ObjectStore
            graphs=MongoGraphStore(database),
            vectors=MongoVectorStore(database),
            tasks=TaskStore(database),
            notifier=Notifier(None, DeviceStore(database), PushReceipts(database)),
        )
        await default_registry(context).handler_for(message).handle(message)


@pytest.fixture
async def served(settings: Settings, sample_build: Any) -> AsyncIterator[tuple[str, Settings]]:
    """The real API on 127.0.0.1 serving the stored sample graph; its base URL."""
    api_settings = dataclasses.replace(settings, api_dispatch="http", vector_store="mongo")
    await store_through_worker(api_settings, sample_build)
    async with TestServer(create_app(api_settings), host="127.0.0.1") as server:
        yield str(server.make_url("")).rstrip("/"), api_settings


async def _get(base: str, path: str, headers: dict[str, str]) -> Any:
    async with aiohttp.ClientSession() as http, http.get(base + path, headers=headers) as answer:
        assert answer.status == 200, await answer.text()
        return await answer.json()


async def test_make_run_page_draws_the_sample_graph(served: tuple[str, Settings]) -> None:
    base, settings = served
    headers = auth(settings, USER)
    graph = await _get(base, "/v1/graphs/me", headers)
    summary = await _get(base, "/v1/graphs/me/summary", headers)
    assert len(graph["nodes"]) == 66
    assert len(graph["clusters"]) >= 5

    async with Browser() as browser:
        page = await browser.open(f"{base}/#token={token(settings, USER)}", width=1440, height=900)
        await check_ready(page)
        await check_draws_nodes(page, len(graph["nodes"]))
        await check_legend(page, graph["clusters"])
        await check_summary(page, summary)
        await page.screenshot(ARTIFACTS / "viewer-make-run.png")
        await check_same_origin_only(page, base)
        assert page.errors == [], page.errors
