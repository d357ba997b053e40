"""The graph as an Obsidian vault, zipped and streamed:

* ``conversations/<title>.md``: one per node, with its conversation's (or note's) text, its
  topic and ``## Related`` wiki-links along its strongest edges;
* ``topics/<name>.md``: one per topic, listing its members;
* ``index.md``: the summary and every topic.

Every note name is claimed before anything is written, so each link names a note that the
archive holds. Items are read one at a time (``items``), so memory holds the graph and one
note, however long the history.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from typing import Any

from graphnode.export.names import UniqueNames
from graphnode.export.notes import Link, conversation_note, index_note, topic_note
from graphnode.export.zipstream import ZipStream
from graphnode.ingest.documents import Document
from graphnode.storage.codec import to_utc
from graphnode.storage.graph_export import StoredGraph, moment
from graphnode.storage.node_detail import original_link, strongest

MAX_RELATED = 10
INDEX = "index"
CONVERSATIONS, TOPICS = "conversations", "topics"


class _Vault:
    """Which notes the vault holds, their names, and what each links to."""

    def __init__(self, stored: StoredGraph) -> None:
        graph = stored.graph
        self.graph, self.summary = graph, stored.summary
        names = UniqueNames(reserved=(INDEX,))
        # Topics first: their names are the ones people type, so they keep them unsuffixed.
        self.clusters = sorted(
            graph["clusters"], key=lambda c: (-int(c.get("size") or 0), c["clusterId"])
        )
        self.topic_names = {
            c["clusterId"]: names.claim(str(c.get("name") or c["clusterId"]), "Topic")
            for c in self.clusters
        }
        self.nodes: dict[int, dict[str, Any]] = {n["id"]: n for n in graph["nodes"]}
        self.node_names = {
            node_id: names.claim(str(node.get("title") or node["origId"]))
            for node_id, node in self.nodes.items()
        }
        self.by_orig: dict[str, list[int]] = defaultdict(list)
        self._members: dict[str, list[int]] = defaultdict(list)
        for node_id, node in self.nodes.items():
            self.by_orig[str(node["origId"])].append(node_id)
            self._members[str(node.get("clusterId"))].append(node_id)
        self._touching: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for edge in graph["edges"]:
            self._touching[edge["source"]].append(edge)
            self._touching[edge["target"]].append(edge)
        self._subclusters = {s["subclusterId"]: s for s in graph["subclusters"]}

    def links(self, node_id: int) -> list[Link]:
        ranked = strongest(node_id, self._touching.get(node_id, []), MAX_RELATED)
        return [
            Link(self.node_names[other], float(edge.get("weight") or 0.0))
            for other, edge in ranked
            if other in self.node_names
        ]

    def conversation(self, node_id: int, item: Document | None) -> tuple[str, str]:
        node = self.nodes[node_id]
        topic = self.topic_names.get(str(node.get("clusterId")))
        sub = self._subclusters.get(str(node.get("subclusterId")), {})
        fields: dict[str, Any] = {
            "title": (item.title if item else "") or node.get("title"),
            "node_id": node_id,
            "source": item.source if item else None,
            "type": node.get("sourceType"),
            "created": moment(item.create_time) if item else None,
            "updated": moment(item.update_time) if item else None,
            "topic": topic,
            "cluster_id": node.get("clusterId"),
            "subtopic": sub.get("name"),
            "keywords": list(node.get("keywords") or []),
            "link": original_link(item.source, item.orig_id) if item else None,
            "tags": ["graphnode/conversation"],
        }
        text = conversation_note(node, item, fields, topic, self.links(node_id))
        return f"{CONVERSATIONS}/{self.node_names[node_id]}.md", text

    def topic(self, cluster: Mapping[str, Any], insights: Mapping[str, str]) -> tuple[str, str]:
        cluster_id = cluster["clusterId"]
        groups: dict[str | None, list[str]] = defaultdict(list)
        for node_id in self._members.get(str(cluster_id), []):
            sub = self._subclusters.get(str(self.nodes[node_id].get("subclusterId")), {})
            groups[sub.get("name") or sub.get("subclusterId")].append(self.node_names[node_id])
        text = topic_note(cluster, insights.get(cluster_id, ""), _grouped(groups))
        return f"{TOPICS}/{self.topic_names[cluster_id]}.md", text

    def insights(self) -> dict[str, str]:
        body = (self.summary or {}).get("summary") or {}
        return {
            str(c["cluster_id"]): str(c.get("insight_text") or "")
            for c in body.get("clusters") or []
            if isinstance(c, dict) and c.get("cluster_id")
        }

    def index(self) -> tuple[str, str]:
        topics = [
            (self.topic_names[c["clusterId"]], int(c.get("size") or 0)) for c in self.clusters
        ]
        return f"{INDEX}.md", index_note(self.graph, self.summary, topics)


def _grouped(groups: Mapping[str | None, list[str]]) -> list[tuple[str | None, list[str]]]:
    """Members by subtopic, named ones first; one subtopic is no grouping, so its members
    are listed under the topic itself."""
    if len(groups) <= 1:
        return [(None, [name for members in groups.values() for name in members])]
    return sorted(groups.items(), key=lambda pair: (pair[0] is None, str(pair[0] or "")))


def _generated(graph: Mapping[str, Any]) -> Any:
    try:
        return to_utc(graph["generatedAt"]) if graph.get("generatedAt") else None
    except (TypeError, ValueError):
        return None


async def obsidian_chunks(
    stored: StoredGraph, items: AsyncIterator[Document]
) -> AsyncGenerator[bytes, None]:
    """The vault's zip, in pieces; ``items`` is the user's items in a stable order (closed
    here, also when the export stops half way)."""
    vault = _Vault(stored)
    archive = ZipStream(_generated(stored.graph))
    pending = set(vault.nodes)
    # An item of another kind with a node's id (a note and a chat sharing one) serves only
    # when no item of the node's own kind comes: the rule of the node's detail route.
    fallback: dict[int, Document] = {}
    try:
        async for item in items:
            for node_id in vault.by_orig.get(item.orig_id, ()):
                if node_id not in pending:
                    continue
                if item.source_type != (vault.nodes[node_id].get("sourceType") or "chat"):
                    fallback.setdefault(node_id, item)
                    continue
                pending.discard(node_id)
                fallback.pop(node_id, None)
                yield await archive.add(*vault.conversation(node_id, item))
    finally:
        close = getattr(items, "aclose", None)
        if close is not None:
            await close()
    for node_id in sorted(pending):
        yield await archive.add(*vault.conversation(node_id, fallback.pop(node_id, None)))
    insights = vault.insights()
    for cluster in vault.clusters:
        yield await archive.add(*vault.topic(cluster, insights))
    yield await archive.add(*vault.index())
    yield archive.close()
