"""Generation, the graph snapshot, its summary and similarity search."""

from __future__ import annotations

from aiohttp import web

from graphnode.api.bodies import Accepted, SearchRequest, SummaryRequest
from graphnode.api.problems import Problem
from graphnode.api.services.ai_client import AiServiceError
from graphnode.api.services.dispatch import DispatchError
from graphnode.api.services.generation import GenerationRunningError, NothingToGenerateError
from graphnode.api.services.rate_limit import RateLimitedError
from graphnode.api.state import API, Api
from graphnode.api.views.common import json_response, parse_body, service_unavailable
from graphnode.contracts import GenerationOptions
from graphnode.storage.codec import iso
from graphnode.storage.vector_store import VectorDimensionError


async def generate(request: web.Request) -> web.Response:
    api = request.app[API]
    user = api.user_of(request)
    options = await parse_body(request, GenerationOptions, optional=True)
    try:
        # Only a generation that starts costs quota: a refusal below gives it back.
        async with api.generate_limit.use(user):
            task_id = await api.generation.start(user, options.to_wire())
    except RateLimitedError as exc:
        raise Problem(
            429,
            "Too many generations in the last hour; try again later.",
            retryAfter=exc.retry_after,
        ) from None
    except NothingToGenerateError as exc:
        raise Problem(422, f"{exc}: POST your export to /v1/imports first.") from None
    except GenerationRunningError as exc:
        raise Problem(
            409,
            f"A graph generation is already running for you; follow it at /v1/tasks/{exc.task_id}.",
            taskId=exc.task_id,
        ) from None
    except DispatchError as exc:
        raise service_unavailable("The graph service", exc) from None
    return json_response(Accepted(task_id=task_id), status=202)


async def snapshot(request: web.Request) -> web.Response:
    api = request.app[API]
    body = await api.snapshot_cache.snapshot_bytes(api.user_of(request))
    return web.Response(body=body, content_type="application/json")


async def summary(request: web.Request) -> web.Response:
    api = request.app[API]
    user = api.user_of(request)
    found = await api.graphs.summary_document(user)
    if found is None:
        raise Problem(404, "No summary yet: generate your graph with includeSummary true.")
    return json_response(
        {
            "generatedAt": iso(found["generated_at"]),
            "taskId": found.get("task_id"),
            "summary": found["summary"],
        }
    )


async def request_summary(request: web.Request) -> web.Response:
    api = request.app[API]
    user = api.user_of(request)
    body = await parse_body(request, SummaryRequest, optional=True)
    try:
        async with api.generate_limit.use(user):
            task_id = await api.generation.request_summary(user, body.language)
    except RateLimitedError as exc:
        raise Problem(
            429, "Too many requests in the last hour; try again later.", retryAfter=exc.retry_after
        ) from None
    except NothingToGenerateError as exc:
        raise Problem(409, f"{exc}.") from None
    except DispatchError as exc:
        raise service_unavailable("The graph service", exc) from None
    return json_response(Accepted(task_id=task_id), status=202)


async def _embed_query(api: Api, query: str) -> list[float]:
    try:
        [embedding] = await api.ai.embed([query])
    except AiServiceError as exc:
        raise service_unavailable("The embedding service", exc) from None
    return embedding


async def search(request: web.Request) -> web.Response:
    api = request.app[API]
    user = api.user_of(request)
    body = await parse_body(request, SearchRequest)
    query, limit = body.query, body.limit
    current = await api.graphs.current_generation(user)
    if current is None:
        return json_response({"query": query, "results": []})
    try:
        matches = await api.vectors.search(current, await _embed_query(api, query.strip()), limit)
    except VectorDimensionError:
        raise Problem(
            409,
            "Your graph was built with another embedding model than search uses now; "
            "generate it again to search it.",
        ) from None
    nodes = await api.snapshots.nodes_by_orig_id(user, [m.orig_id for m in matches])
    results = [
        {"score": round(m.score, 4), "node": nodes[m.orig_id]}
        for m in matches
        if m.orig_id in nodes
    ]
    return json_response({"query": query, "results": results})
