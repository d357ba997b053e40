"""One heavy upload cannot stall the API: /healthz answers while it parses, and a file past
its parse limit fails alone with a 422 naming it, after which imports work again."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from tests.support.api import api_client, auth, problem

pytestmark = pytest.mark.usefixtures("aws", "mongo", "chroma")

# A million heading lines (4 MB): seconds of parsing here, far past the limit below.
HOSTILE_NOTE = b"# h\n" * (1 << 20)
PARSE_LIMIT_SECONDS = 0.5
# Each /healthz must answer within this while the hostile file parses; a loop held by
# parsing would miss it by seconds.
HEALTH_DEADLINE_SECONDS = 1.0


async def _health_while(client, busy: asyncio.Task) -> int:
    """How many /healthz answered, each within the deadline, until ``busy`` ended."""
    answered = 0
    while not busy.done():
        async with asyncio.timeout(HEALTH_DEADLINE_SECONDS):
            response = await client.get("/healthz")
            assert response.status == 200
            await response.read()
        answered += 1
    return answered


@pytest.mark.timeout(120)
async def test_a_file_past_its_parse_limit_fails_alone_and_healthz_keeps_answering(settings):
    limited = dataclasses.replace(
        settings, parse_seconds=PARSE_LIMIT_SECONDS, parse_seconds_per_mb=0.0
    )
    headers = {**auth(settings, "u1"), "Content-Type": "text/markdown"}
    async with api_client(limited) as client:
        upload = asyncio.create_task(
            client.post("/v1/imports?filename=hostile.md", data=HOSTILE_NOTE, headers=headers)
        )
        answered = await _health_while(client, upload)
        response = await upload
        assert response.status == 422
        detail = (await problem(response))["detail"]
        assert "hostile.md" in detail
        assert "took longer than 0.5 s to parse" in detail
        assert answered > 0
        # The parser process stuck on it was replaced: the next file imports.
        good = await client.post(
            "/v1/imports?filename=good.md", data=b"# Good\n\nA short note.\n", headers=headers
        )
        assert good.status == 201, await good.text()
        assert (await good.json())["new"] == 1
