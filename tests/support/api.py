"""The API (and, for flows that need them, the AI service and the worker) on real servers."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import time
import uuid
import zipfile
from collections.abc import AsyncIterator
from typing import Any

import jwt
from aiohttp.test_utils import TestClient, TestServer

from graphnode.ai.service.app import create_app as create_ai_app
from graphnode.api.app import create_app
from graphnode.settings import Settings
from tests.support.worker import running_worker, worker_settings


def token(
    settings: Settings, user: str, *, expires_in: int = 3600, secret: str | None = None
) -> str:
    now = int(time.time())
    claims = {"sub": user, "iat": now, "exp": now + expires_in}
    return jwt.encode(claims, secret or settings.jwt_secret, algorithm="HS256")


def process_settings(
    prefix: str, aws_endpoint: str, mongo_uri: str, chroma_url: str, **overrides: Any
) -> Settings:
    """Settings for services run as processes (``service_process``) on the test run's
    servers, with a fresh bucket, queues, database and collection named after ``prefix``;
    ``overrides`` replace any other setting. Provision the AWS side with ``provision_aws``."""
    name = f"{prefix}-{uuid.uuid4().hex[:10]}"
    return dataclasses.replace(
        Settings.from_env({}),
        aws_endpoint_url=aws_endpoint or None,
        bucket=name,
        request_queue=f"{name}-requests",
        result_queue=f"{name}-results",
        mongo_uri=mongo_uri,
        mongo_db=name.replace("-", "_"),
        chroma_url=chroma_url,
        chroma_collection=name,
        log_format="text",
        **overrides,
    )


def auth(settings: Settings, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(settings, user)}"}


@contextlib.asynccontextmanager
async def api_client(settings: Settings) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(create_app(settings))) as client:
        yield client


@contextlib.asynccontextmanager
async def full_stack(settings: Settings, fcm_url: str | None = None) -> AsyncIterator[TestClient]:
    """API + AI service (keywords naming) + worker, in this process, on the real servers."""
    ai_settings = dataclasses.replace(settings, llm_backend="keywords", ai_wait_seconds=1)
    async with TestServer(create_ai_app(ai_settings)) as ai_server:
        api_settings = dataclasses.replace(settings, ai_url=str(ai_server.make_url("")).rstrip("/"))
        async with (
            running_worker(worker_settings(api_settings, fcm_url)),
            api_client(api_settings) as client,
        ):
            yield client


def zip_bytes(files: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


async def problem(response: Any) -> dict[str, Any]:
    assert response.headers["Content-Type"].startswith("application/problem+json")
    return await response.json()
