"""One node of the user's graph opened: the item behind it (title, dates, source, its
messages or sections, a link to the original chat) and its strongest neighbours.

Every query is the user's own and, for graph documents, the current generation's
(``owned(user_id, generation=...)``, which the (user_id, generation) indexes serve).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from graphnode.adapters.mongo import Collections, DocumentDatabase
from graphnode.storage.codec import iso
from graphnode.storage.documents import owned

MAX_NEIGHBOURS = 10
MAX_ITEMS_PER_ID = 8

# Where an export's own id names the chat on its service's site.
_CHAT_LINKS = {
    "chatgpt": "https://chatgpt.com/c/{id}",
    "claude": "https://claude.ai/chat/{id}",
}


def original_link(source: str, source_id: str) -> str | None:
    """The address of the original chat, where the source's id gives one."""
    template = _CHAT_LINKS.get(source)
    if template is None or not source_id:
        return None
    return template.format(id=quote(source_id, safe=""))


def _moment(value: Any) -> str | None:
    try:
        return iso(value)
    except (TypeError, ValueError):
        return None


def item_of(doc: dict[str, Any]) -> dict[str, Any]:
    """A stored conversation or note as the API serves it."""
    source = str(doc.get("source", ""))
    source_id = str(doc.get("source_id", ""))
    return {
        "source": source,
        "sourceId": source_id,
        "sourceType": doc.get("source_type", "chat"),
        "title": doc.get("title", ""),
        "createdAt": _moment(doc.get("create_time")),
        "updatedAt": _moment(doc.get("update_time")),
        "sections": [
            {"role": str(s.get("role", "")), "text": str(s.get("text", ""))}
            for s in doc.get("sections", [])
            if isinstance(s, dict)
        ],
        "link": original_link(source, source_id),
    }


def _pick(docs: list[dict[str, Any]], source_type: str) -> dict[str, Any] | None:
    """Of the user's items with this id (one, but two formats may share an id), the one of
    the node's kind, else the first by key."""
    docs.sort(key=lambda d: str(d.get("_id", "")))
    same_kind = [d for d in docs if d.get("source_type", "chat") == source_type]
    return (same_kind or docs or [None])[0]


async def find_item(
    database: DocumentDatabase, user_id: str, orig_id: str, source_type: str
) -> dict[str, Any] | None:
    """The conversation or note behind a node (its ``orig_id`` is the item's source_id)."""
    query = owned(user_id, source_id=orig_id)
    cursor = database.collection(Collections.CONVERSATIONS).find(query).limit(MAX_ITEMS_PER_ID)
    found = _pick([doc async for doc in cursor], source_type)
    return item_of(found) if found is not None else None


def strongest(
    node_id: int, edges: list[dict[str, Any]], limit: int = MAX_NEIGHBOURS
) -> list[tuple[int, dict[str, Any]]]:
    """(neighbour id, edge) for each other end of ``edges``, strongest first, each once."""
    best: dict[int, dict[str, Any]] = {}
    for edge in edges:
        other = edge["target"] if edge["source"] == node_id else edge["source"]
        if other == node_id:
            continue
        if other not in best or edge.get("weight", 0.0) > best[other].get("weight", 0.0):
            best[other] = edge
    ranked = sorted(best.items(), key=lambda pair: (-float(pair[1].get("weight", 0.0)), pair[0]))
    return ranked[:limit]


def neighbour(node: dict[str, Any], edge: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": node["node_id"],
        "title": node.get("title", ""),
        "clusterId": node.get("cluster_id"),
        "clusterName": node.get("cluster_name", ""),
        "weight": edge.get("weight", 0.0),
        "confidence": edge.get("confidence", "medium"),
    }
