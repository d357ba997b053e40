"""Generate end to end: API -> AI service -> worker -> the snapshot, summary and search
served; conflicts, rate limits and other users' data handled."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import orjson
import pytest

from graphnode.adapters.mongo import DocumentDatabase
from graphnode.adapters.s3 import ObjectStore
from graphnode.adapters.sqs import QueueClient
from graphnode.contracts.identifiers import bundle_prefix, result_key
from graphnode.ingest.parse import parse_bundle
from graphnode.storage.graph_store import MongoGraphStore
from tests.api.test_viewer import (
    check_draws_nodes,
    check_legend,
    check_ready,
    check_same_origin_only,
    check_summary,
)
from tests.support.api import api_client, auth, full_stack, problem, token
from tests.support.browser import Browser, find_chromium
from tests.support.waiting import wait_until

pytestmark = pytest.mark.usefixtures("aws", "mongo", "chroma")

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "chatgpt-export"
ARTIFACTS = Path(__file__).resolve().parents[2] / "tests" / "artifacts"


async def _import_sample(client, headers, *names):
    for name in names or ("conversations.json", "notes.json"):
        response = await client.post(
            f"/v1/imports?filename={name}", data=(SAMPLE / name).read_bytes(), headers=headers
        )
        assert response.status in (200, 201), await response.text()


async def test_generate_builds_the_bundle_and_dispatches_once(settings):
    headers = auth(settings, "u1")
    async with api_client(settings) as client:
        nothing = await client.post("/v1/graphs/generate", headers=headers)
        assert nothing.status == 422
        assert "/v1/imports" in (await problem(nothing))["detail"]
        await _import_sample(client, headers)
        started = await client.post("/v1/graphs/generate", json={"maxClusters": 8}, headers=headers)
        assert started.status == 202
        task_id = (await started.json())["taskId"]
        again = await client.post("/v1/graphs/generate", headers=headers)
        assert again.status == 409
        assert (await problem(again))["taskId"] == task_id
        task = await (await client.get(f"/v1/tasks/{task_id}", headers=headers)).json()
        assert task["status"] == "PENDING"
        snapshot = await (await client.get("/v1/graphs/me", headers=headers)).json()
        assert snapshot["status"] == "CREATING"
        other = await client.get(f"/v1/tasks/{task_id}", headers=auth(settings, "u2"))
        assert other.status == 404
    async with QueueClient(settings) as sqs:
        [request] = await sqs.receive(settings.request_queue, wait_seconds=2)
    message = orjson.loads(request.body)
    assert message["taskType"] == "GRAPH_GENERATION_REQUEST"
    assert message["payload"]["maxClusters"] == 8
    async with ObjectStore(settings) as store:
        prefix = message["payload"]["s3Key"]
        files = {
            name: await store.get_bytes(prefix + name) for name in ("input.json", "notes.json")
        }
    assert len(parse_bundle(files)) == 66


async def test_generation_is_rate_limited_per_user(settings):
    limited = dataclasses.replace(
        settings, generate_per_hour=1, api_dispatch="http", ai_url="http://127.0.0.1:9"
    )
    headers = auth(settings, "u1")
    async with api_client(limited) as client:
        await _import_sample(client, headers, "notes.json")
        # The AI service is unreachable: 503, the task failed and the claim released, and
        # the attempt costs no quota: the next one is again a 503, not a 429.
        for _ in range(3):
            unavailable = await client.post("/v1/graphs/generate", headers=headers)
            assert unavailable.status == 503
            detail = (await problem(unavailable))["detail"]
            assert "127.0.0.1" not in detail
            assert "Cannot connect" not in detail
        snapshot = await (await client.get("/v1/graphs/me", headers=headers)).json()
        assert snapshot["status"] == "NOT_CREATED"
    async with ObjectStore(settings) as objects:  # no bundle left behind by the failures
        assert await objects.list_keys("graph-generation/") == []


async def test_only_generations_that_start_cost_quota(settings):
    limited = dataclasses.replace(settings, generate_per_hour=2)
    headers = auth(settings, "u1")
    async with api_client(limited) as client, DocumentDatabase(settings) as database:
        await _import_sample(client, headers, "notes.json")
        graphs = MongoGraphStore(database)
        first = await client.post("/v1/graphs/generate", headers=headers)
        assert first.status == 202
        for _ in range(4):  # refused while it runs: these cost nothing
            refused = await client.post("/v1/graphs/generate", headers=headers)
            assert refused.status == 409
        await graphs.restore_status("u1", (await first.json())["taskId"])
        second = await client.post("/v1/graphs/generate", headers=headers)
        assert second.status == 202  # the 409s left the second slot free
        await graphs.restore_status("u1", (await second.json())["taskId"])
        limited_now = await client.post("/v1/graphs/generate", headers=headers)
        assert limited_now.status == 429
        assert int(limited_now.headers["Retry-After"]) > 0


async def _done(client, headers, task_id):
    task = await (await client.get(f"/v1/tasks/{task_id}", headers=headers)).json()
    return task if task["status"] in ("COMPLETED", "FAILED") else None


async def test_full_flow_serves_graph_summary_and_search(settings, fcm_server):
    alice, bob = auth(settings, "alice"), auth(settings, "bob")
    async with full_stack(settings, fcm_server.url) as client:
        await _import_sample(client, alice)
        await client.post("/v1/devices", json={"token": "alice-phone"}, headers=alice)
        await client.post(
            "/v1/imports?filename=notes.json",
            data=(SAMPLE / "notes.json").read_bytes(),
            headers=bob,
        )
        task_id = (await (await client.post("/v1/graphs/generate", headers=alice)).json())["taskId"]
        bob_task = (await (await client.post("/v1/graphs/generate", headers=bob)).json())["taskId"]
        events = await client.get(f"/v1/tasks/{task_id}/events", headers=alice)
        stream = (await events.read()).decode()
        assert "event: progress" in stream
        assert "event: done" in stream
        task = await wait_until(
            lambda: _done(client, alice, task_id), within=120, what="alice's graph"
        )
        assert task["status"] == "COMPLETED", task
        async with ObjectStore(settings) as objects:
            # The conversations the API bundled for the AI service went once it answered.
            assert await objects.list_keys(bundle_prefix(task_id)) == []
        await _no_files_left(settings, "alice", task_id)
        await wait_until(lambda: _done(client, bob, bob_task), within=120, what="bob's graph")

        graph = await (await client.get("/v1/graphs/me", headers=alice)).json()
        assert graph["status"] == "CREATED"
        assert graph["stats"]["nodes"] == 66
        assert len(graph["clusters"]) >= 5
        summary = await (await client.get("/v1/graphs/me/summary", headers=alice)).json()
        assert summary["summary"]["overview"]["total_source_nodes"] == 66

        found = await client.post(
            "/v1/graphs/me/search",
            json={"query": "how long should a sourdough starter ferment", "limit": 5},
            headers=alice,
        )
        results = (await found.json())["results"]
        assert len(results) == 5
        alice_ids = {n["origId"] for n in graph["nodes"]}
        assert {r["node"]["origId"] for r in results} <= alice_ids
        bob_graph = await (await client.get("/v1/graphs/me", headers=bob)).json()
        bob_found = await client.post("/v1/graphs/me/search", json={"query": "bread"}, headers=bob)
        bob_ids = {r["node"]["origId"] for r in (await bob_found.json())["results"]}
        assert bob_ids <= {n["origId"] for n in bob_graph["nodes"]}
        assert bob_ids.isdisjoint(alice_ids - {n["origId"] for n in bob_graph["nodes"]})
        await _a_new_summary_can_be_asked_for(client, settings, alice)
        await _new_conversations_join_the_graph(client, alice)
        await _later_tasks_start_from_the_graph_as_stored(client, settings, alice)
        latest = await (await client.get("/v1/graphs/me/summary", headers=alice)).json()
        grown = await (await client.get("/v1/graphs/me", headers=alice)).json()
        await _viewer_draws_the_real_graph(client, settings, grown, latest)
    # One push per task result: the graph, the summary asked for later, the added nodes.
    assert [(p["token"], p["data"]["type"]) for p in fcm_server.delivered] == [
        ("alice-phone", "GRAPH_GENERATION_COMPLETED"),
        ("alice-phone", "GRAPH_SUMMARY_COMPLETED"),
        ("alice-phone", "ADD_NODE_COMPLETED"),
        ("alice-phone", "ADD_NODE_COMPLETED"),
        ("alice-phone", "GRAPH_SUMMARY_COMPLETED"),
    ]


NEW_CONVERSATIONS = b"\n".join(
    orjson.dumps(item)
    for item in [
        {
            "id": "new-bread",
            "title": "Rye sourdough that will not rise",
            "messages": [
                {
                    "role": "user",
                    "content": "My rye sourdough loaf stays dense and flat. The starter "
                    "is active, the dough proofs four hours at room temperature.",
                },
                {
                    "role": "assistant",
                    "content": "Rye has little gluten, so it cannot trap gas like "
                    "wheat; use more starter, a warmer proof and a tin.",
                },
            ],
        },
        {
            "id": "new-chess",
            "title": "Learning chess openings",
            "messages": [
                {
                    "role": "user",
                    "content": "Which chess openings should a beginner learn first, "
                    "the Italian game or the London system?",
                },
                {
                    "role": "assistant",
                    "content": "Start with the Italian game: it teaches central "
                    "control, quick development and castling early.",
                },
            ],
        },
    ]
)


async def _add_nodes(client, alice, filename, data):
    """POST /v1/graphs/me/nodes, waited for; the graph after it."""
    added = await client.post(f"/v1/graphs/me/nodes?filename={filename}", data=data, headers=alice)
    assert added.status == 202, await added.text()
    task_id = (await added.json())["taskId"]
    task = await wait_until(lambda: _done(client, alice, task_id), within=60, what="nodes added")
    assert task["status"] == "COMPLETED", task
    return await (await client.get("/v1/graphs/me", headers=alice)).json()


async def _new_summary(client, alice):
    """POST /v1/graphs/me/summary, waited for until it is stored; what GET serves then."""
    asked = await client.post("/v1/graphs/me/summary", json={"language": "en"}, headers=alice)
    assert asked.status == 202, await asked.text()
    task_id = (await asked.json())["taskId"]
    task = await wait_until(lambda: _done(client, alice, task_id), within=60, what="summary")
    assert task["status"] == "COMPLETED", task

    async def stored_by_new_task():
        body = await (await client.get("/v1/graphs/me/summary", headers=alice)).json()
        return body if body["taskId"] == task_id else None

    return await wait_until(stored_by_new_task, within=30, what="the new summary stored")


async def _new_conversations_join_the_graph(client, alice):
    graph = await _add_nodes(client, alice, "more.jsonl", NEW_CONVERSATIONS)
    assert graph["status"] == "UPDATED"
    nodes = {n["origId"]: n for n in graph["nodes"]}
    assert len(nodes) == 68
    bread_cluster = nodes[
        next(o for o, n in nodes.items() if "Sourdough" in n["title"] and o != "new-bread")
    ]["clusterId"]
    assert nodes["new-bread"]["clusterId"] == bread_cluster
    new_ids = {nodes["new-bread"]["id"], nodes["new-chess"]["id"]}
    linked = {e["source"] for e in graph["edges"]} | {e["target"] for e in graph["edges"]}
    assert new_ids <= linked
    found = await client.post(
        "/v1/graphs/me/search", json={"query": "chess openings"}, headers=alice
    )
    assert (await found.json())["results"][0]["node"]["origId"] == "new-chess"


MORE_CHESS = orjson.dumps(
    {
        "id": "new-endgame",
        "title": "Chess openings after the Italian game",
        "messages": [
            {
                "role": "user",
                "content": "I know the Italian game now. Which chess opening should a "
                "beginner learn next, the Ruy Lopez or the Queen's Gambit?",
            },
            {
                "role": "assistant",
                "content": "Learn the Queen's Gambit next: as with the Italian game, you "
                "fight for the centre, develop quickly and castle early.",
            },
        ],
    }
)


async def _later_tasks_start_from_the_graph_as_stored(client, settings, alice):
    """A removed item and an earlier addition are part of what the next addition and the
    next summary start from: they read the graph as stored, not the first graph.json."""
    before = await (await client.get("/v1/graphs/me", headers=alice)).json()
    summary = (await (await client.get("/v1/graphs/me/summary", headers=alice)).json())["summary"]
    quoted = {t for c in summary["clusters"] for t in c.get("representative_titles") or []}
    titles = [n["title"] for n in before["nodes"]]
    # An item the summary quotes, whose title no other item shares or holds.
    removed = next(
        n
        for n in before["nodes"]
        if n["title"] in quoted and sum(n["title"] in t for t in titles) == 1
    )
    gone = await client.delete(f"/v1/conversations/{removed['origId']}", headers=alice)
    assert gone.status == 200, await gone.text()
    mended = await (await client.get("/v1/graphs/me/summary", headers=alice)).json()
    assert removed["title"] not in orjson.dumps(mended["summary"]).decode()
    assert mended["summary"]["overview"]["total_source_nodes"] == 67

    graph = await _add_nodes(client, alice, "chess.jsonl", MORE_CHESS)
    ids = [n["id"] for n in graph["nodes"]]
    assert len(ids) == len(set(ids)) == 68, ids  # the first addition's ids are not reused
    by_orig = {n["origId"]: n for n in graph["nodes"]}
    assert {"new-bread", "new-chess", "new-endgame"} <= set(by_orig)
    assert removed["origId"] not in by_orig
    assert by_orig["new-endgame"]["id"] > max(n["id"] for n in before["nodes"])
    # Placed against every stored vector, the first addition's too: the endgame joins the
    # chess topic that addition opened, and no topic id is opened twice.
    assert by_orig["new-endgame"]["clusterId"] == by_orig["new-chess"]["clusterId"]
    names = {c["clusterId"]: c["name"] for c in graph["clusters"]}
    assert {n["clusterName"] == names[n["clusterId"]] for n in graph["nodes"]} == {True}
    known = set(ids)
    assert all(e["source"] in known and e["target"] in known for e in graph["edges"])

    latest = await _new_summary(client, alice)
    assert latest["summary"]["overview"]["total_source_nodes"] == 68
    assert removed["title"] not in orjson.dumps(latest["summary"]).decode()
    # Nothing of the task stays in S3 once it is answered and stored: neither the copy of
    # the graph it started from nor its own summary.json.
    await _no_files_left(settings, "alice", latest["taskId"])


async def _no_files_left(settings, user, task_id):
    """A task's result files are copies of the user's data: the worker deletes them once
    it has stored what they say."""
    prefix = result_key(user, task_id, "")

    async def nothing_left() -> bool:
        async with ObjectStore(settings) as objects:
            return await objects.list_keys(prefix) == []

    await wait_until(nothing_left, what=f"the files of task {task_id} deleted")


async def _a_new_summary_can_be_asked_for(client, settings, alice):
    nobody = await client.post("/v1/graphs/me/summary", headers=auth(settings, "carol"))
    assert nobody.status == 409
    await _new_summary(client, alice)


async def _viewer_draws_the_real_graph(client, settings, graph, summary):
    """The viewer page, served by the real API, draws alice's graph in headless Chromium."""
    if find_chromium() is None and not os.environ.get("CI"):
        return  # developers without Chromium still get the rest of this flow
    base = str(client.make_url("/")).rstrip("/")
    async with Browser() as browser:
        page = await browser.open(f"{base}/#token={token(settings, 'alice')}")
        await check_ready(page)
        await check_draws_nodes(page, len(graph["nodes"]))
        await check_legend(page, graph["clusters"])
        await check_summary(page, summary)
        await check_same_origin_only(page, base)
        await page.screenshot(ARTIFACTS / "viewer-real-api.png")
