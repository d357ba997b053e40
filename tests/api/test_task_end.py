"""A task's end as clients see it: the event stream and ``graphnode generate --wait`` end
when the task FAILS, with its reason (and the CLI exits non-zero); the client's wait never
lasts without bound, whether the API is gone or the task stands still."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import orjson
import pytest
from aiohttp.test_utils import TestServer

from graphnode.adapters.mongo import DocumentDatabase
from graphnode.api.app import create_app
from graphnode.client.api_client import ClientError, GraphNodeClient, Unreachable
from graphnode.local.processes import free_port
from graphnode.storage.task_store import TaskState, TaskStore
from tests.support.api import token

pytestmark = pytest.mark.usefixtures("aws", "mongo", "chroma")

ROOT = Path(__file__).resolve().parents[2]
NOTES = ROOT / "samples" / "chatgpt-export" / "notes.json"
REASON = "the AI service ran out of memory"


@contextlib.asynccontextmanager
async def api_server(settings) -> AsyncIterator[str]:
    """The real API on a loopback port that another process can reach."""
    async with TestServer(create_app(settings), host="127.0.0.1") as server:
        yield str(server.make_url("")).rstrip("/")


async def _started_task(url: str, bearer: str) -> str:
    """A PENDING generation: dispatched to the request queue, which nothing consumes here."""
    async with GraphNodeClient(url, bearer) as client:
        await client.import_file(NOTES)
        return await client.generate()


async def _fail(settings, task_id: str, user: str) -> None:
    async with DocumentDatabase(settings) as database:
        assert await TaskStore(database).finish(
            task_id, user, TaskState.FAILED, error=REASON, error_code="AI_FAILED"
        )


def _events(stream: str) -> list[tuple[str, dict]]:
    events = []
    for block in stream.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in fields:
            events.append((fields["event"], orjson.loads(fields["data"])))
    return events


async def test_the_event_stream_ends_with_the_failure_and_its_reason(settings):
    bearer = token(settings, "erin")
    async with api_server(settings) as url, GraphNodeClient(url, bearer) as client:
        task_id = await _started_task(url, bearer)
        async with client._request("GET", f"/v1/tasks/{task_id}/events") as response:
            first = await asyncio.wait_for(response.content.readuntil(b"\n\n"), 10)
            assert _events(first.decode())[0][0] == "progress"
            await _fail(settings, task_id, "erin")
            rest = await asyncio.wait_for(response.content.read(), 10)  # to its end
    [(name, last)] = _events(rest.decode())[-1:]
    assert name == "done"
    assert last["status"] == "FAILED"
    assert last["error"] == REASON
    assert last["errorCode"] == "AI_FAILED"


async def test_generate_wait_prints_the_reason_and_exits_non_zero_when_the_task_fails(settings):
    bearer = token(settings, "frank")
    async with api_server(settings) as url, GraphNodeClient(url, bearer) as client:
        await client.import_file(NOTES)
        cli = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "graphnode.cli", "generate", "--wait"),
            *("--api", url, "--token", bearer),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            assert cli.stdout is not None
            started = await asyncio.wait_for(cli.stdout.readline(), 30)
            task_id = started.decode().split()[1]  # "task ID started"
            await _fail(settings, task_id, "frank")
            code = await asyncio.wait_for(cli.wait(), 15)
        finally:
            if cli.returncode is None:
                cli.kill()
                await cli.wait()
        assert cli.stderr is not None
        errors = (await cli.stderr.read()).decode()
    assert code == 1
    assert f"generation failed: {REASON} (AI_FAILED)" in errors
    assert "FAILED" in errors.splitlines()[-2]  # the progress line ends on the failure


async def test_wait_gives_up_on_an_api_that_is_gone():
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    async with GraphNodeClient(url, "any") as client:
        with pytest.raises(Unreachable, match="stopped answering while following task t-1"):
            await asyncio.wait_for(client.wait("t-1", lambda _: None, unreachable_timeout=1.0), 10)


async def test_wait_gives_up_on_a_task_that_stands_still(settings):
    bearer = token(settings, "gina")
    async with api_server(settings) as url, GraphNodeClient(url, bearer) as client:
        task_id = await _started_task(url, bearer)
        seen: list[dict] = []
        with pytest.raises(ClientError, match=f"task {task_id} has not moved for 2s"):
            await asyncio.wait_for(
                client.wait(task_id, seen.append, poll=0.2, stall_timeout=2.0), 15
            )
    assert [task["status"] for task in seen] == ["PENDING"]
