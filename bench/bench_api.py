"""API throughput and latency on loopback, as a ratio against a plain aiohttp handler that
returns the same bytes from memory (the ceiling of aiohttp on this machine).

1. ``GET /v1/graphs/me`` for a 2,000-node graph (read from MongoDB, shaped, serialised).
2. ``POST /v1/graphs/generate`` (claim, streamed bundle to S3, message on the queue), one
   request per user, many users.

Both servers run as their own processes; the load generator is an async client in this
process with a fixed number of connections. Writes bench/results/api.json.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import statistics
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

from graphnode.adapters.mongo import DocumentDatabase
from graphnode.contracts import GraphFile
from graphnode.ingest.documents import Document, Section
from graphnode.local import servers
from graphnode.local.processes import ServerProcess, free_port
from graphnode.local.stack import service_process
from graphnode.settings import Settings
from graphnode.storage.conversation_store import ConversationStore
from graphnode.storage.graph_store import MongoGraphStore
from tests.conftest import init_aws
from tests.support.api import token
from tests.support.graphs import graph_file

ROOT = Path(__file__).resolve().parents[1]
NODES = 2_000
CONNECTIONS = 16
GET_SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
GENERATE_USERS = int(os.environ.get("BENCH_USERS", "200"))


async def load(
    url: str,
    request: Callable[[aiohttp.ClientSession, int], Any],
    *,
    seconds: float | None,
    total: int | None = None,
) -> dict[str, float]:
    """CONNECTIONS workers issue requests until ``seconds`` pass (or ``total`` are done)."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    counter = iter(range(10**9))
    deadline = time.perf_counter() + (seconds or 3600)

    async def worker(session: aiohttp.ClientSession) -> None:
        while time.perf_counter() < deadline:
            n = next(counter)
            if total is not None and n >= total:
                return
            started = time.perf_counter()
            async with request(session, n) as response:
                await response.read()
                statuses[response.status] = statuses.get(response.status, 0) + 1
            latencies.append(time.perf_counter() - started)

    connector = aiohttp.TCPConnector(limit=CONNECTIONS)
    async with aiohttp.ClientSession(url, connector=connector) as session:
        started = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(CONNECTIONS)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))],
        "statuses": statuses,
    }


async def seed(settings: Settings, users: list[str]) -> None:
    """A 2,000-node graph for 'reader' (returns its snapshot bytes); one conversation each
    for the generating users."""
    ids = [f"conv-{i}" for i in range(NODES)]
    graph = GraphFile.model_validate(graph_file(ids, clusters=12))
    async with DocumentDatabase(settings) as database:
        await MongoGraphStore(database).replace_graph("reader", "bench", graph, datetime.now(UTC))
        store = ConversationStore(database)
        for user in users:
            await store.save(
                user,
                [
                    Document(
                        orig_id="c1",
                        title="Bread",
                        sections=(
                            Section("user", "How long should sourdough proof?"),
                            Section("assistant", "Until it has grown by about half."),
                        ),
                    )
                ],
            )


async def measure(settings: Settings, logs: Path) -> dict[str, Any]:
    users = [f"gen-{i}" for i in range(GENERATE_USERS)]
    await seed(settings, users)
    api_url = f"http://127.0.0.1:{settings.api_port}"
    api = service_process(settings, "api", logs).start()
    reader = {"Authorization": f"Bearer {token(settings, 'reader')}"}
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{api_url}/v1/graphs/me", headers=reader) as answer,
        ):
            snapshot = await answer.read()
        ours_get = await load(
            api_url, lambda s, _: s.get("/v1/graphs/me", headers=reader), seconds=GET_SECONDS
        )
        tokens = [token(settings, u) for u in users]
        ours_generate = await load(
            api_url,
            lambda s, n: s.post(
                "/v1/graphs/generate", headers={"Authorization": f"Bearer {tokens[n]}"}
            ),
            seconds=None,
            total=len(users),
        )
    finally:
        api.stop()
    body_file = logs / "snapshot.json"
    body_file.write_bytes(snapshot)
    accepted = logs / "accepted.json"
    accepted.write_bytes(json.dumps({"taskId": "task_x", "status": "PENDING"}).encode())
    ceilings = {}
    for name, body, status, kwargs in (
        ("get", body_file, 200, {"seconds": GET_SECONDS}),
        ("generate", accepted, 202, {"seconds": None, "total": len(users)}),
    ):
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        plain = ServerProcess(
            name=f"ceiling-{name}",
            cwd=ROOT,
            env=dict(os.environ),
            argv=[sys.executable, "bench/ceiling_server.py", str(port), str(body), str(status)],
            log_path=logs / f"ceiling-{name}.log",
            is_ready=lambda url=url: _port_open(url),
        ).start()
        try:
            method = "get" if name == "get" else "post"
            ceilings[name] = await load(url, lambda s, _, m=method: getattr(s, m)("/x"), **kwargs)
        finally:
            plain.stop()
    return {
        "graph_nodes": NODES,
        "snapshot_bytes": len(snapshot),
        "connections": CONNECTIONS,
        "get_graph": {
            "graphnode": ours_get,
            "ceiling": ceilings["get"],
            "ratio_rps": ours_get["rps"] / ceilings["get"]["rps"],
        },
        "generate": {
            "graphnode": ours_generate,
            "ceiling": ceilings["generate"],
            "ratio_rps": ours_generate["rps"] / ceilings["generate"]["rps"],
        },
    }


def _port_open(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/x", timeout=1):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def main() -> None:
    logs = Path(tempfile.mkdtemp(prefix="bench-api-"))
    started = [
        servers.localstack(logs / "localstack"),
        servers.mongo_wire_server(logs / "mongo"),
        servers.chroma_server(logs / "chroma"),
    ]
    name = f"bench-{uuid.uuid4().hex[:8]}"
    try:
        for process, _ in started:
            process.start()
        (_, aws), (_, mongo), (_, chroma) = started
        settings = dataclasses.replace(
            Settings.from_env({}),
            aws_endpoint_url=aws,
            mongo_uri=mongo,
            chroma_url=chroma,
            bucket=name,
            request_queue=f"{name}-requests",
            result_queue=f"{name}-results",
            mongo_db=name.replace("-", "_"),
            api_port=free_port(),
            log_level="WARNING",
            generate_per_hour=1000,
        )
        init_aws().provision(
            endpoint_url=aws,
            region=settings.aws_region,
            bucket=name,
            request_queue=settings.request_queue,
            result_queue=settings.result_queue,
        )
        figures = asyncio.run(measure(settings, logs))
    finally:
        for process, _ in reversed(started):
            process.stop()
    for name, part in (
        ("GET /v1/graphs/me", figures["get_graph"]),
        ("POST /v1/graphs/generate", figures["generate"]),
    ):
        ours, ceiling = part["graphnode"], part["ceiling"]
        print(
            f"{name}: {ours['rps']:.0f} req/s (p50 {ours['p50_ms']:.1f} ms, p99 "
            f"{ours['p99_ms']:.1f} ms) vs plain aiohttp {ceiling['rps']:.0f} req/s "
            f"-> ratio {part['ratio_rps']:.2f}; statuses {ours['statuses']}"
        )
    out = ROOT / "bench" / "results" / "api.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
