"""The ``openai`` backend against ``graphnode.ai.llm.serve`` on 127.0.0.1.

The server is the real aiohttp app; behind it sits a small scripted LanguageModel, so these
tests can make it fail on purpose (500, 429, hang) and count what reached it. The same
server backed by the real SmolLM2 model is tested in test_llm_local.py.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from graphnode.ai.llm import (
    ClusterBrief,
    ClusterNamer,
    GenerationRequest,
    LanguageModelBusyError,
    LanguageModelError,
    keyword_label,
    open_language_model,
)
from graphnode.ai.llm.base import ModelLifetime, thaw
from graphnode.ai.llm.factory import openai_options
from graphnode.ai.llm.naming import LABEL_SCHEMA
from graphnode.ai.llm.openai_compat import LanguageModelHTTPError, OpenAICompatibleModel
from graphnode.ai.llm.serve import ServeSettings, create_app, running
from graphnode.local.processes import free_port

Step = str | BaseException


class ScriptedModel(ModelLifetime):
    """Plays each step in turn (an answer, or an exception to raise), then repeats the last."""

    def __init__(self, *steps: Step, hang: bool = False) -> None:
        self._steps = list(steps)
        self._hang = hang
        self.requests: list[GenerationRequest] = []
        self.times: list[float] = []
        self.started = asyncio.Event()
        self.cancelled = asyncio.Event()
        self.closed = False

    async def generate(self, request: GenerationRequest) -> str:
        self.requests.append(request)
        self.times.append(time.monotonic())
        self.started.set()
        if self._hang:
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                self.cancelled.set()
                raise
        step = self._steps.pop(0) if len(self._steps) > 1 else self._steps[0]
        if isinstance(step, BaseException):
            raise step
        return step

    async def check_health(self) -> bool:
        return not self.closed

    async def close(self) -> None:
        self.closed = True


@asynccontextmanager
async def served(
    model: ScriptedModel, **client_options: Any
) -> AsyncIterator[OpenAICompatibleModel]:
    """``model`` behind the real server, and an openai-backend client pointed at it."""
    api_key = client_options.pop("server_api_key", None)
    settings = ServeSettings(model_name="scripted", api_key=api_key)
    async with running(create_app(model, settings)) as base_url:
        client = OpenAICompatibleModel(base_url=base_url, model="scripted", **client_options)
        async with client:
            yield client


@asynccontextmanager
async def raw_server(answer: Callable[[], web.Response]) -> AsyncIterator[str]:
    """A server whose ``/v1/chat/completions`` answers ``answer()``: replies serve never gives."""
    app = web.Application()

    async def handler(request: web.Request) -> web.Response:
        return answer()

    app.router.add_post("/v1/chat/completions", handler)
    async with running(app) as base_url:
        yield base_url


def _ask(schema: dict[str, Any] | None = None) -> GenerationRequest:
    return GenerationRequest(
        messages=(("system", "Be brief."), ("user", "Name this.")),
        max_tokens=32,
        temperature=0.0,
        json_schema=schema,
    )


async def test_a_request_round_trips_with_its_schema_and_settings() -> None:
    model = ScriptedModel('{"name": "Async Python"}')
    async with served(model) as client:
        assert await client.generate(_ask(LABEL_SCHEMA)) == '{"name": "Async Python"}'
        assert await client.check_health()
    [seen] = model.requests
    assert seen.messages == (("system", "Be brief."), ("user", "Name this."))
    assert (seen.max_tokens, seen.temperature) == (32, 0.0)
    assert thaw(seen.json_schema) == LABEL_SCHEMA
    assert model.closed  # the app owns the model's lifetime


async def test_server_errors_are_retried_until_the_model_answers() -> None:
    model = ScriptedModel(LanguageModelError("oom"), LanguageModelError("oom"), "ok")
    async with served(model, max_retries=3) as client:
        assert await client.generate(_ask()) == "ok"
    assert len(model.requests) == 3


async def test_busy_answers_429_and_is_retried() -> None:
    model = ScriptedModel(LanguageModelBusyError("queue full"), "ok")
    async with served(model) as client:
        assert await client.generate(_ask()) == "ok"
    assert len(model.requests) == 2


async def test_retries_give_up_with_a_clear_error() -> None:
    model = ScriptedModel(LanguageModelError("still broken"))
    async with served(model, max_retries=2) as client:
        with pytest.raises(LanguageModelError, match=r"failed 3 times: 500: still broken"):
            await client.generate(_ask())
    assert len(model.requests) == 3


async def test_a_wrong_api_key_fails_at_once_without_retries() -> None:
    model = ScriptedModel("ok")
    async with served(model, server_api_key="s3cret", api_key="wrong") as client:
        with pytest.raises(LanguageModelHTTPError, match="401: missing or wrong API key") as error:
            await client.generate(_ask())
        assert error.value.status == 401
    assert model.requests == []
    async with served(model, server_api_key="s3cret", api_key="s3cret") as client:
        assert await client.generate(_ask()) == "ok"


async def test_an_unknown_model_name_is_a_404_naming_the_served_one() -> None:
    async with running(create_app(ScriptedModel("ok"), ServeSettings("served"))) as base_url:
        client = OpenAICompatibleModel(base_url=f"{base_url}/v1", model="other", max_retries=0)
        async with client:
            with pytest.raises(LanguageModelHTTPError, match=r"404.*'served'"):
                await client.generate(_ask())


async def test_an_unreachable_server_is_retried_then_reported() -> None:
    client = OpenAICompatibleModel(
        base_url=f"http://127.0.0.1:{free_port()}", model="m", max_retries=1
    )
    async with client:
        assert not await client.check_health()
        with pytest.raises(LanguageModelError, match="failed 2 times"):
            await client.generate(_ask())


async def test_a_client_timeout_cancels_the_request_in_the_server() -> None:
    model = ScriptedModel("never", hang=True)
    async with served(model, timeout_s=0.3, max_retries=0) as client:
        with pytest.raises(LanguageModelError, match="failed once: Request timed out"):
            await client.generate(_ask())
        # The server cancels the handler when the client hangs up; the model sees it.
        await asyncio.wait_for(model.cancelled.wait(), 10)


async def test_a_timeout_is_retried_then_ends_in_a_language_model_error() -> None:
    model = ScriptedModel("never", hang=True)
    async with served(model, timeout_s=0.3, max_retries=1) as client:
        with pytest.raises(LanguageModelError, match="failed 2 times: Request timed out") as error:
            await client.generate(_ask())
    assert not isinstance(error.value, LanguageModelHTTPError)
    assert len(model.requests) == 2


async def test_a_429_waits_for_its_retry_after_then_is_retried() -> None:
    # serve answers a full queue with 429 and Retry-After: 1.
    model = ScriptedModel(LanguageModelBusyError("queue full"), "ok")
    async with served(model, max_retries=1) as client:
        assert await client.generate(_ask()) == "ok"
    first, second = model.times
    assert second - first >= 0.95


async def test_a_retry_after_beyond_two_minutes_is_not_waited_for() -> None:
    def answer() -> web.Response:
        body = {"error": {"message": "come back tomorrow"}}
        return web.json_response(body, status=429, headers={"Retry-After": "86400"})

    async with (
        raw_server(answer) as base_url,
        OpenAICompatibleModel(base_url=base_url, model="m", max_retries=3) as client,
    ):
        with pytest.raises(LanguageModelError, match="failed once: 429: come back tomorrow"):
            await client.generate(_ask())


async def test_cancelling_generate_cancels_the_request_in_the_server() -> None:
    model = ScriptedModel("never", hang=True)
    async with served(model) as client:
        task = asyncio.create_task(client.generate(_ask()))
        await asyncio.wait_for(model.started.wait(), 10)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.wait_for(model.cancelled.wait(), 10)
        assert await client.check_health()  # the client itself is still usable


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (lambda: web.Response(text="{oops", content_type="application/json"), "not JSON"),
        (lambda: web.Response(text="oops", content_type="text/plain"), "not a chat completion"),
        (lambda: web.json_response({"choices": []}), "no choices"),
        (lambda: web.json_response({"choices": [{"message": {"content": None}}]}), "no text"),
        (lambda: web.Response(status=422, text="plain failure"), "422: plain failure"),
    ],
)
async def test_unusable_answers_are_language_model_errors(
    answer: Callable[[], web.Response], fragment: str
) -> None:
    async with (
        raw_server(answer) as base_url,
        OpenAICompatibleModel(base_url=base_url, model="m", max_retries=0) as client,
    ):
        with pytest.raises(LanguageModelError, match=fragment):
            await client.generate(_ask())


async def test_a_closed_model_refuses_requests_and_closes_twice() -> None:
    async with served(ScriptedModel("ok")) as client:
        assert await client.generate(_ask()) == "ok"
    await client.close()
    assert not await client.check_health()
    with pytest.raises(LanguageModelError, match="closed"):
        await client.generate(_ask())


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({"messages": []}, 400, "non-empty"),
        ({"messages": [{"role": "robot", "content": "hi"}]}, 400, "role"),
        ({"messages": [{"role": "user", "content": "hi"}], "stream": True}, 400, "streaming"),
        ({"messages": [{"role": "user", "content": "hi"}], "temperature": 9}, 400, "temperature"),
        ({"messages": [{"role": "user", "content": "hi"}], "model": "gpt-x"}, 404, "gpt-x"),
    ],
)
async def test_bad_requests_get_openai_style_errors(
    body: dict[str, Any], status: int, fragment: str
) -> None:
    async with (
        running(create_app(ScriptedModel("ok"), ServeSettings("scripted"))) as base_url,
        aiohttp.ClientSession() as session,
        session.post(f"{base_url}/v1/chat/completions", json=body) as response,
    ):
        payload = await response.json()
    assert response.status == status
    assert fragment in payload["error"]["message"]


async def test_multi_part_content_and_json_object_mode_are_understood() -> None:
    model = ScriptedModel("{}")
    body = {
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "Hi "}, {"text": "you"}]}
        ],
        "response_format": {"type": "json_object"},
    }
    async with (
        running(create_app(model, ServeSettings("scripted"))) as base_url,
        aiohttp.ClientSession() as session,
    ):
        async with session.post(f"{base_url}/v1/chat/completions", json=body) as response:
            payload = await response.json()
        async with session.get(f"{base_url}/v1/models") as response:
            models = await response.json()
    assert payload["choices"][0]["message"] == {"role": "assistant", "content": "{}"}
    assert model.requests[0].messages == (("user", "Hi you"),)
    assert thaw(model.requests[0].json_schema) == {"type": "object"}
    assert [entry["id"] for entry in models["data"]] == ["scripted"]


BRIEF = ClusterBrief("cluster_7", 6, ("sourdough", "flour", "oven"), ("Starter tips",))


async def test_invalid_json_through_the_server_makes_the_namer_fall_back(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="graphnode.ai.llm")
    async with served(ScriptedModel("Here you go: name = Bread")) as client:
        [label] = await ClusterNamer(client).name([BRIEF])
    assert label == keyword_label(BRIEF)
    [record] = [r for r in caplog.records if "invalid LLM answer" in r.getMessage()]
    assert record.cluster_id == "cluster_7"  # type: ignore[attr-defined]


async def test_a_dead_server_makes_the_namer_fall_back(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="graphnode.ai.llm")
    async with served(ScriptedModel(LanguageModelError("boom")), max_retries=1) as client:
        [label] = await ClusterNamer(client).name([BRIEF])
    assert label.source == "keywords"
    assert any("LLM failed" in r.getMessage() for r in caplog.records)


async def test_the_namer_gets_llm_labels_through_the_server() -> None:
    answer = '{"name": "Sourdough Baking", "description": "Bread at home.", "themes": ["starter"]}'
    async with served(ScriptedModel(answer)) as client:
        [label] = await ClusterNamer(client).name([BRIEF])
    assert (label.source, label.name, label.themes) == ("llm", "Sourdough Baking", ("starter",))


def test_openai_options_come_from_arguments_then_the_environment() -> None:
    environ = {"GRAPHNODE_LLM_BASE_URL": "http://llm:8100", "OPENAI_API_KEY": "from-env"}
    assert openai_options({}, environ) == {
        "base_url": "http://llm:8100",
        "api_key": "from-env",
        "model": "smollm2-135m-instruct",
    }
    given = openai_options({"base_url": "http://other", "api_key": "given"}, environ)
    assert (given["base_url"], given["api_key"]) == ("http://other", "given")


async def test_the_factory_builds_the_openai_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GRAPHNODE_LLM_BASE_URL", raising=False)
    with pytest.raises(ValueError, match="GRAPHNODE_LLM_BASE_URL"):
        open_language_model("openai")
    model = open_language_model("openai", base_url="http://127.0.0.1:1", model="m")
    assert isinstance(model, OpenAICompatibleModel)
    await model.close()


def test_unknown_backends_are_named_in_the_error() -> None:
    with pytest.raises(ValueError, match="keywords, local, openai, vllm"):
        open_language_model("gpt")
    assert open_language_model("Keywords") is None
