"""``DELETE /v1/conversations/{id}``: one imported conversation or note removed, and with it
its node, the node's edges and its vector, from the graph at once."""

from __future__ import annotations

from aiohttp import web

from graphnode.api.bodies import RemovedConversation
from graphnode.api.problems import Problem
from graphnode.api.state import API
from graphnode.api.views.common import json_response
from graphnode.storage.item_removal import ItemRemover

# Far above any export's ids (ChatGPT's and Claude's are 36-character UUIDs).
MAX_ID_CHARS = 512
_NOT_FOUND = "No conversation or note with this id is stored for you."


async def delete_conversation(request: web.Request) -> web.Response:
    api = request.app[API]
    user = api.user_of(request)
    item_id = request.match_info["conversation_id"]
    if not item_id or len(item_id) > MAX_ID_CHARS:
        raise Problem(404, _NOT_FOUND)
    stats = await api.graphs.stats(user)
    if stats is not None and stats.live_claim is not None:
        # The running task read the item already; its graph would bring the node back.
        raise Problem(
            409,
            "Your graph is being built; delete this item once it is done "
            f"(follow it at /v1/tasks/{stats.live_claim}).",
            taskId=stats.live_claim,
        )
    removed = await ItemRemover(api.database, api.graphs, api.vectors).remove(user, item_id)
    if not removed.found:
        raise Problem(404, _NOT_FOUND)
    return json_response(
        RemovedConversation(
            id=item_id,
            conversations=removed.conversations,
            nodes=removed.nodes,
            edges=removed.edges,
        )
    )
