"""The worker's Prometheus metrics, in a registry of its own (one per worker instance)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class WorkerMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.received = Counter("graphnode_worker_received", "Messages received.", registry=r)
        self.succeeded = Counter(
            "graphnode_worker_succeeded", "Messages handled and deleted.", ["task_type"], registry=r
        )
        self.failed = Counter(
            "graphnode_worker_failed",
            "Handler failures (left for redelivery).",
            ["task_type"],
            registry=r,
        )
        self.dead_lettered = Counter(
            "graphnode_worker_dead_lettered", "Messages sent to the DLQ at once.", registry=r
        )
        self.in_flight = Gauge("graphnode_worker_in_flight", "Handlers running.", registry=r)
        self.handler_seconds = Histogram(
            "graphnode_worker_handler_seconds",
            "Handler latency.",
            ["task_type"],
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900),
            registry=r,
        )
        self.visibility_extensions = Counter(
            "graphnode_worker_visibility_extensions", "Visibility heartbeats sent.", registry=r
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
