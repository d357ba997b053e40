"""DELETE /v1/conversations/{id} over the real API, MongoDB (nx-27017) and its vector store:
the item, its node, the node's edges and its vector go at once; a topic left empty goes; a
repeat after a crash mends what was left; nobody else's data is touched; a running
generation refuses it; the summary stops naming the item; later tasks read the graph as it is
stored now."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest

from graphnode.adapters.mongo import Collections, DocumentDatabase
from graphnode.contracts.results import GraphFile, SummaryFile, parse_features
from graphnode.ingest.documents import Document, Section
from graphnode.storage.conversation_store import ConversationStore
from graphnode.storage.graph_file import StoredGraphFileReader, features_json
from graphnode.storage.graph_status import GraphStatus
from graphnode.storage.graph_store import MongoGraphStore
from graphnode.storage.mongo_vector_store import MongoVectorStore
from graphnode.storage.summary_mend import SummaryMender
from graphnode.storage.vector_store import NodeVector
from tests.support.api import api_client, auth, problem
from tests.support.graphs import graph_file

pytestmark = pytest.mark.usefixtures("mongo")

T1 = datetime(2026, 11, 1, tzinfo=UTC)
IDS = ["chat-a", "note-b", "chat-c", "chat-d"]  # nodes 0-3; clusters 0,1,0,1; a chain of edges


def _item(orig_id: str) -> Document:
    return Document(orig_id, f"About {orig_id}", (Section("user", f"text of {orig_id}"),))


def _graph(ids: list[str], first_id: int = 0) -> GraphFile:
    raw = graph_file(ids, first_id=first_id)
    if first_id == 0:
        raw["edges"].append({**raw["edges"][0], "source": 3, "target": 1, "weight": 0.6})
    return GraphFile.model_validate(raw)


@pytest.fixture
async def stored(settings: Any) -> Any:
    """alice: four items, their graph and vectors, and one item imported after it; bob: a
    graph of his own that holds an id alice also has."""
    async with DocumentDatabase(settings) as database:
        graphs, items = MongoGraphStore(database), ConversationStore(database)
        vectors = MongoVectorStore(database)
        await items.save("alice", [_item(i) for i in [*IDS, "late"]])
        assert await graphs.replace_graph("alice", "task-a", _graph(IDS), T1)
        gen = await graphs.current_generation("alice")
        assert gen is not None
        await vectors.upsert(
            gen,
            [
                NodeVector(o, [1.0, float(n)], node_id=n, cluster_id=f"cluster_{n % 2}")
                for n, o in enumerate(IDS)
            ],
        )
        await items.save("bob", [_item("chat-a")])
        assert await graphs.replace_graph("bob", "task-b", _graph(["chat-a", "b-2"], 100), T1)
        yield dataclasses.replace(settings, vector_store="mongo", api_dispatch="http")


async def _delete(client: Any, settings: Any, user: str, item: str) -> Any:
    return await client.delete(f"/v1/conversations/{item}", headers=auth(settings, user))


async def _graph_of(client: Any, settings: Any, user: str) -> dict[str, Any]:
    answer = await client.get("/v1/graphs/me", headers=auth(settings, user))
    assert answer.status == 200, await answer.text()
    return await answer.json()


async def _vector_ids(settings: Any, user: str) -> set[str]:
    async with DocumentDatabase(settings) as database:
        gen = await MongoGraphStore(database).current_generation(user)
        assert gen is not None
        return await MongoVectorStore(database).orig_ids(gen)


async def test_an_item_leaves_the_graph_at_once_with_its_edges_and_vector(stored: Any) -> None:
    async with api_client(stored) as client:
        before = await _graph_of(client, stored, "alice")  # cached now: the cache must see it
        assert before["stats"]["nodes"] == 4
        answer = await _delete(client, stored, "alice", "note-b")
        assert answer.status == 200, await answer.text()
        assert await answer.json() == {"id": "note-b", "conversations": 1, "nodes": 1, "edges": 3}
        after = await _graph_of(client, stored, "alice")
        again = await _delete(client, stored, "alice", "note-b")
        assert again.status == 404
        assert "no conversation or note" in (await problem(again))["detail"].lower()
    assert [n["origId"] for n in after["nodes"]] == ["chat-a", "chat-c", "chat-d"]
    assert [(e["source"], e["target"]) for e in after["edges"]] == [(2, 3)]
    assert after["stats"] == {"nodes": 3, "edges": 1, "clusters": 2, "subclusters": 2}
    sizes = {c["clusterId"]: c["size"] for c in after["clusters"]}
    assert sizes == {"cluster_0": 2, "cluster_1": 1}
    members = {s["subclusterId"]: s["nodeIds"] for s in after["subclusters"]}
    assert members == {"subcluster_0_0": [0, 2], "subcluster_1_0": [3]}
    assert {s["representativeNodeId"] for s in after["subclusters"]} == {0, 3}
    assert await _vector_ids(stored, "alice") == {"chat-a", "chat-c", "chat-d"}
    async with DocumentDatabase(stored) as database:
        left = [d async for d in ConversationStore(database).stream("alice")]
        stats = await MongoGraphStore(database).stats("alice")
    assert sorted(d.orig_id for d in left) == ["chat-a", "chat-c", "chat-d", "late"]
    assert stats is not None
    assert (stats.nodes, stats.edges, stats.clusters) == (3, 1, 2)


async def test_a_topic_left_without_nodes_goes_and_an_ungraphed_item_is_removed(
    stored: Any,
) -> None:
    async with api_client(stored) as client:
        for item in ("note-b", "chat-d"):  # cluster_1's two nodes
            assert (await _delete(client, stored, "alice", item)).status == 200
        late = await _delete(client, stored, "alice", "late")  # imported after the graph
        assert late.status == 200
        assert await late.json() == {"id": "late", "conversations": 1, "nodes": 0, "edges": 0}
        after = await _graph_of(client, stored, "alice")
    assert [c["clusterId"] for c in after["clusters"]] == ["cluster_0"]
    assert [s["subclusterId"] for s in after["subclusters"]] == ["subcluster_0_0"]
    assert after["stats"] == {"nodes": 2, "edges": 0, "clusters": 1, "subclusters": 1}


async def test_nobody_else_is_touched_and_the_caller_is_checked(stored: Any) -> None:
    async with api_client(stored) as client:
        assert (await client.delete("/v1/conversations/chat-a")).status == 401
        assert (await _delete(client, stored, "alice", "b-2")).status == 404  # bob's only
        assert (await _delete(client, stored, "carol", "chat-a")).status == 404
        assert (await _delete(client, stored, "alice", "x" * 513)).status == 404
        assert (await _delete(client, stored, "alice", "chat-a")).status == 200
        bob = await _graph_of(client, stored, "bob")
    assert [n["origId"] for n in bob["nodes"]] == ["chat-a", "b-2"]
    assert await _vector_ids(stored, "alice") == {"note-b", "chat-c", "chat-d"}
    async with DocumentDatabase(stored) as database:
        kept = [d.orig_id async for d in ConversationStore(database).stream("bob")]
    assert kept == ["chat-a"]


async def test_a_repeat_after_a_crash_finishes_the_removal_and_mends_the_counts(
    stored: Any,
) -> None:
    # A crash after the node went, before the item and the counts: the node and its edges
    # are gone, the stored conversation and the stats are as they were.
    async with DocumentDatabase(stored) as database:
        gen = await MongoGraphStore(database).current_generation("alice")
        assert gen is not None
        await database.collection(Collections.NODES).delete_many({**gen.own(), "orig_id": "chat-c"})
        for end in ("source", "target"):
            await database.collection(Collections.EDGES).delete_many({**gen.own(), end: 2})
    async with api_client(stored) as client:
        answer = await _delete(client, stored, "alice", "chat-c")
        assert answer.status == 200
        assert (await answer.json())["conversations"] == 1
        after = await _graph_of(client, stored, "alice")
    async with DocumentDatabase(stored) as database:
        stats = await MongoGraphStore(database).stats("alice")
    assert stats is not None
    assert (stats.nodes, stats.edges) == (3, 2)
    assert after["stats"]["nodes"] == 3


async def test_a_running_generation_refuses_it_and_nothing_is_removed(stored: Any) -> None:
    async with DocumentDatabase(stored) as database:
        assert await MongoGraphStore(database).claim_for("alice", GraphStatus.UPDATING, "task-x")
    async with api_client(stored) as client:
        answer = await _delete(client, stored, "alice", "chat-a")
        assert answer.status == 409
        body = await problem(answer)
        assert body["taskId"] == "task-x"
        assert "/v1/tasks/task-x" in body["detail"]
        after = await _graph_of(client, stored, "alice")
    assert len(after["nodes"]) == 4
    assert await _vector_ids(stored, "alice") == set(IDS)


async def test_the_summary_stops_naming_the_item_at_once(stored: Any) -> None:
    gone, kept = "Conversation note-b", "Conversation chat-d"
    summary = SummaryFile.model_validate(
        {
            "overview": {
                "total_source_nodes": 4,
                "summary_text": f"Topic 0 leads. You asked about “{gone}” twice. Topic 1 is new.",
            },
            "clusters": [
                {"cluster_id": "cluster_0", "name": "Topic 0", "size": 2, "share": 0.5},
                {
                    "cluster_id": "cluster_1",
                    "name": "Topic 1",
                    "size": 2,
                    "share": 0.5,
                    "representative_titles": [gone, kept],
                    "insight_text": f"See “{gone}” and “{kept}”. It is new.",
                },
            ],
        }
    )
    async with DocumentDatabase(stored) as database:
        assert await MongoGraphStore(database).store_summary("alice", "task-s", summary, T1)
    async with api_client(stored) as client:
        assert (await _delete(client, stored, "alice", "note-b")).status == 200
        answer = await client.get("/v1/graphs/me/summary", headers=auth(stored, "alice"))
        body = (await answer.json())["summary"]
    assert gone not in str(body)
    assert body["overview"]["summary_text"] == "Topic 0 leads. Topic 1 is new."
    assert body["overview"]["total_source_nodes"] == 3
    topic = body["clusters"][1]
    assert (topic["size"], topic["share"], topic["representative_titles"]) == (1, 0.3333, [kept])
    assert topic["insight_text"] == "It is new."


async def test_later_tasks_read_the_graph_as_it_is_stored_now(stored: Any) -> None:
    async with api_client(stored) as client:
        assert (await _delete(client, stored, "alice", "note-b")).status == 200
    async with DocumentDatabase(stored) as database:
        graphs = MongoGraphStore(database)
        addition = GraphFile.model_validate(graph_file(["late"], first_id=4))
        await graphs.merge_graph("alice", addition)
        reader = StoredGraphFileReader(database)
        alice, bob, carol = [await reader.read(u) for u in ("alice", "bob", "carol")]
        gen = await graphs.current_generation("alice")
        assert gen is not None
        held = await MongoVectorStore(database).vectors(gen)
    assert alice is not None
    assert bob is not None
    assert carol is None
    assert [(n.id, n.orig_id) for n in alice.nodes] == [
        (0, "chat-a"),
        (2, "chat-c"),
        (3, "chat-d"),
        (4, "late"),
    ]
    assert [(e.source, e.target) for e in alice.edges] == [(2, 3)]
    assert alice.metadata.total_nodes == 4
    assert set(alice.metadata.clusters) == {"cluster_0", "cluster_1"}
    assert "user_id" not in alice.nodes[0].model_dump()  # only the file's own fields
    assert [n.orig_id for n in bob.nodes] == ["chat-a", "b-2"]
    # The vectors beside it: the items that have one ("late" was merged without), in order.
    features = parse_features(features_json(alice, held))
    assert [(c.id, c.orig_id) for c in features.conversations] == [
        (0, "chat-a"),
        (2, "chat-c"),
        (3, "chat-d"),
    ]
    assert features.embeddings[1] == pytest.approx([1.0, 2.0])


async def test_a_summary_asked_for_before_the_removal_loses_the_item_when_it_arrives(
    stored: Any,
) -> None:
    # Written by the AI service from the graph as it was when it was asked for: note-b in it.
    late = SummaryFile.model_validate(
        {
            "overview": {"total_source_nodes": 4, "summary_text": "Topic 1 is new."},
            "clusters": [
                {"cluster_id": "cluster_0", "name": "Topic 0", "size": 2},
                {
                    "cluster_id": "cluster_1",
                    "name": "Topic 1",
                    "size": 2,
                    "representative_titles": ["Conversation note-b", "Conversation chat-d"],
                    "insight_text": "Mostly “Conversation note-b”. It is new.",
                },
            ],
        }
    )
    async with api_client(stored) as client:
        assert (await _delete(client, stored, "alice", "note-b")).status == 200
    async with DocumentDatabase(stored) as database:
        mender = SummaryMender(database, MongoGraphStore(database))
        fitted = await mender.fitted("alice", late)
        unchanged = await mender.fitted("bob", SummaryFile.model_validate({"overview": {}}))
    topic = fitted.clusters[1]
    assert topic.representative_titles == ["Conversation chat-d"]
    assert topic.insight_text == "It is new."
    assert (fitted.overview.total_source_nodes, topic.size) == (3, 1)
    assert unchanged.overview.total_source_nodes == 2  # bob's graph: its counts, nothing quoted
