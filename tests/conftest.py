"""Session-wide real servers and per-test isolated settings.

Servers start once per test run on free loopback ports (see ``graphnode.local.servers``);
each test gets its own bucket, queues, MongoDB database and Chroma collection, so tests
never see each other's data and need no reset.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import pytest
from pymongo import MongoClient

from graphnode.adapters.aws import credentials_for
from graphnode.local import servers
from graphnode.local.stack import load_init_aws, provision_aws
from graphnode.settings import Settings
from tests.support.fcm_server import FcmTestServer

# The one provisioning script, as make run and make services use it.
init_aws = load_init_aws


def _server(
    name: str,
    variable: str,
    factory: Callable[[Path], tuple[servers.ServerProcess, str]],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    """The endpoint named by ``variable`` when it is set at start, else one we start."""
    given = os.environ.get(variable)
    if given is not None:
        yield given
        return
    with _running(factory, tmp_path_factory.mktemp(name) / "data") as (_process, endpoint):
        yield endpoint


@contextmanager
def _running(
    factory: Callable[[Path], tuple[servers.ServerProcess, str]], data_dir: Path
) -> Iterator[tuple[servers.ServerProcess, str]]:
    """A server started on ``data_dir``, and its endpoint; stopped on leaving."""
    process, endpoint = factory(data_dir)
    process.start()
    try:
        yield process, endpoint
    finally:
        process.stop()


@pytest.fixture(scope="session")
def aws_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """LocalStack's URL; empty when AWS_ENDPOINT_URL= was given (real AWS)."""
    yield from _server("localstack", "AWS_ENDPOINT_URL", servers.localstack, tmp_path_factory)


@pytest.fixture(scope="session")
def mongo_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _server("mongo", "GRAPHNODE_MONGO_URI", servers.mongo_wire_server, tmp_path_factory)


SAMPLE_EXPORT = Path(__file__).resolve().parents[1] / "samples" / "chatgpt-export"


@pytest.fixture(scope="session")
async def keyword_pipeline() -> AsyncIterator[Any]:
    """The real pipeline (the embedding model, keyword naming), opened once for the run:
    loading the model is the slow part, and every test that builds a graph shares it."""
    from graphnode.ai.components import open_pipeline  # torch: only for tests that need it

    settings = dataclasses.replace(Settings.from_env({}), llm_backend="keywords")
    async with open_pipeline(settings) as opened:
        yield opened


@pytest.fixture(scope="session")
def sample_documents() -> list[Any]:
    """The sample export of ``make run``, parsed."""
    from graphnode.ingest.parse import parse_paths

    return parse_paths([SAMPLE_EXPORT / "conversations.json", SAMPLE_EXPORT / "notes.json"])


@pytest.fixture(scope="session")
async def sample_graph(keyword_pipeline: Any, sample_documents: list[Any]) -> Any:
    """The sample built once, with default options (a ``PipelineResult``)."""
    from graphnode.ai.pipeline.runner import PipelineOptions

    return await keyword_pipeline.pipeline.run(sample_documents, PipelineOptions())


@pytest.fixture
def own_mongo(tmp_path: Path) -> Iterator[tuple[servers.ServerProcess, str]]:
    """A MongoDB-protocol server of this test's own (server, uri), which the test may stop
    and start again on the same data directory."""
    with _running(servers.mongo_wire_server, tmp_path / "own-mongo") as own:
        yield own


@pytest.fixture
def own_chroma(tmp_path: Path) -> Iterator[tuple[servers.ServerProcess, str]]:
    """A Chroma server of this test's own (server, url), to stop and start on the same data."""
    with _running(servers.chroma_server, tmp_path / "own-chroma") as own:
        yield own


@pytest.fixture(scope="session")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _server("chroma", "GRAPHNODE_CHROMA_URL", servers.chroma_server, tmp_path_factory)


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def settings(request: pytest.FixtureRequest) -> Settings:
    """Settings with names no other test uses, pointing at the servers this test needs.

    A server starts (once per run) only when a test uses a fixture that needs it, so the
    pure-logic tests run without any.
    """
    needs = set(request.fixturenames)
    aws = request.getfixturevalue("aws_endpoint") if "aws" in needs else None
    mongo = request.getfixturevalue("mongo_uri") if "mongo" in needs else "mongodb://unused"
    chroma = request.getfixturevalue("chroma_url") if "chroma" in needs else None
    name = _unique("gn")
    return Settings(
        aws_endpoint_url=aws or None,
        aws_region=os.environ.get("AWS_REGION", "us-east-1"),
        bucket=name,
        request_queue=f"{name}-requests",
        result_queue=f"{name}-results",
        mongo_uri=mongo,
        mongo_db=name.replace("-", "_"),
        chroma_url=chroma,
        chroma_path=None,
        chroma_collection=name.replace("-", "_"),
        log_format="text",
    )


@dataclasses.dataclass(frozen=True)
class AwsResources:
    bucket: str
    request_queue_url: str
    request_dlq_url: str
    result_queue_url: str
    result_dlq_url: str


def _boto(settings: Settings, service: str) -> Any:
    return boto3.client(
        service,
        region_name=settings.aws_region,
        endpoint_url=settings.aws_endpoint_url,
        **credentials_for(settings),
    )


def _remove_aws(settings: Settings, resources: AwsResources) -> None:
    sqs, s3 = _boto(settings, "sqs"), _boto(settings, "s3")
    for url in (
        resources.request_queue_url,
        resources.request_dlq_url,
        resources.result_queue_url,
        resources.result_dlq_url,
    ):
        sqs.delete_queue(QueueUrl=url)
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=resources.bucket):
        keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
        if keys:
            s3.delete_objects(Bucket=resources.bucket, Delete={"Objects": keys})
    s3.delete_bucket(Bucket=resources.bucket)


@pytest.fixture
async def aws(settings: Settings) -> AsyncIterator[AwsResources]:
    """This test's bucket and queues (each with DLQ and redrive), made by localstack/init_aws.py."""
    urls = await asyncio.to_thread(
        provision_aws,
        settings,
        max_receive_count=settings.max_receive_count,
        visibility_timeout=30,
    )
    resources = AwsResources(**urls)
    yield resources
    await asyncio.to_thread(_remove_aws, settings, resources)


@pytest.fixture
def mongo(settings: Settings) -> Iterator[str]:
    """This test uses MongoDB; its database is dropped after."""
    yield settings.mongo_uri
    client: MongoClient = MongoClient(settings.mongo_uri)
    try:
        client.drop_database(settings.mongo_db)
    finally:
        client.close()


@pytest.fixture
def chroma(settings: Settings) -> str | None:
    """This test uses the Chroma server (its collection name is unique to the test)."""
    return settings.chroma_url


@pytest.fixture(scope="session")
async def fcm_session_server() -> AsyncIterator[FcmTestServer]:
    server = FcmTestServer()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def fcm_server(fcm_session_server: FcmTestServer) -> Iterator[FcmTestServer]:
    """The local FCM-v1 server, with nothing recorded and no faults set."""
    fcm_session_server.reset()
    yield fcm_session_server
    fcm_session_server.reset()
