"""``ADD_NODE_RESULT``: new conversations placed into the user's existing graph."""

from __future__ import annotations

import logging
from typing import Any

from graphnode.contracts import AddNodeResult, Message, parse_graph_addition
from graphnode.messaging.routing import PoisonMessage
from graphnode.storage.task_store import TaskState
from graphnode.storage.vector_store import VectorDimensionError
from graphnode.worker.handlers.context import node_vector
from graphnode.worker.handlers.result import ResultHandler

log = logging.getLogger("graphnode.worker.add_node")


class AddNodeResultHandler(ResultHandler):
    """The result file is a graph.json holding the new nodes and their edges (and new
    clusters); each node may carry its ``embedding`` so its vector can be stored."""

    async def apply(self, message: Message[Any]) -> None:
        payload: AddNodeResult = message.payload
        ctx, user = self._ctx, payload.user_id
        [raw] = await ctx.download(message, payload.result_s3_key)
        assert raw is not None  # the contract requires resultS3Key when COMPLETED
        graph = parse_graph_addition(raw)
        vectors = [node_vector(node, node.embedding) for node in graph.nodes if node.embedding]
        # Vectors first: the merge frees the claim, so it is the step that says "done".
        current = await ctx.graphs.current_generation(user)
        if vectors and current is not None:
            try:
                await ctx.vectors.upsert(current, vectors)
            except VectorDimensionError as exc:
                raise PoisonMessage(str(exc)) from None
        await ctx.graphs.merge_graph(user, graph, task_id=message.task_id)
        await ctx.tasks.finish(message.task_id, user, TaskState.COMPLETED)
        await ctx.notifier.notify(
            user,
            message.task_id,
            "ADD_NODE_COMPLETED",
            title="Your knowledge graph grew",
            body=f"{len(graph.nodes)} new conversations added",
            data={"nodes": str(len(graph.nodes))},
        )
        log.info("nodes merged", extra={"nodes": len(graph.nodes), "vectors": len(vectors)})
