"""Generation, the graph snapshot, its summary and similarity search."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from graphnode.api.problems import Problem
from graphnode.api.services.ai_client import AiServiceError
from graphnode.api.services.dispatch import DispatchError
from graphnode.api.services.generation import GenerationRunningError, NothingToGenerateError
from graphnode.api.services.rate_limit import RateLimitedError
from graphnode.api.state import API, Api
from graphnode.api.views.common import json_body, json_response
from graphnode.contracts import ContractError, GraphGenerationRequest
from graphnode.storage.codec import iso

GENERATE_OPTIONS = ("includeSummary", "language", "summaryLanguage", "minClusters", "maxClusters")
MAX_SEARCH_RESULTS = 50
MAX_QUERY_CHARS = 2_000


def _generate_options(body: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(body) - set(GENERATE_OPTIONS))
    if unknown:
        raise Problem(
            422, f"Unknown field(s) {', '.join(unknown)}; allowed: {', '.join(GENERATE_OPTIONS)}."
        )
    try:  # validate with the contract's own rules (e.g. minClusters <= maxClusters)
        GraphGenerationRequest.model_validate({"userId": "check", "s3Key": "check/", **body})
    except ContractError as exc:
        raise Problem(422, exc.reason) from None
    return body


async def generate(request: web.Request) -> web.Response:
    api = request.app[API]
    user = api.user_of(request)
    options = _generate_options(await json_body(request, optional=True))
    try:
        await api.generate_limit.take(user)
        task_id = await api.generation.start(user, options)
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
        raise Problem(
            503, f"The graph service is unavailable ({exc}); try again shortly."
        ) from None
    return json_response({"taskId": task_id, "status": "PENDING"}, status=202)


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
    body = await json_body(request, optional=True)
    language = body.get("language")
    if set(body) - {"language"} or (language is not None and not isinstance(language, str)):
        raise Problem(422, "The body may only hold 'language' (a language code such as 'ko').")
    try:
        await api.generate_limit.take(user)
        task_id = await api.generation.request_summary(user, language)
    except RateLimitedError as exc:
        raise Problem(
            429, "Too many requests in the last hour; try again later.", retryAfter=exc.retry_after
        ) from None
    except NothingToGenerateError as exc:
        raise Problem(409, f"{exc}.") from None
    except DispatchError as exc:
        raise Problem(
            503, f"The graph service is unavailable ({exc}); try again shortly."
        ) from None
    return json_response({"taskId": task_id, "status": "PENDING"}, status=202)


async def _embed_query(api: Api, query: str) -> list[float]:
    try:
        [embedding] = await api.ai.embed([query])
    except AiServiceError as exc:
        raise Problem(
            503, f"The embedding service is unavailable ({exc}); try again shortly."
        ) from None
    return embedding


async def search(request: web.Request) -> web.Response:
    api = request.app[API]
    user = api.user_of(request)
    body = await json_body(request)
    query, limit = body.get("query"), body.get("limit", 10)
    if not isinstance(query, str) or not query.strip() or len(query) > MAX_QUERY_CHARS:
        raise Problem(422, f"query must be a non-empty string of at most {MAX_QUERY_CHARS} chars.")
    if (
        not isinstance(limit, int)
        or isinstance(limit, bool)
        or not 1 <= limit <= MAX_SEARCH_RESULTS
    ):
        raise Problem(422, f"limit must be an integer from 1 to {MAX_SEARCH_RESULTS}.")
    current = await api.graphs.current_generation(user)
    if current is None:
        return json_response({"query": query, "results": []})
    matches = await api.vectors.search(current, await _embed_query(api, query.strip()), limit)
    nodes = await api.snapshots.nodes_by_orig_id(user, [m.orig_id for m in matches])
    results = [
        {"score": round(m.score, 4), "node": nodes[m.orig_id]}
        for m in matches
        if m.orig_id in nodes
    ]
    return json_response({"query": query, "results": results})
