"""``GRAPH_GENERATION_RESULT``: the AI service finished (or failed) a user's graph."""

from __future__ import annotations

import logging
from typing import Any

from graphnode.contracts import (
    FeaturesFile,
    GraphFile,
    GraphGenerationResult,
    Message,
    parse_features,
    parse_graph,
    parse_summary,
)
from graphnode.messaging.routing import PoisonMessage
from graphnode.storage.graph_documents import Generation
from graphnode.storage.task_store import TaskState
from graphnode.storage.vector_store import NodeVector, VectorDimensionError
from graphnode.worker.handlers.context import generated_at, node_vector
from graphnode.worker.handlers.result import ResultHandler

log = logging.getLogger("graphnode.worker.graph")


def node_vectors(graph: GraphFile, features: FeaturesFile) -> list[NodeVector]:
    """Join each conversation's embedding to its node (by orig_id) for the vector store."""
    nodes = {node.orig_id: node for node in graph.nodes}
    vectors = []
    for conversation, embedding in zip(features.conversations, features.embeddings, strict=True):
        node = nodes.get(conversation.orig_id)
        if node is None:
            continue  # a conversation the graph dropped (e.g. empty) has no node to point at
        vectors.append(node_vector(node, embedding))
    return vectors


class GraphGenerationResultHandler(ResultHandler):
    async def apply(self, message: Message[Any]) -> None:
        """Stage the graph and its vectors, switch the user to them in one compare-and-set,
        then collect the old generation: a retry after a failure anywhere completes every
        step, and a result that loses the switch (a newer one won) leaves nothing behind."""
        payload: GraphGenerationResult = message.payload
        ctx, user = self._ctx, payload.user_id
        raw_graph, raw_features, raw_summary = await ctx.download(
            message, payload.result_s3_key, payload.features_s3_key, payload.summary_s3_key
        )
        assert raw_graph is not None  # the contract requires resultS3Key when COMPLETED
        graph = parse_graph(raw_graph)
        features = parse_features(raw_features) if raw_features is not None else None
        summary = parse_summary(raw_summary) if raw_summary is not None else None
        stamp = generated_at(graph.metadata.generated_at, message.timestamp)
        gen = Generation.at(user, message.task_id, stamp)

        applied = await self._switch_to(gen, graph, features)
        if applied and summary is not None:
            await ctx.graphs.store_summary(user, message.task_id, summary, stamp)
        await ctx.tasks.finish(
            message.task_id,
            user,
            TaskState.COMPLETED,
            superseded=not applied,
        )
        if applied and await ctx.graphs.current_generation(user) == gen:
            # Only the graph the user now has announces itself: a result that was current
            # for a moment, until a newer one switched, stays quiet.
            await ctx.notifier.notify(
                user,
                message.task_id,
                "GRAPH_GENERATION_COMPLETED",
                title="Your knowledge graph is ready",
                body=f"Graph ready ({len(graph.nodes)} nodes)",
                data={"nodes": str(len(graph.nodes))},
            )
        log.info(
            "graph stored",
            extra={"nodes": len(graph.nodes), "edges": len(graph.edges), "applied": applied},
        )

    async def _switch_to(
        self, gen: Generation, graph: GraphFile, features: FeaturesFile | None
    ) -> bool:
        graphs, vectors = self._ctx.graphs, self._ctx.vectors
        if await graphs.is_stale(gen):
            log.warning("stale graph result ignored", extra={"generation": gen.generation})
            return False
        await graphs.stage(gen, graph)
        if features is not None:
            try:
                await vectors.upsert(gen, node_vectors(graph, features))
            except VectorDimensionError as exc:
                # No redelivery can fix another model's vectors: dead-letter it, saying why.
                await graphs.drop(gen)
                raise PoisonMessage(str(exc)) from None
        switched = await graphs.switch(gen, graph)
        if not switched:
            await graphs.drop(gen)
            await vectors.drop(gen)
            return False
        await graphs.collect_older(gen)
        removed = await vectors.collect_older(gen)
        log.info("generation applied", extra={"oldVectorsRemoved": removed})
        return True
