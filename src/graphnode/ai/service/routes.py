"""HTTP routes of the AI service: thin views that parse, call, and map errors."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import orjson
from aiohttp import web

from graphnode.ai.service.auth import require_internal_caller
from graphnode.ai.service.graph_tasks import GraphTaskRunner
from graphnode.ai.service.state import SERVICE
from graphnode.contracts import (
    AddNodeRequest,
    ContractError,
    GraphGenerationRequest,
    GraphSummaryRequest,
    Payload,
)
from graphnode.contracts.identifiers import check_id

# Search queries are short; a cap keeps one request from holding the model for long.
MAX_EMBED_TEXTS = 64
MAX_EMBED_CHARS = 8_000


def _json_error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = orjson.loads(await request.read())
    except orjson.JSONDecodeError as exc:
        raise web.HTTPBadRequest(text=f"body is not valid JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="body must be a JSON object")
    return body


P = TypeVar("P", bound=Payload)


async def _start_task(
    request: web.Request,
    model: type[P],
    work: Callable[[GraphTaskRunner, str, P], Awaitable[object]],
) -> web.Response:
    """Validate a task from the API's HTTP dispatch, run it in the background, answer 202."""
    require_internal_caller(request)
    body = await _body(request)
    try:
        task_id = check_id(str(body.pop("taskId", None) or f"task_{uuid.uuid4().hex}"))
        payload = model.model_validate(body)
    except (ContractError, ValueError) as exc:
        return _json_error(422, getattr(exc, "reason", str(exc)))
    service = request.app[SERVICE]
    service.supervisor.start(task_id, lambda: work(service.runner, task_id, payload))
    return web.json_response({"taskId": task_id, "status": "PENDING"}, status=202)


async def generate(request: web.Request) -> web.Response:
    """Start building a graph."""
    return await _start_task(request, GraphGenerationRequest, GraphTaskRunner.generate)


async def summarize(request: web.Request) -> web.Response:
    """Write a new summary of a stored graph."""
    return await _start_task(request, GraphSummaryRequest, GraphTaskRunner.summarize)


async def add_nodes(request: web.Request) -> web.Response:
    """Place new conversations into a stored graph."""
    return await _start_task(request, AddNodeRequest, GraphTaskRunner.add_nodes)


async def embed(request: web.Request) -> web.Response:
    """Embed search queries with the graph's own model (so they compare with its vectors)."""
    require_internal_caller(request)
    body = await _body(request)
    texts = body.get("texts")
    if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
        return _json_error(422, "texts must be a non-empty list of strings")
    if len(texts) > MAX_EMBED_TEXTS or any(len(t) > MAX_EMBED_CHARS for t in texts):
        return _json_error(413, f"at most {MAX_EMBED_TEXTS} texts of {MAX_EMBED_CHARS} chars")
    components = request.app[SERVICE].components
    embedded = await components.embedder.embed(texts)
    return web.json_response(
        {
            "model": components.model.name,
            "dimension": int(embedded.vectors.shape[1]),
            "embeddings": embedded.vectors.round(6).tolist(),
        }
    )


async def healthz(_: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    service = request.app[SERVICE]
    try:
        await service.sqs.attributes(service.settings.request_queue)
        ready = True
    except Exception:  # any failure to reach SQS means not ready
        ready = False
    return web.json_response(
        {"ready": ready, "running": service.supervisor.running}, status=200 if ready else 503
    )


async def metrics(request: web.Request) -> web.Response:
    response = web.Response(body=request.app[SERVICE].metrics.render())
    response.headers["Content-Type"] = "text/plain; version=0.0.4; charset=utf-8"
    return response


def setup_routes(app: web.Application) -> None:
    app.router.add_post("/v1/graphs/generate", generate)
    app.router.add_post("/v1/graphs/summary", summarize)
    app.router.add_post("/v1/graphs/nodes", add_nodes)
    app.router.add_post("/v1/embed", embed)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
