"""Request parsing shared by the views."""

from __future__ import annotations

from typing import Any

import orjson
from aiohttp import web

from graphnode.api.problems import Problem

MAX_JSON_BYTES = 64 * 1024


async def json_body(request: web.Request, *, optional: bool = False) -> dict[str, Any]:
    raw = await request.content.read(MAX_JSON_BYTES + 1)
    if len(raw) > MAX_JSON_BYTES:
        raise Problem(413, f"The JSON body is larger than {MAX_JSON_BYTES} bytes.")
    if not raw.strip():
        if optional:
            return {}
        raise Problem(422, "Send a JSON object as the body.")
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise Problem(422, f"The body is not valid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise Problem(422, "The body must be a JSON object.")
    return body


def json_response(body: Any, status: int = 200) -> web.Response:
    return web.Response(body=orjson.dumps(body), status=status, content_type="application/json")
