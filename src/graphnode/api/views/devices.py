"""``POST``/``DELETE /v1/devices``: the FCM tokens of the user's devices."""

from __future__ import annotations

from aiohttp import web

from graphnode.api.problems import Problem
from graphnode.api.state import API
from graphnode.api.views.common import json_body, json_response

MAX_TOKEN_CHARS = 4096
PLATFORMS = ("android", "ios", "web")


async def _token(request: web.Request) -> tuple[str, str | None]:
    body = await json_body(request)
    token, platform = body.get("token"), body.get("platform")
    if not isinstance(token, str) or not token.strip() or len(token) > MAX_TOKEN_CHARS:
        raise Problem(422, "token must be the device's FCM registration token (a string).")
    if "platform" in body and platform not in PLATFORMS:
        raise Problem(422, f"platform must be one of {', '.join(PLATFORMS)}.")
    return token.strip(), platform


async def register_device(request: web.Request) -> web.Response:
    api = request.app[API]
    user = api.user_of(request)
    token, platform = await _token(request)
    await api.devices.register(user, token, platform)
    return json_response({"registered": True}, status=201)


async def remove_device(request: web.Request) -> web.Response:
    api = request.app[API]
    user = api.user_of(request)
    token, _ = await _token(request)
    removed = await api.devices.remove(user, [token])
    return json_response({"removed": removed})
