"""What the API shows of itself: only the viewer's web assets, and no versions in its
headers."""

from __future__ import annotations

import pytest

from tests.support.api import api_client

pytestmark = pytest.mark.usefixtures("aws", "mongo", "chroma")


async def test_only_the_viewers_assets_are_served_and_no_versions_are_named(settings):
    async with api_client(settings) as client:
        page = await client.get("/viewer/viewer.js")
        assert page.status == 200
        assert page.headers["Server"] == "graphnode"
        for hidden in ("/viewer/__init__.py", "/viewer/../settings.py", "/viewer/"):
            answer = await client.get(hidden)
            assert answer.status == 404, hidden
        health = await client.get("/healthz")
        assert "aiohttp" not in health.headers.get("Server", "")
