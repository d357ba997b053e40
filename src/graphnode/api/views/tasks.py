"""A task's status, as JSON or as a stream of server-sent events while it runs."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import orjson
from aiohttp import web

from graphnode.api.problems import Problem
from graphnode.api.state import API
from graphnode.api.views.common import json_response
from graphnode.storage.codec import iso
from graphnode.storage.task_store import TERMINAL

log = logging.getLogger("graphnode.api.tasks")

EVENT_POLL_SECONDS = 1.0
# A client that stays connected this long is sent a keep-alive comment.
KEEPALIVE_SECONDS = 15.0
MAX_STREAM_SECONDS = 3 * 3600


def task_view(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "taskId": doc["_id"],
        "type": doc.get("task_type"),
        "status": doc.get("status"),
        "stage": doc.get("stage"),
        "progressPercent": doc.get("progress_percent", 0.0),
        "etaSeconds": doc.get("eta_seconds"),
        "error": doc.get("error"),
        "errorCode": doc.get("error_code"),
        "createdAt": iso(doc.get("created_at")),
        "updatedAt": iso(doc.get("updated_at")),
        "finishedAt": iso(doc.get("finished_at")),
    }


async def _own_task(request: web.Request) -> dict[str, Any]:
    api = request.app[API]
    user = api.user_of(request)
    doc = await api.tasks.get(request.match_info["task_id"], user_id=user)
    if doc is None:  # another user's task looks exactly like a missing one
        raise Problem(404, "No such task for you.")
    return doc


async def get_task(request: web.Request) -> web.Response:
    return json_response(task_view(await _own_task(request)))


async def task_events(request: web.Request) -> web.StreamResponse:
    """``text/event-stream``: one ``progress`` event per change, then ``done`` once the task
    is COMPLETED or FAILED (its ``error`` and ``errorCode`` say why), or ``timeout`` after
    MAX_STREAM_SECONDS without an end."""
    doc = await _own_task(request)
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
    )
    await response.prepare(request)
    try:
        await _stream(request, response, doc)
    except ConnectionResetError:
        # The client hung up (closed the page, lost the network): normal, not an error.
        log.debug("event stream closed by the client", extra={"taskId": doc["_id"]})
    return response


async def _stream(request: web.Request, response: web.StreamResponse, doc: dict[str, Any]) -> None:
    api = request.app[API]
    last: dict[str, Any] | None = None
    quiet = 0.0
    loop = asyncio.get_running_loop()
    deadline = loop.time() + MAX_STREAM_SECONDS
    while True:
        view = task_view(doc)
        if view["status"] in TERMINAL or loop.time() >= deadline:
            # A client must never wait on a stream that ends without saying how.
            name = "done" if view["status"] in TERMINAL else "timeout"
            await response.write(_event(name, view))
            break
        if view != last:
            await response.write(_event("progress", view))
            last, quiet = view, 0.0
        elif quiet >= KEEPALIVE_SECONDS:
            await response.write(b": keep-alive\n\n")
            quiet = 0.0
        await asyncio.sleep(EVENT_POLL_SECONDS)
        quiet += EVENT_POLL_SECONDS
        doc = await api.tasks.get(doc["_id"]) or doc
    await response.write_eof()


def _event(name: str, view: dict[str, Any]) -> bytes:
    return f"event: {name}\ndata: ".encode() + orjson.dumps(view) + b"\n\n"
