"""The ``openai`` backend: any OpenAI-compatible chat-completions server, through the openai SDK.

``vllm serve``, llama.cpp's server, ``python -m graphnode.ai.llm.serve`` and hosted APIs all
speak ``POST /v1/chat/completions``. The server batches concurrent requests itself (vLLM
continuously), so this client only bounds how many it has in flight.

The HTTP is ``openai.AsyncOpenAI``'s: it retries what is worth retrying (408, 409, 429 and 5xx
answers, refused connections, timeouts) with exponential backoff (0.5 s doubling up to 8 s,
jittered) or the server's ``Retry-After`` (up to two minutes; a longer one is not retried).
Other 4xx answers are configuration errors and fail at once with the server's own message.
Every SDK error becomes a :class:`LanguageModelError`, the one failure callers catch.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from typing import Any

import openai
from openai.types.chat import ChatCompletion

from graphnode.ai.llm.base import (
    LOGGER_NAME,
    GenerationRequest,
    LanguageModelError,
    ModelLifetime,
    thaw,
)

logger = logging.getLogger(LOGGER_NAME)

_HEALTH_TIMEOUT_S = 5.0
_ERROR_SNIPPET = 300
# AsyncOpenAI refuses to start without a key; a server that wants none ignores the header, and
# one that wants a key answers 401 to this as it would to no key at all.
_NO_API_KEY = "no-key"


class LanguageModelHTTPError(LanguageModelError):
    """The server answered with an error status; ``status`` says which."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"LLM server answered {status}: {message}")
        self.status = status


def _api_root(base_url: str) -> str:
    """``http://h:8000`` and ``http://h:8000/v1`` both mean the API at ``http://h:8000/v1``."""
    root = base_url.rstrip("/")
    return root if root.endswith("/v1") else f"{root}/v1"


def _is_retried_status(status: int) -> bool:
    # The statuses AsyncOpenAI retries (openai._base_client.BaseClient._should_retry); an
    # answer with one of them, raised at last, means the retries ran out.
    return status in (408, 409, 429) or status >= 500


def _failed(error: openai.APIError) -> str:
    """ "failed N times", N read from the retry count the SDK sends with each try."""
    try:
        attempts = int(error.request.headers.get("x-stainless-retry-count", "0")) + 1
    except ValueError:
        attempts = 1
    return "failed once" if attempts == 1 else f"failed {attempts} times"


def _status_message(error: openai.APIStatusError) -> str:
    """The ``error.message`` of an OpenAI-style error body, else the start of the body."""
    # The SDK hands over the body's ``error`` object when there is one, else the whole body.
    body = error.body
    if isinstance(body, Mapping) and body.get("message"):
        return str(body["message"])[:_ERROR_SNIPPET]
    if isinstance(body, str) and body:
        return body[:_ERROR_SNIPPET]
    return "(empty body)"


class OpenAICompatibleModel(ModelLifetime):
    """A client of one OpenAI-compatible server.

    ``strict_schema`` asks for strict structured output (OpenAI's ``strict: true``); leave it
    off for servers that do not support it. ``max_retries`` counts retries after the first
    attempt. ``timeout_s`` bounds each wait for the server (an answer is sent whole, so in
    effect each attempt), ``connect_timeout_s`` each connection.
    """

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str | None = None,
        timeout_s: float = 120.0,
        connect_timeout_s: float = 10.0,
        max_retries: int = 3,
        max_concurrency: int = 32,
        strict_schema: bool = False,
    ) -> None:
        if not base_url:
            raise ValueError("the openai backend needs base_url (GRAPHNODE_LLM_BASE_URL)")
        self._root = _api_root(base_url)
        self._model = model
        self._in_flight = asyncio.Semaphore(max_concurrency)
        self._strict_schema = strict_schema
        self._closed = False
        # Building the client opens no connection, so it is made here, not on first use.
        self._client = openai.AsyncOpenAI(
            base_url=self._root,
            api_key=api_key or _NO_API_KEY,
            timeout=openai.Timeout(timeout_s, connect=connect_timeout_s),
            max_retries=max_retries,
        )

    async def generate(self, request: GenerationRequest) -> str:
        if self._closed:
            raise LanguageModelError("the language model is closed")
        async with self._in_flight:
            try:
                completion = await self._client.chat.completions.create(**self._arguments(request))
            except openai.APIStatusError as error:
                raise self._status_error(error) from error
            except openai.APIConnectionError as error:  # APITimeoutError is one too
                cause = type(error.__cause__).__name__ if error.__cause__ else "no cause"
                raise LanguageModelError(
                    f"LLM server at {self._root} {_failed(error)}: {error.message} ({cause})"
                ) from error
            except json.JSONDecodeError as error:
                # The SDK parses a JSON content type itself and lets a bad body's error out.
                raise LanguageModelError(
                    f"LLM server sent a body that is not JSON: {error}"
                ) from error
            except openai.OpenAIError as error:
                raise LanguageModelError(f"LLM server answer is unusable: {error}") from error
        return _answer_text(completion)

    async def check_health(self) -> bool:
        if self._closed:
            return False
        try:
            quick = self._client.with_options(max_retries=0, timeout=_HEALTH_TIMEOUT_S)
            await quick.models.list()
        except openai.OpenAIError:
            return False
        return True

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        await self._client.close()

    def _arguments(self, request: GenerationRequest) -> dict[str, Any]:
        arguments: dict[str, Any] = {
            "model": self._model,
            "messages": [{"role": role, "content": text} for role, text in request.messages],
            # max_tokens, not max_completion_tokens: vLLM, llama.cpp and our serve all read it.
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
        }
        if request.json_schema is not None:
            arguments["response_format"] = {
                "type": "json_schema",
                "json_schema": {
                    "name": "response",
                    "schema": thaw(request.json_schema),
                    "strict": self._strict_schema,
                },
            }
        return arguments

    def _status_error(self, error: openai.APIStatusError) -> LanguageModelError:
        status, message = error.status_code, _status_message(error)
        if _is_retried_status(status):
            return LanguageModelError(
                f"LLM server at {self._root} {_failed(error)}: {status}: {message}"
            )
        return LanguageModelHTTPError(status, message)


def _answer_text(completion: ChatCompletion) -> str:
    # The SDK hands back a body that is not JSON as text, and builds its models without
    # validating them, so a malformed answer shows up here.
    if not isinstance(completion, ChatCompletion):
        raise LanguageModelError(
            f"LLM server answer is not a chat completion object: {str(completion)[:80]!r}"
        )
    try:
        content = completion.choices[0].message.content
    except (AttributeError, IndexError, TypeError) as error:
        raise LanguageModelError(
            f"LLM server answer has no choices[0].message: {error!r}"
        ) from error
    if not isinstance(content, str):
        raise LanguageModelError("LLM server answer has no text content")
    return content
