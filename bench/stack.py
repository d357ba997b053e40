"""The servers a benchmark runs against, started as the test run starts them: LocalStack
(SQS, S3), the MongoDB wire-protocol server and Chroma, on 127.0.0.1, with a fresh bucket,
queues and database named after the run."""

from __future__ import annotations

import contextlib
import dataclasses
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from graphnode.local import servers
from graphnode.local.processes import free_port
from graphnode.local.stack import provision_aws
from graphnode.settings import Settings


@contextlib.contextmanager
def bench_stack(logs: Path, prefix: str, **overrides: Any) -> Iterator[Settings]:
    """Settings pointing at freshly started servers (stopped after the block); ``overrides``
    replace any other setting."""
    started = [
        servers.localstack(logs / "localstack"),
        servers.mongo_wire_server(logs / "mongo"),
        servers.chroma_server(logs / "chroma"),
    ]
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
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
            **overrides,
        )
        provision_aws(settings)
        yield settings
    finally:
        for process, _ in reversed(started):
            process.stop()
