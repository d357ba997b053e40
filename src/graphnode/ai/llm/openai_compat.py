"""The ``openai`` backend: any OpenAI-compatible chat-completions server.

``vllm serve``, llama.cpp's server, ``python -m graphnode.ai.llm.serve`` and hosted APIs all
speak ``POST /v1/chat/completions``. The server batches concurrent requests itself (vLLM
continuously), so this client only bounds how many it has in flight, and retries what is
worth retrying: 429 and 5xx answers, refused connections and timeouts, with exponential
backoff (honouring ``Retry-After``). Other 4xx answers are configuration errors and fail at
once with the server's own message.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Mapping
from typing import Any

import aiohttp

from graphnode.ai.llm.base import (
    LOGGER_NAME,
    GenerationRequest,
    LanguageModelError,
    ModelLifetime,
    thaw,
)

logger = logging.getLogger(LOGGER_NAME)

_RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
_HEALTH_TIMEOUT_S = 5.0
_ERROR_SNIPPET = 300


class LanguageModelHTTPError(LanguageModelError):
    """The server answered with an error status; ``status`` says which."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"LLM server answered {status}: {message}")
        self.status = status


class _RetryableError(Exception):
    def __init__(self, reason: str, retry_after_s: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after_s = retry_after_s


def _api_root(base_url: str) -> str:
    """``http://h:8000`` and ``http://h:8000/v1`` both mean the API at ``http://h:8000/v1``."""
    root = base_url.rstrip("/")
    return root if root.endswith("/v1") else f"{root}/v1"


def _retry_after(headers: Mapping[str, str]) -> float | None:
    try:
        return max(0.0, float(headers.get("Retry-After", "")))
    except ValueError:  # absent, or an HTTP date we do not bother to parse
        return None


def _error_message(body: str) -> str:
    """The ``error.message`` of an OpenAI-style error body, else the start of the body."""
    try:
        error = json.loads(body).get("error")
        if isinstance(error, Mapping) and error.get("message"):
            return str(error["message"])[:_ERROR_SNIPPET]
    except (ValueError, AttributeError):
        pass
    return body[:_ERROR_SNIPPET] or "(empty body)"


class OpenAICompatibleModel(ModelLifetime):
    """A client of one OpenAI-compatible server.

    ``strict_schema`` asks for strict structured output (OpenAI's ``strict: true``); leave it
    off for servers that do not support it. ``max_retries`` counts retries after the first
    attempt; the wait before retry ``n`` is ``backoff_s * 2**n`` (with jitter, at most
    ``max_backoff_s``) unless the server sends ``Retry-After``.
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
        backoff_s: float = 0.5,
        max_backoff_s: float = 10.0,
        max_concurrency: int = 32,
        strict_schema: bool = False,
    ) -> None:
        if not base_url:
            raise ValueError("the openai backend needs base_url (GRAPHNODE_LLM_BASE_URL)")
        self._root = _api_root(base_url)
        self._model = model
        self._api_key = api_key
        self._timeout = aiohttp.ClientTimeout(total=timeout_s, sock_connect=connect_timeout_s)
        self._max_retries = max_retries
        self._backoff_s = backoff_s
        self._max_backoff_s = max_backoff_s
        self._in_flight = asyncio.Semaphore(max_concurrency)
        self._strict_schema = strict_schema
        self._session: aiohttp.ClientSession | None = None
        self._closed = False

    async def generate(self, request: GenerationRequest) -> str:
        body = self._body(request)
        async with self._in_flight:
            for attempt in range(self._max_retries + 1):
                try:
                    return await self._post(body)
                except _RetryableError as error:
                    if attempt == self._max_retries:
                        raise LanguageModelError(
                            f"LLM server at {self._root} failed {attempt + 1} times: {error}"
                        ) from error
                    delay = self._delay(attempt, error.retry_after_s)
                    logger.info(
                        "LLM request retried",
                        extra={"reason": str(error), "attempt": attempt + 1, "delay_s": delay},
                    )
                    await asyncio.sleep(delay)
        raise AssertionError("unreachable: the loop returns or raises")

    async def check_health(self) -> bool:
        if self._closed:
            return False
        try:
            session = self._open_session()
            timeout = aiohttp.ClientTimeout(total=_HEALTH_TIMEOUT_S)
            async with session.get(f"{self._root}/models", timeout=timeout) as response:
                return response.status == 200
        except (aiohttp.ClientError, TimeoutError):
            return False

    async def close(self) -> None:
        self._closed = True
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    def _open_session(self) -> aiohttp.ClientSession:
        if self._closed:
            raise LanguageModelError("the language model is closed")
        if self._session is None:
            headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
            self._session = aiohttp.ClientSession(timeout=self._timeout, headers=headers)
        return self._session

    def _body(self, request: GenerationRequest) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self._model,
            "messages": [{"role": role, "content": text} for role, text in request.messages],
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
        }
        if request.json_schema is not None:
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {
                    "name": "response",
                    "schema": thaw(request.json_schema),
                    "strict": self._strict_schema,
                },
            }
        return body

    def _delay(self, attempt: int, retry_after_s: float | None) -> float:
        if retry_after_s is not None:
            return min(retry_after_s, self._max_backoff_s)
        # Jitter keeps many clients that failed together from retrying together.
        ceiling = min(self._backoff_s * 2**attempt, self._max_backoff_s)
        return random.uniform(ceiling / 2, ceiling)

    async def _post(self, body: dict[str, Any]) -> str:
        session = self._open_session()
        url = f"{self._root}/chat/completions"
        try:
            async with session.post(url, json=body) as response:
                text = await response.text()
                if response.status in _RETRY_STATUSES:
                    raise _RetryableError(
                        f"{response.status}: {_error_message(text)}",
                        _retry_after(response.headers),
                    )
                if response.status != 200:
                    raise LanguageModelHTTPError(response.status, _error_message(text))
        except (aiohttp.ClientConnectionError, TimeoutError) as error:
            raise _RetryableError(repr(error)) from error
        try:
            payload = json.loads(text)
        except ValueError as error:
            raise LanguageModelError(f"LLM server sent a body that is not JSON: {error}") from error
        return _answer_text(payload)


def _answer_text(payload: Any) -> str:
    try:
        content = payload["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError) as error:
        raise LanguageModelError(
            f"LLM server answer has no choices[0].message: {error!r}"
        ) from error
    if not isinstance(content, str):
        raise LanguageModelError("LLM server answer has no text content")
    return content
