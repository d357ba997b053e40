"""``/healthz`` while pathological uploads are being parsed (issue 13): the event loop must
stay free whatever the uploads hold. Target: p99 under 100 ms under load.

The API runs as its own process. A probe asks ``/healthz`` every PROBE_INTERVAL seconds,
first with the API idle (the baseline), then while UPLOADERS clients import, in a loop,
files built to be slow to parse: markdown with one 64 KB line of each of the characters
that made the old regexes quadratic, unclosed constructs, deeply nested JSON, a zip whose
member unpacks far past the limit, and a real 20 MB ChatGPT export. Reported: the probe's
p50/p99/max in both phases, their ratio, and how the uploads were answered. Writes
bench/results/healthz_load.json.
"""

from __future__ import annotations

import asyncio
import io
import itertools
import json
import os
import statistics
import tempfile
import time
import zipfile
from pathlib import Path

import aiohttp
from bench.stack import bench_stack

from graphnode.local.stack import service_process
from graphnode.settings import Settings
from tests.support.api import token
from tests.support.chat_exports import conversations_needed, write_export_zip

ROOT = Path(__file__).resolve().parents[1]
SECONDS = float(os.environ.get("BENCH_SECONDS", "30"))
UPLOADERS = int(os.environ.get("BENCH_UPLOADERS", "4"))
PROBE_INTERVAL = 0.02
TARGET_P99_MS = 100.0
LINE = 64 * 1024


def _bomb() -> bytes:
    """A small zip whose conversations.json unpacks to 1 GB of spaces."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("conversations.json", "w", force_zip64=True) as member,
    ):
        member.write(b"[")
        block = b" " * (1024 * 1024)
        for _ in range(1024):
            member.write(block)
    return buffer.getvalue()


def pathological_files(folder: Path) -> list[tuple[str, bytes]]:
    """(file name, bytes) of each upload the clients cycle through."""
    files = [
        (f"run-of-{name}.md", char * LINE)
        for name, char in {
            "hashes": b"#",
            "dashes": b"-",
            "stars": b"*",
            "spaces": b" ",
            "backticks": b"`",
            "dollars": b"$",
            "brackets": b"[",
            "angles": b"<",
        }.items()
    ]
    files += [
        ("front-matter.md", b"---\n" + b"a: " * (LINE // 3)),
        ("unclosed-fence.md", b"# t\n```\n" + b"x ``` " * (LINE // 6)),
        ("heading-spaces.md", b"#" + b" " * LINE + b"x"),
        ("nested.json", b"[" * 50_000 + b"]" * 50_000),
    ]
    export = write_export_zip(folder / "export.zip", conversations_needed(20 * 1024 * 1024))
    # The heaviest first: every client meets them early in its turn through the list.
    return [("bomb.zip", _bomb()), ("export.zip", export.read_bytes()), *files]


async def probe(url: str, stop: asyncio.Event) -> list[float]:
    """Latencies of /healthz, one request at a time, until ``stop``."""
    latencies: list[float] = []
    async with aiohttp.ClientSession(url) as session:
        while not stop.is_set():
            started = time.perf_counter()
            try:
                async with session.get("/healthz", timeout=aiohttp.ClientTimeout(30)) as answer:
                    await answer.read()
            except (TimeoutError, aiohttp.ClientError):
                pass  # counted at the time it took: a probe that failed was not answered
            latencies.append(time.perf_counter() - started)
            await asyncio.sleep(PROBE_INTERVAL)
    return latencies


async def upload_loop(
    url: str, bearer: str, files: list[tuple[str, bytes]], start: int, stop: asyncio.Event
) -> dict[str, int]:
    """Import the files in turn (from ``start``) until ``stop``; the answers by status."""
    statuses: dict[str, int] = {}
    headers = {"Authorization": f"Bearer {bearer}"}
    async with aiohttp.ClientSession(url, headers=headers) as session:
        for name, data in itertools.islice(itertools.cycle(files), start, None):
            if stop.is_set():
                break
            async with session.post("/v1/imports", params={"filename": name}, data=data) as answer:
                await answer.read()
                key = f"{name}: {answer.status}"
                statuses[key] = statuses.get(key, 0) + 1
    return statuses


def summarise(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "probes": len(ordered),
        "p50_ms": 1000 * statistics.median(ordered),
        "p99_ms": 1000 * ordered[int(0.99 * (len(ordered) - 1))],
        "max_ms": 1000 * ordered[-1],
    }


async def measure(settings: Settings, files: list[tuple[str, bytes]]) -> dict[str, object]:
    url = f"http://127.0.0.1:{settings.api_port}"
    stop = asyncio.Event()
    idle = asyncio.create_task(probe(url, stop))
    await asyncio.sleep(min(5.0, SECONDS / 2))
    stop.set()
    baseline = summarise(await idle)

    stop = asyncio.Event()
    uploads = [
        # Each client starts at its own place in the list, so the heavy files run at once.
        asyncio.create_task(
            upload_loop(
                url, token(settings, f"hostile-{n}"), files, n * len(files) // UPLOADERS, stop
            )
        )
        for n in range(UPLOADERS)
    ]
    loaded = asyncio.create_task(probe(url, stop))
    await asyncio.sleep(SECONDS)
    stop.set()
    under_load = summarise(await loaded)
    answered: dict[str, int] = {}
    for statuses in await asyncio.gather(*uploads):
        for key, count in statuses.items():
            answered[key] = answered.get(key, 0) + count
    return {
        "idle": baseline,
        "under_load": under_load,
        "p99_ratio_to_idle": under_load["p99_ms"] / baseline["p99_ms"],
        "target_p99_ms": TARGET_P99_MS,
        "met": under_load["p99_ms"] < TARGET_P99_MS,
        "uploaders": UPLOADERS,
        "uploads": dict(sorted(answered.items())),
    }


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-healthz-"))
    files = pathological_files(work)
    with bench_stack(work, "healthz") as settings:
        api = service_process(settings, "api", work / "api").start()
        try:
            figures = asyncio.run(measure(settings, files))
        finally:
            api.stop()
    idle, loaded = figures["idle"], figures["under_load"]
    print(
        f"/healthz idle: p50 {idle['p50_ms']:.1f} ms, p99 {idle['p99_ms']:.1f} ms; under "
        f"{UPLOADERS} pathological uploaders: p50 {loaded['p50_ms']:.1f} ms, p99 "
        f"{loaded['p99_ms']:.1f} ms, max {loaded['max_ms']:.1f} ms -> p99 ratio "
        f"{figures['p99_ratio_to_idle']:.2f}; target p99 < {TARGET_P99_MS:.0f} ms: "
        f"{'met' if figures['met'] else 'NOT met'}"
    )
    for key, count in figures["uploads"].items():
        print(f"  {key} x{count}")
    out = ROOT / "bench" / "results" / "healthz_load.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
