"""The stored summary brought in line with the graph as stored (``summary_scrub`` on what
MongoDB holds): at once when an item is removed, and when a summary asked for earlier
arrives after items were removed."""

from __future__ import annotations

from collections import Counter
from typing import Any

from graphnode.adapters.mongo import Collections, DocumentDatabase
from graphnode.contracts.results import SummaryFile
from graphnode.storage.codec import find_all
from graphnode.storage.graph_documents import Generation
from graphnode.storage.graph_store import MongoGraphStore
from graphnode.storage.summary_scrub import summary_without_items, title_key, titles_not_in


class SummaryMender:
    def __init__(self, database: DocumentDatabase, graphs: MongoGraphStore) -> None:
        self._db, self._graphs = database, graphs

    async def _graph_now(
        self, gen: Generation, leaving: str | None = None
    ) -> tuple[Counter[str], set[str]]:
        """The topics' sizes and the items' titles, without the item ``leaving``."""
        nodes = [
            node
            for node in await find_all(
                self._db.collection(Collections.NODES),
                gen.own(),
                {"orig_id": 1, "cluster_id": 1, "title": 1},
            )
            if node.get("orig_id") != leaving
        ]
        return Counter(n["cluster_id"] for n in nodes), {n.get("title", "") for n in nodes}

    async def without_item(self, gen: Generation, item_id: str, title: str) -> None:
        """The stored summary without what it said of the item; a repeat scrubs nothing
        more. A summary stored meanwhile is left as it is (compare-and-set)."""
        summaries = self._db.collection(Collections.SUMMARIES)
        doc = await summaries.find_one({"_id": gen.user_id})
        if doc is None or not isinstance(doc.get("summary"), dict):
            return
        sizes, held = await self._graph_now(gen, leaving=item_id)
        # Another item of the same title ("New chat") may be the one the summary quotes.
        shared = title_key(title) in {title_key(t) for t in held}
        gone = [] if shared else [title]
        mended = summary_without_items(doc["summary"], gone, sizes, sum(sizes.values()))
        await summaries.update_one(
            {"_id": gen.user_id, "generated_ms": doc.get("generated_ms")},
            {"$set": {"summary": mended}},
        )

    async def fitted(self, user_id: str, summary: SummaryFile) -> SummaryFile:
        """A new summary as it may be stored: written from the graph as it was when it was
        asked for, it loses what it says of items removed since."""
        gen = await self._graphs.current_generation(user_id)
        if gen is None:
            return summary
        sizes, titles = await self._graph_now(gen)
        raw: dict[str, Any] = summary.model_dump(mode="json", exclude_none=True)
        gone = titles_not_in(raw, titles)
        if not gone and summary.overview.total_source_nodes == sum(sizes.values()):
            return summary
        return SummaryFile.model_validate(
            summary_without_items(raw, gone, sizes, sum(sizes.values()))
        )
