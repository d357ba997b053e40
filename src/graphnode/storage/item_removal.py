"""One imported item removed (``DELETE /v1/conversations/{id}``): the stored conversation or
note, and, in the current graph, its node, the node's edges and its vector, at once.

The stored summary loses what it said of the item (``summary_scrub``).

The steps run in an order that lets a repeat finish whatever a crash left undone: the
vector, the edges and the node's place in its subtopic go before the node (a repeat finds the
node again, and so finds them), the node before the stored item (a repeat still recognises the
id). The topic's size and the graph's counts are counted afresh, never decremented, so a
repeat cannot count anything twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphnode.adapters.mongo import Collections, DocumentDatabase
from graphnode.storage.codec import find_all
from graphnode.storage.documents import owned
from graphnode.storage.graph_documents import Generation
from graphnode.storage.graph_store import MongoGraphStore
from graphnode.storage.summary_mend import SummaryMender
from graphnode.storage.vector_store import VectorStore


@dataclass(frozen=True, slots=True)
class RemovedItem:
    conversations: int = 0
    nodes: int = 0
    edges: int = 0

    @property
    def found(self) -> bool:
        return bool(self.conversations or self.nodes)


class ItemRemover:
    def __init__(
        self, database: DocumentDatabase, graphs: MongoGraphStore, vectors: VectorStore
    ) -> None:
        self._db, self._graphs, self._vectors = database, graphs, vectors

    def _coll(self, name: str) -> Any:
        return self._db.collection(name)

    async def remove(self, user_id: str, item_id: str) -> RemovedItem:
        """Remove every item of ``user_id`` whose source id is ``item_id`` (an export may
        hold the same id under two sources), and its node in the current graph."""
        gen = await self._graphs.current_generation(user_id)
        found = [] if gen is None else await self._nodes_of(gen, item_id)
        if gen is not None and found:
            # Before the node goes: a repeat after a crash finds the node, so mends it too.
            await SummaryMender(self._db, self._graphs).without_item(
                gen, item_id, found[0].get("title", "")
            )
        nodes, edges = (0, 0) if gen is None or not found else await self._remove(gen, found)
        stored = await self._coll(Collections.CONVERSATIONS).delete_many(
            {**owned(user_id), "source_id": item_id}
        )
        removed = RemovedItem(stored.deleted_count, nodes, edges)
        if gen is not None and removed.found:
            # Counted afresh each time, so a repeat after a crash also mends the counts.
            await self._graphs.recount(gen, {doc["cluster_id"] for doc in found})
        return removed

    async def _nodes_of(self, gen: Generation, item_id: str) -> list[dict[str, Any]]:
        return await find_all(
            self._coll(Collections.NODES),
            {**gen.own(), "orig_id": item_id},
            {"node_id": 1, "orig_id": 1, "cluster_id": 1, "subcluster_id": 1, "title": 1},
        )

    async def _remove(self, gen: Generation, found: list[dict[str, Any]]) -> tuple[int, int]:
        """Remove the ``found`` nodes of one item; how many nodes and edges went."""
        item_id = found[0]["orig_id"]
        gone = [doc["node_id"] for doc in found]
        await self._vectors.delete_items(gen, [item_id])
        edges = 0
        # Two deletes rather than one $or: a wire-protocol server was seen to mishandle $or
        # beside other filter fields (see documents.all_of).
        for end in ("source", "target"):
            deleted = await self._coll(Collections.EDGES).delete_many(
                {**gen.own(), end: {"$in": gone}}
            )
            edges += deleted.deleted_count
        for sub in {doc.get("subcluster_id") for doc in found} - {None}:
            await self._shrink_subcluster(gen, sub, gone)
        query = {**gen.own(), "orig_id": item_id}
        nodes = (await self._coll(Collections.NODES).delete_many(query)).deleted_count
        return nodes, edges

    async def _shrink_subcluster(self, gen: Generation, sub: str, gone: list[int]) -> None:
        """The subcluster without the ``gone`` nodes (a repeat finds them gone already); one
        left without nodes goes."""
        key = {"_id": gen.key(sub), "user_id": gen.user_id}
        subclusters = self._coll(Collections.SUBCLUSTERS)
        doc = await subclusters.find_one(key)
        if doc is None:
            return
        members = list(doc.get("node_ids", []))
        left = [node for node in members if node not in gone]
        if not left:
            await subclusters.delete_one(key)
            return
        representative = doc.get("representative_node_id")
        await subclusters.update_one(
            key,
            {
                "$set": {
                    "node_ids": left,
                    "size": len(left),
                    "representative_node_id": representative if representative in left else left[0],
                }
            },
        )
