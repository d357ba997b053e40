"""The viewer's node panel and search box in headless Chromium.

A click on a node opens it in the side panel, from the real API (nx-27017 behind it) with
the neighbours as links, and a click on a neighbour opens that one; the search box asks
POST /v1/graphs/me/search (answered here by a small stand-in, which has no embedding model
to run) and rings and centres the matches.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from graphnode.api.app import create_app
from tests.api.test_node_detail import CHAT_ID, stored  # noqa: F401  (fixture)
from tests.api.test_viewer import ARTIFACTS, check_ready, pick_visible_node
from tests.support.api import token
from tests.support.browser import Browser, find_chromium

if find_chromium() is None:
    pytest.skip("Chromium is not installed (apt-get install -y chromium)", allow_module_level=True)

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("mongo")]


async def _search_stand_in(request: web.Request) -> web.Response:
    """Nodes 2 and 3 match anything (what the real route answers, minus the model)."""
    body = await request.json()
    hits = [
        {"score": 0.9, "node": {"id": i, "origId": f"x{i}", "title": f"Hit {i}"}} for i in (2, 3)
    ]
    return web.json_response({"query": body["query"], "results": hits})


@pytest.fixture
async def served(stored: Any) -> AsyncIterator[str]:  # noqa: F811
    app = create_app(stored)

    @web.middleware
    async def search_without_a_model(request: web.Request, handler: Any) -> web.StreamResponse:
        if request.method == "POST" and request.path == "/v1/graphs/me/search":
            return await _search_stand_in(request)
        return await handler(request)

    app.middlewares.append(search_without_a_model)
    async with TestServer(app, host="127.0.0.1") as server:
        yield str(server.make_url("")).rstrip("/")


async def _click_node(page: Any, node_id: int) -> None:
    found, x, y = await pick_visible_node(page, [node_id])
    await page.click(x, y)
    await page.wait_for(
        f"document.body.dataset.node === 'ready' && document.body.dataset.nodeId === '{found}'",
        within=10,
        what=f"node {found} opened",
    )


async def test_click_opens_the_node_and_search_centres_matches(
    served: str,
    stored: Any,  # noqa: F811
) -> None:
    async with Browser() as browser:
        page = await browser.open(
            f"{served}/#token={token(stored, 'alice')}", width=1440, height=900
        )
        await check_ready(page)
        await _click_node(page, 0)
        panel = await page.evaluate("document.getElementById('node-panel').textContent")
        assert "Sourdough starter" in panel, panel
        assert "Why is my starter flat?" in panel, panel
        link = await page.evaluate("document.getElementById('node-link').href")
        assert link == f"https://chatgpt.com/c/{CHAT_ID}"
        assert (await page.evaluate("graphnodeViewer.stats()"))["selected"] == 0
        await page.screenshot(ARTIFACTS / "viewer-node-panel.png")

        await page.click_selector("#node-neighbours a[data-node-id='1']")
        await page.wait_for(
            "document.body.dataset.nodeId === '1' && document.body.dataset.node === 'ready'",
            within=10,
        )
        panel = await page.evaluate("document.getElementById('node-panel').textContent")
        assert "Bread notes" in panel, panel
        assert "Hydration" in panel, panel
        neighbours = await page.evaluate(
            "[...document.querySelectorAll('#node-neighbours a')]"
            ".map(a => Number(a.dataset.nodeId))"
        )
        assert neighbours == [2, 3, 0]

        await page.evaluate(
            "(() => { const i = document.getElementById('search-input'); i.value = 'bread';"
            " document.getElementById('search-form').requestSubmit(); })()"
        )
        await page.wait_for("document.body.dataset.search === 'ready'", within=10)
        stats = await page.evaluate("graphnodeViewer.stats()")
        assert sorted(stats["marked"]) == [2, 3], stats
        centre = json.loads(
            await page.evaluate(
                "JSON.stringify([2, 3].map(id => graphnodeViewer.screenPosition(id)))"
            )
        )
        # The node panel is still open over the canvas's right side: the matches are centred
        # in what is left in view, not under the panel.
        rect = await page.evaluate(
            "(() => { const r = document.getElementById('graph-canvas').getBoundingClientRect();"
            " const p = document.getElementById('node-panel').getBoundingClientRect();"
            " return [(r.left + Math.min(r.right, p.left)) / 2, r.top + r.height / 2,"
            " p.left]; })()"
        )
        mid = [(centre[0]["x"] + centre[1]["x"]) / 2, (centre[0]["y"] + centre[1]["y"]) / 2]
        assert abs(mid[0] - rect[0]) < 2, (mid, rect)
        assert abs(mid[1] - rect[1]) < 2, (mid, rect)
        assert max(c["x"] for c in centre) < rect[2], (centre, rect)
        status = await page.evaluate("document.getElementById('search-status').textContent")
        assert status == "2 matches"
        await page.screenshot(ARTIFACTS / "viewer-search.png")
        assert page.errors == [], page.errors
