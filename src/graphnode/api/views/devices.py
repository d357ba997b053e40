"""``POST``/``DELETE /v1/devices``: the FCM tokens of the user's devices."""

from __future__ import annotations

from aiohttp import web

from graphnode.api.bodies import Device, Registered, Removed
from graphnode.api.state import API
from graphnode.api.views.common import json_response, parse_body


async def _token(request: web.Request) -> tuple[str, str | None]:
    body = await parse_body(request, Device)
    return body.token.strip(), body.platform


async def register_device(request: web.Request) -> web.Response:
    api = request.app[API]
    user = api.user_of(request)
    token, platform = await _token(request)
    await api.devices.register(user, token, platform)
    return json_response(Registered(registered=True), status=201)


async def remove_device(request: web.Request) -> web.Response:
    api = request.app[API]
    user = api.user_of(request)
    token, _ = await _token(request)
    removed = await api.devices.remove(user, [token])
    return json_response(Removed(removed=removed))
