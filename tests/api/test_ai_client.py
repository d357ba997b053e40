"""The API's client of the AI service: one bearer header for both the search's embed call
and the HTTP dispatch, and every failure reported as one error type."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from graphnode.api.services.ai_client import AiServiceClient, AiServiceError, ai_auth_headers
from graphnode.api.services.dispatch import DispatchError, HttpDispatcher
from graphnode.contracts import GraphGenerationRequest


class FakeAiService:
    """Records each call's path and Authorization header; answers as configured."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None]] = []
        self.embed_answer: tuple[int, Any] = (200, {"embeddings": [[0.5, 0.25]]})
        self.generate_status = 202

    async def embed(self, request: web.Request) -> web.Response:
        self.calls.append((request.path, request.headers.get("Authorization")))
        status, body = self.embed_answer
        return web.json_response(body, status=status)

    async def generate(self, request: web.Request) -> web.Response:
        self.calls.append((request.path, request.headers.get("Authorization")))
        await request.json()
        return web.json_response({"status": "accepted"}, status=self.generate_status)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v1/embed", self.embed)
        app.router.add_post("/v1/graphs/generate", self.generate)
        return app


@contextlib.asynccontextmanager
async def _client(fake: FakeAiService, token: str | None) -> AsyncIterator[AiServiceClient]:
    async with TestServer(fake.app()) as server, aiohttp.ClientSession() as session:
        yield AiServiceClient(session, str(server.make_url("/")), token)


def _request() -> GraphGenerationRequest:
    return GraphGenerationRequest(user_id="u1", s3_key="graph-generation/t1/")


def test_auth_header_only_with_a_token() -> None:
    assert ai_auth_headers("s3cret") == {"Authorization": "Bearer s3cret"}
    assert ai_auth_headers(None) == {}
    assert ai_auth_headers("") == {}


@pytest.mark.parametrize(("token", "header"), [("s3cret", "Bearer s3cret"), (None, None)])
async def test_embed_and_dispatch_send_the_same_authorization(
    token: str | None, header: str | None
) -> None:
    fake = FakeAiService()
    async with _client(fake, token) as ai:
        assert await ai.embed(["query"]) == [[0.5, 0.25]]
        await HttpDispatcher(ai).generate("t1", _request())
    assert fake.calls == [("/v1/embed", header), ("/v1/graphs/generate", header)]


async def test_an_unexpected_status_is_an_error_naming_it() -> None:
    fake = FakeAiService()
    fake.embed_answer = (500, {"error": "model not loaded"})
    fake.generate_status = 401
    async with _client(fake, "s3cret") as ai:
        with pytest.raises(AiServiceError, match=r"answered 500: .*model not loaded"):
            await ai.embed(["query"])
        with pytest.raises(DispatchError, match="answered 401"):
            await HttpDispatcher(ai).generate("t1", _request())


async def test_an_answer_without_one_vector_per_text_is_an_error() -> None:
    fake = FakeAiService()
    fake.embed_answer = (200, {"model": "m"})
    async with _client(fake, None) as ai:
        with pytest.raises(AiServiceError, match="no embeddings"):
            await ai.embed(["query"])
        fake.embed_answer = (200, {"embeddings": [[1.0], [2.0]]})
        with pytest.raises(AiServiceError, match="wrong number"):
            await ai.embed(["query"])


async def test_an_unreachable_service_is_an_error() -> None:
    async with aiohttp.ClientSession() as session:
        ai = AiServiceClient(session, "http://127.0.0.1:9", None)
        with pytest.raises(AiServiceError, match="unreachable"):
            await ai.embed(["query"])
        with pytest.raises(DispatchError, match="unreachable"):
            await HttpDispatcher(ai).generate("t1", _request())
