"""One node of the user's graph opened: the item behind it, its cluster and neighbours."""

from __future__ import annotations

from aiohttp import web

from graphnode.api.problems import Problem
from graphnode.api.state import API
from graphnode.api.views.common import json_response

# Node ids are the graph file's integers; MongoDB keeps 64-bit ones.
MAX_NODE_ID = 2**63 - 1


def _node_id(request: web.Request) -> int:
    text = request.match_info["node_id"]
    if not text.isascii() or not text.isdigit() or int(text) > MAX_NODE_ID:
        raise Problem(404, "No such node in your graph.")
    return int(text)


async def get_node(request: web.Request) -> web.Response:
    api = request.app[API]
    user = api.user_of(request)
    node_id = _node_id(request)
    found = await api.snapshots.node_detail(user, node_id)
    if found is None:
        raise Problem(404, "No such node in your graph.")
    return json_response(found)
