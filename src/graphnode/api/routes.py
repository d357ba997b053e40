"""The API's routes, as one short table."""

from __future__ import annotations

from aiohttp import web

from graphnode.api.views import (
    conversations,
    devices,
    exports,
    graphs,
    imports,
    me,
    meta,
    nodes,
    tasks,
)


def setup_routes(app: web.Application) -> None:
    app.router.add_post("/v1/imports", imports.create_import)
    app.router.add_post("/v1/graphs/generate", graphs.generate)
    app.router.add_get("/v1/graphs/me", graphs.snapshot)
    app.router.add_get("/v1/graphs/me/summary", graphs.summary)
    app.router.add_post("/v1/graphs/me/summary", graphs.request_summary)
    app.router.add_post("/v1/graphs/me/search", graphs.search)
    app.router.add_get("/v1/graphs/me/nodes/{node_id}", nodes.get_node)
    app.router.add_post("/v1/graphs/me/nodes", imports.add_nodes)
    app.router.add_get("/v1/graphs/me/export", exports.export_graph)
    app.router.add_get("/v1/tasks/{task_id}", tasks.get_task)
    app.router.add_get("/v1/tasks/{task_id}/events", tasks.task_events)
    app.router.add_post("/v1/devices", devices.register_device)
    app.router.add_delete("/v1/devices", devices.remove_device)
    app.router.add_delete("/v1/me", me.delete_me)
    app.router.add_delete("/v1/conversations/{conversation_id}", conversations.delete_conversation)
    app.router.add_get("/healthz", meta.healthz)
    app.router.add_get("/readyz", meta.readyz)
    app.router.add_get("/openapi.json", meta.openapi)
    app.router.add_get("/", meta.viewer)
    app.router.add_get("/viewer/{name}", meta.viewer_asset)
