"""The API's one door to the AI service's HTTP routes.

Where the AI service lives and how the API proves who it is (GRAPHNODE_AI_TOKEN as a bearer
token, checked by the AI service's ``require_internal_caller``) are decided here only, so
the search's embed call and the HTTP dispatch of tasks cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import aiohttp
import orjson

from graphnode.settings import Settings

EMBED_TIMEOUT_SECONDS = 15.0
# Enough of an error body to say what went wrong, not so much that it floods a problem.
ERROR_TEXT_CHARS = 200


class AiServiceError(RuntimeError):
    """The AI service did not answer as expected: unreachable, too slow, or another status."""


def ai_auth_headers(token: str | None) -> dict[str, str]:
    """The Authorization header for the AI service's internal routes; none without a token
    (the AI service then accepts loopback callers only)."""
    return {"Authorization": f"Bearer {token}"} if token else {}


class AiServiceClient:
    """POSTs JSON to the AI service on the API's shared HTTP session (not owned here)."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, token: str | None) -> None:
        self._session, self._base_url = session, base_url.rstrip("/")
        self._headers = {**ai_auth_headers(token), "Content-Type": "application/json"}

    @classmethod
    def from_settings(cls, session: aiohttp.ClientSession, settings: Settings) -> AiServiceClient:
        return cls(session, settings.ai_url, settings.ai_token)

    async def post_json(
        self, path: str, body: Any, *, expect: int, timeout_seconds: float
    ) -> bytes:
        """POST ``body`` as JSON to ``path``; the response body if the status is ``expect``.

        Every failure, transport or status, becomes an :class:`AiServiceError`, so callers
        translate one exception into their own (a dispatch error, a 503 problem).
        """
        try:
            async with self._session.post(
                f"{self._base_url}{path}",
                data=orjson.dumps(body),
                headers=self._headers,
                timeout=aiohttp.ClientTimeout(total=timeout_seconds),
            ) as response:
                data = await response.read()
                if response.status != expect:
                    text = data.decode(errors="replace")[:ERROR_TEXT_CHARS]
                    raise AiServiceError(f"the AI service answered {response.status}: {text}")
                return data
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise AiServiceError(f"the AI service is unreachable: {exc}") from exc

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One vector per text, from the model that embedded the graph (so they compare)."""
        data = await self.post_json(
            "/v1/embed", {"texts": list(texts)}, expect=200, timeout_seconds=EMBED_TIMEOUT_SECONDS
        )
        try:
            embeddings = orjson.loads(data)["embeddings"]
        except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
            raise AiServiceError(f"the AI service sent no embeddings: {exc}") from exc
        if not isinstance(embeddings, list) or len(embeddings) != len(texts):
            raise AiServiceError("the AI service sent the wrong number of embeddings")
        return embeddings
