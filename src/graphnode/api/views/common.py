"""Request parsing shared by the views: every JSON body is read by one helper, with the
model that describes it (the same model the OpenAPI document's schema comes from)."""

from __future__ import annotations

import logging
from typing import Any, TypeVar

import orjson
from aiohttp import web
from pydantic import BaseModel, ValidationError

from graphnode.api.problems import Problem
from graphnode.api.services.stalls import arrival
from graphnode.api.state import SETTINGS
from graphnode.contracts.wire import describe_validation_error

MAX_JSON_BYTES = 64 * 1024

B = TypeVar("B", bound=BaseModel)


def _reason(model: type[BaseModel], error: ValidationError) -> str:
    reason = describe_validation_error(error, "")
    if any(item["type"] == "extra_forbidden" for item in error.errors()):
        known = [field.alias or name for name, field in model.model_fields.items()]
        reason += f" (allowed: {', '.join(known)})"
    return reason


async def _read_body(request: web.Request, limit: int) -> bytes:
    """The whole body, refused as 413 once it passes ``limit`` bytes. ``read(n)`` answers
    with what has arrived so far, so a body sent in several packets (any slow client, any
    chunked upload) needs the loop: one read would parse its first packet alone."""
    too_large = Problem(413, f"The JSON body is larger than {limit} bytes.")
    idle = request.app[SETTINGS].body_idle_seconds
    if (request.content_length or 0) > limit:
        raise too_large
    parts: list[bytes] = []
    size = 0
    while part := await arrival(request.content.read(limit + 1 - size), idle):
        parts.append(part)
        size += len(part)
        if size > limit:
            raise too_large
    return b"".join(parts)


async def parse_body(request: web.Request, model: type[B], *, optional: bool = False) -> B:
    """The body as ``model``; an empty body is ``{}`` when ``optional``. Strict, as JSON is:
    ``"5"`` is not a number and ``1`` is not ``true``, as the OpenAPI document says."""
    raw = await _read_body(request, MAX_JSON_BYTES)
    if not raw.strip():
        if not optional:
            raise Problem(422, "Send a JSON object as the body.")
        raw = b"{}"
    try:
        return model.__pydantic_validator__.validate_json(raw, strict=True)
    except ValidationError as exc:
        raise Problem(422, _reason(model, exc)) from None


def json_response(body: Any, status: int = 200) -> web.Response:
    if isinstance(body, BaseModel):
        body = body.model_dump(mode="json", by_alias=True)
    return web.Response(body=orjson.dumps(body), status=status, content_type="application/json")


def service_unavailable(what: str, exc: Exception) -> Problem:
    """A 503 with a stable, short reason; the details (internal hosts, AWS error texts) go
    to the log, never to the client."""
    logging.getLogger("graphnode.api").warning(
        "dependency unavailable", extra={"dependency": what, "error": repr(exc)}
    )
    return Problem(503, f"{what} is unavailable; try again shortly.")
