"""Errors as RFC 9457 ``application/problem+json``, each with a message a person can act on.

Views raise :class:`Problem`; the middleware turns it (and aiohttp's own HTTP errors) into a
problem document, and anything unexpected into a 500 that names the request, never a trace.
Requests aiohttp's parser refuses never reach a middleware: ``api.protocol`` answers those.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import orjson
from aiohttp import web

log = logging.getLogger("graphnode.api")

PROBLEM_TYPE = "application/problem+json"
TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    408: "Request timeout",
    409: "Conflict",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    429: "Too many requests",
    500: "Internal server error",
    502: "Bad gateway",
    503: "Service unavailable",
}


class Problem(Exception):
    """An answer for the client. ``close`` when what follows on the connection cannot be
    read as a request (a body that stopped halfway)."""

    def __init__(self, status: int, detail: str, *, close: bool = False, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.detail, self.extra = status, detail, extra
        self.close = close


def problem_response(
    status: int, detail: str, *, headers: Mapping[str, str] | None = None, **extra: Any
) -> web.Response:
    body = {
        "type": "about:blank",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        **extra,
    }
    headers = {str(k): v for k, v in (headers or {}).items()}
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="graphnode"'
    if "retryAfter" in extra:
        headers["Retry-After"] = str(extra["retryAfter"])
    return web.Response(
        body=orjson.dumps(body), status=status, content_type=PROBLEM_TYPE, headers=headers
    )


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def problem_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except Problem as problem:
        response = problem_response(problem.status, problem.detail, **problem.extra)
        if problem.close:
            response.force_close()
        return response
    except web.RequestPayloadError:
        # The body's framing broke after the headers were parsed (a bad chunk size, a short
        # chunk): the client's fault, not a 500. Its message quotes the bytes: not repeated.
        response = problem_response(400, "The request body's framing is not valid.")
        response.force_close()  # the rest of the stream cannot be parsed
        return response
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        detail = exc.text if exc.text and not exc.text.startswith(f"{exc.status}:") else exc.reason
        # Keep what the error carries besides its body (Allow on a 405, for example).
        kept = {
            k: v
            for k, v in exc.headers.items()
            if k.lower() not in ("content-type", "content-length")
        }
        return problem_response(exc.status, detail or exc.reason, headers=kept)
    except Exception:
        log.exception("unhandled error", extra={"path": request.path, "method": request.method})
        return problem_response(500, "Something went wrong on our side; it has been logged.")
