"""The graph viewer page in headless Chromium, against a fake JSON API.

The fake (``FakeApi``) serves the page's files the way the API does (``/`` and
``/viewer/...``) plus ``/v1/graphs/me`` and ``/v1/graphs/me/summary`` for a realistic
generated graph (2,000 nodes, 12 clusters, 8,000 edges). Each bearer token picks what the
API answers, so one server covers every state. The ``check_*`` functions take only a page
and the expected data: they stay as they are when the real API replaces the fake.

Generated graphs (random, equal and float32-rounding weights, one node, no edges, clusters
without members or missing from the list, missing fields, 5,000 nodes) go through the page's
own model builder (``graphnodeViewer.inspectModel``) and are drawn in full; odd summaries and
a broken browser API show that one failing part leaves the others on screen.

Needs Chromium (``apt-get install -y chromium``): without it the module is skipped, except
under CI (``CI`` set), where it fails. Screenshots and timings go to ``tests/artifacts/``.
"""

from __future__ import annotations

import json
import math
import os
import random
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from aiohttp import web

from graphnode.api.viewer import INDEX_HTML, VIEWER_DIR
from tests.support.browser import Browser, Page, find_chromium

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
READY_WITHIN = 20.0  # seconds from navigation to the first full draw, on a 2-core machine

if find_chromium() is None:
    if os.environ.get("CI"):
        raise RuntimeError("Chromium is required for the viewer tests: apt-get install -y chromium")
    pytest.skip("Chromium is not installed (apt-get install -y chromium)", allow_module_level=True)

pytestmark = pytest.mark.slow


# ---------------------------------------------------------------------------------------
# A realistic generated graph, in the API's camelCase shape
# ---------------------------------------------------------------------------------------

TOPICS: list[tuple[str, str, list[str]]] = [
    (
        "Python & async code",
        "Writing, testing and speeding up Python services.",
        [
            "asyncio",
            "aiohttp",
            "pytest",
            "type hints",
            "event loop",
            "packaging",
            "profiling",
            "generators",
            "dataclasses",
            "decorators",
        ],
    ),
    (
        "Machine learning",
        "Training and evaluating models, embeddings and clustering.",
        [
            "embeddings",
            "transformers",
            "fine-tuning",
            "UMAP",
            "HDBSCAN",
            "PyTorch",
            "loss curves",
            "overfitting",
            "tokenizers",
            "evaluation",
        ],
    ),
    (
        "Cooking at home",
        "Weeknight recipes, baking and meal planning.",
        [
            "sourdough",
            "meal prep",
            "braising",
            "knife skills",
            "fermentation",
            "pasta dough",
            "spice blends",
            "cast iron",
            "stock",
            "pastry",
        ],
    ),
    (
        "Travel in Japan",
        "Itineraries, rail passes and places to eat.",
        [
            "Kyoto",
            "JR Pass",
            "ryokan",
            "Osaka food",
            "Hakone",
            "onsen etiquette",
            "Shinkansen",
            "Nara",
            "temples",
            "Tokyo neighbourhoods",
        ],
    ),
    (
        "Running & fitness",
        "Training plans, recovery and strength work.",
        [
            "marathon plan",
            "zone 2",
            "intervals",
            "shin splints",
            "strength training",
            "tapering",
            "running shoes",
            "VO2 max",
            "stretching",
            "recovery",
        ],
    ),
    (
        "Personal finance",
        "Budgets, index funds, taxes and saving for a house.",
        [
            "index funds",
            "budgeting",
            "emergency fund",
            "mortgage",
            "tax returns",
            "ISA",
            "compound interest",
            "pension",
            "inflation",
            "rebalancing",
        ],
    ),
    (
        "Home networking",
        "Routers, Wi-Fi coverage and a small home server.",
        [
            "mesh Wi-Fi",
            "VLANs",
            "Raspberry Pi",
            "DNS",
            "WireGuard",
            "NAS",
            "port forwarding",
            "IPv6",
            "Pi-hole",
            "firewall rules",
        ],
    ),
    (
        "Gardening",
        "Vegetables on a balcony, soil and pests.",
        [
            "tomatoes",
            "composting",
            "raised beds",
            "aphids",
            "seed starting",
            "pruning",
            "herbs",
            "watering",
            "mulch",
            "succulents",
        ],
    ),
    (
        "Photography",
        "Cameras, composition and editing.",
        [
            "composition",
            "aperture",
            "Lightroom",
            "street photography",
            "golden hour",
            "lenses",
            "film simulation",
            "exposure",
            "portraits",
            "colour grading",
        ],
    ),
    (
        "Music theory",
        "Chords, scales and learning the piano.",
        [
            "chord progressions",
            "circle of fifths",
            "modes",
            "voice leading",
            "sight reading",
            "jazz harmony",
            "rhythm",
            "ear training",
            "piano technique",
            "songwriting",
        ],
    ),
    (
        "Writing fiction",
        "Short stories, plot structure and editing drafts.",
        [
            "plot structure",
            "dialogue",
            "point of view",
            "character arcs",
            "worldbuilding",
            "editing",
            "short stories",
            "pacing",
            "opening lines",
            "writer's block",
        ],
    ),
    (
        "Parenting",
        "Sleep, routines and talking with young children.",
        [
            "sleep schedule",
            "toddler tantrums",
            "screen time",
            "reading together",
            "school choice",
            "picky eating",
            "routines",
            "siblings",
            "praise",
            "bedtime stories",
        ],
    ),
]

TEMPLATES = [
    "How do I get started with {a}?",
    "{A} vs {b}: which one should I pick?",
    "Why is my {a} not working?",
    "Explain {a} in simple terms",
    "Best practices for {a} and {b}",
    "Help me plan {a} for next month",
    "Notes on {a}",
    "Common mistakes with {a}",
    "What should I know about {a} before {b}?",
    "A checklist for {a}",
]


def _sizes(total: int, clusters: int, rng: random.Random) -> list[int]:
    weights = [1 / (k + 1) ** 0.55 * rng.uniform(0.85, 1.15) for k in range(clusters)]
    scale = total / sum(weights)
    sizes = [max(20, round(w * scale)) for w in weights]
    sizes[0] += total - sum(sizes)
    return sizes


def _centres(clusters: int, rng: random.Random) -> list[tuple[float, float]]:
    centres: list[tuple[float, float]] = []
    while len(centres) < clusters:
        c = (rng.uniform(-7, 7), rng.uniform(-6.5, 6.5))
        if all(math.dist(c, o) > 3.6 for o in centres) or rng.random() < 0.02:
            centres.append(c)
    return centres


def _nodes(
    sizes: list[int], centres: list[tuple[float, float]], seed: int, rng: random.Random
) -> tuple[list[dict[str, Any]], list[list[int]]]:
    """Nodes in Gaussian blobs around the cluster centres; also each cluster's node ids."""
    np_rng = np.random.default_rng(seed)
    nodes: list[dict[str, Any]] = []
    members: list[list[int]] = []
    for k, size in enumerate(sizes):
        name, _, words = TOPICS[k % len(TOPICS)]
        spread = 0.3 + 0.055 * math.sqrt(size)
        points = np_rng.normal(centres[k], spread, size=(size, 2)).clip(-10, 10)
        members.append(list(range(len(nodes), len(nodes) + size)))
        for x, y in points:
            i = len(nodes)
            a, b = rng.sample(words, 2)
            day = rng.randrange(0, 420)
            nodes.append(
                {
                    "id": i,
                    "origId": f"conv-{seed}-{i:05d}",
                    "title": rng.choice(TEMPLATES).format(a=a, b=b, A=a[0].upper() + a[1:]),
                    "clusterId": f"cluster_{k}",
                    "clusterName": name,
                    "x": round(float(x), 4),
                    "y": round(float(y), 4),
                    "keywords": rng.sample(words, 4),
                    "timestamp": f"2025-{1 + day // 35 % 12:02d}-{1 + day % 28:02d}T10:00:00Z",
                    "sourceType": "markdown" if rng.random() < 0.1 else "chat",
                    "numSections": rng.randint(1, 14),
                }
            )
    return nodes, members


def _intra_edges(
    xy: np.ndarray, members: list[list[int]], count: int, rng: random.Random
) -> list[dict[str, Any]]:
    """Each node to its nearest neighbours in its own cluster (like a kNN graph)."""
    pairs: dict[tuple[int, int], float] = {}
    for ids in members:
        pts = xy[ids]
        dist = np.linalg.norm(pts[:, None, :] - pts[None, :, :], axis=2)
        np.fill_diagonal(dist, np.inf)
        for row, cols in enumerate(np.argsort(dist, axis=1)[:, :6]):
            for col in cols:
                a, b = sorted((ids[row], ids[int(col)]))
                w = max(0.5, 0.97 - 0.18 * float(dist[row, col]) + rng.uniform(-0.05, 0.05))
                pairs.setdefault((a, b), round(w, 3))
    chosen = rng.sample(sorted(pairs), min(count, len(pairs)))
    return [
        {"source": a, "target": b, "weight": pairs[a, b], "isIntraCluster": True} for a, b in chosen
    ]


def _inter_edges(
    xy: np.ndarray,
    members: list[list[int]],
    centres: list[tuple[float, float]],
    count: int,
    rng: random.Random,
) -> list[dict[str, Any]]:
    """Bridges between clusters that sit near each other."""
    order = np.argsort([[math.dist(c, o) for o in centres] for c in centres], axis=1)
    seen: set[tuple[int, int]] = set()
    edges: list[dict[str, Any]] = []
    while len(edges) < count:
        k = rng.randrange(len(members))
        other = members[int(order[k][rng.choice([1, 1, 2, 2, 3])])]
        a = rng.choice(members[k])
        b = min(rng.sample(other, min(12, len(other))), key=lambda j: math.dist(xy[a], xy[j]))
        key = (min(a, b), max(a, b))
        if key not in seen:
            seen.add(key)
            w = round(rng.uniform(0.35, 0.72), 3)
            edges.append({"source": a, "target": b, "weight": w, "isIntraCluster": False})
    return edges


def make_graph(
    *, nodes: int = 2000, clusters: int = 12, edges: int = 8000, seed: int = 7
) -> dict[str, Any]:
    """A graph shaped like the pipeline's output: Gaussian blobs laid out in [-10, 10]."""
    rng = random.Random(seed)
    sizes = _sizes(nodes, clusters, rng)
    centres = _centres(clusters, rng)
    node_list, members = _nodes(sizes, centres, seed, rng)
    xy = np.array([[n["x"], n["y"]] for n in node_list])
    intra = int(edges * 0.87)
    edge_list = _intra_edges(xy, members, intra, rng)
    edge_list += _inter_edges(xy, members, centres, edges - len(edge_list), rng)
    for e in edge_list:
        verified = not e["isIntraCluster"] and rng.random() < 0.3
        e["confidence"] = "llm_verified" if verified else "high" if e["weight"] >= 0.8 else "medium"

    cluster_list = []
    for k in range(clusters):
        name, description, words = TOPICS[k % len(TOPICS)]
        cluster_list.append(
            {
                "clusterId": f"cluster_{k}",
                "name": name,
                "description": description,
                "size": sizes[k],
                "keyThemes": words[:3],
                "topKeywords": words[:6],
            }
        )
    subclusters = [
        {
            "subclusterId": f"subcluster_{k}_{s}",
            "clusterId": f"cluster_{k}",
            "nodeIds": ids[s::3],
            "name": None,
            "representativeNodeId": ids[s],
        }
        for k, ids in enumerate(members)
        for s in range(3)
    ]
    return {
        "userId": "user-viewer-test",
        "status": "CREATED",
        "generatedAt": "2026-11-26T10:00:00Z",
        "stats": {
            "nodes": len(node_list),
            "edges": len(edge_list),
            "clusters": clusters,
            "subclusters": len(subclusters),
        },
        "nodes": node_list,
        "edges": edge_list,
        "clusters": cluster_list,
        "subclusters": subclusters,
    }


def make_summary(graph: dict[str, Any]) -> dict[str, Any]:
    """A summary in the shape the summary writer produces, consistent with ``graph``."""
    clusters = sorted(graph["clusters"], key=lambda c: -c["size"])
    names = [c["name"] for c in clusters]
    cluster_of = {n["id"]: n["clusterId"] for n in graph["nodes"]}
    bridges: dict[tuple[str, str], int] = {}
    for e in graph["edges"]:
        a, b = sorted((cluster_of[e["source"]], cluster_of[e["target"]]))
        if a != b:
            bridges[a, b] = bridges.get((a, b), 0) + 1
    top = sorted(bridges.items(), key=lambda item: -item[1])[:4]
    by_id = {c["clusterId"]: c for c in graph["clusters"]}
    return {
        "generatedAt": "2026-11-26T10:05:00Z",
        "summary": {
            "overview": {
                "total_source_nodes": len(graph["nodes"]),
                "time_span": {"start": "2025-01-02", "end": "2026-02-20", "days": 414},
                "primary_interests": names[:4],
                "summary_text": (
                    f"Over fourteen months you came back most often to {names[0]} and "
                    f"{names[1]}, with a steady thread of {names[2]}. Your questions move "
                    "from getting started towards trade-offs and planning."
                ),
            },
            "clusters": [
                {
                    "cluster_id": c["clusterId"],
                    "name": c["name"],
                    "size": c["size"],
                    "top_keywords": c["topKeywords"],
                    "insight_text": (
                        f"{c['size']} conversations, mostly about "
                        f"{c['topKeywords'][0]} and {c['topKeywords'][1]}."
                    ),
                }
                for c in clusters
            ],
            "patterns": [
                {"type": "recurring_theme", "text": f"You return to {names[0]} every week."},
                {"type": "time_of_day", "text": "Most conversations start in the evening."},
            ],
            "connections": [
                {
                    "source_cluster": a,
                    "target_cluster": b,
                    "connection_strength": round(min(1.0, count / 120), 2),
                    "bridge_keywords": by_id[a]["topKeywords"][:1] + by_id[b]["topKeywords"][:1],
                }
                for (a, b), count in top
            ],
            "recommendations": [
                {"type": "explore", "text": f"Connect your {names[1]} notes with {names[3]}."},
                {"type": "revisit", "text": f"Revisit early questions about {names[5]}."},
            ],
        },
    }


# ---------------------------------------------------------------------------------------
# The fake API: the page's files and the two JSON endpoints
# ---------------------------------------------------------------------------------------

GOOD = "token-ready"
CREATING = "token-creating"
EMPTY = "token-empty"
NO_SUMMARY = "token-no-summary"
UPDATING = "token-updating"
BROKEN = "token-broken"


def _problem(status: int, title: str, detail: str) -> web.Response:
    return web.json_response(
        {"type": "about:blank", "title": title, "status": status, "detail": detail},
        status=status,
        content_type="application/problem+json",
    )


@dataclass
class FakeApi:
    """Answers by bearer token: ``graphs[token]`` and ``summaries[token]`` (None: 404).

    A token in ``failures`` gets a 500 problem for the graph; any other token, a 401.
    """

    graph: dict[str, Any]
    summary: dict[str, Any]
    graphs: dict[str, bytes] = field(default_factory=dict)
    summaries: dict[str, bytes | None] = field(default_factory=dict)
    failures: set[str] = field(default_factory=set)
    calls: list[tuple[str, str | None]] = field(default_factory=list)
    base_url: str = ""

    def set_graph(self, token: str, graph: dict[str, Any]) -> None:
        self.graphs[token] = json.dumps(graph).encode()

    def set_summary(self, token: str, summary: dict[str, Any] | None) -> None:
        self.summaries[token] = None if summary is None else json.dumps(summary).encode()

    def _token(self, request: web.Request) -> str | None:
        header = request.headers.get("Authorization")
        self.calls.append((request.path, header))
        if header and header.startswith("Bearer "):
            return header.removeprefix("Bearer ")
        return None

    async def index(self, request: web.Request) -> web.FileResponse:
        return web.FileResponse(INDEX_HTML)

    async def asset(self, request: web.Request) -> web.FileResponse:
        name = request.match_info["name"]
        path = VIEWER_DIR / name
        if "/" in name or path.suffix not in {".js", ".css", ".html"} or not path.is_file():
            raise web.HTTPNotFound()
        return web.FileResponse(path)

    async def graph_me(self, request: web.Request) -> web.Response:
        token = self._token(request)
        if token in self.failures:
            return _problem(500, "Internal Server Error", "The graph store is unavailable.")
        if token not in self.graphs:
            return _problem(401, "Unauthorized", "Invalid or expired token.")
        return web.Response(body=self.graphs[token], content_type="application/json")

    async def summary_me(self, request: web.Request) -> web.Response:
        token = self._token(request)
        if token not in self.graphs:
            return _problem(401, "Unauthorized", "Invalid or expired token.")
        body = self.summaries.get(token)
        if body is None:
            return _problem(404, "Not Found", "No summary has been generated yet.")
        return web.Response(body=body, content_type="application/json")

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/", self.index)
        app.router.add_get("/viewer/{name}", self.asset)
        app.router.add_get("/v1/graphs/me", self.graph_me)
        app.router.add_get("/v1/graphs/me/summary", self.summary_me)
        return app


def _not_created(status: str = "NOT_CREATED") -> dict[str, Any]:
    return {
        "userId": "user-viewer-test",
        "status": status,
        "generatedAt": None,
        "stats": {"nodes": 0, "edges": 0, "clusters": 0, "subclusters": 0},
        "nodes": [],
        "edges": [],
        "clusters": [],
        "subclusters": [],
    }


@pytest.fixture(scope="module")
async def fake_api() -> AsyncIterator[FakeApi]:
    graph = make_graph()
    api = FakeApi(graph=graph, summary=make_summary(graph))
    api.set_graph(GOOD, graph)
    api.set_summary(GOOD, api.summary)
    api.set_graph(EMPTY, _not_created())
    api.set_graph(NO_SUMMARY, graph)
    api.set_summary(NO_SUMMARY, None)
    api.set_graph(UPDATING, {**graph, "status": "UPDATING"})
    api.set_summary(UPDATING, api.summary)
    api.failures.add(BROKEN)
    runner = web.AppRunner(api.app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    api.base_url = f"http://127.0.0.1:{port}"
    try:
        yield api
    finally:
        await runner.cleanup()


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with Browser() as chromium:
        yield chromium


@pytest.fixture
async def open_page(browser: Browser) -> AsyncIterator[Any]:
    """``await open_page(url, width=..., height=..., scale=...)``; tabs close after the test."""
    pages: list[Page] = []

    async def opener(url: str, **viewport: Any) -> Page:
        page = await browser.open(url, **viewport)
        pages.append(page)
        return page

    yield opener
    for page in pages:
        await page.close()


# ---------------------------------------------------------------------------------------
# Checks that hold for any API behind the page (the real one will reuse them)
# ---------------------------------------------------------------------------------------


async def check_ready(page: Page, *, within: float = READY_WITHIN) -> dict[str, float]:
    """The page draws the graph; timings in milliseconds."""
    state = await page.wait_for_state("ready", "error", "auth", "empty", within=within)
    wall_ms = (time.monotonic() - page.opened_at) * 1000
    assert state == "ready", await page.describe()
    stats = await page.evaluate("graphnodeViewer.stats()")
    build_ms = float(await page.evaluate("document.body.dataset.buildDrawMs"))
    return {"wall_ms": wall_ms, "first_draw_ms": stats["firstDrawMs"], "build_draw_ms": build_ms}


async def check_draws_nodes(page: Page, expected: int) -> dict[str, Any]:
    """Every node is drawn at the fitted view, and some edges and cluster labels."""
    stats = await page.evaluate("graphnodeViewer.stats()")
    assert stats["nodes"] == expected, stats
    assert stats["nodesDrawn"] == expected, stats
    assert stats["edgesDrawn"] > 0, stats
    assert stats["labelsDrawn"] > 0, stats
    return stats


async def check_legend(page: Page, clusters: list[dict[str, Any]]) -> None:
    """The legend lists every non-empty cluster with its name and size, biggest first."""
    entries = await page.evaluate(
        "[...document.querySelectorAll('#legend [data-cluster-id]')].map(b => ({"
        " id: b.dataset.clusterId, name: b.querySelector('.legend-name').textContent,"
        " size: Number(b.querySelector('.legend-size').textContent.replace(/\\D/g, '')),"
        " color: getComputedStyle(b.querySelector('.swatch')).backgroundColor }))"
    )
    expected = {c["clusterId"]: c for c in clusters if c["size"] > 0}
    assert sorted(e["id"] for e in entries) == sorted(expected), entries
    for entry in entries:
        assert entry["name"] == expected[entry["id"]]["name"], entry
        assert entry["size"] == expected[entry["id"]]["size"], entry
    assert [e["size"] for e in entries] == sorted((e["size"] for e in entries), reverse=True)
    assert len({e["color"] for e in entries}) == len(entries), "cluster colours must differ"


async def pick_visible_node(page: Page, node_ids: list[int]) -> tuple[int, float, float]:
    """The first of ``node_ids`` whose centre is on the canvas (not under a panel)."""
    found = await page.evaluate(
        f"(() => {{ for (const id of {json.dumps(node_ids)}) {{"
        " const p = graphnodeViewer.screenPosition(id);"
        " if (!p || p.x < 8 || p.y < 8 || p.x > innerWidth - 8 || p.y > innerHeight - 8) continue;"
        " if (document.elementFromPoint(p.x, p.y) === document.getElementById('graph-canvas'))"
        " return [id, p.x, p.y]; } return null; })()"
    )
    assert found is not None, "no node of the graph is visible on the canvas"
    return int(found[0]), float(found[1]), float(found[2])


async def check_hover_tooltip(page: Page, node: dict[str, Any], x: float, y: float) -> None:
    """A mouse move over the node shows a tooltip with its title, cluster and keywords."""
    await page.mouse_move(x, y)
    shown = await page.wait_for(
        "(() => { const t = document.getElementById('tooltip');"
        " return !t.hidden && t.offsetWidth > 0 ? t.innerText : null; })()",
        within=5,
        what="the tooltip",
    )
    assert node["title"] in shown, shown
    assert node["clusterName"] in shown, shown
    assert node["keywords"][0] in shown, shown


async def check_summary(page: Page, summary: dict[str, Any]) -> None:
    """The side panel shows the overview text, interests, insights and the rest."""
    state = await page.wait_for(
        "['ready', 'missing', 'error'].includes(document.body.dataset.summary)"
        " && document.body.dataset.summary",
        within=10,
        what="the summary",
    )
    assert state == "ready", state
    text = await page.evaluate("document.getElementById('summary-panel').innerText")
    assert "Loading summary" not in text, text
    body = summary["summary"]
    assert body["overview"]["summary_text"], "the summary has an overview text to show"
    shown = await page.evaluate("document.getElementById('summary-text').textContent")
    assert shown == body["overview"]["summary_text"], shown
    for interest in body["overview"]["primary_interests"]:
        assert interest in text
    for insight in body["clusters"]:
        assert insight["insight_text"] in text
    for item in body["recommendations"] + body["patterns"]:
        assert item["text"] in text
    connections = await page.evaluate("document.querySelectorAll('#summary-connections li').length")
    assert connections == len(body["connections"])


async def check_token_form(page: Page, *, rejected: bool) -> None:
    """The token form is showing; with ``rejected`` it also says the token was refused."""
    state = await page.wait_for_state("auth", "ready", "error", within=15)
    assert state == "auth", await page.describe()
    visible = await page.evaluate("document.getElementById('token-form').offsetHeight > 0")
    assert visible
    message = await page.evaluate(
        "(() => { const m = document.getElementById('auth-message');"
        " return m.hidden ? '' : m.textContent; })()"
    )
    if rejected:
        assert "401" in message, message
    else:
        assert message == ""


async def check_same_origin_only(page: Page, base_url: str) -> None:
    """The page fetched nothing but its own origin (and inline data: URLs)."""
    foreign = [url for url in page.requests if not url.startswith((base_url, "data:", "about:"))]
    assert not foreign, foreign
    assert not page.errors, page.errors
    blocked = [line for line in page.console if "Content Security Policy" in line]
    assert not blocked, blocked


async def screenshot(page: Page, name: str, *, full_page: bool = False) -> Path:
    return await page.screenshot(ARTIFACTS / f"viewer-{name}.png", full_page=full_page)


# ---------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------


async def test_draws_graph_with_legend_summary_and_tooltip(fake_api: FakeApi, open_page) -> None:
    graph, summary = fake_api.graph, fake_api.summary
    page = await open_page(f"{fake_api.base_url}/#token={GOOD}", width=1440, height=900)
    timings = await check_ready(page)
    stats = await check_draws_nodes(page, len(graph["nodes"]))
    await check_legend(page, graph["clusters"])
    await check_summary(page, summary)
    await screenshot(page, "ready")
    await page.evaluate("document.getElementById('summary-panel').scrollTop = 1e6")
    await screenshot(page, "summary")
    await page.evaluate("document.getElementById('summary-panel').scrollTop = 0")

    # The token left the address bar for session storage; every API call carried it.
    assert await page.evaluate("location.hash") == ""
    assert await page.evaluate("sessionStorage.getItem('graphnode.token')") == GOOD
    api_calls = [(p, h) for p, h in fake_api.calls if p.startswith("/v1/")]
    assert api_calls
    assert all(h == f"Bearer {GOOD}" for _, h in api_calls)

    node_id, x, y = await pick_visible_node(page, [n["id"] for n in graph["nodes"]])
    await check_hover_tooltip(page, graph["nodes"][node_id], x, y)
    await screenshot(page, "hover")
    await check_same_origin_only(page, fake_api.base_url)

    redraw_ms = await page.evaluate("graphnodeViewer.benchmarkDraw(10)")
    timings |= {
        "redraw_ms": redraw_ms,
        "nodes": stats["nodes"],
        "edges": stats["edges"],
        "clusters": stats["clusters"],
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "viewer-timings.json").write_text(json.dumps(timings, indent=2) + "\n")
    print(f"viewer timings: {timings}")


async def test_legend_click_highlights_a_cluster(fake_api: FakeApi, open_page) -> None:
    page = await open_page(f"{fake_api.base_url}/#token={GOOD}", width=1440, height=900)
    await check_ready(page)
    target = fake_api.graph["clusters"][3]["clusterId"]
    await page.click_selector(f"#legend [data-cluster-id='{target}']")
    await page.wait_for(f"document.body.dataset.focus === '{target}'", within=5)
    pressed = await page.evaluate(
        "[...document.querySelectorAll('#legend [aria-pressed=true]')]"
        ".map(b => b.dataset.clusterId)"
    )
    assert pressed == [target]
    await screenshot(page, "highlight")
    # Clicking it again shows every cluster.
    await page.click_selector(f"#legend [data-cluster-id='{target}']")
    await page.wait_for("document.body.dataset.focus === ''", within=5)


async def test_pan_and_zoom(fake_api: FakeApi, open_page) -> None:
    page = await open_page(f"{fake_api.base_url}/#token={GOOD}", width=1280, height=800)
    await check_ready(page)
    node_id, x, y = await pick_visible_node(page, [n["id"] for n in fake_api.graph["nodes"]])
    before = await page.evaluate("graphnodeViewer.stats()")

    await page.drag(x + 3, y + 3, x + 83, y + 43)
    moved = await page.wait_for(
        f"(() => {{ const p = graphnodeViewer.screenPosition({node_id});"
        f" return Math.abs(p.x - {x} - 80) < 1.5 && Math.abs(p.y - {y} - 40) < 1.5 ? p : null;"
        " })()",
        within=5,
        what="the graph to follow the drag",
    )
    assert moved

    cx, cy = round(moved["x"]), round(moved["y"])  # input events land on whole pixels
    for _ in range(6):
        await page.wheel(cx, cy, -240)
    zoomed = await page.wait_for(
        f"graphnodeViewer.stats().scale > {before['scale']} * 4 && graphnodeViewer.stats()",
        within=5,
        what="the wheel to zoom in",
    )
    # Zooming keeps the point under the cursor in place, and labels give way to nodes.
    factor = zoomed["scale"] / before["scale"]
    after = await page.evaluate(f"graphnodeViewer.screenPosition({node_id})")
    assert abs(after["x"] - (cx + (moved["x"] - cx) * factor)) < 0.5
    assert abs(after["y"] - (cy + (moved["y"] - cy) * factor)) < 0.5
    # Counts are the full draw's: it comes once the wheel has settled.
    settled = await page.wait_for(
        "(() => { const s = graphnodeViewer.stats();"
        " return !s.moving && s.frameMode === 'full' && s.labelsDrawn === 0 && s; })()",
        within=5,
        what="the full redraw without labels",
    )
    assert settled["nodesDrawn"] < before["nodesDrawn"]
    await screenshot(page, "zoomed")


# A hash of the canvas's pixels, to tell whether two frames are the same picture.
CANVAS_DIGEST = (
    "(() => { const c = document.getElementById('graph-canvas');"
    " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
    " let h = 0; for (let i = 0; i < d.length; i += 1) h = (Math.imul(h, 31) + d[i]) | 0;"
    " return h; })()"
)


async def check_gesture_ends_in_full_draw(page: Page, before: dict[str, Any]) -> dict[str, Any]:
    """Frames were drawn at level of detail while the view moved, then, once the input
    settled, in full; that last frame is exactly what a full draw of the view gives."""
    settled = await page.wait_for(
        "(() => { const s = graphnodeViewer.stats();"
        f" return !s.moving && s.fullDraws > {before['fullDraws']}"
        " && s.lastFullDrawAt > s.lastInputAt && s; })()",
        within=5,
        what="the full redraw after the gesture",
    )
    assert settled["lodFrames"] > before["lodFrames"], (before, settled)
    assert settled["lastFullDrawAt"] - settled["lastInputAt"] >= settled["settleMs"] - 1
    shown = await page.evaluate(CANVAS_DIGEST)
    await page.evaluate("graphnodeViewer.benchmarkDraw(1)")
    assert await page.evaluate(CANVAS_DIGEST) == shown
    return settled


async def test_gestures_draw_at_level_of_detail_then_in_full(fake_api: FakeApi, open_page) -> None:
    nodes = fake_api.graph["nodes"]
    ids = [n["id"] for n in nodes]
    page = await open_page(f"{fake_api.base_url}/#token={GOOD}", width=1280, height=800)
    await check_ready(page)
    stats = "graphnodeViewer.stats()"

    before = await page.evaluate(stats)
    _, x, y = await pick_visible_node(page, ids)
    await page.drag(x + 3, y + 3, x + 123, y + 63, steps=16)
    await check_gesture_ends_in_full_draw(page, before)

    # The wheel, in: the moved copy of the full frame; out, far: squares around it.
    before = await page.evaluate(stats)
    _, x, y = await pick_visible_node(page, ids)
    for _ in range(4):
        await page.wheel(round(x), round(y), -240)
    zoomed = await check_gesture_ends_in_full_draw(page, before)
    assert zoomed["scale"] > before["scale"] * 3
    before = zoomed
    for _ in range(3):
        await page.wheel(round(x), round(y), 480)
    out = await check_gesture_ends_in_full_draw(page, before)
    assert out["reducedFrames"] > before["reducedFrames"], out
    for _ in range(3):
        await page.wheel(round(x), round(y), -480)
    await check_gesture_ends_in_full_draw(page, out)

    # Keys: a held arrow key repeats, like a drag.
    before = await page.evaluate(stats)
    await page.pw.focus("#graph-canvas")
    for _ in range(3):
        await page.pw.keyboard.press("ArrowLeft")
    panned = await check_gesture_ends_in_full_draw(page, before)
    assert panned["tx"] == pytest.approx(before["tx"] + 180)

    # Right after a wheel turn (while frames may still be drawn at level of detail) and
    # once it has settled, the node under the pointer is the one hovered and opened.
    before = await page.evaluate(stats)
    await page.wheel(round(x), round(y), -120)
    node_id, x, y = await pick_visible_node(page, ids)
    await check_hover_tooltip(page, nodes[node_id], x, y)
    shown = await page.evaluate("document.getElementById('tooltip').dataset.nodeId")
    assert shown == str(node_id)
    await check_gesture_ends_in_full_draw(page, before)
    node_id, x, y = await pick_visible_node(page, ids)
    await page.click(x, y)
    await page.wait_for(f"document.body.dataset.nodeId === '{node_id}'", within=5)
    assert (await page.evaluate(stats))["selected"] == node_id
    assert page.errors == [], page.errors
    assert await page.evaluate("graphnodeViewer.problems()") == []


async def test_hover_alone_redraws_only_the_overlay(fake_api: FakeApi, open_page) -> None:
    """At rest, hovering a node redraws the kept base layer plus the hover: the same
    picture as a full draw, without one."""
    page = await open_page(f"{fake_api.base_url}/#token={GOOD}", width=1280, height=800)
    await check_ready(page)
    before = await page.evaluate("graphnodeViewer.stats()")
    node_id, x, y = await pick_visible_node(page, [n["id"] for n in fake_api.graph["nodes"]])
    await check_hover_tooltip(page, fake_api.graph["nodes"][node_id], x, y)
    hovered = await page.wait_for(
        f"graphnodeViewer.stats().overlayFrames > {before['overlayFrames']}"
        " && graphnodeViewer.stats()",
        within=5,
    )
    assert hovered["fullDraws"] == before["fullDraws"], hovered
    assert hovered["frameMode"] == "overlay"
    shown = await page.evaluate(CANVAS_DIGEST)
    await page.evaluate("graphnodeViewer.benchmarkDraw(1)")
    assert await page.evaluate(CANVAS_DIGEST) == shown


async def test_pinch_zooms_around_the_fingers(fake_api: FakeApi, open_page) -> None:
    page = await open_page(f"{fake_api.base_url}/#token={GOOD}", width=1280, height=800)
    await check_ready(page)
    before = await page.evaluate("graphnodeViewer.stats().scale")
    box = await page.evaluate(
        "(() => { const r = document.getElementById('graph-canvas').getBoundingClientRect();"
        " return {x: Math.round(r.left + r.width / 2), y: Math.round(r.top + r.height / 2)}; })()"
    )
    await page.pinch(box["x"], box["y"], 40, 160)
    after = await page.wait_for(
        f"graphnodeViewer.stats().scale > {before} * 3.5 && graphnodeViewer.stats().scale",
        within=5,
        what="the pinch to zoom in",
    )
    assert after == pytest.approx(before * 4, rel=0.01)


async def test_canvas_matches_device_pixel_ratio(fake_api: FakeApi, open_page) -> None:
    page = await open_page(f"{fake_api.base_url}/#token={GOOD}", width=1280, height=800, scale=2)
    await check_ready(page)
    stats = await page.evaluate("graphnodeViewer.stats()")
    assert stats["devicePixelRatio"] == 2
    assert stats["canvasWidth"] == stats["canvasCssWidth"] * 2
    await screenshot(page, "dpr2")


async def test_narrow_screen_layout(fake_api: FakeApi, open_page) -> None:
    page = await open_page(f"{fake_api.base_url}/#token={GOOD}", width=420, height=860)
    await check_ready(page)
    await check_draws_nodes(page, len(fake_api.graph["nodes"]))
    await check_legend(page, fake_api.graph["clusters"])
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 420, "no horizontal scrolling on a phone-sized screen"
    await screenshot(page, "narrow")
    await screenshot(page, "narrow-full", full_page=True)


async def test_rejected_token_shows_the_token_form(fake_api: FakeApi, open_page) -> None:
    page = await open_page(f"{fake_api.base_url}/#token=expired-token")
    await check_token_form(page, rejected=True)
    assert await page.evaluate("sessionStorage.getItem('graphnode.token')") is None
    await screenshot(page, "auth")

    # A good token typed into the form opens the graph.
    await page.evaluate(
        f"document.getElementById('token-input').value = '{GOOD}';"
        "document.getElementById('token-form').requestSubmit()"
    )
    await check_ready(page)
    await check_draws_nodes(page, len(fake_api.graph["nodes"]))


async def test_without_a_token_asks_for_one(fake_api: FakeApi, open_page) -> None:
    page = await open_page(f"{fake_api.base_url}/")
    await check_token_form(page, rejected=False)


async def test_token_is_kept_for_the_tab(fake_api: FakeApi, open_page) -> None:
    page = await open_page(f"{fake_api.base_url}/#token={GOOD}")
    await check_ready(page)
    await page.evaluate("window.beforeReload = true")
    await page.reload()
    await page.wait_for("!window.beforeReload", within=10, what="the reload")
    await check_ready(page)
    assert await page.evaluate("location.hash") == ""


async def test_graph_being_built_shows_progress_then_draws(fake_api: FakeApi, open_page) -> None:
    fake_api.set_graph(CREATING, _not_created("CREATING"))
    fake_api.set_summary(CREATING, None)
    page = await open_page(f"{fake_api.base_url}/#token={CREATING}")
    state = await page.wait_for_state("progress", "ready", "empty", "error", within=15)
    assert state == "progress", await page.describe()
    text = await page.evaluate("document.getElementById('notice-progress').innerText")
    assert "Building your graph" in text
    await screenshot(page, "progress")

    # The page polls: once the graph is there, it draws it.
    fake_api.set_graph(CREATING, fake_api.graph)
    await check_ready(page, within=15)
    await check_draws_nodes(page, len(fake_api.graph["nodes"]))
    assert await page.evaluate("document.body.dataset.summary") == "missing"


async def test_no_graph_yet_shows_the_empty_state(fake_api: FakeApi, open_page) -> None:
    page = await open_page(f"{fake_api.base_url}/#token={EMPTY}")
    state = await page.wait_for_state("empty", "ready", "error", "auth", within=15)
    assert state == "empty", await page.describe()
    text = await page.evaluate("document.getElementById('notice-empty').innerText")
    assert "import" in text.lower()
    assert "generate" in text.lower()
    await screenshot(page, "empty")


async def test_missing_summary_still_draws_the_graph(fake_api: FakeApi, open_page) -> None:
    page = await open_page(f"{fake_api.base_url}/#token={NO_SUMMARY}")
    await check_ready(page)
    await page.wait_for("document.body.dataset.summary === 'missing'", within=10)
    text = await page.evaluate("document.getElementById('summary').innerText")
    assert "No summary yet" in text


async def test_graph_being_updated_stays_drawn_with_a_banner(fake_api: FakeApi, open_page) -> None:
    page = await open_page(f"{fake_api.base_url}/#token={UPDATING}")
    await check_ready(page)
    await check_draws_nodes(page, len(fake_api.graph["nodes"]))
    banner = await page.evaluate(
        "(() => { const b = document.getElementById('update-banner');"
        " return b.hidden ? null : b.innerText; })()"
    )
    assert banner is not None
    assert "Updating" in banner
    await check_summary(page, fake_api.summary)
    await screenshot(page, "updating")


async def test_server_error_is_reported_with_a_retry(fake_api: FakeApi, open_page) -> None:
    page = await open_page(f"{fake_api.base_url}/#token={BROKEN}")
    state = await page.wait_for_state("error", "ready", "auth", within=15)
    assert state == "error", await page.describe()
    text = await page.evaluate("document.getElementById('notice-error').innerText")
    assert "The graph store is unavailable." in text
    assert "Try again" in text
    await screenshot(page, "error")


# ---------------------------------------------------------------------------------------
# The model builder on generated graphs: any data the API can return must draw
# ---------------------------------------------------------------------------------------


def _rounds_down_in_float32(w: float) -> bool:
    return float(np.float32(w)) < w


def _random_weights(seed: int = 11) -> dict[str, Any]:
    """Full-precision random weights (never rounded to 3 places)."""
    graph = make_graph(nodes=400, clusters=6, edges=1600, seed=seed)
    rng = random.Random(seed)
    for e in graph["edges"]:
        e["weight"] = rng.random()
    return graph


def _equal_weights() -> dict[str, Any]:
    graph = make_graph(nodes=300, clusters=5, edges=900, seed=3)
    for e in graph["edges"]:
        e["weight"] = 0.7  # float32(0.7) < 0.7: also the rounding case with no span at all
    return graph


def _float32_weights() -> dict[str, Any]:
    """The lowest weight rounds down in float32 and the highest up (the issue-11 crash)."""
    graph = make_graph(nodes=300, clusters=5, edges=900, seed=5)
    rng = random.Random(5)
    low, high = 0.7, 0.9  # float32: 0.699999988..., 0.899999976... / 0.1 rounds up
    assert _rounds_down_in_float32(low)
    for e in graph["edges"]:
        e["weight"] = rng.choice([low, 0.1 + 0.2, 1 / 3, high, 0.1, 0.55])
    graph["edges"][0]["weight"] = 0.1  # the minimum: float32(0.1) > 0.1
    graph["edges"][1]["weight"] = low
    return graph


def _float32_minimum_rounds_down() -> dict[str, Any]:
    graph = make_graph(nodes=200, clusters=4, edges=600, seed=8)
    rng = random.Random(8)
    for e in graph["edges"]:
        e["weight"] = rng.choice([0.7, 0.85, 0.95])  # min 0.7 rounds down in float32
    return graph


def _single_node() -> dict[str, Any]:
    graph = make_graph(nodes=100, clusters=4, edges=200, seed=2)
    node = graph["nodes"][0]
    self_loop = {"source": node["id"], "target": node["id"], "weight": 0.9}
    return {**graph, "nodes": [node], "edges": [self_loop], "clusters": graph["clusters"][:1]}


def _no_edges() -> dict[str, Any]:
    return {**make_graph(nodes=250, clusters=5, edges=400, seed=4), "edges": []}


def _clusters_without_members() -> dict[str, Any]:
    graph = make_graph(nodes=200, clusters=4, edges=500, seed=6)
    extra = [
        {"clusterId": f"cluster_{k}", "name": f"Empty {k}", "size": 0, "keyThemes": []}
        for k in (7, 8, 9)
    ]
    return {**graph, "clusters": graph["clusters"] + extra + [{"clusterId": None}, None, {}]}


def _unknown_clusters() -> dict[str, Any]:
    """Nodes naming a cluster the cluster list lacks, or none at all; no cluster list."""
    graph = make_graph(nodes=200, clusters=4, edges=500, seed=9)
    for node in graph["nodes"][:30]:
        node["clusterId"] = "cluster_99"
        node["clusterName"] = "Not in the list"
    for node in graph["nodes"][30:40]:
        node["clusterId"] = None
    for node in graph["nodes"][40:45]:
        node["clusterId"] = 12  # a number, not a string
        node["clusterName"] = None
    return {**graph, "clusters": graph["clusters"][1:]}


def _missing_fields() -> dict[str, Any]:
    """Missing x/y, weights and flags; edges to unknown nodes; nulls among the items."""
    graph = make_graph(nodes=300, clusters=5, edges=900, seed=10)
    for node in graph["nodes"][::7]:
        node["x"] = None
    for node in graph["nodes"][1::11]:
        node.pop("y")
        node.pop("keywords")
    for node in graph["nodes"][2::13]:
        node["x"] = float("1e300")  # beyond any layout: placed like a missing one
    for e in graph["edges"][::5]:
        e.pop("weight")
        e.pop("isIntraCluster")
    for e in graph["edges"][1::9]:
        e["weight"] = None
    graph["edges"] += [
        {"source": 10**9, "target": 0, "weight": 0.5},
        {"source": None, "target": 1},
        {"source": "3", "target": "4", "weight": 0.6},  # ids as strings: the same nodes
        None,
    ]
    graph["nodes"] = [*graph["nodes"], None]
    return graph


def _no_layout() -> dict[str, Any]:
    graph = make_graph(nodes=150, clusters=4, edges=400, seed=12)
    for node in graph["nodes"]:
        node["x"] = node["y"] = None
    return graph


def _one_point() -> dict[str, Any]:
    graph = make_graph(nodes=100, clusters=4, edges=240, seed=13)
    for node in graph["nodes"]:
        node["x"], node["y"] = 1.5, -2.0
    return graph


def _odd_weights() -> dict[str, Any]:
    graph = make_graph(nodes=150, clusters=4, edges=400, seed=14)
    values = [-3.0, 0.0, 1e-300, 5e-324, 0.5, 1.0, 7.5, 1e308, -1e308]
    for k, e in enumerate(graph["edges"]):
        e["weight"] = values[k % len(values)]
    return graph


def _large() -> dict[str, Any]:
    return make_graph(nodes=5000, clusters=14, edges=20000, seed=21)


GENERATED: dict[str, Any] = {
    "random-weights": _random_weights,
    "equal-weights": _equal_weights,
    "float32-weights": _float32_weights,
    "float32-minimum": _float32_minimum_rounds_down,
    "single-node": _single_node,
    "no-edges": _no_edges,
    "empty-clusters": _clusters_without_members,
    "unknown-clusters": _unknown_clusters,
    "missing-fields": _missing_fields,
    "no-layout": _no_layout,
    "one-point": _one_point,
    "odd-weights": _odd_weights,
    "5000-nodes": _large,
}


def expected_model(graph: dict[str, Any]) -> dict[str, Any]:
    """What the model must hold: every node, every cluster (listed or named by a node)."""
    nodes = [n for n in graph["nodes"] if isinstance(n, dict)]

    def key(value: Any) -> str:
        return "unclustered" if value is None or value == "" else str(value)

    listed = [c for c in graph["clusters"] if isinstance(c, dict) and c.get("clusterId")]
    sizes: dict[str, int] = {str(c["clusterId"]): 0 for c in listed}
    names = {str(c["clusterId"]): c.get("name") or "" for c in listed}
    for node in nodes:
        k = key(node.get("clusterId"))
        sizes[k] = sizes.get(k, 0) + 1
        names[k] = names.get(k) or node.get("clusterName") or ""
    ids = {str(n["id"]) for n in nodes}
    edges = [
        e
        for e in graph["edges"]
        if isinstance(e, dict)
        and str(e.get("source")) in ids
        and str(e.get("target")) in ids
        and e.get("source") is not None
        and str(e["source"]) != str(e["target"])
    ]
    clusters = [
        {"clusterId": k, "name": names[k] or k.replace("_", " "), "size": size}
        for k, size in sizes.items()
    ]
    return {"nodes": len(nodes), "edges": len(edges), "clusters": clusters}


@pytest.fixture(scope="module")
def generated_api(fake_api: FakeApi) -> dict[str, dict[str, Any]]:
    """Each generated graph served by the fake API under its own token ``gen-<name>``."""
    graphs = {name: build() for name, build in GENERATED.items()}
    for name, graph in graphs.items():
        fake_api.set_graph(f"gen-{name}", graph)
        fake_api.set_summary(f"gen-{name}", make_summary_for(graph))
    return graphs


def make_summary_for(graph: dict[str, Any]) -> dict[str, Any]:
    """A summary naming the graph's clusters (not only the listed ones)."""
    clusters = expected_model(graph)["clusters"]
    return {
        "generatedAt": "2026-11-26T10:05:00Z",
        "summary": {
            "overview": {
                "total_source_nodes": expected_model(graph)["nodes"],
                "time_span": {"start": "2025-03", "end": "2026-02", "days": 340},
                "primary_interests": [c["name"] for c in clusters[:3]],
                "summary_text": f"You talk about {len(clusters)} topics.",
            },
            "clusters": [
                {
                    "cluster_id": c["clusterId"],
                    "name": c["name"],
                    "size": c["size"],
                    "insight_text": f"Insight on {c['name']}.",
                }
                for c in clusters
            ],
            "patterns": [{"type": "focus", "text": "Mostly one topic."}],
            "connections": [],
            "recommendations": [],
        },
    }


async def test_model_builder_on_generated_graphs(
    fake_api: FakeApi, generated_api: dict[str, dict[str, Any]], open_page
) -> None:
    """The page's own buildModel on every generated graph: each node and cluster, each edge
    in exactly one existing bucket, finite positions, no page error."""
    page = await open_page(f"{fake_api.base_url}/#token={GOOD}")
    await check_ready(page)
    for name, graph in generated_api.items():
        report = await page.evaluate(
            f"fetch('/v1/graphs/me', {{headers: {{Authorization: 'Bearer gen-{name}'}}}})"
            ".then(r => r.json()).then(g => graphnodeViewer.inspectModel(g))"
        )
        want = expected_model(graph)
        assert report["n"] == want["nodes"], (name, report["n"])
        assert report["members"] == want["nodes"], name
        assert report["m"] == want["edges"], (name, report["m"])
        got = {c["id"]: (c["name"], c["size"]) for c in report["clusters"]}
        assert got == {c["clusterId"]: (c["name"], c["size"]) for c in want["clusters"]}, name
        assert report["bucketed"] == report["m"], (name, report)
        assert report["badEdge"] == 0, (name, report)
        assert report["finiteXY"], (name, report)
        assert report["finiteBounds"], (name, report)
        assert report["gridItems"] == report["gridCount"] == want["nodes"], (name, report)
    assert page.errors == [], page.errors
    assert await page.evaluate("graphnodeViewer.problems()") == []


# The ones that crashed or could crash the page before issue 11's fix, drawn in full.
DRAWN = [
    "equal-weights",
    "float32-minimum",
    "float32-weights",
    "single-node",
    "no-edges",
    "empty-clusters",
    "unknown-clusters",
    "missing-fields",
    "no-layout",
    "5000-nodes",
]


@pytest.mark.parametrize("name", DRAWN)
async def test_generated_graph_draws_with_legend_and_summary(
    name: str, fake_api: FakeApi, generated_api: dict[str, dict[str, Any]], open_page
) -> None:
    graph = generated_api[name]
    want = expected_model(graph)
    page = await open_page(f"{fake_api.base_url}/#token=gen-{name}", width=1440, height=900)
    await check_ready(page, within=READY_WITHIN * 2)
    stats = await page.evaluate("graphnodeViewer.stats()")
    assert stats["nodes"] == stats["nodesDrawn"] == want["nodes"], stats
    assert stats["edges"] == want["edges"], stats
    assert (stats["edgesDrawn"] > 0) == (want["edges"] > 0), stats
    await check_legend(page, want["clusters"])
    await check_summary(page, make_summary_for(graph))
    if name in {"float32-minimum", "single-node", "5000-nodes"}:
        await screenshot(page, f"generated-{name}")
    assert page.errors == [], page.errors
    assert await page.evaluate("graphnodeViewer.problems()") == []


ODD_SUMMARIES: dict[str, Any] = {
    "nulls-in-lists": {
        "generatedAt": None,
        "summary": {
            "overview": {"summary_text": "Still here.", "primary_interests": [None, 3, "Cooking"]},
            "clusters": [None, {"cluster_id": 5}, {"name": "By name only"}],
            "connections": [None, {"source_cluster": None}],
            "patterns": ["A plain string pattern", None, {"type": "focus"}],
            "recommendations": [{"text": None}, 7],
        },
    },
    "no-overview": {"summary": {"clusters": "not a list"}},
    "not-an-object": {"summary": "text"},
    "empty": {},
}


@pytest.mark.parametrize("name", list(ODD_SUMMARIES))
async def test_odd_summary_still_shows_graph_and_summary(
    name: str, fake_api: FakeApi, open_page
) -> None:
    token = f"odd-summary-{name}"
    fake_api.set_graph(token, fake_api.graph)
    fake_api.set_summary(token, ODD_SUMMARIES[name])
    page = await open_page(f"{fake_api.base_url}/#token={token}")
    await check_ready(page)
    await check_draws_nodes(page, len(fake_api.graph["nodes"]))
    await page.wait_for("document.body.dataset.summary === 'ready'", within=10)
    text = await page.evaluate("document.getElementById('summary').innerText")
    assert "Loading summary" not in text
    overview = ODD_SUMMARIES[name].get("summary")
    if isinstance(overview, dict) and overview.get("overview"):
        assert "Still here." in text
        assert "A plain string pattern" in text
    else:
        assert "No overview yet." in text
    assert page.errors == [], page.errors


# Scripts run before the page's own, each breaking one thing the page uses.
BREAKERS = {
    # Dates: the header's "Generated ...", the summary's "Written ..." and its time span.
    "dates": "Object.defineProperty(Intl.DateTimeFormat.prototype, 'format',"
    " { get() { throw new Error('broken dates'); } });",
    # Circles: every node, so the drawing fails (each frame).
    "drawing": "CanvasRenderingContext2D.prototype.arc = () => { throw new Error('broken arc'); };",
}


@pytest.mark.parametrize("broken", list(BREAKERS))
async def test_one_failing_part_leaves_the_others_shown(
    broken: str, fake_api: FakeApi, open_page
) -> None:
    page = await open_page(
        f"{fake_api.base_url}/#token={GOOD}", width=1440, height=900, init_script=BREAKERS[broken]
    )
    await check_ready(page)
    await check_legend(page, fake_api.graph["clusters"])
    await page.wait_for("document.body.dataset.summary === 'ready'", within=10)
    text = await page.evaluate("document.getElementById('summary-panel').innerText")
    for insight in fake_api.summary["summary"]["clusters"]:
        assert insight["insight_text"] in text
    if broken == "drawing":
        assert fake_api.summary["summary"]["overview"]["summary_text"] in text
    else:
        await check_draws_nodes(page, len(fake_api.graph["nodes"]))
    problems = await page.evaluate("graphnodeViewer.problems()")
    cause = "broken arc" if broken == "drawing" else "broken dates"
    assert problems
    assert all(cause in p for p in problems), problems
    # Each failure is logged once, as an error, not swallowed.
    assert len(page.errors) == len(problems), (page.errors, problems)
