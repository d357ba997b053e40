"""The worker as an operating-system process: kill -9 mid-message, and SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graphnode.adapters.chroma import VectorCollection
from graphnode.adapters.mongo import Collections, DocumentDatabase
from graphnode.adapters.sqs import QueueClient
from graphnode.storage.device_store import DeviceStore
from graphnode.storage.task_store import TaskStore
from tests.support.graphs import features_file, graph_file
from tests.support.waiting import wait_until
from tests.support.worker import put_result_files, running_worker, send, worker_settings

pytestmark = pytest.mark.usefixtures("aws", "mongo", "chroma")

ROOT = Path(__file__).resolve().parents[2]
IDS = ["p1", "p2", "p3", "p4"]
RESULT = {
    "taskType": "GRAPH_GENERATION_RESULT",
    "taskId": "t-proc",
    "payload": {
        "userId": "u1",
        "status": "COMPLETED",
        "resultS3Key": "graphs/u1/t-proc/graph.json",
        "featuresS3Key": "graphs/u1/t-proc/features.json",
    },
}


def _spawn(wsettings, marker: Path, pause: float, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        **wsettings.to_env(),
        "SLOW_WORKER_MARKER": str(marker),
        "SLOW_WORKER_PAUSE": str(pause),
        "PYTHONUNBUFFERED": "1",
    }
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.support.slow_worker"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


async def _with_result_files(settings, fcm_url, **overrides):
    """Worker settings for these tests, with the result's files already in S3."""
    wsettings = worker_settings(settings, fcm_url, **overrides)
    files = {
        "graphs/u1/t-proc/graph.json": graph_file(IDS),
        "graphs/u1/t-proc/features.json": features_file(IDS),
    }
    await put_result_files(wsettings, files)
    return wsettings


@pytest.fixture
async def prepared(settings, fcm_server):
    wsettings = await _with_result_files(
        settings, fcm_server.url, worker_visibility_timeout=4, worker_shutdown_grace=5.0
    )
    async with DocumentDatabase(wsettings) as database:
        await DeviceStore(database).register("u1", "tablet-token")
        yield wsettings, database


async def _exists(path: Path) -> bool:
    return await asyncio.to_thread(path.exists)


async def _exited(process: subprocess.Popen) -> bool:
    return process.poll() is not None


async def test_kill_9_mid_message_is_redelivered_and_stored_exactly_once(
    prepared, fcm_server, tmp_path
):
    wsettings, database = prepared
    marker = tmp_path / "handled"
    victim = _spawn(wsettings, marker, pause=120, log=tmp_path / "victim.log")
    try:
        await send(wsettings, RESULT)
        # The victim stored everything and pushed, but has not deleted the message yet.
        await wait_until(lambda: _exists(marker), within=60, what="victim handled the message")
        victim.kill()
        await wait_until(lambda: _exited(victim), what="victim dead")
    finally:
        victim.kill()
    assert len(fcm_server.delivered) == 1

    async with running_worker(wsettings):
        await wait_until(lambda: _queue_empty(wsettings), within=60, what="redelivery handled")
    assert await database.collection(Collections.NODES).count_documents({"user_id": "u1"}) == 4
    assert await database.collection(Collections.EDGES).count_documents({"user_id": "u1"}) == 3
    async with VectorCollection(wsettings) as vectors:
        assert await vectors.count() == 4
    assert len(fcm_server.delivered) == 1


async def _queue_empty(wsettings) -> bool:
    async with QueueClient(wsettings) as sqs:
        return await sqs.approximate_depth(wsettings.result_queue) == 0


async def test_sigterm_with_work_in_flight_exits_0_within_grace(prepared, tmp_path):
    wsettings, database = prepared
    marker = tmp_path / "handled"
    worker = _spawn(wsettings, marker, pause=2, log=tmp_path / "worker.log")
    try:
        await send(wsettings, RESULT)
        await wait_until(lambda: _exists(marker), within=60, what="handler in flight")
        started = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        await wait_until(lambda: _exited(worker), within=30, what="worker exit")
        took = time.monotonic() - started
    finally:
        worker.kill()
    assert worker.returncode == 0, (tmp_path / "worker.log").read_text()[-2000:]
    assert took < wsettings.worker_shutdown_grace + 5
    assert (await TaskStore(database).get("t-proc"))["status"] == "COMPLETED"
    assert await _queue_empty(wsettings)  # finished within the grace period, so deleted


async def test_sigterm_releases_what_cannot_finish_in_the_grace_period(
    settings, fcm_server, tmp_path
):
    wsettings = await _with_result_files(
        settings, fcm_server.url, worker_visibility_timeout=60, worker_shutdown_grace=1.0
    )
    marker = tmp_path / "handled"
    worker = _spawn(wsettings, marker, pause=120, log=tmp_path / "worker.log")
    try:
        await send(wsettings, RESULT)
        await wait_until(lambda: _exists(marker), within=60, what="handler in flight")
        worker.send_signal(signal.SIGTERM)
        await wait_until(lambda: _exited(worker), within=15, what="worker exit")
    finally:
        worker.kill()
    assert worker.returncode == 0, (tmp_path / "worker.log").read_text()[-2000:]
    # Released with visibility 0: another worker gets it now, not after the 60 s timeout.
    async with QueueClient(wsettings) as sqs:
        again = await sqs.receive(wsettings.result_queue, wait_seconds=5)
    assert [m.receive_count for m in again] == [2]
