"""What an export reads: the user's current graph as ``GET /v1/graphs/me`` serves it, the
summary as ``GET /v1/graphs/me/summary`` serves it, and a few facts about each item.

Item texts are not read here: an Obsidian export streams them one by one from
:meth:`ConversationStore.stream`, so memory holds the graph, never the whole history.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphnode.adapters.mongo import Collections, DocumentDatabase
from graphnode.storage.codec import iso, to_utc
from graphnode.storage.documents import owned
from graphnode.storage.graph_snapshot import GraphSnapshotReader
from graphnode.storage.graph_store import MongoGraphStore
from graphnode.storage.node_detail import original_link

# Only what the graph files' node attributes need: never the sections.
_FACT_FIELDS = {"_id": 1, "source_id": 1, "source": 1, "source_type": 1}
_FACT_FIELDS |= {"create_time": 1, "update_time": 1}


@dataclass(frozen=True, slots=True)
class StoredGraph:
    graph: dict[str, Any]
    summary: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class ItemFacts:
    source: str
    source_type: str
    created_at: str | None
    updated_at: str | None
    link: str | None


def moment(value: Any) -> str | None:
    """A stored time (epoch seconds, a date, ISO text) as ISO 8601, or None if it is none:
    an odd value in one imported item must not fail a whole export."""
    if value is None:
        return None
    try:
        return to_utc(value).isoformat()
    except (TypeError, ValueError, OverflowError, OSError):
        return None


class GraphExportReader:
    def __init__(
        self, database: DocumentDatabase, graphs: MongoGraphStore, snapshots: GraphSnapshotReader
    ) -> None:
        self._items = database.collection(Collections.CONVERSATIONS)
        self._graphs, self._snapshots = graphs, snapshots

    async def current(self, user_id: str) -> StoredGraph | None:
        """The user's current graph and summary, or None before a graph was ever made."""
        if await self._graphs.current_generation(user_id) is None:
            return None
        graph = await self._snapshots.snapshot(user_id)
        found = await self._graphs.summary_document(user_id)
        summary = None
        if found is not None:
            summary = {
                "generatedAt": iso(found["generated_at"]),
                "taskId": found.get("task_id"),
                "summary": found["summary"],
            }
        return StoredGraph(graph, summary)

    async def item_facts(self, user_id: str) -> dict[tuple[str, str], ItemFacts]:
        """Source, dates and link of each item, keyed by (source id, source type). Where two
        items share both (two formats of one export), the first by key wins, as for a node's
        own detail (``node_detail.find_item``)."""
        facts: dict[tuple[str, str], ItemFacts] = {}
        cursor = self._items.find(owned(user_id), _FACT_FIELDS).sort("_id", 1)
        async for doc in cursor:
            source_id, source = str(doc.get("source_id", "")), str(doc.get("source", ""))
            key = (source_id, str(doc.get("source_type", "chat")))
            if key in facts:
                continue
            facts[key] = ItemFacts(
                source=source,
                source_type=key[1],
                created_at=moment(doc.get("create_time")),
                updated_at=moment(doc.get("update_time")),
                link=original_link(source, source_id),
            )
        return facts
