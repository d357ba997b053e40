"""Session-wide real servers and per-test isolated settings.

Servers start once per test run on free loopback ports (see ``tests/support/servers.py``);
each test gets its own bucket, queues, MongoDB database and Chroma collection, so tests
never see each other's data and need no reset.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import importlib.util
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest
from pymongo import MongoClient

from graphnode.settings import Settings
from tests.support import servers

ROOT = Path(__file__).resolve().parents[1]


@functools.cache
def init_aws() -> ModuleType:
    """localstack/init_aws.py, the one provisioning script, imported by path."""
    spec = importlib.util.spec_from_file_location("init_aws", ROOT / "localstack" / "init_aws.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclasses.dataclass(frozen=True)
class Endpoints:
    aws: str | None
    mongo: str
    chroma: str


def _given(name: str) -> str | None:
    """A server named by the environment at start (empty AWS_ENDPOINT_URL = real AWS)."""
    return os.environ.get(name)


@pytest.fixture(scope="session")
def endpoints(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoints]:
    root = tmp_path_factory.mktemp("servers")
    started: list[servers.ServerProcess] = []
    try:
        aws = _given("AWS_ENDPOINT_URL")
        if aws is None:
            process, aws = servers.localstack(root / "localstack")
            started.append(process.start())
        mongo = _given("GRAPHNODE_MONGO_URI")
        if mongo is None:
            process, mongo = servers.mongo_wire_server(root / "mongo")
            started.append(process.start())
        chroma = _given("GRAPHNODE_CHROMA_URL")
        if chroma is None:
            process, chroma = servers.chroma_server(root / "chroma")
            started.append(process.start())
        yield Endpoints(aws=aws or None, mongo=mongo, chroma=chroma)
    finally:
        for process in reversed(started):
            process.stop()


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def base_settings(endpoints: Endpoints) -> Settings:
    """Settings pointing at the test servers, with names no other test uses."""
    name = _unique("gn")
    return Settings(
        aws_endpoint_url=endpoints.aws,
        aws_region=os.environ.get("AWS_REGION", "us-east-1"),
        bucket=name,
        request_queue=f"{name}-requests",
        result_queue=f"{name}-results",
        mongo_uri=endpoints.mongo,
        mongo_db=name.replace("-", "_"),
        chroma_url=endpoints.chroma,
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
    local = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
    has_own = "AWS_ACCESS_KEY_ID" in os.environ or "AWS_PROFILE" in os.environ
    return boto3.client(
        service,
        region_name=settings.aws_region,
        endpoint_url=settings.aws_endpoint_url,
        **({} if has_own or not settings.aws_endpoint_url else local),
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
async def aws(base_settings: Settings) -> AsyncIterator[AwsResources]:
    """This test's bucket and queues (each with DLQ and redrive), made by localstack/init_aws.py."""
    urls = await asyncio.to_thread(
        init_aws().provision,
        endpoint_url=base_settings.aws_endpoint_url,
        region=base_settings.aws_region,
        bucket=base_settings.bucket,
        request_queue=base_settings.request_queue,
        result_queue=base_settings.result_queue,
        max_receive_count=base_settings.max_receive_count,
        visibility_timeout=30,
    )
    resources = AwsResources(**urls)
    yield resources
    await asyncio.to_thread(_remove_aws, base_settings, resources)


@pytest.fixture
def settings(base_settings: Settings, aws: AwsResources) -> Iterator[Settings]:
    """Settings whose bucket and queues exist; the test's MongoDB database is dropped after."""
    yield base_settings
    client: MongoClient = MongoClient(base_settings.mongo_uri)
    try:
        client.drop_database(base_settings.mongo_db)
    finally:
        client.close()
