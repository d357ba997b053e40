"""Health, the OpenAPI document and the viewer page."""

from __future__ import annotations

from aiohttp import web

from graphnode.api.openapi import openapi_document
from graphnode.api.state import API
from graphnode.api.viewer import VIEWER_DIR
from graphnode.api.views.common import json_response


async def healthz(_: web.Request) -> web.Response:
    return json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    api = request.app[API]
    ready = await api.database.ping()
    return json_response({"ready": ready}, status=200 if ready else 503)


async def openapi(request: web.Request) -> web.Response:
    return json_response(openapi_document(request.app[API].settings))


async def viewer(_: web.Request) -> web.FileResponse:
    return web.FileResponse(VIEWER_DIR / "index.html", headers={"Cache-Control": "no-cache"})


# The page's own files, and nothing else of the package folder they live in (its
# __init__.py was served as a static file).
VIEWER_ASSETS = frozenset(
    path.name for path in VIEWER_DIR.iterdir() if path.suffix in {".html", ".js", ".css"}
)


async def viewer_asset(request: web.Request) -> web.FileResponse:
    name = request.match_info["name"]
    if name not in VIEWER_ASSETS:
        raise web.HTTPNotFound()
    return web.FileResponse(VIEWER_DIR / name, headers={"Cache-Control": "no-cache"})
