"""The real servers the tests talk to: LocalStack (SQS, S3), nx-27017 (MongoDB wire
protocol) and Chroma, each started on a free loopback port, or taken from the settings.

A variable that is set when the test run starts (``AWS_ENDPOINT_URL``, ``GRAPHNODE_MONGO_URI``,
``GRAPHNODE_CHROMA_URL``) names a server that is already running, and none is started for it:
that is how the same tests run against real AWS (``AWS_ENDPOINT_URL=``), MongoDB or Chroma.
"""

from __future__ import annotations

import json
import shutil
import sys
import urllib.request
from pathlib import Path

from pymongo import MongoClient
from pymongo.errors import PyMongoError

from graphnode.local.processes import ServerProcess, free_port

ROOT = Path(__file__).resolve().parents[3]  # the repository (a development checkout)
LOCALSTACK_RUNNER = ROOT / "localstack" / "run-host.sh"


def _http_json(url: str) -> dict | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return json.loads(answer.read() or b"{}")
    except (OSError, ValueError):
        return None


def localstack(data_dir: Path) -> tuple[ServerProcess, str]:
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        health = _http_json(f"{endpoint}/_localstack/health") or {}
        services = health.get("services", {})
        return all(services.get(name) in {"available", "running"} for name in ("sqs", "s3"))

    server = ServerProcess(
        name="localstack",
        argv=["bash", str(LOCALSTACK_RUNNER)],
        env={"LOCALSTACK_PORT": str(port), "LOCALSTACK_DATA_DIR": str(data_dir)},
        log_path=data_dir.parent / "localstack.log",
        is_ready=ready,
        # The first run installs LocalStack into its own virtualenv (about a minute).
        start_timeout=300.0,
    )
    return server, endpoint


def mongo_wire_server(data_dir: Path) -> tuple[ServerProcess, str]:
    port = free_port()
    uri = f"mongodb://127.0.0.1:{port}"
    data_dir.mkdir(parents=True, exist_ok=True)

    def ready() -> bool:
        client: MongoClient = MongoClient(uri, serverSelectionTimeoutMS=500)
        try:
            client.admin.command("ping")
        except PyMongoError:
            return False
        finally:
            client.close()
        return True

    executable = shutil.which("nx-27017", path=str(Path(sys.executable).parent)) or "nx-27017"
    server = ServerProcess(
        name="nx-27017",
        argv=[
            executable,
            "--host",
            "127.0.0.1",
            "-p",
            str(port),
            "--data-dir",
            str(data_dir),
            "--pid-file",
            str(data_dir / "nx.pid"),
            "--log-file",
            str(data_dir / "nx.log"),
        ],
        log_path=data_dir.parent / "nx-27017.log",
        is_ready=ready,
    )
    return server, uri


def chroma_server(data_dir: Path) -> tuple[ServerProcess, str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    executable = shutil.which("chroma", path=str(Path(sys.executable).parent)) or "chroma"
    server = ServerProcess(
        name="chroma",
        argv=[
            executable,
            "run",
            "--path",
            str(data_dir),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env={"ANONYMIZED_TELEMETRY": "False"},
        log_path=data_dir.parent / "chroma.log",
        is_ready=lambda: _http_json(f"{url}/api/v2/heartbeat") is not None,
    )
    return server, url


def moto_server(data_dir: Path) -> tuple[ServerProcess, str]:
    """SQS and S3 from moto's server: starts in well under a second, no extra virtualenv."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    executable = shutil.which("moto_server", path=str(Path(sys.executable).parent))
    server = ServerProcess(
        name="moto",
        argv=[executable or "moto_server", "-H", "127.0.0.1", "-p", str(port)],
        log_path=data_dir.parent / "moto.log",
        is_ready=lambda: _http_json(f"{url}/moto-api/data.json") is not None,
    )
    return server, url
