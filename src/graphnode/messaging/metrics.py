"""A consumer's Prometheus metrics, in a registry of its own (one per consumer instance).

Names carry the service's prefix (``graphnode_worker_received_total``,
``graphnode_ai_received_total``, ...), so one Prometheus scrapes both kinds of process.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900)


class ConsumerMetrics:
    def __init__(self, prefix: str = "graphnode_worker") -> None:
        self.registry = r = CollectorRegistry()
        self.received = Counter(f"{prefix}_received", "Messages received.", registry=r)
        self.succeeded = Counter(
            f"{prefix}_succeeded", "Messages handled and deleted.", ["task_type"], registry=r
        )
        self.failed = Counter(
            f"{prefix}_failed",
            "Handler failures (left for redelivery).",
            ["task_type"],
            registry=r,
        )
        self.dead_lettered = Counter(
            f"{prefix}_dead_lettered", "Messages sent to the DLQ at once.", registry=r
        )
        self.in_flight = Gauge(f"{prefix}_in_flight", "Handlers running.", registry=r)
        self.handler_seconds = Histogram(
            f"{prefix}_handler_seconds",
            "Handler latency.",
            ["task_type"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.visibility_extensions = Counter(
            f"{prefix}_visibility_extensions", "Visibility heartbeats sent.", registry=r
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
