"""Worker throughput on the local queue server, against two baselines in the same run.

1. Handlers with 50 ms of I/O: our consumer (P long polls, C concurrent handlers, batched
   deletes) against the common consumer shape: receive a batch, handle it sequentially,
   delete it, repeat. Target: >= 5x.
2. No-op handlers: our consumer against the raw receive + batch-delete rate of the same
   server with the same number of polling loops. Target: >= 80%.

Writes bench/results/worker.json.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import orjson

from graphnode.adapters.sqs import QueueClient
from graphnode.contracts import TaskType
from graphnode.local import servers
from graphnode.messaging.consumer import Consumer, ConsumerConfig
from graphnode.messaging.metrics import ConsumerMetrics
from graphnode.messaging.retry import ExponentialBackoff
from graphnode.messaging.routing import HandlerRegistry
from graphnode.messaging.settler import BatchDeleter
from graphnode.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
MESSAGES = int(os.environ.get("BENCH_MESSAGES", "1000"))
HANDLER_IO_SECONDS = 0.05
POLLERS, CONCURRENCY = 4, 64


class SleepHandler:
    def __init__(self, seconds: float, total: int) -> None:
        self.seconds, self.total, self.done = seconds, total, 0
        self.all_done = asyncio.Event()

    async def handle(self, _message: Any) -> None:
        if self.seconds:
            await asyncio.sleep(self.seconds)
        self.done += 1
        if self.done >= self.total:
            self.all_done.set()


async def fill(sqs: QueueClient, queue: str, count: int) -> None:
    body = orjson.dumps(
        {
            "taskType": "GRAPH_GENERATION_PROGRESS",
            "taskId": "bench",
            "payload": {"userId": "bench", "currentStage": "x", "progressPercent": 1},
        }
    )
    await sqs.send_batch(queue, [body] * count)


async def sequential_baseline(sqs: QueueClient, queue: str, handler: SleepHandler) -> None:
    """Receive up to 10, handle one after another, delete the batch, repeat."""
    while handler.done < handler.total:
        batch = await sqs.receive(queue, wait_seconds=1, visibility_timeout=120)
        for _ in batch:
            await handler.handle(None)
        await sqs.delete_batch(queue, [m.receipt_handle for m in batch])


async def raw_receive_delete(sqs: QueueClient, queue: str, total: int) -> None:
    """The server's own ceiling: POLLERS loops that receive 10 and delete the batch in the
    background while they receive the next (no parsing, no handling, no bookkeeping)."""
    remaining = [total]
    deletes: list[asyncio.Task[list[str]]] = []

    async def loop() -> None:
        while remaining[0] > 0:
            batch = await sqs.receive(queue, wait_seconds=1, visibility_timeout=120)
            remaining[0] -= len(batch)
            if batch:
                handles = [m.receipt_handle for m in batch]
                deletes.append(asyncio.create_task(sqs.delete_batch(queue, handles)))

    await asyncio.gather(*(loop() for _ in range(POLLERS)))
    await asyncio.gather(*deletes)


async def ours(sqs: QueueClient, queue: str, handler: SleepHandler) -> None:
    config = ConsumerConfig(
        pollers=POLLERS,
        concurrency=CONCURRENCY,
        wait_seconds=1,
        visibility_timeout=120,
        retry=ExponentialBackoff(0),
    )
    registry = HandlerRegistry({TaskType.GRAPH_GENERATION_PROGRESS: handler})
    async with BatchDeleter(sqs) as deleter:
        consumer = Consumer(
            sqs, await sqs.queue_url(queue), registry, config, ConsumerMetrics(), deleter
        )
        stop = asyncio.Event()
        running = asyncio.create_task(consumer.run(stop))
        await handler.all_done.wait()
        stop.set()
        await running


async def timed(
    settings: Settings, name: str, run: Callable[[QueueClient, str], Awaitable[None]]
) -> float:
    queue = f"bench-{name}-{uuid.uuid4().hex[:8]}"
    async with QueueClient(settings, max_pool_connections=POLLERS + CONCURRENCY + 8) as sqs:
        await sqs.client.create_queue(QueueName=queue)
        await fill(sqs, queue, MESSAGES)
        started = time.perf_counter()
        await run(sqs, queue)
        elapsed = time.perf_counter() - started
        await sqs.client.delete_queue(QueueUrl=await sqs.queue_url(queue))
    rate = MESSAGES / elapsed
    print(f"  {name:<28} {rate:8.1f} msg/s ({elapsed:.2f} s)")
    return rate


async def measure(settings: Settings) -> dict[str, Any]:
    io = HANDLER_IO_SECONDS
    print(f"{MESSAGES} messages; handler I/O {io * 1000:.0f} ms; P={POLLERS}, C={CONCURRENCY}")
    seq = await timed(
        settings,
        "sequential-baseline-50ms",
        lambda s, q: sequential_baseline(s, q, SleepHandler(io, MESSAGES)),
    )
    ours_io = await timed(
        settings, "graphnode-worker-50ms", lambda s, q: ours(s, q, SleepHandler(io, MESSAGES))
    )
    # The raw ceiling is measured before and after ours and the better figure kept, so a
    # server that warms up (or slows down) during the run cannot flatter our number.
    raw_before = await timed(
        settings, "raw-receive-delete", lambda s, q: raw_receive_delete(s, q, MESSAGES)
    )
    ours_noop = await timed(
        settings, "graphnode-worker-noop", lambda s, q: ours(s, q, SleepHandler(0, MESSAGES))
    )
    raw_after = await timed(
        settings, "raw-receive-delete-again", lambda s, q: raw_receive_delete(s, q, MESSAGES)
    )
    raw = max(raw_before, raw_after)
    figures = {
        "messages": MESSAGES,
        "pollers": POLLERS,
        "concurrency": CONCURRENCY,
        "handler_io_seconds": io,
        "endpoint": settings.aws_endpoint_url,
        "rates_msgs_per_second": {
            "sequential_baseline_50ms": seq,
            "worker_50ms": ours_io,
            "raw_receive_delete": raw,
            "worker_noop": ours_noop,
        },
        "ratio_worker_vs_sequential_50ms": ours_io / seq,
        "ratio_worker_noop_vs_raw": ours_noop / raw,
        "targets": {"ratio_worker_vs_sequential_50ms": 5.0, "ratio_worker_noop_vs_raw": 0.8},
    }
    print(
        f"worker / sequential (50 ms I/O): {figures['ratio_worker_vs_sequential_50ms']:.1f}x "
        "(target >= 5x)"
    )
    print(
        f"worker no-op / raw receive+delete: {figures['ratio_worker_noop_vs_raw']:.0%} "
        "(target >= 80%)"
    )
    return figures


def main() -> None:
    settings = Settings.from_env()
    process = None
    if "AWS_ENDPOINT_URL" not in os.environ:
        data = Path(tempfile.mkdtemp(prefix="bench-localstack-"))
        process, endpoint = servers.localstack(data / "data")
        process.start()
        settings = dataclasses.replace(settings, aws_endpoint_url=endpoint)
    try:
        figures = asyncio.run(measure(settings))
    finally:
        if process:
            process.stop()
    out = ROOT / "bench" / "results" / "worker.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
