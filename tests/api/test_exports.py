"""GET /v1/graphs/me/export over the real API and MongoDB (nx-27017): GraphML and GEXF that
networkx reads back, JSON (the graph and its summary), an Obsidian vault whose wiki-links
all resolve; only the caller's current graph; refusals as problem documents; and
``graphnode export`` writing the file."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import os
import re
import sys
import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import networkx as nx
import orjson
import pytest
from aiohttp.test_utils import TestServer

from graphnode.adapters.mongo import DocumentDatabase
from graphnode.api.app import create_app
from graphnode.contracts.results import GraphFile, SummaryFile
from graphnode.ingest.documents import Document, Section
from graphnode.storage.conversation_store import ConversationStore
from graphnode.storage.graph_documents import Generation
from graphnode.storage.graph_store import MongoGraphStore
from tests.support.api import api_client, auth, problem, token
from tests.support.graphs import graph_file, summary_file

pytestmark = pytest.mark.usefixtures("mongo")

T1 = datetime(2026, 11, 1, tzinfo=UTC)
T2 = datetime(2026, 11, 2, tzinfo=UTC)
CHAT_ID = "6790a1b2-0c3d-8000-9e4f-1234567890ab"
UNSAFE_TITLE = "Bread/notes: <v2>? [[x]] | #1 ..\\CON\x07"
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
        title=UNSAFE_TITLE,
        sections=(Section("Hydration", "75% for an open crumb"),),
        source_type="markdown",
        source="notes",
    ),
    # The same title again, and a topic's name: both must still get notes of their own.
    Document("j-1", "Sourdough starter", (Section("user", "250 C?"),), source="jsonl"),
    Document("j-2", "Topic 0", (Section("user", "How long to proof?"),), source="jsonl"),
]
GHOST = "ghost"  # a node whose item is no longer stored
NODES = 5
# 0-1, 1-2, 2-3, 3-4 from graph_file, weights set below; 3-1 is added, and 1-0 repeats 0-1.
UNIQUE_EDGES = 5


def _alice_graph() -> GraphFile:
    raw = graph_file([d.orig_id for d in ITEMS] + [GHOST], clusters=2)
    for node, item in zip(raw["nodes"], ITEMS, strict=False):
        node["title"] = item.title
        node["source_type"] = item.source_type
    weights = {(0, 1): 0.41, (1, 2): 0.93, (2, 3): 0.5, (3, 4): 0.3}
    for edge in raw["edges"]:
        edge["weight"] = weights[(edge["source"], edge["target"])]
    raw["edges"].append({**raw["edges"][0], "source": 3, "target": 1, "weight": 0.62})
    raw["edges"].append({**raw["edges"][0], "source": 1, "target": 0, "weight": 0.2})
    return GraphFile.model_validate(raw)


@pytest.fixture
async def stored(settings: Any) -> Any:
    """alice: four items, a graph of five nodes and a summary; bob: a graph and an item of
    his own; carol: a newer generation staged but never made current."""
    async with DocumentDatabase(settings) as database:
        graphs, items = MongoGraphStore(database), ConversationStore(database)
        await items.save("alice", ITEMS)
        assert await graphs.replace_graph("alice", "task-a", _alice_graph(), T1)
        summary = SummaryFile.model_validate(summary_file())
        assert await graphs.store_summary("alice", "task-a", summary, T1)
        bob = GraphFile.model_validate(graph_file(["b-1", "b-2"], first_id=100))
        assert await graphs.replace_graph("bob", "task-b", bob, T1)
        await items.save("bob", [Document("b-1", "Bob's secret", (Section("user", "psst"),))])
        staged = GraphFile.model_validate(graph_file(["late"], first_id=500))
        await graphs.stage(Generation.at("carol", "task-c", T2), staged)
        yield dataclasses.replace(settings, vector_store="mongo", api_dispatch="http")


async def _export(client: Any, settings: Any, user: str, fmt: str | None) -> Any:
    query = f"?format={fmt}" if fmt is not None else ""
    return await client.get(f"/v1/graphs/me/export{query}", headers=auth(settings, user))


async def _download(settings: Any, user: str, fmt: str | None) -> tuple[Any, bytes]:
    async with api_client(settings) as client:
        answer = await _export(client, settings, user, fmt)
        assert answer.status == 200, await answer.text()
        return answer.headers, await answer.read()


def _assert_attachment(headers: Any, media_type: str, filename: str) -> None:
    assert headers["Content-Type"].startswith(media_type)
    assert headers["Content-Disposition"] == f'attachment; filename="{filename}"'
    # Streamed: no length known up front.
    assert "Content-Length" not in headers


async def test_graphml_reads_back_in_networkx(stored: Any) -> None:
    headers, body = await _download(stored, "alice", "graphml")
    _assert_attachment(headers, "application/graphml+xml", "graphnode-graphml.graphml")
    graph = nx.read_graphml(io.BytesIO(body), node_type=int)
    assert graph.number_of_nodes() == NODES
    assert graph.number_of_edges() == UNIQUE_EDGES
    chat = graph.nodes[0]
    assert chat["label"] == "Sourdough starter"
    assert chat["cluster_id"] == "cluster_0"
    assert chat["cluster_name"] == "Topic 0"
    assert chat["subcluster_id"] == "subcluster_0_0"
    assert chat["source"] == "chatgpt"
    assert chat["created_at"].startswith("2024-12-24")
    assert chat["link"] == f"https://chatgpt.com/c/{CHAT_ID}"
    assert chat["keywords"] == "term0"
    assert isinstance(chat["x"], float)
    assert chat["size"] > 0
    assert graph.nodes[1]["source_type"] == "markdown"
    assert "source" not in graph.nodes[4]  # the ghost: nothing stored, nothing made up
    assert graph.edges[0, 1]["weight"] == pytest.approx(0.41)  # the stronger of 0-1 and 1-0
    assert graph.edges[1, 2]["weight"] == pytest.approx(0.93)


async def test_gexf_reads_back_with_positions(stored: Any) -> None:
    headers, body = await _download(stored, "alice", "gexf")
    _assert_attachment(headers, "application/gexf+xml", "graphnode-gexf.gexf")
    graph = nx.read_gexf(io.BytesIO(body), node_type=int)
    assert graph.number_of_nodes() == NODES
    assert graph.number_of_edges() == UNIQUE_EDGES
    assert graph.nodes[0]["label"] == "Sourdough starter"
    # XML cannot hold most control characters: they are left out, the rest kept as it is.
    assert graph.nodes[1]["label"] == UNSAFE_TITLE.replace("\x07", "")
    assert graph.nodes[0]["cluster_name"] == "Topic 0"
    assert set(graph.nodes[0]["viz"]["position"]) == {"x", "y", "z"}
    assert graph.edges[1, 3]["weight"] == pytest.approx(0.62)


async def test_json_is_the_graph_route_and_the_summary(stored: Any) -> None:
    headers, body = await _download(stored, "alice", None)  # json is the default
    _assert_attachment(headers, "application/json", "graphnode-json.json")
    exported = orjson.loads(body)
    async with api_client(stored) as client:
        graph = await (await client.get("/v1/graphs/me", headers=auth(stored, "alice"))).json()
    assert exported["graph"] == graph
    assert exported["summary"]["summary"]["overview"]["summary_text"] == (
        "You think about two topics."
    )
    assert exported["summary"]["taskId"] == "task-a"
    _, named = await _download(stored, "alice", "json")
    assert orjson.loads(named) == exported


WIKI_LINK = re.compile(r"\[\[([^\]]+)\]\]")


def _body(note: str) -> str:
    """A note without its front matter (properties, where a title is only text)."""
    assert note.startswith("---\n")
    return note.split("\n---\n", 1)[1]


def _vault(body: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name).decode() for name in archive.namelist()}


async def test_the_obsidian_vault_links_only_notes_it_holds(stored: Any) -> None:
    headers, body = await _download(stored, "alice", "obsidian")
    _assert_attachment(headers, "application/zip", "graphnode-obsidian.zip")
    vault = _vault(body)
    notes = [n for n in vault if n.startswith("conversations/")]
    topics = [n for n in vault if n.startswith("topics/")]
    assert "index.md" in vault
    assert len(notes) == NODES
    assert sorted(topics) == ["topics/Topic 0.md", "topics/Topic 1.md"]
    stems = {Path(name).stem for name in vault}
    assert len(stems) == len(vault)  # unique names: every link has one target
    for name, text in vault.items():
        assert not re.search(r"[\x00-\x1f<>:\"\\|?*\[\]#^]", Path(name).name), name
        assert ".." not in Path(name).parts
        for target in WIKI_LINK.findall(_body(text)):
            assert target in stems, f"{name} links to missing {target!r}"
    chat = vault["conversations/Sourdough starter.md"]
    assert 'source: "chatgpt"' in chat
    assert 'topic: "Topic 0"' in chat
    assert 'created: "2024-12-24' in chat
    assert "Why is my starter flat?" in chat
    assert "Feed it." in chat
    assert f"https://chatgpt.com/c/{CHAT_ID}" in chat
    assert "Sourdough starter (2).md" in str(notes)  # the second one of that title
    assert "Topic 0 (2).md" in str(notes)  # an item named like a topic
    [odd] = [n for n in notes if n.startswith("conversations/Bread")]
    related = vault[odd].split("## Related", 1)[1]
    linked = WIKI_LINK.findall(related)
    assert linked[:2] == ["Sourdough starter (2)", "Topic 0 (2)"]  # 0.93, then 0.62
    assert "75% for an open crumb" in vault[odd]
    assert "# Bread/notes: <v2>? \\[\\[x]] | #1 ..\\CON" in vault[odd]  # its own [[ made literal
    assert "no longer stored" in vault[f"conversations/Conversation {GHOST}.md"]
    topic = vault["topics/Topic 0.md"]
    assert set(WIKI_LINK.findall(topic)) == {
        "Sourdough starter",
        "Sourdough starter (2)",
        f"Conversation {GHOST}",
    }
    index = vault["index.md"]
    assert "You think about two topics." in index
    assert {"Topic 0", "Topic 1"} <= set(WIKI_LINK.findall(index))


async def test_each_user_exports_only_their_own_current_graph(stored: Any) -> None:
    _, body = await _download(stored, "bob", "obsidian")
    vault = _vault(body)
    assert len([n for n in vault if n.startswith("conversations/")]) == 2
    text = "".join(vault.values())
    assert "psst" in text
    assert "Sourdough" not in text
    assert "Bread" not in text
    _, graphml = await _download(stored, "bob", "graphml")
    graph = nx.read_graphml(io.BytesIO(graphml), node_type=int)
    assert set(graph.nodes) == {100, 101}
    async with api_client(stored) as client:
        for user in ("carol", "nobody"):  # staged only, and nothing at all
            for fmt in ("json", "graphml", "obsidian"):
                answer = await _export(client, stored, user, fmt)
                assert answer.status == 404, (user, fmt)
                assert "no graph yet" in (await problem(answer))["detail"].lower()


async def test_refusals_are_problem_documents(stored: Any) -> None:
    async with api_client(stored) as client:
        anonymous = await client.get("/v1/graphs/me/export?format=graphml")
        assert anonymous.status == 401
        assert "sign in" in (await problem(anonymous))["detail"].lower()
        forged = await client.get(
            "/v1/graphs/me/export",
            headers={"Authorization": f"Bearer {token(stored, 'alice', secret='x' * 32)}"},
        )
        assert forged.status == 401
        for bad in ("pdf", "", "GraphML", "json%26x", "%00"):
            answer = await _export(client, stored, "alice", bad)
            assert answer.status == 400, bad
            body = await problem(answer)
            assert "graphml, gexf, json, obsidian" in body["detail"]
            assert body["allowed"] == ["graphml", "gexf", "json", "obsidian"]


async def test_a_failure_part_way_breaks_the_transfer(
    stored: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once the vault is under way no problem document can be sent: the connection drops,
    so no client mistakes the truncated archive for a whole one."""

    async def failing(self: ConversationStore, user_id: str) -> AsyncIterator[Document]:
        yield ITEMS[0]
        raise RuntimeError("the database went away")

    monkeypatch.setattr(ConversationStore, "stream", failing)
    async with api_client(stored) as client:
        answer = await _export(client, stored, "alice", "obsidian")
        assert answer.status == 200
        with pytest.raises(aiohttp.ClientPayloadError):
            await answer.read()


async def test_the_cli_writes_the_export_to_a_file(stored: Any, tmp_path: Path) -> None:
    out = tmp_path / "alice.graphml"
    async with TestServer(create_app(stored), host="127.0.0.1") as server:
        url = str(server.make_url("")).rstrip("/")
        env = {**os.environ, "GRAPHNODE_API_URL": url, "GRAPHNODE_TOKEN": token(stored, "alice")}
        cli = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "graphnode.cli", "export", "--format", "graphml"),
            *("--out", str(out)),
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        stdout, stderr = await asyncio.wait_for(cli.communicate(), 60)
    assert cli.returncode == 0, stderr.decode()
    assert str(out) in stdout.decode()
    graph = nx.read_graphml(out, node_type=int)
    assert graph.number_of_nodes() == NODES
    refused = tmp_path / "nobody.zip"
    async with TestServer(create_app(stored), host="127.0.0.1") as server:
        env["GRAPHNODE_API_URL"] = str(server.make_url("")).rstrip("/")
        env["GRAPHNODE_TOKEN"] = token(stored, "nobody")
        cli = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "graphnode.cli", "export", "--format", "obsidian"),
            *("--out", str(refused)),
            env=env,
            stderr=asyncio.subprocess.PIPE,
        )
        _, stderr = await asyncio.wait_for(cli.communicate(), 60)
    assert cli.returncode == 2
    assert "No graph yet" in stderr.decode()
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name]  # no partial file left
