"""Start the whole of GraphNode on this machine and stop it again.

Backends: moto (SQS, S3), nx-27017 (MongoDB wire protocol), Chroma; services: the AI
service, the worker and the API, each its own process with the same settings, as in
production. Everything lives under one folder (a second run restarts the servers on the data
kept there) and is stopped together, within seconds, whatever interrupts the run.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import importlib.util
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

from graphnode.local import servers
from graphnode.local.processes import ServerProcess, answers_health, free_port, stop_all
from graphnode.local.quiet import NO_PROGRESS_BARS
from graphnode.settings import Settings

ROOT = servers.ROOT
SERVICE_START_SECONDS = 300.0  # the AI service loads its models before it answers
# Stopping: every server gets SIGTERM at once and this long, together, before SIGKILL.
STOP_GRACE_SECONDS = 5.0
# The worker's drain on SIGTERM must fit in that grace; a result it drops is redelivered.
WORKER_SHUTDOWN_GRACE_SECONDS = 3.0
# A task the previous run left open is ended through the worker's deadline sweeper
# (``python -m graphnode.local``): sweeping often makes that a matter of seconds.
TASK_SWEEP_SECONDS = 2.0


@functools.cache
def load_init_aws() -> ModuleType:
    """localstack/init_aws.py, the one provisioning script, imported by its path."""
    spec = importlib.util.spec_from_file_location("init_aws", ROOT / "localstack" / "init_aws.py")
    if spec is None or spec.loader is None:
        raise RuntimeError("localstack/init_aws.py is missing: run from a GraphNode checkout")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def provision_aws(settings: Settings, **options: int) -> dict[str, str]:
    """The bucket and queues ``settings`` name, made (or brought in line) by init_aws.py;
    ``options`` are its ``max_receive_count`` and ``visibility_timeout``."""
    provision: Callable[..., dict[str, str]] = load_init_aws().provision
    return provision(
        endpoint_url=settings.aws_endpoint_url,
        region=settings.aws_region,
        bucket=settings.bucket,
        request_queue=settings.request_queue,
        result_queue=settings.result_queue,
        **options,
    )


def _port(preferred: int) -> int:
    """The usual port when it is free, so URLs look familiar; else any free one."""
    import socket

    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", preferred))
        except OSError:
            return free_port()
    return preferred


@dataclasses.dataclass
class LocalStack:
    settings: Settings
    processes: list[ServerProcess]

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.api_port}"


def _backends(folder: Path, started: list[ServerProcess]) -> dict[str, str]:
    endpoints = {}
    for name, factory in (
        ("aws", servers.moto_server),
        ("mongo", servers.mongo_wire_server),
        ("chroma", servers.chroma_server),
    ):
        process, endpoint = factory(folder / name / "data")
        started.append(process)  # before start: an interrupted start is stopped too
        process.start()
        endpoints[name] = endpoint
        print(f"  {process.name:<10} {endpoint}", file=sys.stderr)
    return endpoints


SERVICES = ("ai", "worker", "api")


def service_process(settings: Settings, service: str, folder: Path) -> ServerProcess:
    """``python -m graphnode.<service>`` with ``settings``, ready once /healthz answers."""
    port = {"ai": settings.ai_port, "worker": settings.worker_port, "api": settings.api_port}
    url = f"http://127.0.0.1:{port[service]}"
    return ServerProcess(
        name=service,
        argv=[sys.executable, "-m", f"graphnode.{service}"],
        cwd=ROOT,
        env={**NO_PROGRESS_BARS, **os.environ, **settings.to_env(), "GRAPHNODE_LOG_FORMAT": "text"},
        log_path=folder / f"{service}.log",
        start_timeout=SERVICE_START_SECONDS,
        is_ready=lambda: answers_health(url),
    )


def _services(settings: Settings, folder: Path, started: list[ServerProcess]) -> None:
    for service in SERVICES:
        process = service_process(settings, service, folder)
        print(f"  starting the {service} service (log {process.log_path}) ...", file=sys.stderr)
        started.append(process)
        process.start()


@contextlib.contextmanager
def local_stack(folder: Path, base: Settings) -> Iterator[LocalStack]:
    folder.mkdir(parents=True, exist_ok=True)
    started: list[ServerProcess] = []
    try:
        endpoints = _backends(folder, started)
        settings = dataclasses.replace(
            base,
            aws_endpoint_url=endpoints["aws"],
            mongo_uri=endpoints["mongo"],
            chroma_url=endpoints["chroma"],
            chroma_path=None,
            api_port=_port(8080),
            ai_port=_port(8081),
            worker_port=_port(8082),
            worker_shutdown_grace=min(base.worker_shutdown_grace, WORKER_SHUTDOWN_GRACE_SECONDS),
            task_sweep_seconds=min(base.task_sweep_seconds, TASK_SWEEP_SECONDS),
        )
        settings = dataclasses.replace(settings, ai_url=f"http://127.0.0.1:{settings.ai_port}")
        provision_aws(settings)
        _services(settings, folder, started)
        yield LocalStack(settings, started)
    finally:
        stop_all(reversed(started), STOP_GRACE_SECONDS)
