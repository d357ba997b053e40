"""GET /v1/graphs/me/nodes/{id} over the real API and MongoDB (nx-27017): the item behind
the node (a chat's messages and its link, a note's sections), its cluster, subcluster and
strongest neighbours; only the caller's current graph, anything else a 404."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest

from graphnode.adapters.mongo import DocumentDatabase
from graphnode.contracts.results import GraphFile
from graphnode.ingest.documents import Document, Section
from graphnode.storage.conversation_store import ConversationStore
from graphnode.storage.graph_documents import Generation
from graphnode.storage.graph_store import MongoGraphStore
from tests.support.api import api_client, auth, problem
from tests.support.graphs import graph_file

pytestmark = pytest.mark.usefixtures("mongo")

T1 = datetime(2026, 11, 1, tzinfo=UTC)
T2 = datetime(2026, 11, 2, tzinfo=UTC)
CHAT_ID = "6790a1b2-0c3d-8000-9e4f-1234567890ab"
ITEMS = [
    Document(
        orig_id=CHAT_ID,
        title="Sourdough starter",
        sections=(Section("user", "Why is my starter flat?"), Section("assistant", "Feed it.")),
        source="chatgpt",
        create_time=1_735_000_000.0,
        update_time=1_735_100_000.0,
    ),
    Document(
        orig_id="note-7",
        title="Bread notes",
        sections=(Section("Hydration", "75% for a open crumb"), Section("Flour", "Rye helps")),
        source_type="markdown",
        source="notes",
    ),
    Document(
        orig_id="j-1", title="Oven temps", sections=(Section("user", "250 C?"),), source="jsonl"
    ),
    Document(
        orig_id="j-2", title="Proofing", sections=(Section("user", "How long?"),), source="jsonl"
    ),
]


def _alice_graph() -> GraphFile:
    raw = graph_file([d.orig_id for d in ITEMS], clusters=2)
    raw["nodes"][1]["source_type"] = "markdown"
    # Node 1 touches 0 (0.41) and 2 (0.93); 1-3 is added at 0.62.
    weights = {(0, 1): 0.41, (1, 2): 0.93, (2, 3): 0.5}
    for edge in raw["edges"]:
        edge["weight"] = weights[(edge["source"], edge["target"])]
    raw["edges"].append({**raw["edges"][0], "source": 3, "target": 1, "weight": 0.62})
    return GraphFile.model_validate(raw)


@pytest.fixture
async def stored(settings: Any) -> Any:
    """alice: four items and their graph; bob: a graph of his own with other ids; carol:
    a newer generation of alice-like data staged but never made current."""
    async with DocumentDatabase(settings) as database:
        graphs, items = MongoGraphStore(database), ConversationStore(database)
        await items.save("alice", ITEMS)
        assert await graphs.replace_graph("alice", "task-a", _alice_graph(), T1)
        bob = GraphFile.model_validate(graph_file(["b-1", "b-2"], first_id=100))
        assert await graphs.replace_graph("bob", "task-b", bob, T1)
        await items.save("bob", [Document("b-1", "Bob's secret", (Section("user", "x"),))])
        assert await graphs.replace_graph("carol", "task-c1", _alice_graph(), T1)
        newer = Generation.at("carol", "task-c2", T2)
        staged = GraphFile.model_validate(graph_file(["late"], first_id=500))
        await graphs.stage(newer, staged)  # written, not switched: nobody may read it
        yield dataclasses.replace(settings, vector_store="mongo", api_dispatch="http")


async def _get(client: Any, settings: Any, user: str, node: object) -> Any:
    return await client.get(f"/v1/graphs/me/nodes/{node}", headers=auth(settings, user))


async def test_a_chat_node_opens_with_messages_link_cluster_and_neighbours(stored: Any) -> None:
    async with api_client(stored) as client:
        answer = await _get(client, stored, "alice", 0)
        assert answer.status == 200, await answer.text()
        body = await answer.json()
    assert body["node"]["id"] == 0
    assert body["node"]["origId"] == CHAT_ID
    item = body["item"]
    assert item["title"] == "Sourdough starter"
    assert item["source"] == "chatgpt"
    assert item["link"] == f"https://chatgpt.com/c/{CHAT_ID}"
    assert item["createdAt"].startswith("2024-12-24")
    assert item["updatedAt"]
    assert item["sections"] == [
        {"role": "user", "text": "Why is my starter flat?"},
        {"role": "assistant", "text": "Feed it."},
    ]
    assert body["cluster"]["clusterId"] == "cluster_0"
    assert body["cluster"]["name"] == "Topic 0"
    assert body["subcluster"]["subclusterId"] == "subcluster_0_0"
    assert [n["id"] for n in body["neighbours"]] == [1]
    assert body["neighbours"][0]["title"] == "Conversation note-7"


async def test_a_note_gives_its_sections_and_neighbours_strongest_first(stored: Any) -> None:
    async with api_client(stored) as client:
        body = await (await _get(client, stored, "alice", 1)).json()
        plain = await (await _get(client, stored, "alice", 2)).json()
    item = body["item"]
    assert item["sourceType"] == "markdown"
    assert item["link"] is None
    assert [s["role"] for s in item["sections"]] == ["Hydration", "Flour"]
    assert item["sections"][0]["text"] == "75% for a open crumb"
    ranked = [(n["id"], n["weight"]) for n in body["neighbours"]]
    assert ranked == [(2, 0.93), (3, 0.62), (0, 0.41)]
    assert {n["clusterId"] for n in body["neighbours"]} == {"cluster_0", "cluster_1"}
    assert plain["item"]["source"] == "jsonl"
    assert plain["item"]["link"] is None


async def test_only_the_callers_current_graph_is_served(stored: Any) -> None:
    async with api_client(stored) as client:
        others = await _get(client, stored, "alice", 100)  # bob's node
        assert others.status == 404
        assert "no such node" in (await problem(others))["detail"].lower()
        own = await (await _get(client, stored, "bob", 100)).json()
        assert own["item"]["title"] == "Bob's secret"
        assert (await _get(client, stored, "bob", 0)).status == 404  # alice's id
        assert (await _get(client, stored, "carol", 500)).status == 404  # staged only
        current = await (await _get(client, stored, "carol", 1)).json()
        assert current["item"] is None  # carol stored no items
        assert [n["id"] for n in current["neighbours"]] == [2, 3, 0]
        assert (await _get(client, stored, "nobody", 0)).status == 404
        for unknown in (9999, "abc", "-1", "1.5", "99999999999999999999"):
            answer = await _get(client, stored, "alice", unknown)
            assert answer.status == 404, unknown
        assert (await client.get("/v1/graphs/me/nodes/0")).status == 401
