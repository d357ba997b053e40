"""API throughput and latency on loopback, as a ratio against a plain aiohttp handler that
returns the same bytes from memory (the ceiling of aiohttp on this machine).

1. ``GET /v1/graphs/me`` for a 2,000-node graph (read from MongoDB, shaped, serialised).
2. ``POST /v1/graphs/generate`` (claim, streamed bundle to S3, message on the queue), one
   request per user, many users.
3. Memory of ``POST /v1/imports``: zipped ChatGPT exports of BENCH_IMPORT_MB (default 20
   and 80) MB of conversations.json, each imported by a fresh API process; the peak RSS
   (VmHWM) of the API process and of its parser processes, against a tiny import's. Peak
   memory must not grow with the export (an import used to hold it whole, several times).

Both servers run as their own processes; the load generator is an async client in this
process with a fixed number of connections. Writes bench/results/api.json;
BENCH_ONLY=memory runs the third part alone and updates only its figures there.
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
from bench.stack import bench_stack

from graphnode.adapters.mongo import DocumentDatabase
from graphnode.contracts import GraphFile
from graphnode.ingest.documents import Document, Section
from graphnode.local.processes import ServerProcess, free_port
from graphnode.local.stack import service_process
from graphnode.settings import Settings
from graphnode.storage.conversation_store import ConversationStore
from graphnode.storage.graph_store import MongoGraphStore
from tests.support.api import token
from tests.support.chat_exports import conversations_needed, write_export_zip
from tests.support.graphs import graph_file

ROOT = Path(__file__).resolve().parents[1]
NODES = 2_000
CONNECTIONS = 16
GET_SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
GENERATE_USERS = int(os.environ.get("BENCH_USERS", "200"))
IMPORT_MB = [int(mb) for mb in os.environ.get("BENCH_IMPORT_MB", "20,80").split(",")]
ONLY = os.environ.get("BENCH_ONLY", "")


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


def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, process group) of a live process."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    return int(fields[1]), int(fields[2])


def _peak_mib(pid: int) -> float:
    """The process's peak resident memory so far (VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _import_peaks(group: int) -> dict[str, float]:
    """Peak RSS of the API process and the largest of its parser processes (the pool's
    workers: the children of the forkserver the API started)."""
    stats = {
        pid: stat
        for pid in map(int, filter(str.isdigit, os.listdir("/proc")))
        if (stat := _stat(pid)) is not None and stat[1] == group
    }
    # The guardian's command line names the API too: the API is the guardian's child.
    guardian = next(pid for pid in stats if "graphnode.local.guard" in _cmdline(pid))
    api = next(pid for pid, (parent, _) in stats.items() if parent == guardian)
    forkservers = {
        pid for pid, (parent, _) in stats.items() if parent == api and "forkserver" in _cmdline(pid)
    }
    workers = [pid for pid, (parent, _) in stats.items() if parent in forkservers]
    return {
        "api_peak_mib": _peak_mib(api),
        "parser_peak_mib": max((_peak_mib(pid) for pid in workers), default=0.0),
        "parser_processes": len(workers),
    }


async def _import_once(settings: Settings, export: Path, logs: Path) -> dict[str, Any]:
    """Import ``export`` into a fresh API process; its peaks once the import is stored."""
    own = dataclasses.replace(settings, api_port=free_port())
    api = service_process(own, "api", logs).start()
    try:
        assert api.group is not None
        user = f"importer-{uuid.uuid4().hex[:6]}"
        headers = {
            "Authorization": f"Bearer {token(settings, user)}",
            "Content-Type": "application/octet-stream",
        }
        url = f"http://127.0.0.1:{own.api_port}/v1/imports?filename=export.zip"
        upload = await asyncio.to_thread(export.open, "rb")
        started = time.perf_counter()
        timeout = aiohttp.ClientTimeout(total=1800)
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.post(url, data=upload, headers=headers) as answer,
            ):
                body = await answer.json()
                status = answer.status
        finally:
            upload.close()
        seconds = time.perf_counter() - started
        return {
            "status": status,
            "documents": body.get("new"),
            "seconds": seconds,
            **_import_peaks(api.group),
        }
    finally:
        api.stop()


async def measure_import_memory(settings: Settings, logs: Path) -> dict[str, Any]:
    exports = {"tiny": write_export_zip(logs / "tiny.zip", 5)}
    json_bytes = {"tiny": 0}
    for mb in IMPORT_MB:
        count = conversations_needed(mb * 1_000_000)
        exports[f"{mb}MB"] = write_export_zip(logs / f"export-{mb}mb.zip", count)
        json_bytes[f"{mb}MB"] = mb * 1_000_000
    figures: dict[str, Any] = {}
    for label, export in exports.items():
        figure = await _import_once(settings, export, logs / f"import-{label}")
        figures[label] = {"zip_bytes": export.stat().st_size, **figure}
    tiny = figures["tiny"]
    for label in figures:
        for part in ("api", "parser"):
            base = tiny[f"{part}_peak_mib"]
            figures[label][f"{part}_ratio_to_tiny"] = figures[label][f"{part}_peak_mib"] / base
    # The target: no ratio much above 1 (at most ~1.5) however many times larger the export.
    small = f"{IMPORT_MB[0]}MB"
    for larger in IMPORT_MB[1:]:
        for part in ("api", "parser"):
            figures[f"{part}_ratio_{larger}MB_to_{small}"] = (
                figures[f"{larger}MB"][f"{part}_peak_mib"] / figures[small][f"{part}_peak_mib"]
            )
    return figures


def _port_open(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/x", timeout=1):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def _report_memory(figures: dict[str, Any]) -> None:
    for label, figure in figures.items():
        if not isinstance(figure, dict):
            continue
        print(
            f"import {label} ({figure['zip_bytes'] / 1e6:.1f} MB zip, {figure['documents']} "
            f"conversations, {figure['seconds']:.1f} s, status {figure['status']}): API peak "
            f"{figure['api_peak_mib']:.0f} MiB ({figure['api_ratio_to_tiny']:.2f}x tiny), "
            f"parser peak {figure['parser_peak_mib']:.0f} MiB "
            f"({figure['parser_ratio_to_tiny']:.2f}x tiny)"
        )
    for label, ratio in figures.items():
        if not isinstance(ratio, dict):
            print(f"{label}: {ratio:.2f}")


def main() -> None:
    logs = Path(tempfile.mkdtemp(prefix="bench-api-"))
    with bench_stack(logs, "bench", generate_per_hour=1000) as settings:
        figures = {} if ONLY == "memory" else asyncio.run(measure(settings, logs))
        figures["import_memory"] = asyncio.run(measure_import_memory(settings, logs))
    _report_memory(figures["import_memory"])
    for name, part in (
        ("GET /v1/graphs/me", figures.get("get_graph")),
        ("POST /v1/graphs/generate", figures.get("generate")),
    ):
        if part is None:
            continue
        ours, ceiling = part["graphnode"], part["ceiling"]
        print(
            f"{name}: {ours['rps']:.0f} req/s (p50 {ours['p50_ms']:.1f} ms, p99 "
            f"{ours['p99_ms']:.1f} ms) vs plain aiohttp {ceiling['rps']:.0f} req/s "
            f"-> ratio {part['ratio_rps']:.2f}; statuses {ours['statuses']}"
        )
    out = ROOT / "bench" / "results" / "api.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    if ONLY and out.exists():
        figures = {**json.loads(out.read_text()), **figures}
    out.write_text(json.dumps(figures, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
